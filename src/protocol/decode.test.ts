// Property tests for the Query decoder: no input makes it throw anything but AwsError
// (spec: "no input makes the server answer 500"). Both models.
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileServiceModel, decodeOperationInput, type ServiceModel } from './index.js';
import type { Shape } from './model.js';
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

// Issue #16 item 4: for every list, map and structure member of every operation (at any depth, list
// elements and map entries included), each wrong-shape variant — a plain value where a structure,
// list, map or map entry is expected, and nested parameters under a single value — is a
// ValidationError naming the shape, never a decoded value a handler could trip on.
const SHAPE_ERROR =
  /failed to satisfy constraint: Member must (be a (structure|list|map|single value)|satisfy constraint: \[)/;

/** [parameter name, value] pairs, each a wrong shape at `key` or below (depth-limited: shapes recurse). */
function wrongShapes(shape: Shape, key: string, depth: number): [string, string][] {
  if (depth > 4) return [];
  switch (shape.type) {
    case 'structure':
      return [
        [key, 'x'],
        ...shape.members.flatMap((m) => wrongShapes(m.shape, `${key}.${m.name}`, depth + 1)),
      ];
    case 'list':
      return [[key, 'x'], ...wrongShapes(shape.member, `${key}.member.1`, depth + 1)];
    case 'map':
      return [
        [key, 'x'],
        [`${key}.entry.1`, 'x'],
        ...wrongShapes(shape.key, `${key}.entry.1.key`, depth + 1),
        ...wrongShapes(shape.value, `${key}.entry.1.value`, depth + 1),
      ];
    default:
      return [[`${key}.x`, 'y']];
  }
}

/** A model with a map of structures and a list of maps, since IAM and STS inputs have no map. */
const mapModel = compileServiceModel({
  metadata: { protocol: 'query', apiVersion: '1', xmlNamespace: 'ns', serviceId: 'T', endpointPrefix: 't' },
  operations: { Op: { name: 'Op', input: { shape: 'In' } } },
  shapes: {
    In: { type: 'structure', members: { M: { shape: 'MapS' }, L: { shape: 'ListM' } } },
    MapS: { type: 'map', key: { shape: 'S' }, value: { shape: 'St' } },
    ListM: { type: 'list', member: { shape: 'MapSS' } },
    MapSS: { type: 'map', key: { shape: 'S' }, value: { shape: 'S' } },
    St: { type: 'structure', members: { A: { shape: 'S' } } },
    S: { type: 'string' },
  },
});

for (const model of [...models, mapModel]) {
  test(`${model.serviceId}: every wrong shape of every list/map/structure member is a ValidationError`, () => {
    let checked = 0;
    for (const [name, op] of model.operations) {
      for (const m of op.input?.members ?? []) {
        if (m.shape.type !== 'structure' && m.shape.type !== 'list' && m.shape.type !== 'map') continue;
        for (const [k, v] of wrongShapes(m.shape, m.name, 0)) {
          checked++;
          const params = new Map([
            ['Action', name],
            ['Version', model.apiVersion],
            [k, v],
          ]);
          assert.throws(
            () => decodeOperationInput(model, params),
            (e: unknown) =>
              e instanceof AwsError && e.code === 'ValidationError' && SHAPE_ERROR.test(e.message),
            `${name} ${k}=${v}`,
          );
        }
      }
    }
    assert.ok(checked > 0);
  });
}

test('a plain value where a list, a map or a map entry is expected', () => {
  const iam = models[0]!;
  const expectShape = (model: ServiceModel, params: [string, string][], message: string) =>
    assert.throws(
      () => decodeOperationInput(model, new Map(params)),
      (e: unknown) => e instanceof AwsError && e.code === 'ValidationError' && e.message === message,
    );
  const createUser: [string, string][] = [
    ['Action', 'CreateUser'],
    ['Version', '2010-05-08'],
    ['UserName', 'u'],
  ];
  expectShape(
    iam,
    [...createUser, ['Tags', 'x']],
    "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must be a list",
  );
  // `Tags=` is still the Query protocol's empty list.
  assert.deepEqual(decodeOperationInput(iam, new Map([...createUser, ['Tags', '']])).input['Tags'], []);
  const op: [string, string][] = [
    ['Action', 'Op'],
    ['Version', '1'],
  ];
  expectShape(
    mapModel,
    [...op, ['M', 'x']],
    "1 validation error detected: Value at 'm' failed to satisfy constraint: Member must be a map",
  );
  expectShape(
    mapModel,
    [...op, ['M.entry.1', 'x']],
    "1 validation error detected: Value at 'm.entry.1' failed to satisfy constraint: Member must be a structure",
  );
  // A plain entry does not end the map: entry 2 is still read (and reported with it).
  expectShape(
    mapModel,
    [...op, ['M.entry.1', 'x'], ['M.entry.2.key', 'k'], ['M.entry.2.value.A', 'v']],
    "1 validation error detected: Value at 'm.entry.1' failed to satisfy constraint: Member must be a structure",
  );
  assert.deepEqual(
    { ...(decodeOperationInput(mapModel, new Map([...op, ['M', '']])).input['M'] as object) },
    {},
  );
});
