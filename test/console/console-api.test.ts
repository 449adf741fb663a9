/**
 * The console's server side without a browser (issue 10, "Security"): cookie attributes, CSRF on every
 * POST, the Content Security Policy, uniform sign-in failures, MFA sign-in, root sign-in with the
 * password from `iamd accounts set-root-password`, and sign-out ending the session. Every console action
 * is an API call audited like any other (checked through the explanation of a denial elsewhere).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
} from '@aws-sdk/client-iam';
import { ROOT, startIamd, type TestServer } from '../contract/harness.js';
import { totpCode } from '../../src/credentials/totp.js';

const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));
let server: TestServer;
let seed = '';

/** A browser-like client: keeps cookies, sends the CSRF token it was given. */
class Client {
  cookies = new Map<string, string>();
  csrf = '';
  constructor(readonly base: string) {}
  private header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = pair!.split('=');
      if (v === '') this.cookies.delete(k!);
      else this.cookies.set(k!, v!);
    }
  }
  async get(path: string): Promise<{ res: Response; json: Record<string, unknown> }> {
    const res = await fetch(this.base + path, { headers: { cookie: this.header() } });
    this.keep(res);
    const json = (await res.json()) as Record<string, unknown>;
    if (typeof json.csrf === 'string') this.csrf = json.csrf;
    return { res, json };
  }
  async post(path: string, body: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(this.base + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-csrf-token': this.csrf,
        cookie: this.header(),
        ...headers,
      },
      body: JSON.stringify(body),
    });
    this.keep(res);
    const json = (await res.json()) as Record<string, unknown>;
    if (typeof json.csrf === 'string') this.csrf = json.csrf;
    return { res, json };
  }
}

before(async () => {
  server = await startIamd();
  const iam = server.iam();
  for (const u of ['bob', 'carol']) {
    await iam.send(new CreateUserCommand({ UserName: u }));
    await iam.send(new CreateLoginProfileCommand({ UserName: u, Password: 'Bob-Passw0rd!' }));
  }
  const dev = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'carol-phone' }));
  seed = new TextDecoder().decode(dev.VirtualMFADevice!.Base32StringSeed!);
  const now = Date.now();
  await iam.send(
    new EnableMFADeviceCommand({
      UserName: 'carol',
      SerialNumber: dev.VirtualMFADevice!.SerialNumber!,
      AuthenticationCode1: totpCode(seed, now - 30_000),
      AuthenticationCode2: totpCode(seed, now),
    }),
  );
});
after(() => server.stop());

test('the shell and API answer with the CSP, no inline script, and no caching of API answers', async () => {
  const res = await fetch(`${server.url}/console`);
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  const html = await res.text();
  assert.doesNotMatch(html, /<script>(?!<\/script>)/);
  assert.match(html, /<script type="module" src="\/console\/static\/app.js"><\/script>/);
  const js = await fetch(`${server.url}/console/static/app.js`);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal((await fetch(`${server.url}/console/static/..%2Fpackage.json`)).status, 404);
});

test('sign-in needs the double-submit CSRF token and JSON; failures are uniform', async () => {
  const c = new Client(server.url);
  await c.get('/console/api/session');
  const creds = { account: ROOT.accountId, userName: 'bob', password: 'Bob-Passw0rd!' };
  let r = await c.post('/console/api/signin', creds, { 'x-csrf-token': 'forged' });
  assert.equal(r.res.status, 403);
  assert.deepEqual(r.json.error, {
    code: 'InvalidCsrfToken',
    message: 'the CSRF token is missing or wrong; reload the page',
  });
  r = await c.post('/console/api/signin', creds, { origin: 'http://evil.example' });
  assert.equal(r.res.status, 403);
  assert.deepEqual(r.json.error, { code: 'InvalidOrigin', message: 'the request came from another origin' });
  const incorrect = {
    code: 'InvalidCredentials',
    message: 'Your authentication information is incorrect. Please try again.',
  };
  for (const wrong of [
    { ...creds, password: 'nope' },
    { ...creds, userName: 'nobody' },
    { ...creds, account: '999988887777' },
    { account: ROOT.accountId, root: true, password: 'x' }, // no root password set
  ]) {
    r = await c.post('/console/api/signin', wrong);
    assert.equal(r.res.status, 401);
    assert.deepEqual(r.json.error, incorrect);
  }
  r = await c.post('/console/api/signin', creds);
  assert.equal(r.res.status, 200);
  assert.equal(r.json.signedIn, true);
  assert.deepEqual(r.json.identity, {
    type: 'IAMUser',
    account: ROOT.accountId,
    arn: `arn:aws:iam::${ROOT.accountId}:user/bob`,
    displayName: 'bob',
    userName: 'bob',
    mfa: false,
  });
  assert.equal(JSON.stringify(r.json).includes('ASIA'), false, 'no credentials reach the browser');
  const setCookie = r.res.headers.getSetCookie().find((s) => s.startsWith('iamd-console='))!;
  const maxAge = Number(/Max-Age=(\d+)/.exec(setCookie)![1]);
  // Expiry no later than the credentials behind it (12 hours for an IAM user's console session).
  assert.ok(maxAge <= 12 * 3600 && maxAge > 12 * 3600 - 60);
  assert.match(setCookie, /; Path=\/console; Max-Age=\d+; HttpOnly; SameSite=Strict$/);

  // Every POST needs the session's CSRF token, and the body must be JSON (no form posts from other sites).
  r = await c.post('/console/api/call', { service: 'iam', action: 'ListUsers' }, { 'x-csrf-token': '' });
  assert.equal(r.res.status, 403);
  r = await c.post(
    '/console/api/call',
    { service: 'iam', action: 'ListUsers' },
    { 'content-type': 'text/plain' },
  );
  assert.equal(r.res.status, 415);
  assert.deepEqual(r.json.error, { code: 'UnsupportedMediaType', message: 'console requests must be JSON' });
  // bob has no policies: the console's call is denied exactly as the API denies bob (same message, request id).
  r = await c.post('/console/api/call', { service: 'iam', action: 'ListUsers' });
  assert.equal(r.res.status, 403);
  assert.equal((r.json.error as { code: string }).code, 'AccessDenied');
  assert.equal(
    (r.json.error as { message: string }).message,
    `User: arn:aws:iam::${ROOT.accountId}:user/bob is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ROOT.accountId}:user/ because no identity-based policy allows the iam:ListUsers action`,
  );
  assert.match(String(r.json.requestId), /^[0-9a-f-]{36}$/);
  r = await c.post('/console/api/call', { service: 'sts', action: 'GetCallerIdentity' });
  assert.equal((r.json.result as { Arn: string }).Arn, `arn:aws:iam::${ROOT.accountId}:user/bob`);

  // Sign-out ends the session on the server.
  const id = c.cookies.get('iamd-console')!;
  r = await c.post('/console/api/signout', {});
  assert.equal(r.json.signedIn, false);
  c.cookies.set('iamd-console', id);
  r = await c.post('/console/api/call', { service: 'sts', action: 'GetCallerIdentity' });
  assert.equal(r.res.status, 401);
  assert.deepEqual(r.json.error, {
    code: 'NotSignedIn',
    message: 'the console session has ended; sign in again',
  });
});

test('a user with an MFA device must give a code; the session then carries MFA', async () => {
  const c = new Client(server.url);
  await c.get('/console/api/session');
  const creds = { account: ROOT.accountId, userName: 'carol', password: 'Bob-Passw0rd!' };
  let r = await c.post('/console/api/signin', creds);
  assert.deepEqual(r.json, { signedIn: false, mfaRequired: true });
  r = await c.post('/console/api/signin', {
    ...creds,
    mfaCode: '000000' === totpCode(seed, Date.now() + 30_000) ? '111111' : '000000',
  });
  assert.equal(r.res.status, 401);
  r = await c.post('/console/api/signin', { ...creds, mfaCode: totpCode(seed, Date.now() + 30_000) });
  assert.equal(r.json.signedIn, true);
  assert.equal((r.json.identity as { mfa: boolean }).mfa, true);
});

test(
  'root signs in with the password set by `iamd accounts set-root-password`',
  { timeout: 30_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iamd-console-'));
    const env = { ...process.env, IAMD_ACCOUNT_ID: '444455556666' };
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--data', dir, '--port', '0', '--log-level', 'warn'],
      { env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /iamd listening on (http:\/\/\S+)/.exec(err);
          if (m) resolve(m[1]!);
        });
        child.on('exit', () => reject(new Error(err)));
      });
      const short = spawnSync(process.execPath, [BIN, 'accounts', 'set-root-password', '--data', dir], {
        input: 'short\n',
        env,
      });
      assert.equal(short.status, 2);
      assert.equal(
        short.stderr.toString().trim(),
        'iamd accounts: the root password must be 8 to 128 characters (read from stdin)',
      );
      const set = spawnSync(process.execPath, [BIN, 'accounts', 'set-root-password', '--data', dir], {
        input: 'Root-Passw0rd!\n',
        env,
      });
      assert.equal(set.stdout.toString().trim(), 'root password set for account 444455556666');
      const c = new Client(url);
      await c.get('/console/api/session');
      const r = await c.post('/console/api/signin', {
        account: '444455556666',
        root: true,
        password: 'Root-Passw0rd!',
      });
      assert.equal(r.json.signedIn, true);
      assert.equal((r.json.identity as { arn: string }).arn, 'arn:aws:iam::444455556666:root');
      // Root sessions last at most one hour; root cannot switch roles (IAM User Guide, switching roles).
      const maxAge = Number(/Max-Age=(\d+)/.exec(r.res.headers.getSetCookie()[0]!)![1]);
      assert.ok(maxAge <= 3600);
      const sw = await c.post('/console/api/switchrole', { account: '444455556666', roleName: 'x' });
      assert.equal(sw.res.status, 400);
      assert.deepEqual(sw.json.error, {
        code: 'InvalidInput',
        message: 'You cannot switch roles when you sign in as the AWS account root user.',
      });
      // The root session can call IAM (console sessions are not limited like GetSessionToken ones).
      const users = await c.post('/console/api/call', { service: 'iam', action: 'ListUsers' });
      assert.equal(users.res.status, 200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

// Issue #16 item 8: the console signs its calls with real time, which the server checks signatures
// against, so moving the test clock (last in this file: it moves for every later test) does not turn
// its calls into "Signature not yet current".
test('console calls keep working after the test clock moves', async () => {
  const c = new Client(server.url);
  await c.get('/console/api/session');
  let r = await c.post('/console/api/signin', {
    account: ROOT.accountId,
    userName: 'bob',
    password: 'Bob-Passw0rd!',
  });
  assert.equal(r.res.status, 200);
  await server.advance(20 * 60);
  r = await c.post('/console/api/call', { service: 'sts', action: 'GetCallerIdentity' });
  assert.equal(r.res.status, 200, JSON.stringify(r.json));
  assert.equal((r.json.result as { Arn: string }).Arn, `arn:aws:iam::${ROOT.accountId}:user/bob`);
});

// Issue #16 item 1: console passwords are rate-limited by lock-out (defaults: 5 free failures, then a
// 1-minute lock). While locked the right password gets the wrong password's answer.
test('five wrong passwords lock the console sign-in of that user; the right one works after the lock', async () => {
  const iam = server.iam();
  await iam.send(new CreateUserCommand({ UserName: 'dora' }));
  await iam.send(new CreateLoginProfileCommand({ UserName: 'dora', Password: 'Dora-Passw0rd!' }));
  const c = new Client(server.url);
  await c.get('/console/api/session');
  const creds = { account: ROOT.accountId, userName: 'dora', password: 'Dora-Passw0rd!' };
  const incorrect = {
    code: 'InvalidCredentials',
    message: 'Your authentication information is incorrect. Please try again.',
  };
  for (let i = 0; i < 5; i++) {
    const r = await c.post('/console/api/signin', { ...creds, password: `wrong-${i}` });
    assert.equal(r.res.status, 401);
    assert.deepEqual(r.json.error, incorrect);
  }
  let r = await c.post('/console/api/signin', creds);
  assert.equal(r.res.status, 401, 'locked: the right password is refused');
  assert.deepEqual(r.json.error, incorrect);
  // Another user is not affected.
  const other = new Client(server.url);
  await other.get('/console/api/session');
  r = await other.post('/console/api/signin', {
    account: ROOT.accountId,
    userName: 'bob',
    password: 'Bob-Passw0rd!',
  });
  assert.equal(r.res.status, 200);
  await server.advance(61);
  r = await c.post('/console/api/signin', creds);
  assert.equal(r.res.status, 200);
  assert.equal(r.json.signedIn, true);
});
