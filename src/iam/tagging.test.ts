import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeTags } from './common.js';
import { CASE_INSENSITIVE_TAG_KEYS, CASE_SENSITIVE_TAG_KEYS, taggingOperations } from './tagging.js';
import type { IamOperation } from '../api/typed-operation.js';
import type { TagBody } from '../domain/entities.js';

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

// Issue #17: the factory's operations are typed per noun. The `@ts-expect-error` lines are checked by
// tsc (an unused directive fails the build), the rest runs the shared body against a fake resource.
test('taggingOperations: each operation is named and typed by its noun; one body serves all three', async () => {
  const calls: string[] = [];
  let stored: TagBody[] = [{ Key: 'a', Value: '1' }];
  const ops = taggingOperations<'User', { readonly tags: readonly TagBody[] }>({
    noun: 'User',
    resourceId: (input) => input.UserName,
    keys: CASE_INSENSITIVE_TAG_KEYS,
    async load(_ctx, id, action, extra) {
      calls.push(`${action} ${id} ${JSON.stringify(extra ?? {})}`);
      return { key: id, index: null, version: 1, body: { tags: stored } } as never;
    },
    async writeTags(_ctx, id, _loaded, change) {
      calls.push(`write ${id}`);
      stored = change(stored);
      return {};
    },
  });
  const tag: IamOperation<'TagUser'> = ops.tag;
  const untag: IamOperation<'UntagUser'> = ops.untag;
  const list: IamOperation<'ListUserTags'> = ops.list;
  assert.deepEqual([tag.name, untag.name, list.name], ['TagUser', 'UntagUser', 'ListUserTags']);
  const ctx = { services: { issueMarker: (p: string) => p, openMarker: (m: string) => m } } as never;
  assert.deepEqual(await tag.handle({ UserName: 'alice', Tags: [{ Key: 'b', Value: '2' }] }, ctx), {});
  assert.deepEqual(await untag.handle({ UserName: 'alice', TagKeys: ['A'] }, ctx), {});
  assert.deepEqual(await list.handle({ UserName: 'alice' }, ctx), {
    Tags: [{ Key: 'b', Value: '2' }],
    IsTruncated: false,
  });
  assert.deepEqual(calls, [
    'iam:TagUser alice {"aws:RequestTag/b":"2","aws:TagKeys":["b"]}',
    'write alice',
    'iam:UntagUser alice {"aws:TagKeys":["A"]}',
    'write alice',
    'iam:ListUserTags alice {}',
  ]);
});

test('taggingOperations: nouns and members are checked against the model', () => {
  const resource = {
    keys: CASE_INSENSITIVE_TAG_KEYS,
    load: async () => undefined as never,
    writeTags: async () => ({}),
  };
  // @ts-expect-error: IAM groups have no tagging operations in the model
  taggingOperations({ ...resource, noun: 'Group', resourceId: () => '' });
  // @ts-expect-error: the user tagging inputs have no RoleName member
  taggingOperations({ ...resource, noun: 'User', resourceId: (input) => input.RoleName });
  const policy = taggingOperations({ ...resource, noun: 'Policy', resourceId: (input) => input.PolicyArn });
  // @ts-expect-error: TagPolicy is not TagRole
  const wrong: IamOperation<'TagRole'> = policy.tag;
  void wrong;
  assert.equal(policy.list.name, 'ListPolicyTags');
});
