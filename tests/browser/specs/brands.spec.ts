// A fare is sold in a brand, and its conditions are shown before paying and kept after:
// the traveller picks Light on the results (no bag, no refund, no changes, the lowest
// price), the checkout charges Light and says what it allows, the trip says the same, and
// cancelling quotes "nothing back" before it happens and refunds nothing. A Standard fare
// quotes its refund less the fee, and refunds exactly that.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { checkPage, gql, signUpViaApi } from '../support';
import { bookingIdFromUrl, confirmedReference, fillPassenger, pay, search, signIn } from '../flows';

const FARES = `query($id: ID!) { flight(id: $id) { fares { cabin brand fare { amount currency }
  conditions { refundBeforeDeparture { allowed penalty { amount } } } } } }`;
const MONEY = `query($id: ID!) { booking(id: $id) { status flights { brand }
  captured { amount } refunded { amount } amountPaid { amount } } }`;

/** The amount in minor units of a money text such as "£2,160.00" (a two-decimal currency). */
function minorUnits(text: string): number {
  return Number(text.replace(/[^\d]/g, ''));
}

/** The first flight card on the outbound list. */
function firstCard(page: Page): Locator {
  return page.locator('section.leg').first().locator('.flight').first();
}

/** The Economy fare of `brand` on a flight, as the API sells it. */
async function economyFare(flightId: string, brand: string): Promise<any> {
  const fares = (await gql(process.env.BASE_URL!, FARES, { id: flightId })).data.flight.fares;
  return fares.find((f: any) => f.cabin === 'ECONOMY' && f.brand === brand);
}

/** Picks `brand` on the first card, is seated by the airline, names the traveller and pays. */
async function bookIn(page: Page, brand: 'Light' | 'Standard', screenshots = false): Promise<string> {
  await search(page);
  const card = firstCard(page);
  const choice = card.getByRole('radio', { name: new RegExp(`^${brand}\\b`) });
  await choice.check();
  await expect(card.getByRole('button', { name: new RegExp(`^Selected flight .* in Economy ${brand}$`) })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  if (screenshots) await checkPage(page, 'results-brands');
  await page.getByRole('button', { name: 'Continue to seats' }).click();
  await expect(page).toHaveURL(new RegExp(`/book/seats\\?brand=${brand.toUpperCase()}$`));
  const flightId: string = JSON.parse((await page.evaluate(() => sessionStorage.getItem('checkout'))) ?? '{}').outbound;
  await page.getByRole('button', { name: 'Seat us together' }).click();
  await page.getByRole('button', { name: 'Continue to passengers' }).click();
  await expect(page).toHaveURL(new RegExp(`/book/checkout\\?brand=${brand.toUpperCase()}$`));
  const summary = page.getByRole('complementary', { name: 'Price summary' });
  await expect(summary).toContainText(`Fare: Economy ${brand}`);
  const fare = await economyFare(flightId, brand.toUpperCase());
  const total = page.locator('#price-total');
  await expect(total).not.toBeEmpty();
  expect(minorUnits((await total.textContent()) ?? '')).toBe(fare.fare.amount);
  await fillPassenger(page, 1, 'Ada', 'Lovelace');
  if (screenshots) await checkPage(page, 'checkout-light');
  const sent = page.waitForRequest((r) => (r.postData() ?? '').includes('"operationName":"ProcessBooking"'));
  await pay(page);
  expect(JSON.parse((await sent).postData() ?? '{}').variables.input.outboundBrand).toBe(brand.toUpperCase());
  await confirmedReference(page);
  return flightId;
}

test('a Light fare: no bag, no refund, said before paying, on the trip and when cancelling', async ({ page }) => {
  const account = await signUpViaApi(undefined, { tag: 'light' });
  await signIn(page, account);
  await search(page);

  // Each card offers the three brands of the marked cabin, cheapest first, each with
  // what it allows; Flex, the full fare, is marked until the traveller picks.
  const card = firstCard(page);
  const brands = card.getByRole('group', { name: /^Fare for flight / });
  await expect(brands.getByRole('radio')).toHaveCount(3);
  await expect(brands.getByRole('radio', { name: /^Flex\b/ })).toBeChecked();
  const light = brands.locator('.brand-option').filter({ hasText: 'Light' });
  await expect(light).toContainText('No checked bag');
  await expect(light).toContainText('No refund');
  await expect(light).toContainText('No changes');
  await expect(brands.locator('.brand-option').filter({ hasText: 'Standard' })).toContainText(/Refund less /);
  await expect(brands.locator('.brand-option').filter({ hasText: 'Flex' })).toContainText('Full refund');

  await bookIn(page, 'Light', true);
  const id = bookingIdFromUrl(page);

  // The trip says what was bought and what it allows.
  await page.getByRole('link', { name: 'View this trip' }).click();
  const leg = page.locator('.trip-leg-detail').first();
  await expect(leg).toContainText('Economy Light');
  await expect(leg).toContainText('No refund');
  await checkPage(page, 'trip-light');

  // Cancelling says first that nothing comes back, and then refunds nothing.
  await page.getByRole('button', { name: 'Cancel booking' }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel this booking?' });
  await expect(dialog).toContainText('Your fare refunds nothing');
  await checkPage(page, 'cancel-dialog-light');
  await dialog.getByRole('button', { name: 'Yes, cancel without refund' }).click();
  await expect(page.getByText('Cancelled. Your fare refunds nothing.')).toBeVisible();
  const money = (await gql(process.env.BASE_URL!, MONEY, { id }, account.accessToken)).data.booking;
  expect(money.status).toBe('CANCELLED');
  expect(money.flights[0].brand).toBe('LIGHT');
  expect(money.refunded.amount).toBe(0);
  expect(money.amountPaid.amount).toBe(money.captured.amount);
});

test('a Standard fare quotes its refund less the fee, and refunds exactly that', async ({ page }) => {
  const account = await signUpViaApi(undefined, { tag: 'standard' });
  await signIn(page, account);
  const flightId = await bookIn(page, 'Standard');
  const id = bookingIdFromUrl(page);
  const fare = await economyFare(flightId, 'STANDARD');
  const fee: number = fare.conditions.refundBeforeDeparture.penalty.amount;
  expect(fee).toBeGreaterThan(0);

  await page.getByRole('link', { name: 'View this trip' }).click();
  await page.getByRole('button', { name: 'Cancel booking' }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel this booking?' });
  const quote = (await dialog.locator('#cancel-body').textContent()) ?? '';
  expect(quote).toMatch(/^Under your fare's conditions, .* of the .* paid will be refunded to your card\./);
  const [refundText] = quote.replace("Under your fare's conditions, ", '').split(' of the ');
  expect(minorUnits(refundText)).toBe(fare.fare.amount - fee);
  await dialog.getByRole('button', { name: 'Yes, cancel and refund' }).click();
  await expect(page.getByText(/^Cancelled\. .* is on its way back to your card\.$/)).toBeVisible();

  const money = (await gql(process.env.BASE_URL!, MONEY, { id }, account.accessToken)).data.booking;
  expect(money.refunded.amount).toBe(fare.fare.amount - fee);
  // What was captured less what was refunded is what the traveller owes: the fee.
  expect(money.amountPaid.amount).toBe(fee);
});
