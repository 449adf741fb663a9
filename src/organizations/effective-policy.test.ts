/**
 * The inheritance of management policies, case by case from AWS's pages:
 * https://docs.aws.amazon.com/organizations/latest/userguide/policy-operators.html and
 * https://docs.aws.amazon.com/organizations/latest/userguide/inheritance-examples.html (Examples 1-5,
 * with their tag policies).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { effectivePolicy, type LevelPolicy } from './effective-policy.js';

const p = (id: string, doc: object): LevelPolicy => ({ id, content: JSON.stringify(doc) });
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

const POLICY_A = p('p-aaaaaaaa', {
  tags: {
    costcenter: {
      tag_key: { '@@assign': 'CostCenter' },
      tag_value: { '@@assign': ['Development', 'Support'] },
    },
  },
});

test('no policy at any level: no effective policy', () => {
  assert.deepEqual(effectivePolicy([[], [], []]), { policy: undefined, issues: [] });
});

test('Example 1: @@assign in a child overwrites the inherited values; operators are not shown', () => {
  const b = p('p-bbbbbbbb', {
    tags: {
      costcenter: {
        tag_key: { '@@assign': 'CostCenter' },
        tag_value: { '@@assign': ['Sandbox'] },
        enforced_for: { '@@assign': ['redshift:*', 'dynamodb:table'] },
      },
    },
  });
  const r = effectivePolicy([[POLICY_A], [b], []]);
  assert.deepEqual(plain(r.policy), {
    tags: {
      costcenter: {
        tag_key: 'CostCenter',
        tag_value: ['Sandbox'],
        enforced_for: ['redshift:*', 'dynamodb:table'],
      },
    },
  });
  assert.deepEqual(r.issues, []);
});

test('Example 2: @@append adds values to the inherited ones', () => {
  const b = p('p-bbbbbbbb', {
    tags: { costcenter: { tag_key: { '@@assign': 'CostCenter' }, tag_value: { '@@append': ['Sandbox'] } } },
  });
  const r = effectivePolicy([[POLICY_A], [b]]);
  assert.deepEqual(plain(r.policy), {
    tags: { costcenter: { tag_key: 'CostCenter', tag_value: ['Development', 'Support', 'Sandbox'] } },
  });
});

test('Example 3: @@remove takes only the given values out of the inherited array', () => {
  const b = p('p-bbbbbbbb', {
    tags: { costcenter: { tag_value: { '@@remove': ['Development'] } } },
  });
  const r = effectivePolicy([[POLICY_A], [b]]);
  assert.deepEqual(plain(r.policy), {
    tags: { costcenter: { tag_key: 'CostCenter', tag_value: ['Support'] } },
  });
});

test('Example 4: @@none in the parent locks the values; a child cannot change them', () => {
  const locked = p('p-aaaaaaaa', {
    tags: {
      costcenter: {
        tag_key: { '@@assign': 'CostCenter', '@@operators_allowed_for_child_policies': ['@@none'] },
        tag_value: {
          '@@assign': ['Development', 'Support'],
          '@@operators_allowed_for_child_policies': ['@@none'],
        },
      },
    },
  });
  const child = p('p-bbbbbbbb', {
    tags: { costcenter: { tag_value: { '@@append': ['Sandbox'] } } },
  });
  const r = effectivePolicy([[locked], [child]]);
  assert.deepEqual(plain(r.policy), {
    tags: { costcenter: { tag_key: 'CostCenter', tag_value: ['Development', 'Support'] } },
  });
  assert.deepEqual(r.issues, [
    {
      code: 'OPERATOR_NOT_ALLOWED',
      message: 'a parent policy does not allow @@append on this setting',
      path: 'tags/costcenter/tag_value',
      policyIds: ['p-bbbbbbbb'],
    },
  ]);
});

test('a child control operator binds every level below, and a child cannot loosen it', () => {
  const root = p('p-aaaaaaaa', {
    tags: {
      '@@operators_allowed_for_child_policies': ['@@append'],
      costcenter: { tag_value: { '@@assign': ['A'] } },
    },
  });
  const ou = p('p-bbbbbbbb', { tags: { '@@operators_allowed_for_child_policies': ['@@all'] } });
  const account = p('p-cccccccc', {
    tags: { costcenter: { tag_value: { '@@assign': ['X'] } }, project: { tag_value: { '@@append': ['Y'] } } },
  });
  const r = effectivePolicy([[root], [ou], [account]]);
  assert.deepEqual(plain(r.policy), {
    tags: { costcenter: { tag_value: ['A'] }, project: { tag_value: ['Y'] } },
  });
  assert.deepEqual(
    r.issues.map((i) => [i.code, i.path]),
    [['OPERATOR_NOT_ALLOWED', 'tags/costcenter/tag_value']],
  );
  // The limit does not bind other policies of the same level as the one that sets it.
  const sibling = p('p-dddddddd', { tags: { costcenter: { tag_value: { '@@assign': ['Z'] } } } });
  assert.deepEqual(plain(effectivePolicy([[root, sibling]]).policy), {
    tags: { costcenter: { tag_value: ['Z'] } },
  });
});

test('Example 5: limits of policies attached to the same node intersect', () => {
  const a = p('p-aaaaaaaa', {
    tags: {
      costcenter: {
        tag_value: { '@@assign': ['A'], '@@operators_allowed_for_child_policies': ['@@append', '@@remove'] },
      },
    },
  });
  const b = p('p-bbbbbbbb', {
    tags: {
      costcenter: { tag_value: { '@@operators_allowed_for_child_policies': ['@@append', '@@assign'] } },
    },
  });
  const child = (op: string) =>
    p('p-cccccccc', { tags: { costcenter: { tag_value: { [op]: ['A', 'B'] } } } });
  assert.deepEqual(plain(effectivePolicy([[a, b], [child('@@append')]]).policy), {
    tags: { costcenter: { tag_value: ['A', 'B'] } },
  });
  for (const op of ['@@assign', '@@remove']) {
    const r = effectivePolicy([[a, b], [child(op)]]);
    assert.deepEqual(plain(r.policy), { tags: { costcenter: { tag_value: ['A'] } } }, op);
    assert.equal(r.issues[0]?.code, 'OPERATOR_NOT_ALLOWED');
  }
});

test('policies of one node merge in policy-id order; plain values count as @@assign', () => {
  const x = p('p-aaaaaaaa', { optOutPolicy: { '@@assign': 'optOut' } });
  const y = p('p-bbbbbbbb', { optOutPolicy: 'optIn' });
  assert.deepEqual(plain(effectivePolicy([[y, x]]).policy), { optOutPolicy: 'optIn' });
});

test('@@append or @@remove on a single-valued setting is reported, not applied', () => {
  const r = effectivePolicy([
    [p('p-aaaaaaaa', { s: { '@@assign': 'one' } })],
    [p('p-bbbbbbbb', { s: { '@@append': ['two'] } })],
  ]);
  assert.deepEqual(plain(r.policy), { s: 'one' });
  assert.deepEqual(
    r.issues.map((i) => [i.code, i.message, i.path]),
    [['OPERATOR_NOT_SUPPORTED_FOR_VALUE', '@@append applies only to multi-valued settings', 's']],
  );
});

test('unknown operators and malformed child control operators are reported', () => {
  const r = effectivePolicy([
    [p('p-aaaaaaaa', { s: { '@@replace': 1, '@@operators_allowed_for_child_policies': ['@@maybe'] } })],
  ]);
  assert.deepEqual(
    r.issues.map((i) => [i.code, i.path]),
    [
      ['INVALID_OPERATOR', 's/@@replace'],
      ['INVALID_OPERATOR', 's'],
    ],
  );
});

test('keys such as __proto__ are ordinary settings', () => {
  const r = effectivePolicy([[{ id: 'p-aaaaaaaa', content: '{"__proto__":{"@@assign":"x"}}' }]]);
  assert.equal(JSON.stringify(r.policy), '{"__proto__":"x"}');
});

test('property: any JSON documents at any levels merge without throwing', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.jsonValue()), { maxLength: 3 }),
        {
          maxLength: 4,
        },
      ),
      (levels) => {
        const r = effectivePolicy(
          levels.map((level) => level.map(([id, v]) => ({ id, content: JSON.stringify(v) }))),
        );
        assert.ok(r.policy === undefined || typeof r.policy === 'object');
        JSON.stringify(r.policy);
      },
    ),
  );
});
