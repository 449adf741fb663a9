/**
 * The web console end to end in a real browser (issue 10, "Tests"): Debian's `chromium` driven by
 * `playwright-core` (no browser download), against a real `iamd serve`. Sign in, create a role trusting
 * the user, switch to it by the form and by the AWS URL form
 * (`/console/switchrole?account=&roleName=&displayName=&color=`, "Granting a user permissions to switch
 * roles", IAM User Guide), observe a page that is now denied and its explanation, switch back, sign out.
 * Screenshots of the main pages are taken on every run (they exercise rendering); with
 * IAMD_SCREENSHOTS=1 they go to docs/screenshots/ for the README, otherwise to a temporary directory.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { browserSkip, openBrowserPage } from './browser.js';
import {
  CreateLoginProfileCommand,
  CreateUserCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { ROOT, startIamd, type TestServer } from '../contract/harness.js';

const SHOTS =
  process.env.IAMD_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url))
    : `${mkdtempSync(join(tmpdir(), 'iamd-shots-'))}/`;
const PASSWORD = 'Console-Passw0rd!';
const ROLE = 'console-e2e-role';

let server: TestServer;
let browser: Browser;
let page: Page;

const skip = browserSkip;

before(async () => {
  if (skip) return;
  server = await startIamd();
  const iam = server.iam();
  await iam.send(new CreateUserCommand({ UserName: 'alice' }));
  await iam.send(new CreateLoginProfileCommand({ UserName: 'alice', Password: PASSWORD }));
  // alice may do anything (including iamd:Explain); the role she creates gets nothing.
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'alice',
      PolicyName: 'admin',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      }),
    }),
  );
  ({ browser, page } = await openBrowserPage());
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const shot = (name: string) => page.screenshot({ path: `${SHOTS}${name}.png` });

test(
  'sign in, create a role, switch by form and URL, see a denial explained, switch back, sign out',
  { skip, timeout: 80_000 },
  async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('response', (r) => {
      if (r.status() === 404) errors.push(`404 ${r.url()}`);
    });
    page.on('console', (m) => {
      // A Content-Security-Policy violation would show up here: the console has no inline script.
      if (m.type() === 'error' && !m.text().includes('403') && !m.text().includes('401'))
        errors.push(m.text());
    });

    // Unauthenticated: any console URL leads to the sign-in form.
    await page.goto(`${server.url}/console/users`);
    await page.waitForSelector('#signin-form');
    assert.match(page.url(), /\/console\/signin\?next=%2Fconsole%2Fusers$/);
    // The MFA-code field stays hidden until the server asks for a code (issue #16 item 10).
    assert.equal(await page.isVisible('#signin-mfa'), false);
    await page.fill('#signin-account', ROOT.accountId);
    await page.fill('#signin-user', 'alice');
    await page.fill('#signin-password', 'wrong-password');
    await page.click('#signin-form button[type=submit]');
    await page.waitForSelector('#signin-form .error');
    assert.equal(
      (await page.textContent('#signin-form .error'))?.trim(),
      'Your authentication information is incorrect. Please try again.',
    );
    await shot('signin');
    await page.fill('#signin-password', PASSWORD);
    await page.click('#signin-form button[type=submit]');
    // Back to the page asked for, now as alice.
    await page.waitForSelector('h1:text("Users")');
    assert.equal(await page.textContent('#acting-arn'), `arn:aws:iam::${ROOT.accountId}:user/alice`);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'iamd-console');
    assert.ok(session, 'session cookie set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(session.path, '/console');
    await page.waitForSelector('#main table, #main .error');
    assert.equal(await page.$('#main .error'), null, (await page.textContent('#main')) ?? '');
    await shot('users');

    // Create a role trusting alice (the trust editor is prefilled with the signed-in ARN, validated live).
    await page.click('a:text("Roles")');
    await page.waitForSelector('#create-role', { state: 'attached' });
    await page.click('summary:text("Create role")');
    await page.fill('#role-name', ROLE);
    await page.waitForSelector('#create-role .problems.ok');
    await page.click('#create-role button[type=submit]');
    await page.waitForSelector('#role-arn');
    assert.equal(await page.textContent('#role-arn'), `arn:aws:iam::${ROOT.accountId}:role/${ROLE}`);
    await page.click('#tab-1');
    await page.waitForSelector('textarea.policy');
    // Live validation: a broken trust policy shows the engine's message with its path.
    await page.fill(
      'textarea.policy',
      '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":"*","Action":"sts:AssumeRole"}]}',
    );
    await page.waitForSelector('[data-problem=error]');
    assert.match((await page.textContent('[data-problem=error]')) ?? '', /Statement\[0\]\.Effect/);
    await shot('role-trust');
    // Who can assume: the server's analysis, asked through the API with alice's session.
    await page.click('#tab-2');
    await page.waitForSelector('#who-can-assume');
    assert.match(
      (await page.textContent('#who-can-assume')) ?? '',
      new RegExp(`arn:aws:iam::${ROOT.accountId}:user/alice`),
    );

    // Switch role by the form. The page says what the console does: the role's credentials last one
    // hour and are renewed until the (12-hour) console session ends (issue #16 item 10).
    await page.click('#switch-role-link');
    await page.waitForSelector('#switch-note');
    assert.match(
      (await page.textContent('#switch-note')) ?? '',
      /assumed for one hour at a time and renewed until your console session ends \(.+\)\.$/,
    );
    await page.fill('#switch-account', ROOT.accountId);
    await page.fill('#switch-role', ROLE);
    await page.fill('#switch-display', 'E2E role');
    await page.click('#switch-submit');
    await page.waitForSelector('#switch-back');
    assert.equal(await page.textContent('#acting-as'), 'E2E role');
    assert.equal(
      await page.textContent('#acting-arn'),
      `arn:aws:sts::${ROOT.accountId}:assumed-role/${ROLE}/alice`,
    );
    await page.waitForSelector('#caller-arn');
    assert.equal(
      await page.textContent('#caller-arn'),
      `arn:aws:sts::${ROOT.accountId}:assumed-role/${ROLE}/alice`,
    );
    assert.equal(await page.textContent('dt:has(+ #session-ends)'), 'Console session ends');
    assert.equal(
      await page.textContent('#role-credentials'),
      'assumed for 1 hour at a time, renewed until the console session ends',
    );
    await shot('switched');

    // The role has no permissions: the Users page is now denied, and the denial links to its explanation.
    await page.click('a:text("Users")');
    await page.waitForSelector('.error');
    const denial = (await page.textContent('.error')) ?? '';
    assert.match(
      denial,
      new RegExp(
        `AccessDenied.*User: arn:aws:sts::${ROOT.accountId}:assumed-role/${ROLE}/alice is not authorized to perform: iam:ListUsers`,
      ),
    );
    await shot('denied');
    // Issue #16 item 9: the explanation is asked as the principal in use — the role session — so the
    // role's iamd:Explain is what counts (alice's, who may do anything, is not borrowed).
    await page.click('a:text("Why was this denied?")');
    await page.waitForSelector('#explain-needs');
    const refused = (await page.textContent('#main .error')) ?? '';
    assert.match(
      refused,
      new RegExp(
        `AccessDenied.*User: arn:aws:sts::${ROOT.accountId}:assumed-role/${ROLE}/alice is not authorized to perform: iamd:Explain on resource: \\*`,
      ),
    );
    assert.match(
      (await page.textContent('#explain-needs')) ?? '',
      new RegExp(
        `principal in use, arn:aws:sts::${ROOT.accountId}:assumed-role/${ROLE}/alice: it needs permission for iamd:Explain`,
      ),
    );
    await server.iam().send(
      new PutRolePolicyCommand({
        RoleName: ROLE,
        PolicyName: 'explain',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'iamd:Explain', Resource: '*' }],
        }),
      }),
    );
    await page.reload();
    await page.waitForSelector('#explain-headline');
    assert.equal(await page.textContent('#explain-cause'), 'no-identity-permission');
    // Backticks in the explanation are inline code, not literal characters.
    const headline = (await page.textContent('#explain-headline')) ?? '';
    assert.ok(headline.length > 10);
    assert.doesNotMatch(headline, /`/);
    assert.equal(await page.textContent('#explain-headline code >> nth=0'), 'iam:ListUsers');
    assert.doesNotMatch((await page.textContent('#explain-fix')) ?? '', /`/);
    assert.ok((await page.$$('#explain-fix code')).length > 0);
    await shot('explain');

    // Back to alice: her own permissions again.
    await page.click('#switch-back');
    await page.waitForSelector('#caller-arn');
    assert.equal(await page.textContent('#acting-arn'), `arn:aws:iam::${ROOT.accountId}:user/alice`);
    assert.equal(await page.$('#switch-back'), null);

    // Switch role by the AWS URL form: the form comes prefilled; the switch itself is a POST with CSRF.
    await page.goto(
      `${server.url}/console/switchrole?account=${ROOT.accountId}&roleName=${ROLE}&displayName=By%20URL&color=b3261e`,
    );
    await page.waitForSelector('#switchrole-form');
    assert.equal(await page.inputValue('#switch-role'), ROLE);
    await page.click('#switch-submit');
    await page.waitForSelector('#switch-back');
    assert.equal(await page.textContent('#acting-as'), 'By URL');
    const colour = await page.$eval(
      '#acting-as',
      (el) => (el as unknown as { style: { backgroundColor: string } }).style.backgroundColor,
    );
    assert.equal(colour, 'rgb(179, 38, 30)');
    // Recent roles remember both switches.
    await page.click('#switch-role-link');
    await page.waitForSelector('#recent-roles');
    assert.equal(await page.locator('#recent-roles li').count(), 1);
    await page.click('#switch-back');
    await page.waitForSelector('#caller-arn');

    // Audit page: the denial is there with a link to its explanation.
    await page.click('a:text("Audit")');
    await page.waitForSelector('#audit-form');
    await page.waitForSelector('td:text("ListUsers")');
    await shot('audit');

    // Sign out ends the session server-side: the old cookie no longer works.
    const old = (await page.context().cookies()).find((c) => c.name === 'iamd-console')!;
    await page.click('#sign-out');
    await page.waitForSelector('#signin-form');
    const r = await fetch(`${server.url}/console/api/session`, {
      headers: { cookie: `iamd-console=${old.value}` },
    });
    assert.equal(((await r.json()) as { signedIn: boolean }).signedIn, false);
    assert.deepEqual(errors, []);
  },
);
