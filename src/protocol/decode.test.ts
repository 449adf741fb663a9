// Property tests for the Query decoder: no input makes it throw anything but AwsError
// (spec: "no input makes the server answer 500"). Both models.
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileServiceModel, decodeOperationInput, type ServiceModel } from './index.js';
import { AwsError } from '../errors/index.js';

const root = new URL('../../../', import.meta.url);
const models: ServiceModel[] = ['iam', 'sts'].map((n) =>
  compileServiceModel(JSON.parse(readFileSync(new URL(`models/${n}.json`, root), 'utf8'))),
);

function onlyAwsErrors(model: ServiceModel, params: Map<string, string>): void {
  try {
    decodeOperationInput(model, params);
  } catch (e) {
    assert.ok(e instanceof AwsError, String(e));
    assert.ok(e.message.length > 0);
  }
}

for (const model of models) {
  const ops = [...model.operations.keys()];
  // Parameter names drawn from the operation's own members so that deep paths are exercised.
  const memberNames = [
    ...new Set(
      [...model.shapes.values()].flatMap((s) => (s.type === 'structure' ? s.members.map((m) => m.name) : [])),
    ),
  ];
  const segment = fc.oneof(
    fc.constantFrom(...memberNames),
    fc.constantFrom('member', 'entry', 'key', 'value'),
    fc.integer({ min: 0, max: 3 }).map(String),
    fc.string(),
  );
  const name = fc.array(segment, { minLength: 1, maxLength: 5 }).map((a) => a.join('.'));
  const value = fc.oneof(
    fc.string(),
    fc.constantFrom('', 'true', '-1', '99999999999', '2026-01-01T00:00:00Z', 'AAAA', '/'),
  );

  test(`${model.serviceId}: decodeOperationInput throws only AwsError on arbitrary params`, () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ops),
        fc.array(fc.tuple(name, value), { maxLength: 20 }),
        (op, pairs) => {
          const params = new Map<string, string>([['Action', op], ['Version', model.apiVersion], ...pairs]);
          onlyAwsErrors(model, params);
        },
      ),
      { numRuns: 400 },
    );
  });

  test(`${model.serviceId}: arbitrary Action/Version never crash`, () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), (d) =>
        onlyAwsErrors(model, new Map(Object.entries(d))),
      ),
      { numRuns: 200 },
    );
  });
}

test('a map keyed by user input cannot pollute prototypes', () => {
  const iam = models[0] as ServiceModel;
  // No IAM input has a map, so exercise the decoder through a synthetic model.
  const m = compileServiceModel({
    metadata: { protocol: 'query', apiVersion: '1', xmlNamespace: 'ns', serviceId: 'T', endpointPrefix: 't' },
    operations: { Op: { name: 'Op', input: { shape: 'In' } } },
    shapes: {
      In: { type: 'structure', members: { M: { shape: 'Map' } } },
      Map: { type: 'map', key: { shape: 'S' }, value: { shape: 'S' } },
      S: { type: 'string' },
    },
  });
  const out = decodeOperationInput(
    m,
    new Map([
      ['Action', 'Op'],
      ['Version', '1'],
      ['M.entry.1.key', '__proto__'],
      ['M.entry.1.value', 'x'],
      ['M.entry.2.key', 'a'],
      ['M.entry.2.value', 'b'],
    ]),
  );
  const map = out.input['M'] as Record<string, string>;
  assert.equal(Object.getPrototypeOf(map), null);
  assert.equal(map['__proto__'], 'x');
  assert.equal(map['a'], 'b');
  assert.ok(iam.operations.size > 0);
});

// Issue #16 item 4: a plain value where a structure is expected, and nested parameters under a
// scalar, are a 400 ValidationError (no AWS recording exists for these shapes; ValidationError is
// what the decoder answers for other bad input), never an undefined element a handler trips on.
test('wrong shapes are ValidationErrors', () => {
  const iam = models[0]!;
  const base = (extra: [string, string][]): Map<string, string> =>
    new Map([['Action', 'CreateUser'], ['Version', '2010-05-08'], ['UserName', 'u'], ...extra]);
  assert.throws(
    () => decodeOperationInput(iam, base([['Tags.member.1', 'x']])),
    (e: unknown) =>
      e instanceof AwsError &&
      e.code === 'ValidationError' &&
      e.message ===
        "1 validation error detected: Value at 'tags.1.member' failed to satisfy constraint: Member must be a structure",
  );
  assert.throws(
    () =>
      decodeOperationInput(
        iam,
        base([
          ['Tags.member.1.Key.x', 'y'],
          ['Tags.member.1.Value', 'v'],
        ]),
      ),
    (e: unknown) =>
      e instanceof AwsError &&
      e.code === 'ValidationError' &&
      e.message ===
        "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must be a single value",
  );
});

// Issue #16 item 4: every structure-valued member of every operation (directly or as a list
// element), given a plain value, is a ValidationError — never a decoded undefined.
for (const model of models) {
  test(`${model.apiVersion}: plain values for every structure member are ValidationErrors`, () => {
    let checked = 0;
    for (const [name, op] of model.operations) {
      for (const m of op.input?.members ?? []) {
        const keys: string[] = [];
        if (m.shape.type === 'structure') keys.push(m.name);
        if (m.shape.type === 'list' && m.shape.member.type === 'structure') keys.push(`${m.name}.member.1`);
        for (const k of keys) {
          checked++;
          const params = new Map([
            ['Action', name],
            ['Version', model.apiVersion],
            [k, 'x'],
          ]);
          assert.throws(
            () => decodeOperationInput(model, params),
            (e: unknown) =>
              e instanceof AwsError && e.code === 'ValidationError' && e.message.includes('structure'),
            `${name} ${k}`,
          );
        }
      }
    }
    assert.ok(checked > 0);
  });
}
