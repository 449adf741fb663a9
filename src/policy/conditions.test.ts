// Condition operators: IAM User Guide, "IAM JSON policy elements: Condition operators" and
// "Multivalued context keys" (ForAllValues/ForAnyValue, missing and empty keys).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileConditions, conditionHolds, parseOperator } from './conditions.js';
import type { ContextValue } from './types.js';

/** Evaluates `{op: {key: values}}` against a context (keys matched case-insensitively). */
function holds(
  op: string,
  key: string,
  values: unknown,
  ctx: Record<string, ContextValue>,
  variables = true,
): boolean {
  const lower = new Map(Object.entries(ctx).map(([k, v]) => [k.toLowerCase(), v]));
  const [c] = compileConditions({ [op]: { [key]: values } }, variables);
  assert.ok(c, `operator ${op} compiles`);
  return conditionHolds(c, (k) => lower.get(k));
}

test('String operators: exact, case-insensitive, Like with * and ?', () => {
  assert.equal(holds('StringEquals', 'aws:username', 'alice', { 'aws:username': 'alice' }), true);
  assert.equal(holds('StringEquals', 'aws:username', 'Alice', { 'aws:username': 'alice' }), false);
  assert.equal(holds('StringEquals', 'AWS:UserName', ['bob', 'alice'], { 'aws:username': 'alice' }), true);
  assert.equal(holds('StringNotEquals', 'aws:username', 'bob', { 'aws:username': 'alice' }), true);
  assert.equal(holds('StringEqualsIgnoreCase', 'k', 'ALICE', { k: 'alice' }), true);
  assert.equal(holds('StringNotEqualsIgnoreCase', 'k', 'ALICE', { k: 'alice' }), false);
  assert.equal(holds('StringLike', 's3:prefix', 'home/*', { 's3:prefix': 'home/alice/x' }), true);
  assert.equal(holds('StringLike', 'k', 'a?c', { k: 'abc' }), true);
  assert.equal(holds('StringNotLike', 'k', 'a*', { k: 'abc' }), false);
});

test('String operators with policy variables; a missing variable makes the value not match', () => {
  assert.equal(holds('StringEquals', 'k', '${aws:username}', { k: 'alice', 'aws:username': 'alice' }), true);
  assert.equal(holds('StringEquals', 'k', '${aws:username}', { k: 'alice' }), false);
  assert.equal(
    holds('StringLike', 'k', 'home/${aws:username}/*', { k: 'home/al/x', 'aws:username': 'al' }),
    true,
  );
  // Version 2008-10-17: no variables, the text is literal.
  assert.equal(holds('StringEquals', 'k', '${aws:username}', { k: '${aws:username}' }, false), true);
});

test('Numeric operators', () => {
  assert.equal(holds('NumericEquals', 'n', '10', { n: 10 }), true);
  assert.equal(holds('NumericNotEquals', 'n', '10', { n: '11' }), true);
  assert.equal(holds('NumericLessThan', 'n', '10', { n: 9 }), true);
  assert.equal(holds('NumericLessThanEquals', 'n', '10', { n: 10 }), true);
  assert.equal(holds('NumericGreaterThan', 'n', '10', { n: 10 }), false);
  assert.equal(
    holds('NumericGreaterThanEquals', 'aws:MultiFactorAuthAge', '3600', { 'aws:MultiFactorAuthAge': '3600' }),
    true,
  );
  assert.equal(holds('NumericEquals', 'n', '10', { n: 'ten' }), false);
});

test('Date operators: ISO 8601 and epoch seconds', () => {
  const ctx = { 'aws:CurrentTime': '2020-06-01T00:00:00Z' };
  assert.equal(holds('DateGreaterThan', 'aws:CurrentTime', '2020-01-01T00:00:00Z', ctx), true);
  assert.equal(holds('DateLessThan', 'aws:CurrentTime', '2020-01-01T00:00:00Z', ctx), false);
  assert.equal(holds('DateLessThanEquals', 'aws:CurrentTime', '2020-06-01T00:00:00Z', ctx), true);
  assert.equal(holds('DateGreaterThanEquals', 'aws:CurrentTime', '1590969600', ctx), true);
  assert.equal(
    holds('DateEquals', 'aws:EpochTime', '2020-06-01T00:00:00Z', { 'aws:EpochTime': 1590969600 }),
    true,
  );
  assert.equal(holds('DateNotEquals', 'aws:CurrentTime', '2020-06-01T00:00:00Z', ctx), false);
});

test('Bool and BinaryEquals', () => {
  assert.equal(holds('Bool', 'aws:SecureTransport', 'true', { 'aws:SecureTransport': true }), true);
  assert.equal(holds('Bool', 'aws:SecureTransport', true, { 'aws:SecureTransport': 'TRUE' }), true);
  assert.equal(
    holds('Bool', 'aws:MultiFactorAuthPresent', 'true', { 'aws:MultiFactorAuthPresent': false }),
    false,
  );
  assert.equal(holds('BinaryEquals', 'k', 'QmluYXJ5', { k: 'QmluYXJ5' }), true);
  assert.equal(holds('BinaryEquals', 'k', 'QmluYXJ5', { k: 'qmluyxj5' }), false);
});

test('IpAddress / NotIpAddress with IPv4 and IPv6 CIDR', () => {
  assert.equal(holds('IpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '203.0.113.7' }), true);
  assert.equal(
    holds('IpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '203.0.114.7' }),
    false,
  );
  assert.equal(holds('IpAddress', 'aws:SourceIp', '203.0.113.7', { 'aws:SourceIp': '203.0.113.7' }), true);
  assert.equal(holds('IpAddress', 'aws:SourceIp', '0.0.0.0/0', { 'aws:SourceIp': '8.8.8.8' }), true);
  assert.equal(
    holds('IpAddress', 'aws:SourceIp', '2001:db8::/32', { 'aws:SourceIp': '2001:db8:1::5' }),
    true,
  );
  assert.equal(holds('IpAddress', 'aws:SourceIp', '2001:db8::/32', { 'aws:SourceIp': '2001:db9::5' }), false);
  assert.equal(holds('IpAddress', 'aws:SourceIp', '2001:db8::/32', { 'aws:SourceIp': '203.0.113.7' }), false);
  assert.equal(
    holds('NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8', '192.168.0.0/16'], { 'aws:SourceIp': '8.8.8.8' }),
    true,
  );
  assert.equal(
    holds('IpAddress', 'aws:SourceIp', '::ffff:192.0.2.0/120', { 'aws:SourceIp': '::ffff:192.0.2.9' }),
    true,
  );
});

test('Arn operators: component-wise, case-sensitive', () => {
  const ctx = { 'aws:SourceArn': 'arn:aws:sns:us-east-1:111122223333:topic' };
  assert.equal(holds('ArnEquals', 'aws:SourceArn', 'arn:aws:sns:*:111122223333:*', ctx), true);
  assert.equal(holds('ArnLike', 'aws:SourceArn', 'arn:aws:sns:us-east-1:*:Topic', ctx), false);
  assert.equal(holds('ArnNotEquals', 'aws:SourceArn', 'arn:aws:sns:*:444455556666:*', ctx), true);
  assert.equal(holds('ArnNotLike', 'aws:SourceArn', 'arn:aws:sns:*:*:*', ctx), false);
});

test('Null: true means the key is absent', () => {
  assert.equal(holds('Null', 'aws:TokenIssueTime', 'true', {}), true);
  assert.equal(holds('Null', 'aws:TokenIssueTime', 'true', { 'aws:TokenIssueTime': 'x' }), false);
  assert.equal(holds('Null', 'aws:TokenIssueTime', 'false', { 'aws:TokenIssueTime': 'x' }), true);
  assert.equal(holds('Null', 'aws:TagKeys', 'true', { 'aws:TagKeys': [] }), true);
});

test('missing keys: positive false, negated true, IfExists true', () => {
  assert.equal(holds('StringEquals', 'k', 'a', {}), false);
  assert.equal(holds('StringNotEquals', 'k', 'a', {}), true);
  assert.equal(holds('NotIpAddress', 'aws:SourceIp', '10.0.0.0/8', {}), true);
  assert.equal(holds('StringEqualsIfExists', 'k', 'a', {}), true);
  assert.equal(holds('StringEqualsIfExists', 'k', 'a', { k: 'b' }), false);
  assert.equal(holds('BoolIfExists', 'aws:MultiFactorAuthPresent', 'false', {}), true);
});

test('ForAllValues / ForAnyValue: missing, empty and multivalued keys', () => {
  const all = (v: ContextValue | undefined) =>
    holds(
      'ForAllValues:StringEquals',
      'aws:TagKeys',
      ['a', 'b'],
      v === undefined ? {} : { 'aws:TagKeys': v },
    );
  const any = (v: ContextValue | undefined) =>
    holds('ForAnyValue:StringEquals', 'aws:TagKeys', ['a', 'b'], v === undefined ? {} : { 'aws:TagKeys': v });
  assert.equal(all(['a']), true);
  assert.equal(all(['a', 'c']), false);
  assert.equal(all([]), true); // empty set: vacuously true
  assert.equal(all(undefined), true); // missing key: true
  assert.equal(any(['c', 'b']), true);
  assert.equal(any(['c']), false);
  assert.equal(any([]), false);
  assert.equal(any(undefined), false);
  assert.equal(holds('ForAnyValue:StringNotEquals', 'k', ['a'], { k: ['a', 'z'] }), true);
  assert.equal(holds('ForAllValues:StringNotEquals', 'k', ['a'], { k: ['a', 'z'] }), false);
  assert.equal(holds('ForAnyValue:StringEqualsIfExists', 'k', ['a'], {}), true);
  // A single-valued operator on a multivalued key: any value matches.
  assert.equal(holds('StringEquals', 'k', 'z', { k: ['a', 'z'] }), true);
  assert.equal(holds('StringNotEquals', 'k', 'z', { k: ['a', 'z'] }), false);
});

test('operator names: set prefixes and IfExists parse; unknown operators do not', () => {
  assert.equal(parseOperator('ForAnyValue:StringLikeIfExists')?.def.name, 'StringLike');
  assert.equal(parseOperator('ForAnyValue::StringEquals'), undefined);
  assert.equal(parseOperator('x'), undefined);
});
