import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Principal } from '../domain/principal.js';
import { TIMESTAMP_MEMBERS, buildAuditRecord, cloudTrailDate, redact } from './event.js';

const ROOT: Principal = {
  type: 'Root',
  account: '111122223333',
  arn: 'arn:aws:iam::111122223333:root',
  userId: '111122223333',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
};
const ROLE: Principal = {
  type: 'AssumedRole',
  account: '111122223333',
  arn: 'arn:aws:sts::111122223333:assumed-role/r/s"e\u2028',
  userId: 'AROAEXAMPLE:s',
  accessKeyId: 'ASIAEXAMPLE',
  roleArn: 'arn:aws:iam::111122223333:role/r',
  roleName: 'r',
  session: {
    kind: 'AssumedRole',
    account: '111122223333',
    accessKeyId: 'ASIAEXAMPLE',
    secretAccessKey: 'never-recorded',
    roleName: 'r',
    roleId: 'AROAEXAMPLE',
    rolePath: '/',
    sessionName: 's"e\u2028',
    issuedAt: 1_700_000_000_000,
    expiresAt: 1_700_003_600_000,
  },
} as Principal;

test('secrets in the request never reach the record', () => {
  const event = buildAuditRecord({
    eventId: 'e',
    requestId: 'r',
    now: 1_700_000_000_000,
    service: 'iam',
    operation: 'CreateLoginProfile',
    principal: ROLE,
    recipientAccount: '111122223333',
    region: 'us-east-1',
    sourceIp: '127.0.0.1',
    userAgent: 'ua',
    input: { UserName: 'alice', Password: 'hunter2-secret', Nested: { SessionToken: 'tok-secret' } },
    output: { AccessKey: { AccessKeyId: 'AKIA', SecretAccessKey: 'sec-secret' } },
  });
  const text = JSON.stringify(event.record);
  for (const secret of ['hunter2-secret', 'tok-secret', 'sec-secret', 'never-recorded'])
    assert.ok(!text.includes(secret), secret);
  assert.deepEqual(event.record.requestParameters, { userName: 'alice', nested: {} });
  assert.deepEqual(event.resources, [{ type: 'AWS::IAM::User', name: 'alice' }]);
});

test('resources are listed in the table order, whatever order the input names them in', () => {
  const event = buildAuditRecord({
    eventId: 'e',
    requestId: 'r',
    now: 1_700_000_000_000,
    service: 'iam',
    operation: 'AttachRolePolicy',
    principal: ROOT,
    recipientAccount: '111122223333',
    region: 'us-east-1',
    sourceIp: '127.0.0.1',
    userAgent: 'ua',
    input: { PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', RoleName: 'r', Other: 'x', UserName: 7 },
  });
  assert.deepEqual(event.resources, [
    { type: 'AWS::IAM::Role', name: 'r' },
    { type: 'AWS::IAM::Policy', name: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
  ]);
});

test('the timestamp members are exactly those of timestamp shape in the shipped models', () => {
  const found = new Set<string>();
  for (const name of ['iam', 'sts']) {
    const model = JSON.parse(
      readFileSync(new URL(`../../../models/${name}.json`, import.meta.url), 'utf8'),
    ) as { shapes: Record<string, { type: string; members?: Record<string, { shape: string }> }> };
    for (const shape of Object.values(model.shapes))
      for (const [member, ref] of Object.entries(shape.members ?? {}))
        if (model.shapes[ref.shape]?.type === 'timestamp') found.add(member);
  }
  assert.deepEqual([...TIMESTAMP_MEMBERS].sort(), [...found].sort());
});

test('dates in responseElements are written as CloudTrail writes them, in UTC', () => {
  // CloudTrail's "medium" Java form (AWS docs' CloudTrail examples, e.g. "Jul 9, 2018 12:56:54 PM";
  // current events add a comma after the year).
  assert.equal(cloudTrailDate(Date.UTC(2023, 6, 18, 21, 14, 33)), 'Jul 18, 2023, 9:14:33 PM');
  assert.equal(cloudTrailDate(Date.UTC(2026, 0, 5, 0, 0, 7)), 'Jan 5, 2026, 12:00:07 AM');
  assert.equal(cloudTrailDate(Date.UTC(2026, 11, 31, 12, 30, 0)), 'Dec 31, 2026, 12:30:00 PM');
  assert.equal(cloudTrailDate(Date.UTC(2026, 1, 9, 11, 59, 59)), 'Feb 9, 2026, 11:59:59 AM');
});

test('an AssumeRole record keeps the issued key id and expiry, never the secret or the token', () => {
  const event = buildAuditRecord({
    eventId: 'e',
    requestId: 'r',
    now: 1_700_000_000_000,
    service: 'sts',
    operation: 'AssumeRole',
    principal: ROOT,
    recipientAccount: '111122223333',
    region: 'us-east-1',
    sourceIp: '127.0.0.1',
    userAgent: 'ua',
    input: { RoleArn: 'arn:aws:iam::111122223333:role/r', RoleSessionName: 's', DurationSeconds: 3600 },
    output: {
      Credentials: {
        AccessKeyId: 'ASIAEXAMPLE',
        SecretAccessKey: 'secret-value',
        SessionToken: 'token-value',
        Expiration: 1_700_003_600_000,
      },
      AssumedRoleUser: { AssumedRoleId: 'AROAEXAMPLE:s', Arn: 'arn:aws:sts::111122223333:assumed-role/r/s' },
    },
  });
  assert.deepEqual(event.record.requestParameters, {
    roleArn: 'arn:aws:iam::111122223333:role/r',
    roleSessionName: 's',
    // A number that is not a timestamp stays a number.
    durationSeconds: 3600,
  });
  assert.deepEqual(event.record.responseElements, {
    credentials: { accessKeyId: 'ASIAEXAMPLE', expiration: 'Nov 14, 2023, 11:13:20 PM' },
    assumedRoleUser: { assumedRoleId: 'AROAEXAMPLE:s', arn: 'arn:aws:sts::111122223333:assumed-role/r/s' },
  });
});

test('every member the shipped models mark sensitive is dropped from records', () => {
  // IAM and STS flag secrets with `sensitive: true` on the member's shape (e.g. STS tradeInTokenType).
  // (Organizations flags personal data too — emails, names — which CloudTrail does record.)
  const sensitive = new Set<string>();
  for (const name of ['iam', 'sts']) {
    const model = JSON.parse(
      readFileSync(new URL(`../../../models/${name}.json`, import.meta.url), 'utf8'),
    ) as {
      shapes: Record<string, { sensitive?: boolean; members?: Record<string, { shape: string }> }>;
    };
    for (const shape of Object.values(model.shapes))
      for (const [member, ref] of Object.entries(shape.members ?? {}))
        if (model.shapes[ref.shape]?.sensitive === true) sensitive.add(member);
  }
  assert.ok(sensitive.has('TradeInToken'));
  const kept = [...sensitive].filter((m) => Object.keys(redact({ [m]: 'x' }) as object).length > 0);
  assert.deepEqual(kept, []);
});
