// S3 POST policies (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html):
// decoding, conditions, extra fields, sizes, with S3's codes and texts; and properties: any policy
// document and any form give a value, never a throw, and every refusal is one of S3's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkPostPolicy,
  checkPostSize,
  maxPostSize,
  MAX_POST_OBJECT_SIZE,
  parsePostPolicy,
  type PostPolicy,
  type PostPolicyError,
} from './post-policy.js';

const b64 = (doc: unknown): string => Buffer.from(JSON.stringify(doc)).toString('base64');
const NOW = Date.parse('2026-01-01T00:00:00Z');
const LATER = '2026-01-01T01:00:00.000Z';

function policyOf(doc: unknown): PostPolicy {
  const r = parsePostPolicy(b64(doc));
  assert.ok('policy' in r, JSON.stringify(r));
  return r.policy;
}

function refusedWith(r: { error: PostPolicyError } | { policy: PostPolicy }, message: string): void {
  assert.ok('error' in r);
  assert.equal(r.error.code, 'InvalidPolicyDocument');
  assert.equal(r.error.status, 400);
  assert.equal(r.error.message, message);
}

test('the three condition forms of the docs parse; field names match case-insensitively', () => {
  const p = policyOf({
    expiration: LATER,
    conditions: [
      { bucket: 'b' },
      ['eq', '$Content-Type', 'text/plain'],
      ['starts-with', '$key', 'user/'],
      ['content-length-range', 1, 10],
    ],
  });
  assert.equal(p.expirationMs, Date.parse(LATER));
  assert.deepEqual(p.conditions, [
    { kind: 'eq', field: 'bucket', written: '$bucket', value: 'b' },
    { kind: 'eq', field: 'content-type', written: '$Content-Type', value: 'text/plain' },
    { kind: 'starts-with', field: 'key', written: '$key', value: 'user/' },
    { kind: 'content-length-range', min: 1, max: 10 },
  ]);
  const fields: [string, string][] = [
    ['key', 'user/a.txt'],
    ['content-type', 'text/plain'],
  ];
  assert.equal(checkPostPolicy(p, { fields, bucket: 'b', nowMs: NOW }), undefined);
});

test('malformed policies are InvalidPolicyDocument, never a throw', () => {
  refusedWith(parsePostPolicy('not base64!'), 'Invalid Policy: Invalid JSON.');
  refusedWith(parsePostPolicy(Buffer.from('{nope').toString('base64')), 'Invalid Policy: Invalid JSON.');
  refusedWith(parsePostPolicy(b64([1, 2])), 'Invalid Policy: Invalid JSON.');
  refusedWith(parsePostPolicy(b64({ conditions: [] })), 'Invalid Policy: Policy missing expiration.');
  refusedWith(
    parsePostPolicy(b64({ expiration: 'tomorrow', conditions: [] })),
    `Invalid Policy: Invalid 'expiration' value: '"tomorrow"'`,
  );
  refusedWith(parsePostPolicy(b64({ expiration: LATER })), 'Invalid Policy: Policy missing conditions.');
  // S3 refuses a two-property simple condition with these words (recorded answer).
  refusedWith(
    parsePostPolicy(b64({ expiration: LATER, conditions: [{ a: '1', b: '2' }] })),
    'Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.',
  );
  // A fractional range bound is "Invalid JSON." on S3 (recorded answer for `512.0`).
  refusedWith(
    parsePostPolicy(b64({ expiration: LATER, conditions: [['content-length-range', 0, 512.5]] })),
    'Invalid Policy: Invalid JSON.',
  );
  refusedWith(
    parsePostPolicy(b64({ expiration: LATER, conditions: [['matches', '$key', 'x']] })),
    'Invalid Policy: Invalid Condition: unknown operation "matches".',
  );
  refusedWith(
    parsePostPolicy(b64({ expiration: LATER, conditions: [['starts-with', 'key', 'x']] })),
    "Invalid Policy: Invalid Condition: 'starts-with' takes a field reference ('$name') and a string value.",
  );
});

test('an expired policy is AccessDenied "Invalid according to Policy: Policy expired."', () => {
  const p = policyOf({ expiration: '2025-12-31T23:59:59Z', conditions: [] });
  assert.deepEqual(checkPostPolicy(p, { fields: [], bucket: 'b', nowMs: NOW }), {
    code: 'AccessDenied',
    status: 403,
    message: 'Invalid according to Policy: Policy expired.',
  });
  // The `off` level checks no time.
  assert.equal(checkPostPolicy(p, { fields: [], bucket: 'b', nowMs: undefined }), undefined);
});

test('a failed condition is named as S3 names it, exact matches as ["eq", …]', () => {
  const p = policyOf({
    expiration: LATER,
    conditions: [
      { bucket: 'b' },
      ['starts-with', '$key', 'user/'],
      ['starts-with', '$Content-Type', 'image/'],
    ],
  });
  const check = (fields: [string, string][], bucket = 'b') =>
    checkPostPolicy(p, { fields, bucket, nowMs: NOW });
  assert.equal(
    check([['key', 'user/x']], 'other')?.message,
    'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "b"]',
  );
  assert.equal(
    check([['key', 'admin/x']])?.message,
    'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/"]',
  );
  assert.equal(
    check([
      ['key', 'user/x'],
      ['Content-Type', 'text/plain'],
    ])?.message,
    'Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]',
  );
  assert.equal(check([['key', 'user/x']])?.code, 'AccessDenied', 'a missing field is the empty string');
});

test('an empty starts-with prefix matches anything, even a missing field', () => {
  const p = policyOf({ expiration: LATER, conditions: [['starts-with', '$Content-Type', '']] });
  assert.equal(checkPostPolicy(p, { fields: [], bucket: 'b', nowMs: NOW }), undefined);
  assert.equal(checkPostPolicy(p, { fields: [['content-type', 'x/y']], bucket: 'b', nowMs: NOW }), undefined);
});

test('every field but x-amz-signature, file, policy and x-ignore-* must be named by a condition', () => {
  const p = policyOf({ expiration: LATER, conditions: [['starts-with', '$key', '']] });
  const ok: [string, string][] = [
    ['key', 'k'],
    ['x-amz-signature', 's'],
    ['Policy', 'p'],
    ['x-ignore-submit', 'Upload'],
  ];
  assert.equal(checkPostPolicy(p, { fields: ok, bucket: 'b', nowMs: NOW }), undefined);
  assert.deepEqual(
    checkPostPolicy(p, {
      fields: [...ok, ['X-Amz-Meta-Foo', 'bar'], ['acl', 'private']],
      bucket: 'b',
      nowMs: NOW,
    }),
    {
      code: 'AccessDenied',
      status: 403,
      message: 'Invalid according to Policy: Extra input fields: x-amz-meta-foo, acl',
    },
  );
});

test('content-length-range bounds are inclusive; outside them EntityTooSmall / EntityTooLarge with the sizes', () => {
  const p = policyOf({ expiration: LATER, conditions: [['content-length-range', 10, 20]] });
  assert.equal(checkPostSize(p, 10), undefined);
  assert.equal(checkPostSize(p, 20), undefined);
  assert.deepEqual(checkPostSize(p, 21), {
    code: 'EntityTooLarge',
    status: 400,
    message: 'Your proposed upload exceeds the maximum allowed size',
    elements: [
      ['ProposedSize', '21'],
      ['MaxSizeAllowed', '20'],
    ],
  });
  assert.deepEqual(checkPostSize(p, 9), {
    code: 'EntityTooSmall',
    status: 400,
    message: 'Your proposed upload is smaller than the minimum allowed size',
    elements: [
      ['ProposedSize', '9'],
      ['MinSizeAllowed', '10'],
    ],
  });
  assert.equal(maxPostSize(p), 20);
  assert.equal(maxPostSize(undefined), MAX_POST_OBJECT_SIZE);
  assert.equal(checkPostSize(undefined, MAX_POST_OBJECT_SIZE + 1)?.code, 'EntityTooLarge');
});

const S3_CODES = new Set(['InvalidPolicyDocument', 'AccessDenied', 'EntityTooSmall', 'EntityTooLarge']);

test('property: any policy document, form and size give a value or one of S3 errors, never a throw', () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  const condition = fc.oneof(
    json,
    fc.tuple(fc.constantFrom('eq', 'starts-with', 'content-length-range', 'EQ'), json, json),
    fc.dictionary(fc.string(), fc.oneof(fc.string(), json), { maxKeys: 2 }),
  );
  const doc = fc.oneof(
    json,
    fc.record({
      expiration: fc.oneof(
        json,
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      ),
      conditions: fc.oneof(json, fc.array(condition, { maxLength: 6 })),
    }),
  );
  const encoded = fc.oneof(
    doc.map(b64),
    fc.string(),
    fc.uint8Array().map((u) => Buffer.from(u).toString('base64')),
  );
  const fields = fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 6 });
  fc.assert(
    fc.property(encoded, fields, fc.string(), fc.nat(), (text, form, bucket, size) => {
      const r = parsePostPolicy(text);
      if ('error' in r) {
        assert.ok(S3_CODES.has(r.error.code));
        return;
      }
      for (const e of [
        checkPostPolicy(r.policy, { fields: form, bucket, nowMs: NOW }),
        checkPostSize(r.policy, size),
      ])
        if (e !== undefined) assert.ok(S3_CODES.has(e.code), e.code);
    }),
  );
});
