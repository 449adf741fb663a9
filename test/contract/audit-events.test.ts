/**
 * Audit events through the real server: CloudTrail record fields for each principal type (CloudTrail
 * User Guide, "CloudTrail record contents" and "userIdentity element"), secrets never stored, and the
 * CloudTrail LookupEvents API driven by the AWS CLI (`aws cloudtrail lookup-events`) and the CLI's
 * `iamd audit search`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateRoleCommand, GetUserCommand, IAMClient as IAM, type IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ROOT, type Creds, type TestServer } from './harness.js';
import {
  allow,
  createAccount,
  createUser,
  rootCreds,
  sessionCreds,
  startIamdOnData,
  trust,
  type TestUser,
} from './accounts-helper.js';
import { runAwsCli } from './support.js';

const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));
const ACCT = ROOT.accountId;

let dir: string;
let server: TestServer;
let iam: IAMClient;
let alice: TestUser;
let session: Creds;
let assumedRequestId = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iamd-audit-'));
  server = await startIamdOnData(dir);
  iam = server.iam();
  alice = await createUser(iam, 'alice', allow(['iam:GetUser', 'sts:AssumeRole']));
  await iam.send(new CreateRoleCommand({ RoleName: 'auditor', AssumeRolePolicyDocument: trust(alice.arn) }));
  const r = await server.sts(alice.creds).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${ACCT}:role/auditor`,
      RoleSessionName: 'audit-session',
    }),
  );
  session = sessionCreds(r.Credentials);
  await server.iam(alice.creds).send(new GetUserCommand({}));
  const who = await server.sts(session).send(new GetCallerIdentityCommand({}));
  assumedRequestId = who.$metadata.requestId ?? '';
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `aws cloudtrail lookup-events` against iamd with `creds`; parsed JSON, or the failed run. */
function awsLookup(
  creds: Creds,
  ...args: string[]
): { status: number | null; json?: { Events: Record<string, unknown>[] }; stderr: string } {
  const r = runAwsCli(creds, dir, [
    'cloudtrail',
    'lookup-events',
    '--endpoint-url',
    server.url,
    '--region',
    'us-east-1',
    '--output',
    'json',
    ...args,
  ]);
  return {
    status: r.status,
    stderr: r.stderr,
    ...(r.status === 0 ? { json: JSON.parse(r.stdout) as { Events: Record<string, unknown>[] } } : {}),
  };
}

function cloudTrailEvent(e: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(String(e.CloudTrailEvent)) as Record<string, unknown>;
}

test('aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=CreateUser (Root)', () => {
  const r = awsLookup(ROOT, '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=CreateUser');
  assert.equal(r.status, 0, r.stderr);
  const events = r.json!.Events;
  assert.equal(events.length, 1);
  const e = events[0]!;
  assert.equal(e.EventName, 'CreateUser');
  assert.equal(e.ReadOnly, 'false');
  assert.equal(e.EventSource, 'iam.amazonaws.com');
  assert.equal(e.Username, 'root');
  assert.equal(e.AccessKeyId, ROOT.accessKeyId);
  assert.deepEqual(e.Resources, [{ ResourceType: 'AWS::IAM::User', ResourceName: 'alice' }]);
  // The CLI parses EventTime (epoch seconds on the wire) into a date.
  assert.ok(!Number.isNaN(Date.parse(String(e.EventTime))));
  const record = cloudTrailEvent(e);
  assert.equal(record.eventVersion, '1.08');
  assert.deepEqual(record.userIdentity, {
    type: 'Root',
    principalId: ACCT,
    arn: `arn:aws:iam::${ACCT}:root`,
    accountId: ACCT,
    accessKeyId: ROOT.accessKeyId,
  });
  assert.equal(record.eventSource, 'iam.amazonaws.com');
  assert.equal(record.eventName, 'CreateUser');
  assert.equal(record.awsRegion, 'us-east-1');
  assert.equal(record.sourceIPAddress, '127.0.0.1');
  assert.equal(typeof record.userAgent, 'string');
  assert.deepEqual(record.requestParameters, { userName: 'alice' });
  assert.equal((record.responseElements as { user: { userName: string } }).user.userName, 'alice');
  assert.equal(record.readOnly, false);
  assert.equal(record.eventType, 'AwsApiCall');
  assert.equal(record.recipientAccountId, ACCT);
  assert.match(String(record.requestID), /^[0-9a-f-]{36}$/);
  assert.equal(record.eventID, e.EventId);
  assert.equal(record.errorCode, undefined);
});

test('IAMUser and AssumedRole events, field by field', () => {
  const user = awsLookup(
    ROOT,
    '--lookup-attributes',
    `AttributeKey=AccessKeyId,AttributeValue=${alice.creds.accessKeyId}`,
  );
  assert.equal(user.status, 0, user.stderr);
  const getUser = user.json!.Events.map(cloudTrailEvent).find((r) => r.eventName === 'GetUser')!;
  assert.deepEqual(getUser.userIdentity, {
    type: 'IAMUser',
    principalId: alice.userId,
    arn: alice.arn,
    accountId: ACCT,
    accessKeyId: alice.creds.accessKeyId,
    userName: 'alice',
  });
  assert.equal(getUser.readOnly, true);
  assert.equal(getUser.responseElements, null);

  const assumed = awsLookup(
    ROOT,
    '--lookup-attributes',
    `AttributeKey=EventName,AttributeValue=GetCallerIdentity`,
  );
  assert.equal(assumed.status, 0, assumed.stderr);
  const rec = assumed.json!.Events.map(cloudTrailEvent).find((r) => r.requestID === assumedRequestId)!;
  const id = rec.userIdentity as Record<string, unknown>;
  assert.equal(id.type, 'AssumedRole');
  assert.equal(id.arn, `arn:aws:sts::${ACCT}:assumed-role/auditor/audit-session`);
  assert.match(String(id.principalId), /^AROA[A-Z0-9]+:audit-session$/);
  assert.equal(id.accessKeyId, session.accessKeyId);
  const ctx = id.sessionContext as {
    sessionIssuer: Record<string, unknown>;
    attributes: Record<string, unknown>;
  };
  assert.deepEqual(ctx.sessionIssuer, {
    type: 'Role',
    principalId: String(id.principalId).split(':')[0],
    arn: `arn:aws:iam::${ACCT}:role/auditor`,
    accountId: ACCT,
    userName: 'auditor',
  });
  assert.equal(ctx.attributes.mfaAuthenticated, 'false');
  assert.match(String(ctx.attributes.creationDate), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(rec.eventSource, 'sts.amazonaws.com');
});

test('LookupEvents: denied without cloudtrail:LookupEvents, JSON 1.1 errors, ReadOnly filter and paging', () => {
  const denied = awsLookup(alice.creds);
  assert.equal(denied.status, 254);
  assert.match(
    denied.stderr,
    /\(AccessDeniedException\) when calling the LookupEvents operation: User: arn:aws:iam::111122223333:user\/alice is not authorized to perform: cloudtrail:LookupEvents on resource: \* because no identity-based policy allows the cloudtrail:LookupEvents action/,
  );
  const bad = awsLookup(ROOT, '--lookup-attributes', 'AttributeKey=ReadOnly,AttributeValue=maybe');
  assert.match(
    bad.stderr,
    /\(InvalidLookupAttributesException\) when calling the LookupEvents operation: ReadOnly must be true or false/,
  );
  const ro = awsLookup(
    ROOT,
    '--lookup-attributes',
    'AttributeKey=ReadOnly,AttributeValue=true',
    '--max-items',
    '3',
  );
  assert.equal(ro.status, 0, ro.stderr);
  assert.equal(ro.json!.Events.length, 3);
  for (const e of ro.json!.Events) assert.equal(e.ReadOnly, 'true');
});

test('secrets never reach the audit trail (store files and iamd audit search)', () => {
  const search = spawnSync(
    process.execPath,
    [BIN, 'audit', 'search', '--data', dir, '--json', '--max', '1000'],
    { encoding: 'utf8' },
  );
  assert.equal(search.status, 0, search.stderr);
  const lines = search.stdout.trim().split('\n');
  assert.ok(lines.length >= 8);
  const stored = readdirSync(dir)
    .filter((f) => f.startsWith('iamd.db'))
    .map((f) => readFileSync(join(dir, f)).toString('latin1'))
    .join('');
  for (const secret of [alice.creds.secretAccessKey, session.secretAccessKey, session.sessionToken!]) {
    assert.ok(!search.stdout.includes(secret), 'not in any event');
    assert.ok(!stored.includes(secret), 'not in the store files');
  }
  // The events are there (the check above is not vacuous): CreateAccessKey recorded the key id.
  assert.ok(search.stdout.includes(alice.creds.accessKeyId));
  const text = spawnSync(
    process.execPath,
    [BIN, 'audit', 'search', '--data', dir, '--event-name', 'AssumeRole'],
    { encoding: 'utf8' },
  );
  assert.equal(text.status, 0);
  assert.match(text.stdout, /sts:AssumeRole {2}alice {2}OK {2}[0-9a-f-]{36}/);
});

test('cross-account AssumeRole: one event in each account with a shared event id, no secret or token', async () => {
  // Issue 4 (Audit) and CloudTrail's "sharedEventID": an event that concerns two accounts is delivered
  // to both, each with its own eventID and the same sharedEventID.
  const other = createAccount(dir);
  const otherIam = new IAM({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: rootCreds(other),
  });
  await otherIam.send(
    new CreateRoleCommand({
      RoleName: 'partner',
      AssumeRolePolicyDocument: trust(alice.arn, 'sts:AssumeRole', {
        StringEquals: { 'sts:ExternalId': 'ext-4242' },
      }),
    }),
  );
  const r = await server.sts(alice.creds).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${other.AccountId}:role/partner`,
      RoleSessionName: 'cross-audit',
      ExternalId: 'ext-4242',
    }),
  );
  const issued = sessionCreds(r.Credentials);
  const find = (creds: Creds) => {
    const out = awsLookup(creds, '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=AssumeRole');
    assert.equal(out.status, 0, out.stderr);
    const raw = out.json!.Events.find((e) => String(e.CloudTrailEvent).includes('cross-audit'));
    assert.ok(raw, 'an AssumeRole event for the session');
    return { raw: String(raw.CloudTrailEvent), rec: cloudTrailEvent(raw) };
  };
  const mine = find(ROOT);
  const theirs = find(rootCreds(other));
  assert.equal(mine.rec.recipientAccountId, ACCT);
  assert.equal(theirs.rec.recipientAccountId, other.AccountId);
  assert.notEqual(mine.rec.eventID, theirs.rec.eventID);
  assert.match(String(mine.rec.sharedEventID), /^[0-9a-f-]{36}$/);
  assert.equal(mine.rec.sharedEventID, theirs.rec.sharedEventID);
  for (const { raw, rec } of [mine, theirs]) {
    assert.deepEqual(rec.requestParameters, {
      roleArn: `arn:aws:iam::${other.AccountId}:role/partner`,
      roleSessionName: 'cross-audit',
      externalId: 'ext-4242',
    });
    const response = rec.responseElements as {
      credentials: Record<string, unknown>;
      assumedRoleUser: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(response.credentials).sort(), ['accessKeyId', 'expiration']);
    assert.equal(response.credentials.accessKeyId, issued.accessKeyId);
    // CloudTrail writes response dates in Java's medium form (see src/audit/event.ts, cloudTrailDate).
    assert.match(
      String(response.credentials.expiration),
      /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2} [AP]M$/,
    );
    assert.equal(
      response.assumedRoleUser.arn,
      `arn:aws:sts::${other.AccountId}:assumed-role/partner/cross-audit`,
    );
    assert.match(String(response.assumedRoleUser.assumedRoleId), /^AROA[A-Z2-7]+:cross-audit$/);
    assert.ok(!raw.includes(issued.secretAccessKey), 'the secret is never recorded');
    assert.ok(!raw.includes(issued.sessionToken ?? 'no token'), 'the token is never recorded');
  }
});
