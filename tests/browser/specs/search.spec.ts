// Searching as a guest and signed in: the combobox, the URL as the search's home, sorting,
// filters, paging, the empty state and errors next to their inputs.
import { expect, test } from '@playwright/test';
import { checkPage, signUpViaApi } from '../support';
import { chooseAirport, departureDate, ROUTE, search, signIn } from '../flows';

test('a guest searches with the airport combobox and gets a shareable results URL', async ({ page }) => {
  await page.goto('/');
  await checkPage(page, 'search');
  // Accent-insensitive: "zur" finds Zürich.
  const from = page.getByRole('combobox', { name: 'From' });
  await from.fill('zur');
  await expect(page.getByRole('option', { name: /^ZRH\b/ })).toBeVisible();
  await expect(from).toHaveAttribute('aria-expanded', 'true');
  await checkPage(page, 'search-combobox');
  await from.press('Escape');

  await search(page, { passengers: 2 });
  const url = new URL(page.url());
  expect(Object.fromEntries(url.searchParams)).toEqual({
    from: ROUTE.from,
    to: ROUTE.to,
    date: departureDate(),
    passengers: '2',
  });
  const cards = page.locator('.leg .flight');
  await expect(page.getByText(/^\d+ flights?$/).first()).toBeVisible();
  // Fare and the party's total on every card.
  await expect(cards.first()).toContainText('per person');
  await expect(cards.first()).toContainText('total for 2');
  await checkPage(page, 'results');

  // Reload and Back keep the search.
  await page.reload();
  await expect(cards.first()).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(/\/$/);
  await page.goForward();
  await expect(cards.first()).toBeVisible();
});

test('results sort, filter, page with a cursor and say when nothing matches', async ({ page }) => {
  await page.goto(`/flights?from=${ROUTE.from}&to=${ROUTE.to}&date=${departureDate(8)}&passengers=1`);
  const cards = page.locator('.leg .flight');
  await expect(cards.first()).toBeVisible();

  await page.getByLabel('Sort by').selectOption('departure');
  await expect(page).toHaveURL(/sort=departure/);
  // The list reloads in place: wait for the new order rather than read the old one.
  const departures = () => page.locator('.leg .flight .times .time:first-child').allTextContents();
  await expect(async () => {
    const times = await departures();
    expect(times.length).toBeGreaterThan(1);
    expect(times).toEqual([...times].sort());
  }).toPass({ timeout: 10_000 });

  // A departure window: every flight shown leaves inside it.
  await page.getByText('Filters', { exact: true }).click();
  await page.getByLabel('Departs after').fill('12:00');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/after=12%3A00/);
  await expect(async () => {
    const times = await departures();
    expect(times.length).toBeGreaterThan(0);
    for (const time of times) expect(time >= '12:00').toBeTruthy();
  }).toPass({ timeout: 10_000 });

  // A fare nobody sells: the empty state.
  await page.getByLabel(/Highest fare per person/).fill('1');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByText('No flights match this search.')).toBeVisible();
  await checkPage(page, 'results-empty');
});

test('show more follows the cursor', async ({ page }) => {
  // Paris to London has more than one page of flights a day in the seed.
  const date = departureDate(9);
  await page.goto(`/flights?from=LHR&to=CDG&date=${date}&passengers=1`);
  const cards = page.locator('.leg .flight');
  await expect(cards.first()).toBeVisible();
  const more = page.getByRole('button', { name: 'Show more flights' });
  if (await more.isVisible()) {
    const before = await cards.count();
    await more.click();
    await expect.poll(() => cards.count()).toBeGreaterThan(before);
  } else {
    // One page holds the whole day: the count says so.
    const total = Number((await page.getByText(/^\d+ flights?$/).first().textContent())?.split(' ')[0]);
    expect(await cards.count()).toBe(total);
  }
});

test('input errors sit next to their inputs, from the form and from the API', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Search flights' }).click();
  await expect(page.locator('#from-error')).toHaveText('Choose an airport from the list.');
  await expect(page.locator('#date-error')).toHaveText('Enter a date.');
  await expect(page.getByRole('combobox', { name: 'From' })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('combobox', { name: 'From' })).toBeFocused();
  await checkPage(page, 'search-errors');

  await chooseAirport(page, 'From', 'LHR', 'LHR');
  await chooseAirport(page, 'To', 'LHR', 'LHR');
  await page.getByRole('button', { name: 'Search flights' }).click();
  await expect(page.locator('#to-error')).toHaveText('Choose a destination other than the origin.');

  // A link with a past date: the API's BAD_USER_INPUT on `date` shows under the date.
  await page.goto(`/flights?from=${ROUTE.from}&to=${ROUTE.to}&date=2020-01-01&passengers=1`);
  await expect(page.locator('.alert').first()).toBeVisible();
  await expect(page.locator('#change-search form')).toBeVisible();
});

test('a signed-in traveller searches the same way', async ({ page }) => {
  const account = await signUpViaApi();
  await signIn(page, account);
  await search(page);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.locator('.leg .flight').first()).toContainText('per person');
});

test('the app speaks German when asked and formats money and dates for it', async ({ page }) => {
  await page.goto(`/flights?from=${ROUTE.from}&to=${ROUTE.to}&date=${departureDate()}&passengers=1`);
  await page.getByLabel('Language').selectOption('de');
  await expect(page.getByRole('button', { name: 'Suche ändern' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(page.locator('.leg .flight .brand-option .fare').first()).toHaveText(/^[\d.]+,\d\d\s£$/);
  await checkPage(page, 'results-de');
  await page.reload();
  await expect(page.getByRole('button', { name: 'Suche ändern' })).toBeVisible();
});
