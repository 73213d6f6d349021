// Accounts in the app: sign-up errors next to their inputs, sign-in and back to where the
// traveller was, a session that survives a reload and refreshes itself, sign-out.
import { expect, test } from '@playwright/test';
import { checkPage, PASSWORD, signUpViaApi } from '../support';
import { signIn } from '../flows';

/** The test server issues access tokens for this long (global-setup.ts). */
const TOKEN_SECONDS = Number(process.env.ACCESS_TOKEN_TTL_SECONDS ?? '30');

test('sign-up shows each problem next to its input, then creates the account', async ({ page }) => {
  await page.goto('/signup');
  await checkPage(page, 'signup');
  await page.getByLabel('Your name').fill('Grace Hopper');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  const email = page.getByLabel('Email');
  await expect(page.locator('#email-error')).toHaveText('Enter an email address like name@example.com.');
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(email).toBeFocused();
  await checkPage(page, 'signup-errors');

  const address = `grace.${Date.now().toString(36)}@example.com`;
  await email.fill(address);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('#password-error')).toHaveText('Use 10 to 128 characters, not your email address.');

  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

  // The same email again is refused, next to the email input.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.goto('/signup');
  await page.getByLabel('Your name').fill('Grace Again');
  await page.getByLabel('Email').fill(address);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('#email-error')).toHaveText('An account with this email exists. Sign in instead.');
});

test('a wrong password is refused without saying which part was wrong', async ({ page }) => {
  const account = await signUpViaApi(undefined, { tag: 'wrongpw' });
  await page.goto('/signin');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill('definitely not it');
  await page.getByRole('button', { name: 'Sign in' }).last().click();
  await expect(page.getByRole('alert').filter({ hasText: 'Email or password is wrong.' })).toBeVisible();
});

test('a page that needs an account sends the traveller to sign in and back', async ({ page }) => {
  const account = await signUpViaApi(undefined, { tag: 'next' });
  await page.goto('/trips?tab=past');
  await expect(page).toHaveURL(/\/signin\?next=/);
  await expect(page.getByText('Sign in to see this page.')).toBeVisible();
  await checkPage(page, 'signin-required');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).last().click();
  await expect(page).toHaveURL(/\/trips\?tab=past$/);
});

test('the session survives a reload, refreshes before expiry and keeps the refresh token from script', async ({
  page,
  context,
}) => {
  // Waits out a whole access token's life.
  test.setTimeout((TOKEN_SECONDS + 45) * 1000);
  const account = await signUpViaApi(undefined, { tag: 'refresh' });
  await signIn(page, account);
  const cookie = (await context.cookies()).find((c) => c.name === 'airline_refresh');
  expect(cookie, 'refresh cookie').toBeTruthy();
  expect(cookie!.httpOnly).toBe(true);
  expect(cookie!.sameSite).toBe('Strict');
  expect(await page.evaluate(() => document.cookie)).not.toContain('airline_refresh');

  await page.reload();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

  // Past the access token's whole lifetime: the app refreshed it on its own, so a page that
  // needs the account loads without a sign-in.
  await page.waitForTimeout((TOKEN_SECONDS + 3) * 1000);
  const rotated = (await context.cookies()).find((c) => c.name === 'airline_refresh');
  expect(rotated!.value).not.toBe(cookie!.value);
  await page.getByRole('link', { name: 'Profile' }).click();
  await expect(page.getByRole('heading', { name: 'Profile' })).toBeVisible();
  await expect(page.getByText(account.email)).toBeVisible();
  await expect(page).toHaveURL(/\/profile$/);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
});

test('a refresh the server fails (503) keeps the traveller signed in and is tried again', async ({
  page,
}) => {
  // Waits out a whole access token's life.
  test.setTimeout((TOKEN_SECONDS + 45) * 1000);
  const account = await signUpViaApi(undefined, { tag: 'refresh503' });
  await signIn(page, account);
  // The first refresh meets a server error (as wrangler's proxy sometimes answers);
  // later ones go through.
  let failed = 0;
  await page.route('**/auth/refresh', async (route) => {
    if (failed === 0) {
      failed += 1;
      return route.fulfill({ status: 503, contentType: 'text/plain', body: 'Service Unavailable' });
    }
    return route.fallback();
  });
  await page.waitForTimeout((TOKEN_SECONDS + 3) * 1000);
  expect(failed, 'the app tried to refresh and met the 503').toBe(1);
  await page.getByRole('link', { name: 'Profile' }).click();
  await expect(page.getByRole('heading', { name: 'Profile' })).toBeVisible();
  await expect(page.getByText(account.email)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
});

test('two tabs restoring the session at the same moment both stay signed in', async ({ context }) => {
  const account = await signUpViaApi(undefined, { tag: 'twotabs' });
  const first = await context.newPage();
  await signIn(first, account);
  const second = await context.newPage();
  // Both tabs start at once, and each trades the same refresh cookie for a session.
  await Promise.all([first.goto('/profile'), second.goto('/profile')]);
  for (const page of [first, second]) {
    await expect(page.getByText(account.email)).toBeVisible();
  }
  // Still alive afterwards: a refresh token presented twice would have ended the session.
  await first.reload();
  await expect(first.getByText(account.email)).toBeVisible();
  await second.reload();
  await expect(second.getByText(account.email)).toBeVisible();
});
