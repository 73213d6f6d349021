// The web app is served by the Worker: at / and at any deep link (the single-page app
// fallback), as HTML with a Content-Security-Policy, and it renders a page that passes
// checkPage.
import { expect, test } from '@playwright/test';
import { checkPage, isoDateInDays } from '../support';

test('the app loads at /', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-type']).toContain('text/html');
  expect(response?.headers()['content-security-policy']).toBeTruthy();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await checkPage(page, 'home');
});

test('a deep link is answered with the app', async ({ request }) => {
  const date = isoDateInDays(7, process.env.SEED_START);
  const response = await request.get(`/flights?from=LHR&to=JFK&date=${date}&passengers=1`);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toContain('text/html');
});
