import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkResourcePolicyContent } from './resource-policy.js';
import { OrgError } from './common.js';

// https://docs.aws.amazon.com/organizations/latest/APIReference/API_PutResourcePolicy.html
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs-policy-delegate.html

const doc = (action: unknown): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:root' },
        Action: action,
        Resource: '*',
      },
    ],
  });

const reasonOf = (content: string): string | undefined => {
  try {
    checkResourcePolicyContent(content);
    return undefined;
  } catch (e) {
    assert.ok(e instanceof OrgError);
    assert.equal(e.code, 'InvalidInputException');
    return e.fields.Reason;
  }
};

test('delegable Organizations actions, with wildcards, are accepted', () => {
  assert.equal(reasonOf(doc(['organizations:ListRoots', 'organizations:Describe*'])), undefined);
  assert.equal(reasonOf(doc('organizations:?ttachPolicy')), undefined);
  assert.equal(reasonOf(doc('Organizations:listroots')), undefined);
});

test('other services and actions that stay with the management account are refused', () => {
  assert.throws(
    () => checkResourcePolicyContent(doc('organizations:CreateAccount')),
    (e: unknown) =>
      e instanceof OrgError &&
      e.code === 'InvalidInputException' &&
      e.message ===
        'The action `organizations:CreateAccount` is not supported in an organization resource policy' &&
      e.fields.Reason === 'UNSUPPORTED_ACTION_IN_RESOURCE_POLICY',
  );
  assert.equal(reasonOf(doc('iam:*')), 'UNSUPPORTED_ACTION_IN_RESOURCE_POLICY');
  // Regex metacharacters in an action name are literal, never a pattern.
  assert.equal(reasonOf(doc('organizations:List.*')), 'UNSUPPORTED_ACTION_IN_RESOURCE_POLICY');
});

test('malformed content: INVALID_RESOURCE_POLICY_JSON with the validator message', () => {
  assert.throws(
    () => checkResourcePolicyContent('{'),
    (e: unknown) =>
      e instanceof OrgError &&
      e.message === 'The provided resource policy is not valid: Syntax errors in policy.' &&
      e.fields.Reason === 'INVALID_RESOURCE_POLICY_JSON',
  );
});

test('property: any content is accepted or refused with InvalidInputException, never another throw', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.array(fc.string()).map((actions) => doc(actions.map((a) => `organizations:${a}`))),
      ),
      (content) => {
        reasonOf(content);
      },
    ),
    { numRuns: 300 },
  );
});
