// Steps a traveller takes, shared by the flow specs: each one goes through the app as a
// person would (labels, roles, buttons), never around it.
import { expect, type Page } from '@playwright/test';
import { isoDateInDays, type TestAccount } from './support';

/** A route the seed timetable flies every day, with enough flights to page through. */
export const ROUTE = { from: 'LHR', to: 'JFK' } as const;

/** A departure date a few days into the seeded timetable (it starts today, UTC). */
export function departureDate(days = 7): string {
  return isoDateInDays(days, process.env.SEED_START);
}

/** Picks an airport in a combobox by typing part of its name and choosing the option. */
export async function chooseAirport(page: Page, label: 'From' | 'To', typed: string, code: string) {
  const box = page.getByRole('combobox', { name: label });
  await box.fill(typed);
  const option = page.getByRole('option', { name: new RegExp(`^${code}\\b`) });
  await expect(option).toBeVisible();
  await option.click();
  await expect(box).toHaveValue(new RegExp(`\\(${code}\\)`));
}

/** Fills and submits the search form. */
export async function search(
  page: Page,
  { passengers = 1, depart = departureDate(), back }: { passengers?: number; depart?: string; back?: string } = {},
) {
  await page.goto('/');
  if (back) await page.getByLabel('Return', { exact: true }).check();
  await chooseAirport(page, 'From', 'heathrow', ROUTE.from);
  await chooseAirport(page, 'To', 'new york', ROUTE.to);
  await page.getByLabel('Departure', { exact: true }).fill(depart);
  if (back) await page.locator('#return').fill(back);
  await page.getByLabel('Passengers').fill(String(passengers));
  await page.getByRole('button', { name: 'Search flights' }).click();
  await expect(page).toHaveURL(/\/flights\?/);
  await expect(page.locator('.leg .flight').first()).toBeVisible();
}

/** Signs in through the app's form. */
export async function signIn(page: Page, account: TestAccount) {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).last().click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** Fills one passenger's names on the checkout page (1-based). */
export async function fillPassenger(page: Page, number: number, first: string, last: string) {
  const group = page.getByRole('group', { name: `Passenger ${number}` });
  await group.getByLabel('First name(s)').fill(first);
  await group.getByLabel('Last name').fill(last);
}

/** Fills the sandbox card form and pays; resolves on the status page. */
export async function pay(page: Page, card = '4242 4242 4242 4242') {
  await page.getByLabel('Card number').fill(card);
  await page.getByLabel('Expiry (MM/YY)').fill('12/30');
  await page.getByLabel('Security code').fill('123');
  await page.getByRole('button', { name: /^Pay .* and book$/ }).click();
  await expect(page).toHaveURL(/\/book\/status\//);
}

/** Waits for the confirmation and returns the booking reference. */
export async function confirmedReference(page: Page): Promise<string> {
  const heading = page.getByRole('heading', { name: /^Booked! Your reference is [A-Z0-9]{6}$/ });
  await expect(heading).toBeVisible({ timeout: 20_000 });
  const text = (await heading.textContent()) ?? '';
  return text.slice(-6);
}

/** The booking id from a status or trip page URL. */
export function bookingIdFromUrl(page: Page): string {
  return decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
}
