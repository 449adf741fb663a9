// RoleArn validation texts recorded against AWS (aws-errors.md, STS: test_sts_invalid_parameters).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../errors/index.js';
import { evaluate, loadPolicy, validatePolicy } from '../policy/index.js';
import { parseRoleArn } from './assume-role.js';
import { TRUSTS_NOBODY } from '../domain/trust-principals.js';

test('malformed role ARNs are ValidationError "<arn> is invalid"', () => {
  for (const arn of [
    'nothing-valid-in-here',
    'arn::b:::something/test-role',
    'arn:a::::something/test-role',
    'arn:a:::something/test-role',
    'arn:a:a::aaaaaaaaaa:',
  ])
    assert.throws(
      () => parseRoleArn(arn),
      (e: unknown) =>
        e instanceof AwsError &&
        e.code === 'ValidationError' &&
        e.status === 400 &&
        e.message === `${arn} is invalid`,
    );
});

test('role ARNs are split into account, path and name; other ARNs name no role', () => {
  assert.deepEqual(parseRoleArn('arn:aws:iam::111122223333:role/read-only'), {
    account: '111122223333',
    path: '/',
    name: 'read-only',
  });
  assert.deepEqual(parseRoleArn('arn:aws:iam::111122223333:role/team/a/deploy'), {
    account: '111122223333',
    path: '/team/a/',
    name: 'deploy',
  });
  assert.equal(parseRoleArn('arn:aws:iam::111122223333:user/alice'), undefined);
  assert.equal(parseRoleArn('arn:aws:s3:::bucket/key'), undefined);
  assert.equal(parseRoleArn('arn:aws:iam::111122223333:role/'), undefined);
});

test('the stand-in trust policy of a missing role is valid and trusts no AWS principal', () => {
  assert.deepEqual(validatePolicy(TRUSTS_NOBODY, 'trust').errors, []);
  const trust = loadPolicy(TRUSTS_NOBODY, 'trust');
  const allowAll = loadPolicy(
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
    'identity',
  );
  // (The account root never gets here: AssumeRole refuses it before any evaluation.)
  for (const arn of ['arn:aws:iam::111122223333:user/alice', 'arn:aws:iam::444455556666:user/bob']) {
    const d = evaluate(
      {
        principal: { kind: 'AWS', arn, account: arn.split(':')[4] ?? '' },
        action: 'sts:AssumeRole',
        resource: 'arn:aws:iam::111122223333:role/missing',
        context: {},
      },
      { identity: [allowAll], resource: trust },
    );
    assert.notEqual(d.decision, 'Allow');
  }
});
