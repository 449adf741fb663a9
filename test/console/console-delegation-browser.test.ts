/**
 * The console's delegation request page in a real browser (issue #20, temporary delegation; Debian
 * chromium + playwright-core, as console-browser.test.ts): CreateDelegationRequest's ConsoleDeepLink
 * opens the request for the customer account's administrator, who associates it, sends it for
 * approval and accepts it there — each step the IAM API call, as the principal signed in.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { browserSkip, openBrowserPage } from './browser.js';
import {
  CreateDelegationRequestCommand,
  CreatePolicyCommand,
  GetDelegationRequestCommand,
} from '@aws-sdk/client-iam';
import { startIamd, type TestServer } from '../contract/harness.js';

const SEED = fileURLToPath(new URL('../../../test/fixtures/devmode/organization.yaml', import.meta.url));
const skip = browserSkip;
/** The partner (the seed's 111111111111 root) and the customer (222222222222, whose admin signs in). */
const PARTNER = {
  accessKeyId: 'AKIAMGMTROOT00000001',
  secretAccessKey: 'mgmt-root-secret-mgmt-root-secret-01',
};
const CUSTOMER_ADMIN = {
  accessKeyId: 'AKIAMEMBERADMIN00001',
  secretAccessKey: 'member-admin-secret-member-admin-01',
};
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

test(
  'the deep link opens the request; associate, send for approval and accept from the page',
  { skip, timeout: 90_000 },
  async () => {
    const partner = server.iam(PARTNER);
    const template = await partner.send(
      new CreatePolicyCommand({
        PolicyName: 'read-role',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'iam:GetRole', Resource: 'arn:aws:iam::{{AccountId}}:role/*' },
          ],
        }),
      }),
    );
    const created = await partner.send(
      new CreateDelegationRequestCommand({
        OwnerAccountId: '222222222222',
        Description: 'Read roles for the audit',
        Permissions: {
          PolicyTemplateArn: template.Policy!.Arn!,
          Parameters: [{ Name: 'AccountId', Type: 'string', Values: ['222222222222'] }],
        },
        RequestorWorkflowId: 'workflow-console',
        NotificationChannel: 'arn:aws:sns:us-east-1:111111111111:delegation',
        SessionDuration: 900,
      }),
    );
    const id = created.DelegationRequestId!;
    const link = new URL(created.ConsoleDeepLink!);
    assert.equal(link.pathname, `/console/delegation-requests/${id}`);

    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}${link.pathname}`);
    await page.waitForSelector('#signin-form');
    await page.fill('#signin-account', '222222222222');
    await page.fill('#signin-user', 'admin');
    await page.fill('#signin-password', 'Admin-Passw0rd!');
    await page.click('#signin-form button[type=submit]');
    // Signing in returns to the deep link.
    await page.waitForSelector('#delegation-state');
    assert.equal(await page.textContent('#delegation-state'), 'UNASSIGNED');
    assert.deepEqual(JSON.parse((await page.textContent('#delegation-policy')) ?? ''), {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: 'arn:aws:iam::222222222222:role/*' }],
    });

    await page.click('#delegation-associate');
    await page.waitForSelector('#delegation-state:text("ASSIGNED")');
    await page.fill('#delegation-notes', 'fine for one audit');
    await page.click('#delegation-submit');
    await page.waitForSelector('#delegation-state:text("PENDING_APPROVAL")');
    await page.click('#delegation-accept');
    await page.waitForSelector('#delegation-state:text("ACCEPTED")');
    assert.match(
      (await page.textContent('#delegation-actions')) ?? '',
      /Nothing to do: the request is ACCEPTED/,
    );

    // The page's steps were the API's: the request is accepted, owned by the console's principal.
    const seen = await server
      .iam(CUSTOMER_ADMIN)
      .send(new GetDelegationRequestCommand({ DelegationRequestId: id }));
    assert.equal(seen.DelegationRequest?.State, 'ACCEPTED');
    assert.equal(seen.DelegationRequest?.OwnerId, 'arn:aws:iam::222222222222:user/admin');
    assert.equal(seen.DelegationRequest?.Notes, 'fine for one audit');
    assert.deepEqual(errors, []);
  },
);

test('another account’s request is not found from the page', { skip, timeout: 60_000 }, async () => {
  await page.goto(`${server.url}/console/delegation-requests/111111111111-AAAAAAAAAAAAAAAAAAAA`);
  await page.waitForSelector('#delegation-view .error');
  assert.match((await page.textContent('#delegation-view .error')) ?? '', /NoSuchEntity/);
});
