// Session policies and packing: STS API reference (AssumeRole `Policy`, `PolicyArns`,
// PackedPolicySize); PackedPolicyTooLarge texts from AWS re:Post "iam-role-aws-sts-error" and
// aws-errors.md §1 (aws-actions/configure-aws-credentials#1803).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AwsError } from '../errors/index.js';
import type { StoreReader } from '../store/index.js';
import {
  checkPackedSize,
  checkSessionPolicies,
  packedSize,
  PACKED_POLICY_BUDGET,
  PACKED_TAGS_BUDGET,
} from './session-policies.js';

const SMALL =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';

/** A store that holds nothing: only AWS managed policies (the catalog) resolve. */
const emptyStore = {
  get: async () => undefined,
} as unknown as StoreReader;

async function rejects(p: Promise<unknown>, code: string, status: number, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AwsError);
    assert.equal(e.code, code);
    assert.equal(e.status, status);
    assert.equal(e.message, message);
    return true;
  });
}

test('a valid inline session policy and an AWS managed policy ARN pass', async () => {
  const r = await checkSessionPolicies(emptyStore, '111122223333', SMALL, [
    { arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
  ]);
  assert.equal(r.inline, SMALL);
  assert.deepEqual(r.arns, ['arn:aws:iam::aws:policy/ReadOnlyAccess']);
});

test('an invalid inline session policy is MalformedPolicyDocument', async () => {
  await assert.rejects(
    checkSessionPolicies(emptyStore, '111122223333', '{not json', undefined),
    (e: unknown) => {
      assert.ok(e instanceof AwsError);
      assert.equal(e.code, 'MalformedPolicyDocument');
      assert.equal(e.status, 400);
      assert.equal(e.message, 'Syntax errors in policy.');
      return true;
    },
  );
});

test('more than 2,048 characters of inline policy is a ValidationError naming the member', async () => {
  const big = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: `arn:aws:s3:::${'b'.repeat(2100)}` }],
  });
  await rejects(
    checkSessionPolicies(emptyStore, '111122223333', big, undefined),
    'ValidationError',
    400,
    `1 validation error detected: Value '${big}' at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048`,
  );
});

test('more than 10 managed session policies, or one that does not exist, is refused', async () => {
  const eleven = Array.from({ length: 11 }, () => ({ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
  await rejects(
    checkSessionPolicies(emptyStore, '111122223333', undefined, eleven),
    'ValidationError',
    400,
    "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10",
  );
  await rejects(
    checkSessionPolicies(emptyStore, '111122223333', undefined, [
      { arn: 'arn:aws:iam::111122223333:policy/nope' },
    ]),
    'InvalidParameterValue',
    400,
    'Policy arn:aws:iam::111122223333:policy/nope does not exist or is not attachable.',
  );
});

test('packing is deterministic, whitespace-blind, and grows with the content', () => {
  const a = packedSize({ inline: SMALL, arns: [] }, [], []);
  const spaced = packedSize({ inline: JSON.stringify(JSON.parse(SMALL), null, 4), arns: [] }, [], []);
  assert.deepEqual(a, spaced);
  assert.ok(a.policyPercent > 0 && a.policyPercent < 20, `small policy packs to ${a.policyPercent}%`);
  assert.equal(a.tagsPercent, 0);
  assert.equal(a.percent, a.policyPercent);
  const none = packedSize({ inline: undefined, arns: [] }, [], []);
  assert.deepEqual(none, { policyPercent: 0, tagsPercent: 0, percent: 0 });
  const tagged = packedSize({ inline: undefined, arns: [] }, [{ key: 'Team', value: 'blue' }], ['Team']);
  assert.ok(tagged.tagsPercent > 0 && tagged.percent === tagged.tagsPercent);
  assert.ok(PACKED_POLICY_BUDGET > 0 && PACKED_TAGS_BUDGET > 0);
});

test('over budget is PackedPolicyTooLarge with AWS wording for policies and for tags', () => {
  // Incompressible content: random bytes as hex.
  const noise = (n: number) => randomBytes(n / 2).toString('hex');
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${noise(1900)}` }],
  });
  const p = packedSize({ inline: policy, arns: [] }, [], []);
  assert.ok(p.policyPercent > 100);
  assert.throws(
    () => checkPackedSize(p),
    (e: unknown) =>
      e instanceof AwsError &&
      e.code === 'PackedPolicyTooLarge' &&
      e.status === 400 &&
      e.message ===
        `Packed policy consumes ${p.policyPercent}% of allotted space, please use smaller policy.`,
  );
  const tags = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: noise(120) }));
  const t = packedSize({ inline: undefined, arns: [] }, tags, []);
  assert.ok(t.tagsPercent > 100);
  assert.throws(
    () => checkPackedSize(t),
    (e: unknown) =>
      e instanceof AwsError &&
      e.code === 'PackedPolicyTooLarge' &&
      e.message === `Packed size of session tags consumes ${t.tagsPercent}% of allotted space.`,
  );
  assert.doesNotThrow(() => checkPackedSize(packedSize({ inline: SMALL, arns: [] }, [], [])));
});
