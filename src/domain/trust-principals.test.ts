/**
 * The trust policy AssumeRole evaluates: user and role ARNs bound at save time become unique ids
 * (IAM User Guide, "AWS JSON policy elements: Principal", IAM role principals:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RoleBody } from './entities.js';
import { trustPolicyForEvaluation } from './trust-principals.js';

const ALICE = 'arn:aws:iam::111122223333:user/team/alice';
const OPS = 'arn:aws:iam::111122223333:role/ops';
const doc = (aws: string | string[]): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: aws }, Action: 'sts:AssumeRole' }],
  });
const role = (text: string, ids?: Record<string, string>): RoleBody => ({
  roleName: 'r',
  roleId: 'AROAQ3EGTHEROLEITSELF',
  arn: 'arn:aws:iam::111122223333:role/r',
  path: '/',
  createDate: 0,
  assumeRolePolicyDocument: text,
  trustPrincipalIds: ids,
  maxSessionDuration: 3600,
  tags: [],
  inlinePolicies: {},
  attachedPolicies: [],
});
const principals = (text: string): unknown =>
  (JSON.parse(text) as { Statement: { Principal: { AWS: unknown } }[] }).Statement[0]?.Principal.AWS;

test('a policy saved without bindings (older iamd) is evaluated as written', () => {
  const text = doc(ALICE);
  assert.equal(trustPolicyForEvaluation(role(text)), text);
});

test('bound user and role ARNs become their ids; other principals stay', () => {
  const text = doc([ALICE, OPS, '111122223333', 'arn:aws:sts::111122223333:assumed-role/ops/s']);
  const out = trustPolicyForEvaluation(
    role(text, { [ALICE]: 'AIDAQ3EGALICEUSER001', [OPS]: 'AROAQ3EGOPSROLE00001' }),
  );
  assert.deepEqual(principals(out), [
    'AIDAQ3EGALICEUSER001',
    'AROAQ3EGOPSROLE00001',
    '111122223333',
    'arn:aws:sts::111122223333:assumed-role/ops/s',
  ]);
});

test('the same document with other bindings (the principal was re-created and saved again) gives the new id', () => {
  const text = doc(ALICE);
  assert.equal(
    principals(trustPolicyForEvaluation(role(text, { [ALICE]: 'AIDAQ3EGALICEUSER001' }))),
    'AIDAQ3EGALICEUSER001',
  );
  assert.equal(
    principals(trustPolicyForEvaluation(role(text, { [ALICE]: 'AIDAQ3EGALICEUSER002' }))),
    'AIDAQ3EGALICEUSER002',
  );
  // An ARN that is not bound (an account iamd does not hold) is kept, and inherited names are not ids.
  assert.equal(principals(trustPolicyForEvaluation(role(doc('constructor'), {}))), 'constructor');
});
