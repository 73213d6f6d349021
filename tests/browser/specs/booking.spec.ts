// Booking through the app, end to end: one way with a good card, a round trip for two
// with chosen seats, a declined card then another, cancelling with a refund, and the
// points it earns.
import { expect, test, type Page } from '@playwright/test';
import { checkPage, gql, signUpViaApi, type TestAccount } from '../support';
import {
  bookingIdFromUrl,
  confirmedReference,
  departureDate,
  fillPassenger,
  pay,
  search,
  signIn,
} from '../flows';

const SEAT_MAP = `query($id: ID!) { seatMap(flightId: $id) { rows { seats { id status } } } }`;
const BOOKING = `query($id: ID!) { booking(id: $id) { status reference flights { seats flight { id } } total { amount } } }`;

async function seatStatus(flightId: string, seat: string): Promise<string> {
  const body = await gql(process.env.BASE_URL!, SEAT_MAP, { id: flightId });
  const seats = body.data.seatMap.rows.flatMap((row: any) => row.seats);
  return seats.find((s: any) => s.id === seat)?.status;
}

/** Chooses the first flight of each leg on the results page and continues. */
async function chooseFirstFlights(page: Page, legs = 1) {
  const lists = page.locator('section.leg');
  for (let leg = 0; leg < legs; leg++) {
    await lists.nth(leg).locator('.flight').first().getByRole('button', { name: /^Select flight/ }).click();
  }
  await page.getByRole('button', { name: 'Continue to seats' }).click();
  await expect(page.getByRole('heading', { name: 'Choose your seats' })).toBeVisible();
}

/** Clicks `count` free seats in a leg's seat map; returns their ids. */
async function pickSeats(page: Page, leg: number, count: number): Promise<string[]> {
  const map = page.locator('.leg-seats').nth(leg);
  const free = map.getByRole('button', { name: /, free$/ });
  await expect(free.first()).toBeVisible();
  const picked: string[] = [];
  for (let i = 0; i < count; i++) {
    const seat = free.nth(5 + i * 3);
    const label = (await seat.getAttribute('aria-label')) ?? '';
    picked.push(label.split(',')[0]);
    await seat.click();
  }
  return picked;
}

async function bookOneWay(page: Page, account: TestAccount, card = '4242 4242 4242 4242') {
  await signIn(page, account);
  await search(page);
  await chooseFirstFlights(page);
  await page.getByRole('button', { name: 'Skip: assign seats for me' }).click();
  await expect(page.getByRole('heading', { name: 'Passengers and payment' })).toBeVisible();
  await fillPassenger(page, 1, 'Ada', 'Lovelace');
  await pay(page, card);
}

test('book one way with card 4242: reference, itinerary and it is under My trips', async ({ page }) => {
  const account = await signUpViaApi(undefined, { tag: 'oneway' });
  await signIn(page, account);
  await search(page);
  await chooseFirstFlights(page);
  await checkPage(page, 'seats');
  await page.getByRole('button', { name: 'Skip: assign seats for me' }).click();
  await expect(page.getByRole('heading', { name: 'Passengers and payment' })).toBeVisible();
  await fillPassenger(page, 1, 'Ada', 'Lovelace');
  await page.getByText('Test cards').click();
  await expect(page.getByText('4242 4242 4242 4242')).toBeVisible();
  await checkPage(page, 'checkout');
  await pay(page);
  const reference = await confirmedReference(page);
  await expect(page.getByText('Ada Lovelace')).toBeVisible();
  await checkPage(page, 'confirmation');

  const id = bookingIdFromUrl(page);
  const booking = await gql(process.env.BASE_URL!, BOOKING, { id }, account.accessToken);
  expect(booking.data.booking.status).toBe('CONFIRMED');
  expect(booking.data.booking.reference).toBe(reference);

  // My trips opens at once and shows the booking: its list is a copy that follows the
  // booking through a queue, so the app names the booking it just made and the API reads
  // that one from the booking itself.
  const trips = page.waitForRequest(
    (request) => request.url().endsWith('/graphql') && (request.postData() ?? '').includes('"operationName":"Trips"'),
  );
  await page.getByRole('link', { name: 'My trips' }).click();
  const sent = JSON.parse((await trips).postData() ?? '{}');
  expect(sent.variables.recent).toContain(id);
  await expect(page.getByText(reference)).toBeVisible({ timeout: 2_000 });
  await checkPage(page, 'trips');
});

test('a round trip for two with chosen seats books exactly those seats', async ({ page }) => {
  const account = await signUpViaApi(undefined, { tag: 'roundtrip' });
  await signIn(page, account);
  await search(page, { passengers: 2, back: departureDate(14) });
  await chooseFirstFlights(page, 2);
  const outbound = await pickSeats(page, 0, 2);
  const inbound = await pickSeats(page, 1, 2);
  await expect(page.getByText('2 of 2 seats chosen')).toHaveCount(2);
  await page.getByRole('button', { name: 'Continue to passengers' }).click();
  await fillPassenger(page, 1, 'Ada', 'Lovelace');
  await fillPassenger(page, 2, 'Charles', 'Babbage');
  await pay(page);
  await confirmedReference(page);

  const booking = await gql(process.env.BASE_URL!, BOOKING, { id: bookingIdFromUrl(page) }, account.accessToken);
  const legs = booking.data.booking.flights;
  expect(legs).toHaveLength(2);
  expect(legs[0].seats).toEqual(outbound);
  expect(legs[1].seats).toEqual(inbound);
  for (const seat of [...outbound, ...inbound]) {
    await expect(page.getByText(new RegExp(`\\b${seat}\\b`)).first()).toBeVisible();
  }
});

test('seat us together picks side-by-side seats', async ({ page }) => {
  const account = await signUpViaApi(undefined, { tag: 'together' });
  await signIn(page, account);
  await search(page, { passengers: 3 });
  await chooseFirstFlights(page);
  await page.getByRole('button', { name: 'Seat us together' }).click();
  await expect(page.getByText('3 of 3 seats chosen')).toBeVisible();
  const chosen = page.locator('.leg-seats').first().getByRole('button', { name: /chosen for passenger/ });
  await expect(chosen).toHaveCount(3);
  const rows = new Set((await chosen.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')!))).map((l) => l.match(/^\d+/)![0]));
  expect(rows.size).toBe(1);
});

test('a declined card, then another card: seats released in between, booked once', async ({ page }) => {
  const account = await signUpViaApi(undefined, { tag: 'declined' });
  await signIn(page, account);
  await search(page);
  await chooseFirstFlights(page);
  const [seat] = await pickSeats(page, 0, 1);
  await page.getByRole('button', { name: 'Continue to passengers' }).click();
  await fillPassenger(page, 1, 'Ada', 'Lovelace');
  await pay(page, '4000 0000 0000 0002');
  await expect(page.getByRole('heading', { name: 'This booking did not go through' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('Your card was declined. Try another card.')).toBeVisible();
  await checkPage(page, 'declined');
  const failedId = bookingIdFromUrl(page);
  const outboundId = (await gql(process.env.BASE_URL!, BOOKING, { id: failedId }, account.accessToken)).data.booking.flights[0].flight.id;
  expect(await seatStatus(outboundId, seat)).toBe('FREE');

  await page.getByRole('button', { name: 'Try another card' }).click();
  await expect(page.getByRole('group', { name: 'Passenger 1' }).getByLabel('Last name')).toHaveValue('Lovelace');
  await pay(page, '4242 4242 4242 4242');
  await confirmedReference(page);
  expect(bookingIdFromUrl(page)).not.toBe(failedId);
  expect(await seatStatus(outboundId, seat)).toBe('SOLD');
});

test('cancel a booking: the refund is shown and the seats are free again', async ({ page }) => {
  const account = await signUpViaApi(undefined, { tag: 'cancel' });
  await bookOneWay(page, account);
  await confirmedReference(page);
  const id = bookingIdFromUrl(page);
  const before = (await gql(process.env.BASE_URL!, BOOKING, { id }, account.accessToken)).data.booking;
  const flightId = before.flights[0].flight.id;
  const seat = before.flights[0].seats[0];
  expect(await seatStatus(flightId, seat)).toBe('SOLD');

  await page.getByRole('link', { name: 'View this trip' }).click();
  await page.getByRole('button', { name: 'Cancel booking' }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel this booking?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('refunded');
  await checkPage(page, 'cancel-dialog');
  await dialog.getByRole('button', { name: 'Yes, cancel and refund' }).click();
  await expect(page.getByText(/^Cancelled\. .* is on its way back to your card\.$/)).toBeVisible();
  await checkPage(page, 'cancelled');

  expect((await gql(process.env.BASE_URL!, BOOKING, { id }, account.accessToken)).data.booking.status).toBe('CANCELLED');
  expect(await seatStatus(flightId, seat)).toBe('FREE');

  // Straight after, the profile counts nothing for it, whether or not the ledger has
  // taken its points back yet, and shows nothing on its way.
  await page.getByRole('link', { name: 'Profile' }).click();
  await expect(page.getByText(/^0 points$/)).toBeVisible();
  await expect(page.getByText(/on the way/)).toHaveCount(0);
});

test('points and tier show in the profile after a booking', async ({ page }) => {
  const account = await signUpViaApi(undefined, { tag: 'loyalty' });
  await bookOneWay(page, account);
  const reference = await confirmedReference(page);
  await page.getByRole('link', { name: 'Profile' }).click();
  await expect(page).toHaveURL(/\/profile$/);
  // At once, the booking's points show: credited already, or on their way.
  await expect(
    page.getByText(/^[1-9][\d,]* points$/).or(page.getByText(/^[1-9][\d,]* more on the way/)),
  ).toBeVisible({ timeout: 2_000 });
  // Points arrive through the loyalty queue a second or so after the confirmation.
  await expect(async () => {
    await page.reload();
    await expect(page.getByText(/^[1-9][\d,]* points$/)).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(page.getByText('BRONZE member')).toBeVisible();
  await expect(page.getByRole('progressbar')).toBeVisible();
  await expect(page.getByRole('link', { name: new RegExp(reference) })).toBeVisible();
  await checkPage(page, 'profile');
});
