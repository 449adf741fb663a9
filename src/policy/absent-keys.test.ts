// The engine's record of the condition keys it looked up and did not find (Decision.absentKeys): what
// the S3 gateway reads to decide whether `s3:ExistingObjectTag/<key>` can matter before it asks the
// upstream for an object's tags (S3 User Guide, "Tagging and access control policies",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-and-policies.html). The record must be
// exact: a key it does not list cannot change the decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadPolicy } from './compile.js';
import { evaluate } from './evaluate.js';
import type { ContextValue, EvaluationRequest, PolicyType } from './types.js';

const A = '111122223333';
const TAG = 's3:ExistingObjectTag/class';
const load = (stmts: object[], type: PolicyType = 'identity') =>
  loadPolicy(JSON.stringify({ Version: '2012-10-17', Statement: stmts }), type);
const request = (context: Record<string, ContextValue> = {}, action = 's3:GetObject'): EvaluationRequest => ({
  principal: { kind: 'AWS', arn: `arn:aws:iam::${A}:user/u`, account: A },
  action,
  resource: 'arn:aws:s3:::b/k',
  resourceAccount: A,
  context,
});
const REC = { recordAbsent: true };
const tagAllow = load([
  {
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::b/*',
    Condition: { StringEquals: { [TAG]: 'public' } },
  },
]);

test('a condition on a key the context lacks records the key, lower-cased', () => {
  const d = evaluate(request(), { identity: [tagAllow] }, REC);
  assert.equal(d.decision, 'ImplicitDeny');
  assert.deepEqual(d.absentKeys, ['s3:existingobjecttag/class']);
});

test('without recordAbsent nothing is recorded (the decision keeps its shape)', () => {
  const d = evaluate(request(), { identity: [tagAllow] });
  assert.equal(d.absentKeys, undefined);
  assert.equal('absentKeys' in d, false);
});

test('a key the context has (any case) is not absent, and the decision uses it', () => {
  const d = evaluate(request({ 's3:existingobjecttag/CLASS': 'public' }), { identity: [tagAllow] }, REC);
  assert.equal(d.decision, 'Allow');
  assert.equal(d.absentKeys, undefined);
});

test('a statement whose action or resource does not match never consults its conditions', () => {
  const other = load([
    { Effect: 'Deny', Action: 's3:PutObject', Resource: '*', Condition: { StringEquals: { [TAG]: 'x' } } },
    {
      Effect: 'Deny',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::other/*',
      Condition: { StringEquals: { [TAG]: 'x' } },
    },
    { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
  ]);
  const d = evaluate(request(), { identity: [other] }, REC);
  assert.equal(d.decision, 'Allow');
  assert.equal(d.absentKeys, undefined);
});

test('keys looked up through policy variables and in every policy type are recorded once each', () => {
  const boundary = load([
    { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/${s3:ExistingObjectTag/prefix}*' },
  ]);
  const bucket = load(
    [
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::b/*',
        Condition: { StringEquals: { [TAG]: 'secret' } },
      },
    ],
    'resource',
  );
  const scp = load([
    {
      Effect: 'Allow',
      Action: '*',
      Resource: '*',
      Condition: { Null: { 's3:ExistingObjectTag/x': 'true' } },
    },
  ]);
  const d = evaluate(
    request(),
    { identity: [tagAllow], permissionsBoundary: boundary, resource: bucket, scps: [scp] },
    REC,
  );
  assert.deepEqual([...(d.absentKeys ?? [])].sort(), [
    's3:existingobjecttag/class',
    's3:existingobjecttag/prefix',
    's3:existingobjecttag/x',
  ]);
});

// Exactness, as a property: for any policies over a few keys and any context, giving values to keys
// the evaluation did not list (and the context lacked) never changes the decision.
test('property: values for keys not in absentKeys never change the decision', () => {
  const keys = ['k:a', 'k:b', 'k:c', 's3:ExistingObjectTag/t'];
  const ops = [
    'StringEquals',
    'StringNotEquals',
    'StringEqualsIfExists',
    'StringNotEqualsIfExists',
    'StringLike',
  ];
  const values = ['v', 'w', '*'];
  const cond = fc.dictionary(
    fc.constantFrom(...ops),
    fc.dictionary(fc.constantFrom(...keys), fc.constantFrom(...values), { minKeys: 1, maxKeys: 2 }),
    { minKeys: 0, maxKeys: 2 },
  );
  const nullCond = fc.option(
    fc.record({
      Null: fc.dictionary(fc.constantFrom(...keys), fc.constantFrom('true', 'false'), {
        minKeys: 1,
        maxKeys: 1,
      }),
    }),
    { nil: undefined },
  );
  const stmt = fc.record({
    Effect: fc.constantFrom('Allow', 'Deny'),
    Action: fc.constantFrom('s3:GetObject', 's3:*', 's3:PutObject', '*'),
    Resource: fc.constantFrom('*', 'arn:aws:s3:::b/*', 'arn:aws:s3:::b/${k:a}', 'arn:aws:s3:::x/*'),
    Condition: cond,
  });
  const withNull = fc
    .tuple(stmt, nullCond)
    .map(([s, n]) => ({ ...s, Condition: { ...s.Condition, ...(n ?? {}) } }));
  const policy = fc.array(withNull, { minLength: 1, maxLength: 4 });
  const ctx = fc.dictionary(fc.constantFrom(...keys), fc.constantFrom('v', 'w', 'b/k'), { maxKeys: 4 });
  fc.assert(
    fc.property(policy, fc.option(policy, { nil: undefined }), ctx, ctx, (identity, boundary, c, extra) => {
      const set = {
        identity: [load(identity)],
        permissionsBoundary: boundary === undefined ? undefined : load(boundary, 'boundary'),
      };
      const first = evaluate(request(c), set, REC);
      const absent = new Set(first.absentKeys ?? []);
      const more: Record<string, ContextValue> = { ...c };
      for (const [k, v] of Object.entries(extra))
        if (!Object.hasOwn(c, k) && !absent.has(k.toLowerCase())) more[k] = v;
      assert.equal(evaluate(request(more), set).decision, first.decision);
    }),
    { numRuns: 1000 },
  );
});
