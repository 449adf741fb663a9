// Fixture-driven awsQuery tests (test/fixtures/protocol/*.json), modelled on Smithy's awsQuery
// protocol tests; expected error texts come from shared/reference/aws-errors.md. Runs against BOTH
// the IAM and the STS model (models/*.json).
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileServiceModel,
  decodeForm,
  decodeOperationInput,
  renderError,
  renderResult,
  type ServiceModel,
} from './index.js';
import { AwsError } from '../errors/index.js';

/** Focus one case while debugging: set to its name. */
const FOCUS: string | undefined = undefined;

const root = new URL('../../../', import.meta.url);
const load = (path: string): unknown => JSON.parse(readFileSync(new URL(path, root), 'utf8'));
export const models: Record<string, ServiceModel> = {
  iam: compileServiceModel(load('models/iam.json')),
  sts: compileServiceModel(load('models/sts.json')),
};

interface DecodeCase {
  name: string;
  service: string;
  body: string;
  input?: unknown;
  error?: { code: string; message: string };
}
interface RenderCase {
  name: string;
  service: string;
  operation: string;
  output: Record<string, unknown> | null;
  requestId: string;
  xml: string;
}
interface ErrorCase {
  name: string;
  service: string;
  error: { code: string; message: string; fault: 'Sender' | 'Receiver' };
  requestId: string;
  xml: string;
}

const decodeCases = (load('test/fixtures/protocol/decode-cases.json') as { cases: DecodeCase[] }).cases;
const render = load('test/fixtures/protocol/render-cases.json') as {
  results: RenderCase[];
  errors: ErrorCase[];
};
const focus = <T extends { name: string }>(list: T[]): T[] =>
  list.filter((c) => FOCUS === undefined || c.name === FOCUS);

for (const c of focus(decodeCases)) {
  test(`decode: ${c.name}`, () => {
    const model = models[c.service];
    assert.ok(model);
    const run = (): unknown => decodeOperationInput(model, decodeForm(c.body));
    if (c.error !== undefined) {
      const expected = c.error;
      assert.throws(run, (e: unknown) => {
        assert.ok(e instanceof AwsError);
        assert.equal(e.code, expected.code);
        assert.equal(e.message, expected.message);
        return true;
      });
    } else {
      const out = run() as { input: unknown };
      assert.deepEqual(JSON.parse(JSON.stringify(out.input)), c.input);
    }
  });
}

for (const c of focus(render.results)) {
  test(`render: ${c.name}`, () => {
    const model = models[c.service];
    assert.ok(model);
    assert.equal(renderResult(model, c.operation, c.output ?? undefined, c.requestId), c.xml);
  });
}

for (const c of focus(render.errors)) {
  test(`render error: ${c.name}`, () => {
    const model = models[c.service];
    assert.ok(model);
    assert.equal(renderError(model, c.error, c.requestId), c.xml);
    assert.equal(renderError({ namespace: model.namespace }, c.error, c.requestId), c.xml);
  });
}

test('decoded Date and map values have the right runtime types', () => {
  const iam = models['iam'] as ServiceModel;
  const out = decodeOperationInput(
    iam,
    decodeForm(
      'Action=SimulateCustomPolicy&Version=2010-05-08&PolicyInputList.member.1=%7B%7D&ActionNames.member.1=s3%3AGetObject',
    ),
  );
  assert.deepEqual(out.input['ActionNames'], ['s3:GetObject']);
  assert.equal(out.operation, 'SimulateCustomPolicy');
});

test('every pattern in both models compiles and every operation resolves', () => {
  for (const [name, model] of Object.entries(models)) {
    for (const s of model.shapes.values()) {
      if (s.type === 'string' && s.pattern !== undefined) assert.ok(s.regex, `${name} ${s.name}`);
    }
    for (const op of model.operations.values()) assert.ok(op.resultWrapper.length > 0);
  }
  assert.equal(models['iam']?.operations.size, 176);
  assert.equal(models['sts']?.operations.size, 11);
  assert.equal(models['iam']?.errors.get('NoSuchEntity')?.status, 404);
  assert.equal(models['sts']?.errors.get('IDPRejectedClaim')?.status, 403);
});

test('renderResult rejects unknown operations and wrongly typed values', () => {
  const iam = models['iam'] as ServiceModel;
  assert.throws(() => renderResult(iam, 'NoSuchOp', {}, 'r'), TypeError);
  assert.throws(() => renderResult(iam, 'GetUser', { User: 'x' }, 'r'), TypeError);
  assert.throws(() => renderResult(iam, 'ListUsers', { Users: {} }, 'r'), TypeError);
  assert.throws(() => renderResult(iam, 'GetUser', { User: { CreateDate: 'not a date' } }, 'r'), TypeError);
});

test('compileServiceModel rejects models other than Query and JSON 1.1', () => {
  assert.throws(
    () => compileServiceModel({ metadata: { protocol: 'rest-xml' }, shapes: {}, operations: {} }),
    /not query or json/,
  );
  assert.throws(() => compileServiceModel(null), /invalid service model/);
});
