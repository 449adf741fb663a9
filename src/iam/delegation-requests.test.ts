/**
 * renderPolicyTemplate: the `{{Name}}` placeholders of a delegation policy template (iamd's syntax; the
 * partner guide keeps templates with AWS — see src/iam/delegation-requests.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { renderPolicyTemplate } from './delegation-requests.js';

const TEMPLATE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: ['arn:aws:s3:::{{Bucket}}/{{Prefixes}}*'],
      Condition: { StringEquals: { 'aws:ResourceAccount': '{{Account}}' } },
    },
  ],
});

test('string parameters fill in place; a stringList repeats its list element once per value', () => {
  const r = renderPolicyTemplate(TEMPLATE, [
    { Name: 'Bucket', Type: 'string', Values: ['logs'] },
    { Name: 'Prefixes', Type: 'stringList', Values: ['a/', 'b/'] },
    { Name: 'Account', Values: ['111122223333'] },
  ]);
  assert.ok(r.ok);
  const doc = JSON.parse(r.policy) as { Statement: { Resource: string[]; Condition: unknown }[] };
  assert.deepEqual(doc.Statement[0]!.Resource, ['arn:aws:s3:::logs/a/*', 'arn:aws:s3:::logs/b/*']);
  assert.deepEqual(doc.Statement[0]!.Condition, { StringEquals: { 'aws:ResourceAccount': '111122223333' } });
});

test('missing, unused, duplicated and misplaced parameters are refused with a message', () => {
  const bucket = { Name: 'Bucket', Type: 'string', Values: ['logs'] } as const;
  const prefixes = { Name: 'Prefixes', Type: 'stringList', Values: ['a/'] } as const;
  const account = { Name: 'Account', Type: 'string', Values: ['111122223333'] } as const;
  const cases: [Parameters<typeof renderPolicyTemplate>[1], string][] = [
    [[bucket, prefixes], 'the policy template needs parameter `Account`'],
    [
      [bucket, prefixes, account, { Name: 'Extra', Values: ['x'] }],
      'the policy template has no parameter `Extra`',
    ],
    [[bucket, bucket, prefixes, account], 'policy parameter `Bucket` is given twice'],
    [
      [{ ...bucket, Values: ['a', 'b'] }, prefixes, account],
      'parameter `Bucket` is a string and needs exactly one value',
    ],
    [
      [bucket, prefixes, { ...account, Type: 'stringList' }],
      'parameter `Account` is a stringList and may only be used in a list',
    ],
  ];
  for (const [params, message] of cases)
    assert.deepEqual(renderPolicyTemplate(TEMPLATE, params), { ok: false, message });
  assert.deepEqual(renderPolicyTemplate('{', []), {
    ok: false,
    message: 'the policy template is not valid JSON',
  });
});

test('property: any parameters never make the renderer throw, and a success is JSON without placeholders of given names', () => {
  const param = fc.record({
    Name: fc.constantFrom('Bucket', 'Prefixes', 'Account', 'Other'),
    Type: fc.constantFrom('string', 'stringList', undefined),
    Values: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  });
  fc.assert(
    fc.property(fc.array(param, { maxLength: 5 }), (params) => {
      const r = renderPolicyTemplate(TEMPLATE, params);
      if (!r.ok) return typeof r.message === 'string' && r.message.length > 0;
      JSON.parse(r.policy);
      // Values are at most 8 characters, too short to bring a placeholder back in.
      return !/\{\{(Bucket|Prefixes|Account)\}\}/.test(r.policy);
    }),
  );
});
