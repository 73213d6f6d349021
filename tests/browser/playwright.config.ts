// Browser tests: the traveller's web app in Debian's Chromium, against a fresh dev server
// (migrated, seeded local D1) that global-setup.ts starts through the Rust e2e harness.
// Run: node_modules/.bin/playwright test -c tests/browser/playwright.config.ts
// (scripts/test.sh builds the harness binary first; BASE_URL=http://… reuses a running
// server instead, e.g. one from scripts/dev.sh.)
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const root = path.resolve(__dirname, '../..');
const ci = !!process.env.CI;

export default defineConfig({
  testDir: path.join(__dirname, 'specs'),
  // Traces, failure screenshots and support.ts's page screenshots; emptied at each run.
  outputDir: path.join(root, 'target/browser'),
  globalSetup: path.join(__dirname, 'global-setup.ts'),
  workers: 2,
  retries: ci ? 1 : 0,
  forbidOnly: ci,
  // Generous: a booking flow with axe checks at two widths takes 15-20 s on a busy 2-core machine.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // The list reporter ends with the summary lines ("  3 passed (9.1s)", "  1 failed")
  // that scripts/test.sh adds to its total.
  reporter: [['list']],
  use: {
    // Set by global-setup.ts in this process before the workers start, which read it here.
    baseURL: process.env.BASE_URL,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        // Debian's chromium (scripts/setup.sh installs it); Playwright's own download
        // needs the internet. Offline-friendly flags: nothing phones home.
        launchOptions: {
          // CHROMIUM_PATH: another Chromium-based browser (CI uses the runner's Chrome).
          executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-dev-shm-usage',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
  ],
});
