// A fare buys a cabin: the traveller picks Business on the results, the seat map offers
// Business seats only (Economy's shown, said to be outside the fare, not pressable), the
// checkout charges the Business fare for the party and the trip says Business. And a
// booking the API refuses for seats outside the fare's cabin says so next to that flight.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { checkPage, gql, signUpViaApi } from '../support';
import { bookingIdFromUrl, confirmedReference, departureDate, fillPassenger, pay, search, signIn } from '../flows';

const FLIGHT_CABINS = `query($id: ID!) { flight(id: $id) { cabins { cabin fare { amount currency } } } }`;
const BOOKING = `query($id: ID!) {
  booking(id: $id) { status total { amount currency } flights { cabin seats flight { id } } }
}`;

/** The first flight card on the outbound list that sells Business. */
function businessCard(page: Page): Locator {
  return page
    .locator('section.leg')
    .first()
    .locator('.flight')
    .filter({ has: page.getByRole('radio', { name: /^Business\b/ }) })
    .first();
}

/** The amount in minor units of a money text such as "£2,160.00" (a two-decimal currency). */
function minorUnits(text: string): number {
  return Number(text.replace(/[^\d]/g, ''));
}

/** The checkout the app keeps in session storage. */
async function storedCheckout(page: Page): Promise<any> {
  return JSON.parse((await page.evaluate(() => sessionStorage.getItem('checkout'))) ?? '{}');
}

test('a Business fare sits in Business: seats, price and trip', async ({ page }) => {
  const account = await signUpViaApi(undefined, { tag: 'business' });
  await signIn(page, account);
  await search(page, { passengers: 2 });

  // Each card names its cabins with their fares; Economy is offered first.
  const card = businessCard(page);
  await expect(card).toBeVisible();
  const economy = card.getByRole('radio', { name: /^Economy\b/ });
  const business = card.getByRole('radio', { name: /^Business\b/ });
  await expect(economy).toBeChecked();
  await expect(card.getByRole('group', { name: /^Cabin for flight / })).toBeVisible();
  await checkPage(page, 'results-cabins');

  // Picking Business chooses the flight in Business, with the keyboard as with a click.
  await economy.focus();
  await page.keyboard.press('ArrowDown');
  await expect(business).toBeChecked();
  const select = card.getByRole('button', { name: /^Selected flight .* in Business Flex$/ });
  await expect(select).toHaveAttribute('aria-pressed', 'true');
  await expect(card).toContainText('total for 2');
  await page.getByRole('button', { name: 'Continue to seats' }).click();

  // The seat map: the fare's cabin, Economy outside it.
  await expect(page.getByRole('heading', { name: 'Choose your seats' })).toBeVisible();
  await expect(page).toHaveURL(/\/book\/seats\?cabin=BUSINESS$/);
  const flightId: string = (await storedCheckout(page)).outbound;
  const map = page.locator('.leg-seats').first();
  await expect(map.getByText('Your fare: Business')).toBeVisible();
  await expect(map.getByText('Business — your fare')).toBeVisible();
  await expect(map.getByRole('list', { name: 'Legend' })).toContainText('Economy — not in your fare');
  const outside = map.getByRole('button', { name: /, not in your cabin$/ });
  await expect(outside.first()).toBeVisible();
  await expect(outside.first()).toHaveAttribute('aria-disabled', 'true');
  // Every free seat is a Business seat; none of Economy's is.
  const free = map.getByRole('button', { name: /, free$/ });
  await expect(free.first()).toBeVisible();
  expect(await free.evaluateAll((seats) => seats.every((s) => s.classList.contains('business')))).toBe(true);
  expect(await outside.evaluateAll((seats) => seats.some((s) => s.classList.contains('business')))).toBe(false);
  // The keyboard starts in Business.
  await expect(map.locator('.seat[tabindex="0"]')).toHaveClass(/\bbusiness\b/);
  // An Economy seat does nothing when pressed.
  await outside.nth(10).click({ force: true });
  await expect(map.getByText('0 of 2 seats chosen')).toBeVisible();
  // Two Business seats.
  const picked: string[] = [];
  for (let i = 0; i < 2; i++) {
    const seat = free.nth(i * 2);
    picked.push(((await seat.getAttribute('aria-label')) ?? '').split(',')[0]);
    await seat.click();
  }
  await expect(map.getByText('2 of 2 seats chosen')).toBeVisible();
  await expect(map.getByRole('button', { name: new RegExp(`^${picked[0]}, .*chosen for passenger 1$`) })).toBeVisible();
  await checkPage(page, 'seats-business');
  await page.getByRole('button', { name: 'Continue to passengers' }).click();

  // The checkout: the cabin named, and the Business fare for two as the total.
  await expect(page.getByRole('heading', { name: 'Passengers and payment' })).toBeVisible();
  await expect(page).toHaveURL(/\/book\/checkout\?cabin=BUSINESS$/);
  const cabins = (await gql(process.env.BASE_URL!, FLIGHT_CABINS, { id: flightId })).data.flight.cabins;
  const businessFare = cabins.find((c: any) => c.cabin === 'BUSINESS').fare;
  const economyFare = cabins.find((c: any) => c.cabin === 'ECONOMY').fare;
  expect(businessFare.amount).toBe(3 * economyFare.amount);
  const summary = page.getByRole('complementary', { name: 'Price summary' });
  await expect(summary).toContainText('Fare: Business Flex');
  await expect(summary).toContainText(`Seats: ${picked.join(', ')}`);
  const total = page.locator('#price-total');
  await expect(total).not.toBeEmpty();
  expect(minorUnits((await total.textContent()) ?? '')).toBe(2 * businessFare.amount);
  await fillPassenger(page, 1, 'Ada', 'Lovelace');
  await fillPassenger(page, 2, 'Charles', 'Babbage');
  await checkPage(page, 'checkout-business');
  const sent = page.waitForRequest((r) => (r.postData() ?? '').includes('"operationName":"ProcessBooking"'));
  await pay(page);
  expect(JSON.parse((await sent).postData() ?? '{}').variables.input.outboundCabin).toBe('BUSINESS');
  await confirmedReference(page);
  await expect(page.locator('.itinerary li').first()).toContainText('Cabin: Business');

  // The booking is what the page said.
  const id = bookingIdFromUrl(page);
  const booking = (await gql(process.env.BASE_URL!, BOOKING, { id }, account.accessToken)).data.booking;
  expect(booking.status).toBe('CONFIRMED');
  expect(booking.flights[0].cabin).toBe('BUSINESS');
  expect(booking.flights[0].seats).toEqual(picked);
  expect(booking.total).toEqual({ amount: 2 * businessFare.amount, currency: businessFare.currency });

  // The trip says Business.
  await page.getByRole('link', { name: 'View this trip' }).click();
  const leg = page.locator('.trip-leg-detail').first();
  await expect(leg.getByRole('definition').filter({ hasText: /^Business Flex/ })).toBeVisible();
  await checkPage(page, 'trip-business');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My trips' }).click();
  await expect(page.locator('.trip').first()).toContainText('Business');
});

test('seats outside the fare are refused next to their flight, and a bad cabin reads as Economy', async ({ page }) => {
  const account = await signUpViaApi(undefined, { tag: 'othercabin' });
  await signIn(page, account);
  await search(page);
  // The plain Select button chooses Economy.
  const card = businessCard(page);
  await card.getByRole('button', { name: /^Select flight .* in Economy Flex$/ }).click();
  await page.getByRole('button', { name: 'Continue to seats' }).click();
  await expect(page).toHaveURL(/\/book\/seats$/);
  const map = page.locator('.leg-seats').first();
  await expect(map.getByText('Your fare: Economy')).toBeVisible();
  await expect(map.getByRole('list', { name: 'Legend' })).toContainText('Business — not in your fare');
  await expect(map.getByRole('button', { name: /^1A, window, not in your cabin$/ })).toHaveAttribute('aria-disabled', 'true');

  // An address with a cabin that does not exist is read as Economy.
  await page.goto('/book/seats?cabin=FIRST');
  await expect(page.locator('.leg-seats').first().getByText('Your fare: Economy')).toBeVisible();

  // A checkout that somehow holds a Business seat on an Economy fare: the API refuses it,
  // and the page says so with the flight, with the way on.
  await page.evaluate(() => {
    const checkout = JSON.parse(sessionStorage.getItem('checkout') ?? '{}');
    checkout.outbound_seats = ['1A'];
    sessionStorage.setItem('checkout', JSON.stringify(checkout));
  });
  await page.goto('/book/checkout?cabin=ECONOMY');
  await expect(page.getByRole('heading', { name: 'Passengers and payment' })).toBeVisible();
  await fillPassenger(page, 1, 'Ada', 'Lovelace');
  await page.getByLabel('Card number').fill('4242 4242 4242 4242');
  await page.getByLabel('Expiry (MM/YY)').fill('12/30');
  await page.getByLabel('Security code').fill('123');
  await page.getByRole('button', { name: /^Pay .* and book$/ }).click();
  const problem = page.locator('#flight-problem-0');
  await expect(problem).toContainText('These seats cannot be booked: seat 1A is in Business; an Economy fare sits in Economy');
  await expect(problem).toBeFocused();
  await expect(page).toHaveURL(/\/book\/checkout/);
  await checkPage(page, 'checkout-seat-refused');
  await problem.getByRole('button', { name: 'Pick seats again' }).click();
  await expect(page).toHaveURL(/\/book\/seats$/);
  await expect(page.getByText('0 of 1 seats chosen')).toBeVisible();
});

test('a flight that sells Economy only offers no other cabin, and an address cannot buy one', async ({ page }) => {
  const account = await signUpViaApi(undefined, { tag: 'economyonly' });
  await signIn(page, account);
  // Dublin to Inverness is flown by an ATR 72, which has no Business cabin.
  await page.goto(`/flights?from=DUB&to=INV&date=${departureDate(7)}&passengers=1`);
  const card = page.locator('section.leg .flight').first();
  await expect(card).toBeVisible();
  await expect(card.getByRole('group', { name: /^Cabin for flight / })).toHaveCount(0);
  await expect(card).toContainText('Economy');
  await expect(card).not.toContainText('Business');
  await card.getByRole('button', { name: /^Select flight .* in Economy Flex$/ }).click();
  await page.getByRole('button', { name: 'Continue to seats' }).click();
  await expect(page).toHaveURL(/\/book\/seats$/);
  await expect(page.getByText('Your fare: Economy')).toBeVisible();

  // An address asking for Business: the page says the flight has none, and the checkout
  // names it with the flight and takes no payment.
  await page.goto('/book/seats?cabin=BUSINESS');
  await expect(page.getByRole('alert').filter({ hasText: 'This flight has no Business cabin.' })).toBeVisible();
  await page.goto('/book/checkout?cabin=BUSINESS');
  await expect(page.locator('#flight-problem-0')).toContainText('This flight has no Business cabin.');
  await expect(page.getByRole('button', { name: /^Pay / })).toBeDisabled();
  await page.locator('#flight-problem-0').getByRole('button', { name: 'Back to the flights' }).click();
  await expect(page).toHaveURL(/\/flights\?from=DUB&to=INV/);
});
