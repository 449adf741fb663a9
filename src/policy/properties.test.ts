// Property tests (STYLE.md §3): the parser never throws on arbitrary JSON; an explicit Deny always
// wins ("Policy evaluation logic": an explicit deny in any policy overrides any allow); adding an
// Allow statement never turns Allow into Deny.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validatePolicy } from './validate.js';
import { loadPolicy } from './compile.js';
import { evaluate } from './evaluate.js';
import type { EvaluationRequest, PolicyType } from './types.js';

const types: PolicyType[] = ['identity', 'resource', 'trust', 'boundary', 'scp', 'rcp', 'session'];

test('validatePolicy never throws on arbitrary JSON or text', () => {
  fc.assert(
    fc.property(fc.oneof(fc.json(), fc.string()), fc.constantFrom(...types), (text, type) => {
      const r = validatePolicy(text, type);
      assert.ok(Array.isArray(r.errors));
    }),
    { numRuns: 500 },
  );
});

test('validatePolicy never throws on policy-shaped JSON; valid ones load', () => {
  const str = fc.constantFrom(
    '*',
    's3:GetObject',
    's3:*',
    'arn:aws:s3:::b/*',
    'Allow',
    'Deny',
    'x',
    '',
    'arn:aws:iam::111122223333:root',
  );
  const val = fc.oneof(str, fc.array(str, { maxLength: 3 }), fc.constant({}), fc.integer());
  const stmt = fc.dictionary(
    fc.constantFrom(
      'Effect',
      'Action',
      'NotAction',
      'Resource',
      'NotResource',
      'Principal',
      'Sid',
      'Condition',
      'Bogus',
    ),
    val,
  );
  const doc = fc.record({
    Version: fc.constantFrom('2012-10-17', '2008-10-17', 'x'),
    Statement: fc.oneof(stmt, fc.array(stmt, { maxLength: 3 })),
  });
  fc.assert(
    fc.property(doc, fc.constantFrom(...types), (d, type) => {
      const text = JSON.stringify(d);
      if (validatePolicy(text, type, { requireCurrentVersion: false }).errors.length === 0)
        loadPolicy(text, type);
    }),
    { numRuns: 500 },
  );
});

const actions = ['s3:GetObject', 's3:PutObject', 'ec2:RunInstances', 'iam:CreateUser', 'sts:AssumeRole'];
const resources = ['arn:aws:s3:::b/k', 'arn:aws:ec2:us-east-1:111122223333:instance/i-1', '*'];
const patterns = fc.constantFrom('*', 's3:*', 's3:Get*', 'ec2:*', 'iam:CreateUser', 'sts:*', '*:*');
const resPatterns = fc.constantFrom('*', 'arn:aws:s3:::b/*', 'arn:aws:ec2:*:*:instance/*');
const stmtArb = fc.record({
  Effect: fc.constantFrom('Allow', 'Deny'),
  Action: fc.array(patterns, { minLength: 1, maxLength: 3 }),
  Resource: resPatterns,
});
const req = fc.record({ action: fc.constantFrom(...actions), resource: fc.constantFrom(...resources) });
const load = (stmts: object[], type: PolicyType = 'identity') =>
  loadPolicy(JSON.stringify({ Version: '2012-10-17', Statement: stmts }), type);
const request = (r: { action: string; resource: string }): EvaluationRequest => ({
  principal: { kind: 'AWS', arn: 'arn:aws:iam::111122223333:user/u', account: '111122223333' },
  action: r.action,
  resource: r.resource,
  resourceAccount: '111122223333',
  context: {},
});

test('an explicit Deny that matches always wins', () => {
  fc.assert(
    fc.property(fc.array(stmtArb, { minLength: 1, maxLength: 4 }), req, (stmts, r) => {
      const d = evaluate(request(r), {
        identity: [load(stmts), load([{ Effect: 'Deny', Action: r.action, Resource: '*' }])],
        permissionsBoundary: load([{ Effect: 'Allow', Action: '*', Resource: '*' }]),
      });
      assert.equal(d.decision, 'ExplicitDeny');
    }),
    { numRuns: 300 },
  );
});

test('adding an Allow statement never turns Allow into Deny', () => {
  fc.assert(
    fc.property(fc.array(stmtArb, { minLength: 1, maxLength: 4 }), stmtArb, req, (stmts, extra, r) => {
      const before = evaluate(request(r), { identity: [load(stmts)] });
      const after = evaluate(request(r), { identity: [load([...stmts, { ...extra, Effect: 'Allow' }])] });
      if (before.decision === 'Allow') assert.equal(after.decision, 'Allow');
    }),
    { numRuns: 300 },
  );
});
