// Helpers for the browser specs: a page check every screen should pass (accessibility,
// no sideways scrolling, screenshots at phone and desktop width), and API shortcuts for
// setting up a test's data without clicking through the app.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test, type APIRequestContext, type Page } from '@playwright/test';

export const SCREENSHOT_DIR = path.resolve(__dirname, '../../target/browser/screenshots');
export const WIDTHS = {
  phone: { width: 360, height: 740 },
  desktop: { width: 1280, height: 800 },
} as const;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
/** What every test account's password is. */
export const PASSWORD = 'correct horse battery';

/**
 * Checks the page as it is now, at phone (360x740) and desktop (1280x800) width: no
 * `serious` or `critical` axe violation (WCAG 2.0/2.1 A and AA, 2.2 AA), no horizontal
 * scrolling, and a full-page screenshot of each width in
 * target/browser/screenshots/<name>-phone.png / <name>-desktop.png (also attached to the
 * test). Restores the viewport afterwards. Fails with every problem found, after the
 * screenshots are saved.
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  const original = page.viewportSize();
  const problems: string[] = [];
  // Let a client-rendered page finish its requests and fonts before judging it.
  await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {});
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  try {
    for (const [label, size] of Object.entries(WIDTHS)) {
      await page.setViewportSize(size);
      await nextFrames(page);

      const file = path.join(SCREENSHOT_DIR, `${name}-${label}.png`);
      await page.screenshot({ path: file, fullPage: true });
      await test.info().attach(`${name}-${label}`, { path: file, contentType: 'image/png' });

      const overflow = await horizontalOverflow(page);
      if (overflow) problems.push(`[${label}] scrolls sideways: ${overflow}`);

      const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
      for (const violation of results.violations) {
        if (violation.impact !== 'serious' && violation.impact !== 'critical') continue;
        const targets = violation.nodes.map((node) => node.target.map(String).join(' >>> '));
        problems.push(
          `[${label}] ${violation.id} (${violation.impact}): ${violation.help}\n` +
            targets.slice(0, 10).map((t) => `      ${t}`).join('\n') +
            (targets.length > 10 ? `\n      … and ${targets.length - 10} more` : '') +
            `\n      ${violation.helpUrl}`,
        );
      }
    }
  } finally {
    if (original) await page.setViewportSize(original);
  }
  if (problems.length > 0) {
    throw new Error(`checkPage('${name}') found ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  }
}

/** Waits until layout after a viewport change has been painted. */
async function nextFrames(page: Page): Promise<void> {
  await page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
  );
}

/** Why the page scrolls sideways (with the widest offenders), or null when it does not. */
async function horizontalOverflow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const doc = document.documentElement;
    if (doc.scrollWidth <= doc.clientWidth) return null;
    const offenders = Array.from(document.body.querySelectorAll('*'))
      .map((el) => ({ el, right: el.getBoundingClientRect().right }))
      .filter(({ right }) => right > doc.clientWidth + 1)
      .sort((a, b) => b.right - a.right)
      .slice(0, 5)
      .map(({ el, right }) => {
        const id = el.id ? `#${el.id}` : '';
        const classes = typeof el.className === 'string' && el.className.trim()
          ? '.' + el.className.trim().split(/\s+/).join('.')
          : '';
        return `${el.tagName.toLowerCase()}${id}${classes} (right edge ${Math.round(right)}px)`;
      });
    return `scrollWidth ${doc.scrollWidth}px > clientWidth ${doc.clientWidth}px; widest: ${offenders.join(', ') || 'none found'}`;
  });
}

/** The server the tests run against (global-setup.ts sets it). */
export function baseURL(): string {
  const url = process.env.BASE_URL;
  if (!url) throw new Error('BASE_URL is not set: run through tests/browser/playwright.config.ts');
  return url;
}

/** The UTC calendar date `days` after today (or after `from`, YYYY-MM-DD), as YYYY-MM-DD. */
export function isoDateInDays(days: number, from?: string): string {
  const start = from ? Date.parse(`${from}T00:00:00Z`) : Date.now();
  return new Date(start + days * 86_400_000).toISOString().slice(0, 10);
}

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[];
  extensions?: Record<string, unknown>;
}

/** POSTs a GraphQL request (with `Authorization: Bearer <token>` when given); the JSON body. */
export async function gql<T = any>(
  base: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphQLResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(new URL('/graphql', base), {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST /graphql: HTTP ${response.status}: ${text}`);
  return JSON.parse(text) as GraphQLResponse<T>;
}

export interface TestAccount {
  email: string;
  password: string;
  name: string;
  id: string;
  accessToken: string;
  refreshToken: string;
}

const SIGN_UP = `mutation($email: String!, $password: String!, $name: String!) {
  signUp(email: $email, password: $password, name: $name) { accessToken refreshToken account { id } }
}`;

/**
 * Signs up a new, unique customer through the API (`<tag>.<nonce>@example.com`) and
 * returns what a test needs to sign in as them. `via`: the server's base URL (default
 * BASE_URL) or a Playwright request context (`request` fixture).
 */
export async function signUpViaApi(
  via: string | APIRequestContext = baseURL(),
  { name = 'Ada Lovelace', tag = 'traveller' }: { name?: string; tag?: string } = {},
): Promise<TestAccount> {
  const email = `${tag}.${Date.now().toString(36)}${randomBytes(4).toString('hex')}@example.com`;
  const variables = { email, password: PASSWORD, name };
  let body: GraphQLResponse;
  if (typeof via === 'string') {
    body = await gql(via, SIGN_UP, variables);
  } else {
    const response = await via.post('/graphql', { data: { query: SIGN_UP, variables } });
    if (response.status() !== 200) throw new Error(`signUp: HTTP ${response.status()}: ${await response.text()}`);
    body = await response.json();
  }
  const session = body.data?.signUp;
  if (body.errors || !session) throw new Error(`signUp failed: ${JSON.stringify(body)}`);
  return {
    email,
    password: PASSWORD,
    name,
    id: session.account.id,
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
  };
}
