/**
 * The `off` level (issue #21), driven the way a moto server-mode suite drives its server: dummy
 * credentials ("testing"), a client clock frozen years in the past (freezegun), the store reset
 * between tests (POST /moto-api/reset), users and keys created by the test and used with no policy.
 * Signatures are real (SDK v3 SigV4 over real HTTP); iamd checks neither them nor their time, denies
 * nothing, and audits what enforcement would have refused (`iamdReportOnly`, as at report-only).
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetUserCommand,
  IAMClient,
  ListUsersCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { AuditRecord, Store } from '../../src/store/index.js';
import { rejectsWith, startDevServer, type Creds, type DevServer } from '../devmode/spawn.js';

const ACCOUNT = '123456789012';
/** moto's documented dummy credentials (moto docs, "Getting started": AWS_ACCESS_KEY_ID=testing). */
const DUMMY: Creds = { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' };
/** A client clock frozen about five years in the past: every signature is long "expired". */
const FROZEN_MS = -5 * 365 * 24 * 3600 * 1000;
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
  ],
});

let dir: string;
let server: DevServer;
let store: Store;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iamd-off-'));
  server = await startDevServer(['--data', dir, '--auth', 'off'], { IAMD_ACCOUNT_ID: ACCOUNT });
  store = await openSqliteStore({ path: join(dir, 'iamd.db') });
});
after(async () => {
  await server.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});
// moto server mode: every test starts from a clean server.
beforeEach(async () => {
  const r = await fetch(`${server.url}/moto-api/reset`, { method: 'POST' });
  assert.equal(r.status, 200);
});

const clientConfig = (creds: Creds) => ({
  endpoint: server.url,
  region: 'us-east-1',
  credentials: creds,
  maxAttempts: 1,
  systemClockOffset: FROZEN_MS,
});
const iam = (creds: Creds = DUMMY) => new IAMClient(clientConfig(creds));
const sts = (creds: Creds = DUMMY) => new STSClient(clientConfig(creds));

/** The newest audit event named `eventName` made by `arn` (reads are audited just after the answer). */
async function lastEvent(eventName: string, arn: string): Promise<AuditRecord> {
  for (let i = 0; i < 100; i++) {
    const page = await store.queryAudit({ eventName, limit: 20 });
    const e = page.events.find((x) => (x.record.userIdentity as { arn?: string } | undefined)?.arn === arn);
    if (e) return e;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no ${eventName} event by ${arn}`);
}

test('the start-up line states the off level loudly', () => {
  assert.match(server.startup, /\*\*\* AUTH LEVEL: OFF — NOTHING IS ENFORCED, FOR DEVELOPMENT ONLY \*\*\*/);
});

test('dummy credentials, a dummy session token and a clock frozen years ago act as the default root', async () => {
  const me = await sts().send(new GetCallerIdentityCommand({}));
  assert.equal(me.Arn, `arn:aws:iam::${ACCOUNT}:root`);
  assert.equal(me.Account, ACCOUNT);
  const made = await iam().send(new CreateUserCommand({ UserName: 'alice' }));
  assert.equal(made.User?.Arn, `arn:aws:iam::${ACCOUNT}:user/alice`);
});

test('a 12-digit key acts as the root of the account it names', async () => {
  const me = await sts({ accessKeyId: '210987654321', secretAccessKey: 'x' }).send(
    new GetCallerIdentityCommand({}),
  );
  assert.equal(me.Arn, 'arn:aws:iam::210987654321:root');
});

test('a key created by the test is used with no policy and a wrong secret: it is its user, nothing is denied, the would-be denial is audited', async () => {
  await iam().send(new CreateUserCommand({ UserName: 'bob' }));
  const key = (await iam().send(new CreateAccessKeyCommand({ UserName: 'bob' }))).AccessKey;
  assert.ok(key?.AccessKeyId);
  const bob: Creds = { accessKeyId: key.AccessKeyId, secretAccessKey: 'not-the-secret' };
  const me = await sts(bob).send(new GetCallerIdentityCommand({}));
  assert.equal(me.Arn, `arn:aws:iam::${ACCOUNT}:user/bob`, 'GetCallerIdentity answers truthfully');
  const users = await iam(bob).send(new ListUsersCommand({}));
  assert.deepEqual(
    users.Users?.map((u) => u.UserName),
    ['bob'],
  );
  const event = await lastEvent('ListUsers', `arn:aws:iam::${ACCOUNT}:user/bob`);
  assert.equal(event.errorCode, undefined, 'the call itself succeeded');
  const ro = event.record.iamdReportOnly as { errorCode: string; errorMessage: string };
  assert.equal(ro.errorCode, 'AccessDenied');
  assert.equal(
    ro.errorMessage,
    `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action`,
  );
  // A garbage session token with a known key falls back to the key's user.
  const withToken = await sts({ ...bob, sessionToken: 'FQoGZXIvYXdzEBogus' }).send(
    new GetCallerIdentityCommand({}),
  );
  assert.equal(withToken.Arn, `arn:aws:iam::${ACCOUNT}:user/bob`);
  // An inactive key still names its user.
  await iam().send(
    new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: key.AccessKeyId, Status: 'Inactive' }),
  );
  assert.equal(
    (await sts(bob).send(new GetCallerIdentityCommand({}))).Arn,
    `arn:aws:iam::${ACCOUNT}:user/bob`,
  );
});

test('dummy root credentials assume a role; the session iamd issued is its role session', async () => {
  await iam().send(new CreateRoleCommand({ RoleName: 'deployer', AssumeRolePolicyDocument: TRUST }));
  const out = await sts().send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/deployer`, RoleSessionName: 'ci' }),
  );
  const c = out.Credentials;
  assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
  assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci`);
  const event = await lastEvent('AssumeRole', `arn:aws:iam::${ACCOUNT}:root`);
  const ro = event.record.iamdReportOnly as { errorCode: string; errorMessage: string };
  assert.equal(ro.errorCode, 'AccessDenied');
  assert.equal(ro.errorMessage, 'Roles may not be assumed by root accounts.');
  const session: Creds = {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
  };
  const me = await sts(session).send(new GetCallerIdentityCommand({}));
  assert.equal(me.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci`);
});

test('the reset between tests removed what the earlier tests made', async () => {
  await rejectsWith(
    iam().send(new GetUserCommand({ UserName: 'bob' })),
    'NoSuchEntityException',
    404,
    'The user with name bob cannot be found.',
  );
});

test('errors other than enforcement still fail as on AWS: a duplicate user is EntityAlreadyExists', async () => {
  await iam().send(new CreateUserCommand({ UserName: 'carol' }));
  await rejectsWith(
    iam().send(new CreateUserCommand({ UserName: 'carol' })),
    'EntityAlreadyExistsException',
    409,
    'User with name carol already exists.',
  );
});
