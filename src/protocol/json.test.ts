import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { compileServiceModel } from './compile.js';
import { decodeJsonInput, jsonOperationName, renderJsonError, renderJsonResult } from './json.js';

const model = compileServiceModel(
  JSON.parse(readFileSync(new URL('../../../models/organizations.json', import.meta.url), 'utf8')),
);

test('X-Amz-Target names an operation of the model only with the service prefix', () => {
  assert.equal(jsonOperationName(model, 'AWSOrganizationsV20161128.CreatePolicy'), 'CreatePolicy');
  assert.equal(jsonOperationName(model, 'AWSOrganizationsV20161128.NoSuchThing'), undefined);
  assert.equal(jsonOperationName(model, 'Other.CreatePolicy'), undefined);
  assert.equal(jsonOperationName(model, undefined), undefined);
});

test('decode: valid input keeps modelled members, drops unknown ones, converts timestamps', () => {
  const r = decodeJsonInput(
    model,
    'CreateOrganizationalUnit',
    JSON.stringify({ ParentId: 'r-ab12', Name: 'dev', Extra: 1 }),
  );
  assert.deepEqual(r.ok && { ...r.input }, { ParentId: 'r-ab12', Name: 'dev' });
  assert.deepEqual(decodeJsonInput(model, 'DescribeOrganization', ''), {
    ok: true,
    operation: 'DescribeOrganization',
    input: {},
  });
});

test('decode: violations carry the Organizations reason and the member path', () => {
  const cases: [string, unknown, string, string][] = [
    ['CreateOrganizationalUnit', { Name: 'dev' }, 'INPUT_REQUIRED', 'ParentId'],
    ['CreateOrganizationalUnit', { ParentId: 'x-1', Name: 'dev' }, 'INVALID_PATTERN', 'ParentId'],
    ['CreateOrganizationalUnit', { ParentId: 'r-ab12', Name: '' }, 'MIN_LENGTH_EXCEEDED', 'Name'],
    ['ListPolicies', { Filter: 'NOPE' }, 'INVALID_ENUM', 'Filter'],
    ['ListPolicies', { Filter: 'TAG_POLICY', MaxResults: 0 }, 'MIN_VALUE_EXCEEDED', 'MaxResults'],
    ['ListPolicies', { Filter: 'TAG_POLICY', MaxResults: '5' }, 'INVALID_TYPE', 'MaxResults'],
    ['InviteAccountToOrganization', { Target: { Type: 'ACCOUNT' } }, 'INPUT_REQUIRED', 'Target.Id'],
  ];
  for (const [op, input, reason, path] of cases) {
    const r = decodeJsonInput(model, op, JSON.stringify(input));
    assert.equal(r.ok, false, `${op} ${JSON.stringify(input)}`);
    if (!r.ok) {
      assert.equal(r.violation.reason, reason, `${op} ${JSON.stringify(input)}`);
      assert.equal(r.violation.path, path);
    }
  }
  const missing = decodeJsonInput(model, 'CreateOrganizationalUnit', '{"Name":"dev"}');
  assert.equal(!missing.ok && missing.violation.message, 'You must specify a value for ParentId.');
  const notJson = decodeJsonInput(model, 'DescribeOrganization', '{');
  assert.equal(!notJson.ok && notJson.violation.reason, 'SERIALIZATION');
});

test('decode never throws on arbitrary JSON values', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.constantFrom(...model.operations.keys()), (v, op) => {
      const r = decodeJsonInput(model, op, JSON.stringify(v));
      assert.equal(typeof r.ok, 'boolean');
    }),
    { numRuns: 300 },
  );
});

test('render: model order, unmodelled members dropped, timestamps as epoch seconds; errors', () => {
  const body = renderJsonResult(model, 'DescribeAccount', {
    Account: {
      Name: 'n',
      Id: '123456789012',
      JoinedTimestamp: 1_700_000_000_500,
      Secret: 'x',
      Email: undefined,
    },
  });
  assert.equal(body, '{"Account":{"Id":"123456789012","Name":"n","JoinedTimestamp":1700000000.5}}');
  assert.equal(renderJsonResult(model, 'DeleteOrganization', {}), '{}');
  assert.equal(
    renderJsonError('ConstraintViolationException', 'too deep', { Reason: 'OU_DEPTH_LIMIT_EXCEEDED' }),
    '{"__type":"ConstraintViolationException","Message":"too deep","Reason":"OU_DEPTH_LIMIT_EXCEEDED"}',
  );
});
