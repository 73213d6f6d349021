// The whole booking with the keyboard alone: Tab to move, typing, arrow keys in the
// combobox and the seat map, Enter and Space to act. No click anywhere.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { signUpViaApi } from '../support';
import { confirmedReference, departureDate } from '../flows';

/** Presses Tab until `target` has focus (and it shows a visible focus ring). */
async function tabTo(page: Page, target: Locator, limit = 80) {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) {
      const outline = await target.evaluate((el) => getComputedStyle(el).outlineStyle);
      expect(outline, 'focus is visible').not.toBe('none');
      return;
    }
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target}`);
}

/** Types a YYYY-MM-DD date into a focused date input the way Chromium's en-US one reads it. */
async function typeDate(page: Page, iso: string) {
  const [year, month, day] = iso.split('-');
  await page.keyboard.type(`${month}${day}${year}`);
}

test('book a flight with the keyboard only', async ({ page }) => {
  const account = await signUpViaApi(undefined, { tag: 'keyboard' });

  await page.goto('/signin');
  await tabTo(page, page.getByLabel('Email'));
  await page.keyboard.type(account.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(account.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page).toHaveURL(/\/$/);

  const from = page.getByRole('combobox', { name: 'From' });
  await tabTo(page, from);
  await page.keyboard.type('heathrow');
  await expect(page.getByRole('option', { name: /^LHR\b/ })).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await expect(from).toHaveAttribute('aria-activedescendant', /option-0$/);
  await page.keyboard.press('Enter');
  await expect(from).toHaveValue(/\(LHR\)/);

  await page.keyboard.press('Tab');
  const to = page.getByRole('combobox', { name: 'To' });
  await tabTo(page, to);
  await page.keyboard.type('kennedy');
  await expect(page.getByRole('option', { name: /^JFK\b/ })).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(to).toHaveValue(/\(JFK\)/);

  const date = departureDate(10);
  await tabTo(page, page.getByLabel('Departure', { exact: true }));
  await typeDate(page, date);
  await expect(page.getByLabel('Departure', { exact: true })).toHaveValue(date);
  await tabTo(page, page.getByRole('button', { name: 'Search flights' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/flights\?/);

  // Its name turns from "Select flight …" to "Selected flight …" once pressed.
  const select = page.locator('section.leg').first().locator('.flight .select').first();
  await expect(select).toHaveAccessibleName(/^Select flight/);
  await expect(select).toBeVisible();
  await tabTo(page, select, 120);
  await page.keyboard.press('Enter');
  await expect(select).toHaveAttribute('aria-pressed', 'true');
  await expect(select).toHaveAccessibleName(/^Selected flight/);
  await tabTo(page, page.getByRole('button', { name: 'Continue to seats' }), 120);
  await page.keyboard.press('Enter');

  // The seat map is one tab stop; arrows walk it, Space chooses.
  await expect(page.getByRole('heading', { name: 'Choose your seats' })).toBeVisible();
  const stop = page.locator('.leg-seats .seat[tabindex="0"]');
  await tabTo(page, stop);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowRight');
  const focused = page.locator('.leg-seats .seat:focus');
  await expect(focused).toHaveCount(1);
  // Other tests book seats on the same flights: walk on to a free one, as a person would.
  for (let step = 0; step < 80; step++) {
    if (/, free$/.test((await focused.getAttribute('aria-label')) ?? '')) break;
    await page.keyboard.press(step % 8 === 7 ? 'ArrowDown' : 'ArrowRight');
  }
  await expect(focused).toHaveAttribute('aria-label', /, free$/);
  const seat = ((await focused.getAttribute('aria-label')) ?? '').split(',')[0];
  await page.keyboard.press('Space');
  await expect(focused).toHaveAttribute('aria-label', /chosen for passenger 1$/);
  await tabTo(page, page.getByRole('button', { name: 'Continue to passengers' }));
  await page.keyboard.press('Enter');

  await expect(page.getByRole('heading', { name: 'Passengers and payment' })).toBeVisible();
  await tabTo(page, page.getByLabel('First name(s)'));
  await page.keyboard.type('Ada');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Lovelace');
  await tabTo(page, page.getByLabel('Card number'));
  await page.keyboard.type('4242424242424242');
  await page.keyboard.press('Tab');
  await page.keyboard.type('12/30');
  await page.keyboard.press('Tab');
  await page.keyboard.type('123');
  await tabTo(page, page.getByRole('button', { name: /^Pay .* and book$/ }));
  await page.keyboard.press('Enter');

  await confirmedReference(page);
  await expect(page.getByText(new RegExp(`Seats: ${seat}$`))).toBeVisible();
});
