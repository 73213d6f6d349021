// After booking, a traveller moves their seat from the trip: the seat map opens with
// their seat chosen, another free seat takes it, "Save seats" moves it, and the trip and
// the flight's seat map say so. A seat someone takes meanwhile is refused with the
// reason, and the booking keeps its seat.
import { expect, test } from '@playwright/test';
import { checkPage, gql, signUpViaApi } from '../support';
import { bookingIdFromUrl, confirmedReference, fillPassenger, pay, search, signIn } from '../flows';

const SEAT_MAP = `query($id: ID!) { seatMap(flightId: $id) { rows { seats { id status } } } }`;
const BOOKING = `query($id: ID!) { booking(id: $id) { flights { seats flight { id } } } }`;

async function seatStatus(flightId: string, seat: string): Promise<string> {
  const body = await gql(process.env.BASE_URL!, SEAT_MAP, { id: flightId });
  return body.data.seatMap.rows.flatMap((row: any) => row.seats).find((s: any) => s.id === seat)?.status;
}

test('move a seat after booking, from the trip', async ({ page }) => {
  const account = await signUpViaApi(undefined, { tag: 'reseat' });
  await signIn(page, account);
  await search(page);
  await page.locator('section.leg').first().locator('.flight').first().getByRole('button', { name: /^Select flight/ }).click();
  await page.getByRole('button', { name: 'Continue to seats' }).click();
  await page.getByRole('button', { name: 'Skip: assign seats for me' }).click();
  await fillPassenger(page, 1, 'Ada', 'Lovelace');
  await pay(page);
  await confirmedReference(page);
  const id = bookingIdFromUrl(page);
  const booked = (await gql(process.env.BASE_URL!, BOOKING, { id }, account.accessToken)).data.booking;
  const flightId: string = booked.flights[0].flight.id;
  const [before] = booked.flights[0].seats as string[];

  await page.getByRole('link', { name: 'View this trip' }).click();
  await page.getByRole('link', { name: 'Change seats' }).click();
  await expect(page).toHaveURL(new RegExp(`/trips/${id}/seats/0$`));
  await expect(page.getByRole('heading', { name: 'Change your seats' })).toBeVisible();
  const map = page.locator('.leg-seats').first();
  // The seat they have is chosen, and the same seats are not yet something to save.
  await expect(map.getByRole('button', { name: new RegExp(`^${before}, .*chosen for passenger 1$`) })).toBeVisible();
  const save = page.getByRole('button', { name: 'Save seats' });
  await expect(save).toBeDisabled();

  const free = map.getByRole('button', { name: /, free$/ });
  const target = free.nth(12);
  const wanted = ((await target.getAttribute('aria-label')) ?? '').split(',')[0];
  await target.click();
  await expect(map.getByRole('button', { name: new RegExp(`^${wanted}, .*chosen for passenger 1$`) })).toBeVisible();
  await checkPage(page, 'seat-change');
  await save.click();
  await expect(page.locator('#seats-result')).toContainText(`Seats changed: ${wanted}.`);
  expect(await seatStatus(flightId, wanted)).toBe('SOLD');
  expect(await seatStatus(flightId, before)).toBe('FREE');

  await page.getByRole('link', { name: 'Back to the trip' }).click();
  await expect(page.locator('.trip-leg-detail').first()).toContainText(wanted);

  // Someone else takes a seat while this page is open: saving it is refused, with the
  // reason, and the booking keeps the seat it has.
  await page.getByRole('link', { name: 'Change seats' }).click();
  const next = page.locator('.leg-seats').first().getByRole('button', { name: /, free$/ }).nth(20);
  const contested = ((await next.getAttribute('aria-label')) ?? '').split(',')[0];
  const rival = await signUpViaApi(undefined, { tag: 'rival' });
  const card = await gql(
    process.env.BASE_URL!,
    `mutation { tokenizeCard(input: { number: "4242424242424242", expMonth: 12, expYear: 2030, cvc: "123" }) { token } }`,
    {},
    rival.accessToken,
  );
  const taken = await gql(
    process.env.BASE_URL!,
    `mutation($input: BookingInput!) { processBooking(input: $input) { status } }`,
    {
      input: {
        outboundFlightId: flightId,
        passengers: [{ firstName: 'Grace', lastName: 'Hopper' }],
        seats: { outbound: [contested] },
        paymentToken: card.data.tokenizeCard.token,
        idempotencyKey: `rival-${Date.now()}`,
      },
    },
    rival.accessToken,
  );
  expect(taken.data.processBooking.status).toBe('CONFIRMED');
  await next.click();
  await page.getByRole('button', { name: 'Save seats' }).click();
  await expect(page.locator('#seats-result .error')).toContainText(contested);
  const after = (await gql(process.env.BASE_URL!, BOOKING, { id }, account.accessToken)).data.booking;
  expect(after.flights[0].seats).toEqual([wanted]);
});
