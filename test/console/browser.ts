/**
 * The console's browser tests' Chromium: Debian's `chromium` driven by playwright-core, one page of
 * 1280×800 with a 10 s default timeout; the tests skip (with this reason) where it is not installed.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests skip, or false when Chromium is there. */
export const browserSkip: string | false = !existsSync(CHROMIUM)
  ? 'Debian chromium is not installed (apt-get install -y chromium)'
  : false;

/** Launches Chromium and opens one page. */
export async function openBrowserPage(): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-dev-shm-usage',
      '--no-first-run',
    ],
  });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.setDefaultTimeout(10_000);
  return { browser, page };
}
