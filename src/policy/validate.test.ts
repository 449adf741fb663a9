// Validation against AWS's recorded answers. Cases: test/fixtures/policy/policy-validation-cases.json
// (copy of shared/reference/policy-validation-cases.json: CreatePolicy against real AWS, 2026).
// Trust-policy messages: shared/reference/aws-errors.md (CreateRole / UpdateAssumeRolePolicy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validatePolicy, MESSAGES } from './validate.js';
import { policySize, policySizeError, limitFor } from './limits.js';

interface Case {
  id: string;
  document: unknown;
  message?: string;
}
const cases = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/policy/policy-validation-cases.json', import.meta.url),
    'utf8',
  ),
) as { invalid: Case[]; valid: Case[] };
const text = (c: Case) => (typeof c.document === 'string' ? c.document : JSON.stringify(c.document));
/** Set to a case id to run only that case. */
const FOCUS = '';

for (const c of cases.invalid) {
  if (FOCUS && c.id !== FOCUS) continue;
  test(`AWS rejects ${c.id} with its message`, () => {
    // LocalStack normalised the partition and region in recorded messages; AWS sends the real ones.
    const want = (c.message as string).replaceAll('<partition>', 'aws').replaceAll('<region>', 'us-east-1');
    const r = validatePolicy(text(c), 'identity');
    assert.ok(r.errors.length > 0);
    assert.equal(r.errors[0]?.message, want);
  });
}
for (const c of cases.valid) {
  if (FOCUS && c.id !== FOCUS) continue;
  test(`AWS accepts ${c.id}`, () => {
    assert.deepEqual(validatePolicy(text(c), 'identity').errors, []);
  });
}

test('every problem is reported with its JSON path', () => {
  const doc = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'nocolon', Resource: '*' },
      { Effect: 'Allow', Action: 's3:a:b', Resource: 'bad' },
    ],
  };
  const r = validatePolicy(JSON.stringify(doc), 'identity');
  assert.deepEqual(r.errors, [
    { path: 'Statement[1].Resource', message: 'Resource bad must be in ARN format or "*".' },
    { path: 'Statement[0].Action', message: MESSAGES.vendorMissing },
    { path: 'Statement[1].Action', message: MESSAGES.oneColon },
  ]);
});

test('trust policy: invalid JSON uses the CreateRole message (aws-errors.md, CreateRole invalid json)', () => {
  assert.deepEqual(validatePolicy('{', 'trust').errors, [
    { path: '', message: 'This policy contains invalid Json' },
  ]);
});

test('trust policy: Resource is prohibited (aws-errors.md, UpdateAssumeRolePolicy resource field error)', () => {
  const doc = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'sts:AssumeRole', Resource: '*' },
    ],
  };
  const r = validatePolicy(JSON.stringify(doc), 'trust');
  assert.deepEqual(r.errors, [{ path: 'Statement[0].Resource', message: 'Has prohibited field Resource' }]);
});

test('trust policy: only STS AssumeRole actions (aws-errors.md, UpdateAssumeRolePolicy invalid action)', () => {
  const doc = {
    Version: '2012-10-17',
    Statement: { Effect: 'Allow', Principal: '*', Action: 's3:GetObject' },
  };
  const r = validatePolicy(JSON.stringify(doc), 'trust');
  assert.equal(r.errors[0]?.message, 'AssumeRole policy may only specify STS AssumeRole actions.');
  assert.equal(r.errors[0]?.path, 'Statement.Action');
});

test('trust policy: Principal is required; 2008-10-17 and sts:* are accepted', () => {
  const missing = { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'sts:AssumeRole' } };
  assert.deepEqual(validatePolicy(JSON.stringify(missing), 'trust').errors, [
    { path: 'Statement.Principal', message: 'Missing required field Principal' },
  ]);
  const ok = {
    Version: '2008-10-17',
    Statement: { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:*' },
  };
  assert.deepEqual(validatePolicy(JSON.stringify(ok), 'trust').errors, []);
});

test('trust policy: malformed AWS principal', () => {
  const doc = {
    Version: '2012-10-17',
    Statement: { Effect: 'Allow', Principal: { AWS: 'alice' }, Action: 'sts:AssumeRole' },
  };
  assert.deepEqual(validatePolicy(JSON.stringify(doc), 'trust').errors, [
    { path: 'Statement.Principal.AWS', message: 'Invalid principal in policy: "AWS":"alice"' },
  ]);
});

test('identity policy must not name a principal (IAM User Guide, "Policy types")', () => {
  const doc = {
    Version: '2012-10-17',
    Statement: { Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' },
  };
  assert.deepEqual(validatePolicy(JSON.stringify(doc), 'identity').errors, [
    { path: 'Statement.Principal', message: 'Policy document should not specify a principal.' },
  ]);
});

test('resource policy must name a principal', () => {
  const doc = { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:*', Resource: '*' } };
  assert.equal(
    validatePolicy(JSON.stringify(doc), 'resource').errors[0]?.message,
    'Missing required field Principal',
  );
});

test('size quotas ignore white space (IAM quotas page) and use AWS LimitExceeded texts', () => {
  assert.equal(policySize('{ "a" :\n\t"b" }'), 9);
  assert.equal(limitFor('managed'), 6144);
  assert.equal(policySizeError('managed', 6144), undefined);
  assert.equal(policySizeError('managed', 6145), 'Cannot exceed quota for PolicySize: 6144');
  assert.equal(policySizeError('trust', 2049), 'Cannot exceed quota for ACLSizePerRole: 2048');
  assert.equal(
    policySizeError('roleInline', 10241, 'r1'),
    'Maximum policy size of 10240 bytes exceeded for role r1',
  );
  assert.equal(
    policySizeError('userInline', 2049, 'u'),
    'Maximum policy size of 2048 bytes exceeded for user u',
  );
  assert.equal(
    policySizeError('groupInline', 5121, 'g'),
    'Maximum policy size of 5120 bytes exceeded for group g',
  );
});
