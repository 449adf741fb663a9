import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Principal } from '../api/principal.js';
import { buildAuditRecord } from './event.js';

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
