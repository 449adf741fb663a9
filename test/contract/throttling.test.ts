/**
 * Request throttling (issue 16, hardening): per-account token buckets for IAM and STS. AWS answers a
 * call over the rate with `Throttling`, "Rate exceeded", HTTP 400, a Sender fault
 * (https://repost.aws/knowledge-center/iam-sts-throttling-error: "Throttling: Rate exceeded, status
 * code: 400"), and applies the rate to the account the calling credentials belong to. The server runs
 * with 5 requests a second (bursts of 10) for each service; the test clock stands in for waiting.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListUsersCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { startIamdOnData, type TestServer } from './harness.js';
import { allow, createAccount, createUser, rootCreds, type TestUser } from './accounts-helper.js';

const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));

let dir: string;
let server: TestServer;
let alice: TestUser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iamd-throttle-'));
  server = await startIamdOnData(dir, ['--rate-limit-iam', '5', '--rate-limit-sts', '5']);
  alice = await createUser(server.iam(), 'alice', allow(['iam:ListUsers']));
});

after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  readonly ok: number;
  readonly throttled: number;
}

/** Fires `n` calls at once; every failure must be AWS's throttling error. */
async function burst(n: number, call: () => Promise<unknown>): Promise<Outcome> {
  const results = await Promise.allSettled(Array.from({ length: n }, call));
  let ok = 0;
  let throttled = 0;
  for (const r of results) {
    if (r.status === 'fulfilled') {
      ok++;
      continue;
    }
    const err = r.reason as {
      name?: string;
      message?: string;
      $fault?: string;
      $metadata?: { httpStatusCode?: number };
    };
    assert.equal(err.name, 'Throttling', `error name (message: ${err.message})`);
    assert.equal(err.message, 'Rate exceeded');
    assert.equal(err.$metadata?.httpStatusCode, 400);
    assert.equal(err.$fault, 'client');
    throttled++;
  }
  return { ok, throttled };
}

/**
 * A full bucket lets 10 through; a little refill (one call per 200 ms) may happen while the calls
 * arrive on a busy machine, hence the margin.
 */
function assertThrottledAfterBurst(o: Outcome, what: string): void {
  assert.ok(o.ok >= 10 && o.ok <= 16, `${what}: ${o.ok} calls went through`);
  assert.ok(o.throttled >= 1, `${what}: ${o.throttled} calls throttled`);
}

test('IAM: calls over the account rate are Throttling / Rate exceeded (400), for every principal of the account', async () => {
  await server.advance(10);
  const iam = server.iam();
  const aliceIam = server.iam(alice.creds);
  // The bucket belongs to the account, not to the principal: alice's calls share it with root's.
  const [byRoot, byAlice] = await Promise.all([
    burst(30, () => iam.send(new ListUsersCommand({}))),
    burst(10, () => aliceIam.send(new ListUsersCommand({}))),
  ]);
  assertThrottledAfterBurst(
    { ok: byRoot.ok + byAlice.ok, throttled: byRoot.throttled + byAlice.throttled },
    'root and alice',
  );
  assert.ok(byAlice.throttled >= 1, `alice throttled ${byAlice.throttled} times`);
  // STS has its own bucket.
  const me = await server.sts().send(new GetCallerIdentityCommand({}));
  assert.equal(me.Account, '111122223333');
  // Time refills the bucket (5 a second).
  await server.advance(1);
  await iam.send(new ListUsersCommand({}));
  await server.advance(10);
  assertThrottledAfterBurst(await burst(30, () => iam.send(new ListUsersCommand({}))), 'after refill');
});

test('another account has its own bucket', async () => {
  await server.advance(10);
  const other = createAccount(dir);
  const iam = server.iam();
  assertThrottledAfterBurst(await burst(30, () => iam.send(new ListUsersCommand({}))), 'first account');
  const otherIam = server.iam(rootCreds(other));
  const o = await burst(5, () => otherIam.send(new ListUsersCommand({})));
  assert.deepEqual(o, { ok: 5, throttled: 0 });
});

test('STS: calls over the account rate are throttled the same way', async () => {
  await server.advance(10);
  const sts = server.sts(alice.creds);
  assertThrottledAfterBurst(await burst(30, () => sts.send(new GetCallerIdentityCommand({}))), 'sts');
  await server.advance(1);
  await sts.send(new GetCallerIdentityCommand({}));
});

test('unsigned calls count against their source address, and the error is the AWS envelope', async () => {
  await server.advance(10);
  const body = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: 'arn:aws:iam::111122223333:role/none',
    RoleSessionName: 'session',
    WebIdentityToken: 'not-a-jwt',
  }).toString();
  const answers = await Promise.all(
    Array.from({ length: 30 }, async () => {
      const r = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      return { status: r.status, body: await r.text(), requestId: r.headers.get('x-amzn-requestid') };
    }),
  );
  const throttled = answers.filter((a) => a.body.includes('<Code>Throttling</Code>'));
  assert.ok(throttled.length >= 14, `${throttled.length} unsigned calls throttled`);
  for (const a of throttled) {
    assert.equal(a.status, 400);
    assert.ok(
      a.body.includes(
        '<Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>',
      ),
      a.body,
    );
    assert.ok(a.requestId !== null && a.body.includes(`<RequestId>${a.requestId}</RequestId>`));
  }
  // The others got as far as the token check.
  for (const a of answers.filter((x) => !throttled.includes(x)))
    assert.ok(a.body.includes('<Code>InvalidIdentityToken</Code>'), a.body);
  // Signed STS calls of the account are not affected by the address's bucket.
  await server.sts().send(new GetCallerIdentityCommand({}));
});

test('a throttled call is audited with its error code and message', async () => {
  await server.advance(10);
  const iam = server.iam();
  assertThrottledAfterBurst(await burst(30, () => iam.send(new ListUsersCommand({}))), 'audited');
  let events: {
    errorCode?: string;
    errorMessage?: string;
    eventName?: string;
    recipientAccountId?: string;
  }[] = [];
  // Events of calls that changed nothing are written just after the answer, through the audit thread.
  for (let i = 0; i < 50 && events.length === 0; i++) {
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        'audit',
        'search',
        '--data',
        dir,
        '--error-code',
        'Throttling',
        '--event-name',
        'ListUsers',
        '--start',
        '2000-01-01T00:00:00Z',
        '--end',
        '2999-01-01T00:00:00Z',
        '--json',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    events = r.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as (typeof events)[number]);
    if (events.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(events.length >= 1, 'throttled calls are in the audit trail');
  for (const e of events) {
    assert.equal(e.errorCode, 'Throttling');
    assert.equal(e.errorMessage, 'Rate exceeded');
    assert.equal(e.recipientAccountId, '111122223333');
  }
});
