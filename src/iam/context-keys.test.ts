/** contextKeysOf: AWS's documented example and the dedup/variable rules (see context-keys.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { contextKeysOf } from './context-keys.js';

test("AWS's example: a Resource variable and a condition key, in order", () => {
  // https://docs.aws.amazon.com/cli/latest/reference/iam/get-context-keys-for-custom-policy.html (example)
  const doc = JSON.stringify({
    Version: '2012-10-17',
    Statement: {
      Effect: 'Allow',
      Action: 'dynamodb:*',
      Resource: 'arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}',
      Condition: { DateGreaterThan: { 'aws:CurrentTime': '2015-08-16T12:00:00Z' } },
    },
  });
  assert.deepEqual(contextKeysOf([doc]), ['aws:username', 'aws:CurrentTime']);
});

test('each key once across documents, case-insensitively; escapes and defaults handled', () => {
  const a = JSON.stringify({
    Statement: [
      {
        Effect: 'Allow',
        Action: 's3:*',
        NotResource: "arn:aws:s3:::b/${*}/${aws:PrincipalTag/team, 'none'}",
        Condition: {
          StringEquals: { 'aws:SourceVpc': 'vpc-1', 's3:prefix': ['${aws:userid}/'] },
          Bool: { 'aws:MultiFactorAuthPresent': 'true' },
        },
      },
    ],
  });
  const b = JSON.stringify({
    Statement: [
      { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'AWS:SOURCEVPC': 'x' } } },
    ],
  });
  assert.deepEqual(contextKeysOf([a, b]), [
    'aws:PrincipalTag/team',
    'aws:SourceVpc',
    's3:prefix',
    'aws:userid',
    'aws:MultiFactorAuthPresent',
  ]);
});

test('never throws on arbitrary JSON', () => {
  fc.assert(
    fc.property(fc.json(), (j) => {
      assert.ok(Array.isArray(contextKeysOf([j])));
    }),
  );
});
