// Session-tag rules: IAM User Guide "Passing session tags in AWS STS"; texts recorded against AWS in
// shared/reference/aws-errors.md (STS InvalidParameterValue rows, LocalStack test_sts tagging tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionClaims } from '../domain/principal.js';
import { AwsError } from '../errors/index.js';
import { inheritedTransitiveTags, planSessionTags, sessionTagContext } from './session-tags.js';

const caller = (tags: { key: string; value: string }[], transitive: string[]): SessionClaims => ({
  kind: 'AssumedRole',
  account: '111122223333',
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 's',
  issuedAt: 0,
  expiresAt: 1,
  tags,
  transitiveTagKeys: transitive,
});

function rejects(fn: () => unknown, code: string, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError);
    assert.equal(e.code, code);
    assert.equal(e.status, 400);
    assert.equal(e.message, message);
    return true;
  });
}

test('duplicate tag keys differing only in case are refused (duplicate-tag-keys-different-casing)', () => {
  rejects(
    () =>
      planSessionTags(
        [
          { key: 'Team', value: 'a' },
          { key: 'team', value: 'b' },
        ],
        [],
        undefined,
      ),
    'InvalidParameterValue',
    'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
  );
});

test('a transitive key must be one of the passed tags (invalid-transitive-tag-keys)', () => {
  rejects(
    () => planSessionTags([{ key: 'Team', value: 'a' }], ['Project'], undefined),
    'InvalidParameterValue',
    'The specified transitive tag key must be included in the requested tags.',
  );
  // Case does not matter for the membership test.
  assert.deepEqual(planSessionTags([{ key: 'Team', value: 'a' }], ['team'], undefined).transitiveTagKeys, [
    'team',
  ]);
});

test('transitive tags of the calling session carry over and cannot be overridden, in any case', () => {
  const from = caller(
    [
      { key: 'Project', value: 'blue' },
      { key: 'Cost', value: '42' },
    ],
    ['Project'],
  );
  assert.deepEqual(inheritedTransitiveTags(from), [{ key: 'Project', value: 'blue' }]);
  const plan = planSessionTags([{ key: 'Dept', value: 'eng' }], ['Dept'], from);
  assert.deepEqual(plan.tags, [
    { key: 'Project', value: 'blue' },
    { key: 'Dept', value: 'eng' },
  ]);
  assert.deepEqual(plan.transitiveTagKeys, ['Project', 'Dept']);
  for (const key of ['Project', 'PROJECT'])
    rejects(
      () => planSessionTags([{ key, value: 'red' }], [], from),
      'InvalidParameterValue',
      "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
    );
});

test('the request context carries aws:RequestTag/*, aws:TagKeys and sts:TransitiveTagKeys', () => {
  const plan = planSessionTags(
    [
      { key: 'Team', value: 'a' },
      { key: 'Env', value: 'prod' },
    ],
    ['Env'],
    undefined,
  );
  const c = sessionTagContext(plan);
  assert.equal(c['aws:RequestTag/Team'], 'a');
  assert.equal(c['aws:RequestTag/Env'], 'prod');
  assert.deepEqual(c['aws:TagKeys'], ['Team', 'Env']);
  assert.deepEqual(c['sts:TransitiveTagKeys'], ['Env']);
  assert.deepEqual(Object.keys(sessionTagContext(planSessionTags([], [], undefined))), []);
});
