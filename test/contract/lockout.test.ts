/**
 * Lock-out after failed MFA codes (issue #16 item 1), through the real SDK against a real iamd on a
 * SQLite file: the default policy (5 free failures, then a 1-minute lock doubling per failure). While
 * locked a right code is refused with the same answer as a wrong one; after the lock it works; each
 * lock-out is audited without the code. Codes use the server's test clock (moved by `advance`).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateVirtualMFADeviceCommand, EnableMFADeviceCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { totpCode } from '../../src/credentials/totp.js';
import { ROOT, startIamdOnData, UNTHROTTLED, type Creds, type TestServer } from './harness.js';
import { createUser, expectAwsError, type TestUser } from './accounts-helper.js';

const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));
const INVALID_CODE = 'MultiFactorAuthentication failed with invalid MFA one time pass code.';

let dir = '';
let server: TestServer;
let offsetMs = 0;
const config = (creds: Creds) => ({
  endpoint: server.url,
  region: 'us-east-1',
  credentials: creds,
  maxAttempts: 1,
});
const iam = (creds: Creds = ROOT) => new IAMClient(config(creds));
const sts = (creds: Creds) => new STSClient(config(creds));
const code = (seed: string, steps = 0) => totpCode(seed, Date.now() + offsetMs + steps * 30_000);
async function advance(seconds: number): Promise<void> {
  await server.advance(seconds);
  offsetMs += seconds * 1000;
}
/** A code that is none of the three the server accepts now. */
function wrongCode(seed: string): string {
  const accepted = new Set([code(seed, -1), code(seed, 0), code(seed, 1)]);
  for (let n = 0; ; n++) {
    const c = String(n).padStart(6, '0');
    if (!accepted.has(c)) return c;
  }
}

async function userWithDevice(name: string): Promise<{ user: TestUser; serial: string; seed: string }> {
  const user = await createUser(iam(), name, {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:GetSessionToken', Resource: '*' }],
  });
  const d = await iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name }));
  const serial = d.VirtualMFADevice?.SerialNumber ?? '';
  const seed = Buffer.from(d.VirtualMFADevice?.Base32StringSeed ?? new Uint8Array()).toString('utf8');
  await iam().send(
    new EnableMFADeviceCommand({
      UserName: name,
      SerialNumber: serial,
      AuthenticationCode1: code(seed, -1),
      AuthenticationCode2: code(seed, 0),
    }),
  );
  await advance(90); // a fresh window: the enabling codes are used
  return { user, serial, seed };
}

function auditLockouts(): Record<string, unknown>[] {
  const r = spawnSync(
    process.execPath,
    [BIN, 'audit', 'search', '--event-name', 'CredentialLockout', '--json', '--data', dir],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iamd-lockout-'));
  server = await startIamdOnData(dir, UNTHROTTLED);
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('GetSessionToken: five wrong codes lock the device; a right code is refused while locked, accepted after', async () => {
  const { user, serial, seed } = await userWithDevice('lock-gst');
  const attempt = (c: string) =>
    sts(user.creds).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: c }));
  for (let i = 0; i < 5; i++)
    await expectAwsError(attempt(wrongCode(seed)), 'AccessDenied', 403, INVALID_CODE);
  // Locked for a minute: the right code gets the wrong code's answer (the lock is no oracle).
  await expectAwsError(attempt(code(seed)), 'AccessDenied', 403, INVALID_CODE);
  await advance(30);
  await expectAwsError(attempt(code(seed)), 'AccessDenied', 403, INVALID_CODE);
  await advance(31);
  const ok = await attempt(code(seed));
  assert.ok(ok.Credentials?.SessionToken);

  const events = auditLockouts().filter((e) => JSON.stringify(e).includes(serial));
  assert.equal(events.length, 1, JSON.stringify(events));
  const e = events[0]!;
  assert.equal(e.eventSource, 'sts.amazonaws.com');
  assert.equal(e.recipientAccountId, ROOT.accountId);
  assert.equal((e.userIdentity as { userName?: string }).userName, 'lock-gst');
  assert.equal((e.additionalEventData as { lockedForSeconds: number }).lockedForSeconds, 60);
  assert.ok(!JSON.stringify(e).includes(seed), 'no seed in the event');
});

test('after the lock the count goes on: the next failure locks again for twice as long', async () => {
  const { user, serial, seed } = await userWithDevice('lock-double');
  const attempt = (c: string) =>
    sts(user.creds).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: c }));
  for (let i = 0; i < 5; i++)
    await expectAwsError(attempt(wrongCode(seed)), 'AccessDenied', 403, INVALID_CODE);
  await advance(61);
  await expectAwsError(attempt(wrongCode(seed)), 'AccessDenied', 403, INVALID_CODE); // 6th: 2 minutes
  await advance(90);
  await expectAwsError(attempt(code(seed)), 'AccessDenied', 403, INVALID_CODE);
  await advance(31);
  assert.ok((await attempt(code(seed))).Credentials);
  // A success clears the count: five more free tries.
  await advance(90);
  for (let i = 0; i < 4; i++)
    await expectAwsError(attempt(wrongCode(seed)), 'AccessDenied', 403, INVALID_CODE);
  assert.ok((await attempt(code(seed))).Credentials);
});

test("probing serial numbers that are not the caller's counts against the caller, never locks the other's device", async () => {
  const victim = await userWithDevice('lock-victim');
  const prober = await userWithDevice('lock-prober');
  const probe = (c: string) =>
    sts(prober.user.creds).send(new GetSessionTokenCommand({ SerialNumber: victim.serial, TokenCode: c }));
  for (let i = 0; i < 6; i++)
    await expectAwsError(
      probe('123456'),
      'AccessDenied',
      403,
      'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.',
    );
  // The victim's device is not locked by someone else's failures.
  const ok = await sts(victim.user.creds).send(
    new GetSessionTokenCommand({ SerialNumber: victim.serial, TokenCode: code(victim.seed) }),
  );
  assert.ok(ok.Credentials);
  // The prober is locked: even its own device's right code is refused until the lock ends.
  const own = () =>
    sts(prober.user.creds).send(
      new GetSessionTokenCommand({ SerialNumber: prober.serial, TokenCode: code(prober.seed) }),
    );
  await expectAwsError(own(), 'AccessDenied', 403, INVALID_CODE);
  await advance(61);
  assert.ok((await own()).Credentials);
});

test('with --lockout-threshold off nothing locks', async () => {
  const otherDir = mkdtempSync(join(tmpdir(), 'iamd-lockout-off-'));
  const other = await startIamdOnData(otherDir, [...UNTHROTTLED, '--lockout-threshold', 'off']);
  const saved = server;
  const savedOffset = offsetMs;
  server = other;
  offsetMs = 0; // the new server's clock has not been moved
  try {
    const { user, serial, seed } = await userWithDevice('nolock');
    const attempt = (c: string) =>
      sts(user.creds).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: c }));
    for (let i = 0; i < 8; i++)
      await expectAwsError(attempt(wrongCode(seed)), 'AccessDenied', 403, INVALID_CODE);
    assert.ok((await attempt(code(seed))).Credentials);
  } finally {
    server = saved;
    offsetMs = savedOffset;
    await other.stop();
    rmSync(otherDir, { recursive: true, force: true });
  }
});
