// The web app is served by the Worker: at / and at any deep link (the single-page app
// fallback), as HTML with a Content-Security-Policy, and it renders a page that passes
// checkPage.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { checkPage, isoDateInDays } from '../support';

// The app's routes as the build wrote them out from its one page table
// (web/core/src/pages.rs, by `cargo xtask build-web`): each path, and the split module its
// page's code is in (null: in the first download).
type PageRoute = { path: string; pattern: string; group: string | null; module: string | null };
const routesFile = path.resolve(__dirname, '../../../web/target/page-routes.json');
const pageRoutes: PageRoute[] = fs.existsSync(routesFile)
  ? JSON.parse(fs.readFileSync(routesFile, 'utf8'))
  : [];

// The split module a path's page is in, as wasm-split names its file.
function splitModuleAt(routePath: string): RegExp {
  const module = pageRoutes.find((route) => route.path === routePath)?.module;
  if (!module) {
    throw new Error(`no lazily loaded page at ${routePath} in ${routesFile} (run cargo xtask build)`);
  }
  return new RegExp(`/assets/app-[0-9a-f]+/split_${module}_\\d+\\.wasm$`);
}

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

// The first download is the search page's; a link deeper in fetches that page's module
// alongside the app, and the search page fetches none.
test('a deep link fetches its own pages with the app, the search page only its own', async ({ page }) => {
  const pageModules: string[] = [];
  page.on('request', (request) => {
    const name = request.url().match(/\/assets\/app-[0-9a-f]+\/((?:split|chunk)_\w+)\.wasm$/)?.[1];
    if (name) pageModules.push(name);
  });
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(pageModules).toEqual([]);

  // A deep link into each split module: the first of its pages that needs no parameter.
  const links = new Map<string, string>();
  for (const { path: link, module } of pageRoutes) {
    if (module && !link.includes(':') && !links.has(module)) links.set(module, link);
  }
  expect(links.size, `the routes in ${routesFile} (run cargo xtask build)`).toBeGreaterThan(0);
  expect(links.size).toBe(new Set(pageRoutes.map((route) => route.module).filter(Boolean)).size);
  for (const [module, link] of links) {
    await page.goto(link);
    await expect(page.locator(`link[rel=preload][href*="/split_${module}_"]`)).toHaveCount(1);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    expect(pageModules.some((name) => name.startsWith(`split_${module}_`))).toBe(true);
  }
});

// Each page's code is its own module, fetched on the way there. After a deploy the old
// modules are gone: the app reloads once (fetching the new build) and carries on to where
// the traveller was going, instead of dying on a failed fetch.
test('a page whose code has gone since the app loaded reloads and opens', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  let refused = 0;
  await page.route(splitModuleAt('/trips'), async (route) => {
    if (refused++ === 0) await route.fulfill({ status: 404, body: 'Not Found' });
    else await route.continue();
  });
  const reloaded = page.waitForEvent('load');
  await page.getByRole('link', { name: 'My trips' }).click();
  await reloaded;
  // A guest going to My trips is asked to sign in first, and brought back after.
  await expect(page).toHaveURL(/\/signin\?next=%2Ftrips$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  expect(refused).toBe(2);
  await expect(page.locator('#boot-error')).toBeHidden();
});

test('a page whose code cannot be fetched at all says so after one reload', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  let refused = 0;
  await page.route(splitModuleAt('/profile'), async (route) => {
    refused++;
    await route.fulfill({ status: 404, body: 'Not Found' });
  });
  let loads = 0;
  page.on('load', () => loads++);
  await page.getByRole('link', { name: 'Profile' }).click();
  await expect(page.locator('#boot-error')).toBeVisible();
  expect(loads).toBe(1);
  expect(refused).toBe(2);
});
