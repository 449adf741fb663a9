/**
 * The console's Organizations page in a real browser (issue 19; Debian chromium + playwright-core, as
 * console-browser.test.ts): the tree of the seeded organization with attached policies, and the SCPs
 * that apply to the member account by level after choosing it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { browserSkip, openBrowserPage } from './browser.js';
import { startIamd, type TestServer } from '../contract/harness.js';

const SEED = fileURLToPath(new URL('../../../test/fixtures/devmode/organization.yaml', import.meta.url));
const skip = browserSkip;
let server: TestServer;
let browser: Browser;
let page: Page;

before(async () => {
  if (skip) return;
  server = await startIamd(['--seed', SEED]);
  ({ browser, page } = await openBrowserPage());
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(account: string, user: string, password: string): Promise<void> {
  await page.goto(`${server.url}/console/organization`);
  await page.waitForSelector('#signin-form');
  await page.fill('#signin-account', account);
  await page.fill('#signin-user', user);
  await page.fill('#signin-password', password);
  await page.click('#signin-form button[type=submit]');
  await page.waitForSelector('h1:text("Organization")');
}

test(
  'the tree shows OUs, accounts and attached policies; choosing an account lists its SCPs by level',
  { skip, timeout: 60_000 },
  async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn('111111111111', 'viewer', 'Viewer-Passw0rd!');
    await page.waitForSelector('#org-tree');
    const sandbox = page.locator('li[data-node="ou-seed-sandbox1"]');
    assert.match((await sandbox.locator('> strong').textContent()) ?? '', /^Sandbox \(ou-seed-sandbox1\)$/);
    assert.deepEqual((await sandbox.locator('> .org-policies .badge').allTextContents()).sort(), [
      'SCP: FullAWSAccess',
      'SCP: NoNewUsers',
    ]);
    assert.match(
      (await sandbox.locator('li[data-type="ORGANIZATIONAL_UNIT"] > strong').textContent()) ?? '',
      /^Inner \(ou-seed-[a-z0-9]{8}\)$/,
    );
    await page.click('button[data-account="222222222222"]');
    await page.waitForSelector('#org-applied tr[data-level]');
    const rows = await page
      .locator('#org-applied tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
      );
    assert.deepEqual(rows, [
      ['Root', 'Root', 'SCP: FullAWSAccess'],
      ['OU', 'Root/Sandbox', 'SCP: FullAWSAccessSCP: NoNewUsers'],
      ['Account', 'Root/Sandbox/222222222222', 'SCP: FullAWSAccess'],
    ]);
    assert.deepEqual(errors, []);
  },
);

test('a member account’s admin gets the API’s denial and no tree', { skip, timeout: 60_000 }, async () => {
  await page.context().clearCookies();
  await signIn('222222222222', 'admin', 'Admin-Passw0rd!');
  await page.waitForSelector('#org-error');
  assert.equal(
    (await page.textContent('#org-error'))?.trim(),
    "AccessDeniedException: You don't have permissions to access this resource.",
  );
  assert.equal(await page.locator('#org-tree').count(), 0);
});
