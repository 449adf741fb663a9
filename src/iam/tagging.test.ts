import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeTags } from './common.js';
import { CASE_SENSITIVE_TAG_KEYS } from './tagging.js';

// Issue #21: AWS replaces the value of an existing tag key where the tag stands; only new keys are
// appended (recorded TagRole and TagPolicy responses, also with an empty value).
const existing = [
  { Key: 'a', Value: '1' },
  { Key: 'b', Value: '2' },
  { Key: 'c', Value: '3' },
];

test('mergeTags: an existing key keeps its position, new keys are appended', () => {
  assert.deepEqual(
    mergeTags(existing, [
      { Key: 'd', Value: '4' },
      { Key: 'a', Value: '' },
    ]),
    [
      { Key: 'a', Value: '' },
      { Key: 'b', Value: '2' },
      { Key: 'c', Value: '3' },
      { Key: 'd', Value: '4' },
    ],
  );
});

test('mergeTags: a key differing only in case replaces in place (IAM keys are case-insensitive)', () => {
  assert.deepEqual(mergeTags(existing, [{ Key: 'B', Value: 'x' }]), [
    { Key: 'a', Value: '1' },
    { Key: 'B', Value: 'x' },
    { Key: 'c', Value: '3' },
  ]);
});

test('policy tags (case-sensitive keys): an existing key keeps its position', () => {
  assert.deepEqual(
    CASE_SENSITIVE_TAG_KEYS.merge(existing, [
      { Key: 'B', Value: 'x' },
      { Key: 'b', Value: '' },
    ]),
    [
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '' },
      { Key: 'c', Value: '3' },
      { Key: 'B', Value: 'x' },
    ],
  );
});
