// A deployment that takes payments with Stripe (PAYMENT_PROVIDER=stripe) gets a page with
// Stripe's publishable key and Stripe's origins in its CSP (`cargo xtask build-web`), and the
// checkout then uses Stripe.js's card element instead of the sandbox's card form. Stripe is
// out of reach offline, so this test gives the page what such a build would, and stands in
// for Stripe.js with a script of the same shape: it checks the app's side of the contract
// (mount the element in the traveller's language, show Stripe's own errors at the card,
// send the PaymentMethod id as the payment token), not Stripe.
import { expect, test, type Page } from '@playwright/test';
import { signUpViaApi } from '../support';
import { fillPassenger, search, signIn } from '../flows';

const PUBLISHABLE_KEY = 'pk_test_offline';

// Stripe.js's surface the app uses: Stripe(key, {locale}).elements().create('card')
// .mount(selector), element.focus(), stripe.createPaymentMethod({type, card}).
const FAKE_STRIPE_JS = `
window.Stripe = (key, options) => {
  window.stripeCalls = { key, locale: options && options.locale };
  let input;
  return {
    elements: () => ({
      create: (kind) => ({
        mount(selector) {
          input = document.createElement('input');
          input.setAttribute('aria-label', 'Card number, expiry and CVC');
          input.dataset.kind = kind;
          document.querySelector(selector).append(input);
        },
        focus: () => input.focus(),
      }),
    }),
    createPaymentMethod: async ({ type, card }) =>
      type !== 'card' || !card
        ? { error: { message: 'bad request' } }
        : input.value.length < 16
          ? { error: { message: 'Your card number is incomplete.' } }
          : { paymentMethod: { id: 'pm_offline_4242' } },
  };
};`;

/** Serves the app as a Stripe build would: the key in the page, Stripe in the CSP. */
async function asStripeBuild(page: Page) {
  await page.route('https://js.stripe.com/v3/', (route) =>
    route.fulfill({ contentType: 'text/javascript', body: FAKE_STRIPE_JS }),
  );
  await page.route(
    (url) => url.origin === new URL(process.env.BASE_URL!).origin,
    async (route) => {
      if (route.request().resourceType() !== 'document') return route.fallback();
      const response = await route.fetch();
      const policy = (response.headers()['content-security-policy'] ?? '')
        .replace("script-src 'self'", "script-src 'self' https://js.stripe.com")
        .replace("connect-src 'self'", "connect-src 'self' https://api.stripe.com")
        .replace('; object-src', '; frame-src https://js.stripe.com https://hooks.stripe.com; object-src');
      const body = (await response.text()).replace(
        '<title>',
        `<meta name="stripe-publishable-key" content="${PUBLISHABLE_KEY}" /><title>`,
      );
      await route.fulfill({ response, body, headers: { ...response.headers(), 'content-security-policy': policy } });
    },
  );
}

test('with Stripe, its card element takes the card and its PaymentMethod is the token', async ({ page }) => {
  await asStripeBuild(page);
  const tokens: string[] = [];
  page.on('request', (request) => {
    const body = request.postData();
    if (body?.includes('processBooking')) tokens.push(JSON.parse(body).variables.input.paymentToken);
  });
  const account = await signUpViaApi(undefined, { tag: 'stripe' });
  await signIn(page, account);
  await search(page);
  await page.locator('section.leg').first().locator('.flight').first().getByRole('button', { name: /^Select flight/ }).click();
  await page.getByRole('button', { name: 'Continue to seats' }).click();
  await page.getByRole('button', { name: 'Skip: assign seats for me' }).click();
  await expect(page.getByRole('heading', { name: 'Passengers and payment' })).toBeVisible();
  await fillPassenger(page, 1, 'Ada', 'Lovelace');

  // Stripe's element, mounted with the key and the page's language; no sandbox card form.
  const card = page.getByRole('group', { name: 'Card' }).getByLabel('Card number, expiry and CVC');
  await expect(card).toBeVisible();
  expect(await page.evaluate(() => (window as any).stripeCalls)).toEqual({ key: PUBLISHABLE_KEY, locale: 'en' });
  await expect(page.getByLabel('Card number', { exact: true })).toHaveCount(0);
  await expect(page.getByText('Test cards')).toHaveCount(0);

  // Stripe's own words about the card sit at the card, which gets the focus.
  await card.fill('4242');
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect(page.locator('#stripe-card-error')).toHaveText('Your card number is incomplete.');
  await expect(card).toBeFocused();
  expect(tokens).toEqual([]);

  // A complete card: its PaymentMethod id goes to the booking. This Worker takes sandbox
  // payments, so it refuses the id, and says so; a Stripe Worker would charge it.
  await card.fill('4242424242424242');
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect.poll(() => tokens).toEqual(['pm_offline_4242']);
  await expect(page.getByRole('alert').filter({ hasText: 'paymentToken' })).toBeVisible();
  await expect(page).toHaveURL(/\/book\/checkout$/);
});
