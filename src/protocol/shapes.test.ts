// The generated operation types (src/protocol/shapes/*.ts) are checked against the service models:
// this regenerates them in memory from models/*.json and fails when a committed file differs (a model
// changed without `npm run generate:shapes`, or a generated file was edited by hand).
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const root = new URL('../../../', import.meta.url);

interface Generator {
  DEFAULT_SERVICES: readonly string[];
  generateShapes(service: string, root?: URL): Promise<string>;
  shapesSource(service: string, model: unknown): string;
}
const load = async (): Promise<Generator> =>
  (await import(new URL('scripts/generate-shapes.mjs', root).href)) as Generator;

test('the committed shape files are what the generator makes from models/*.json', async () => {
  const gen = await load();
  assert.deepEqual([...gen.DEFAULT_SERVICES], ['iam', 'sts']);
  for (const service of gen.DEFAULT_SERVICES) {
    const committed = readFileSync(new URL(`src/protocol/shapes/${service}.ts`, root), 'utf8');
    const fresh = await gen.generateShapes(service, root);
    assert.equal(committed, fresh, `src/protocol/shapes/${service}.ts is stale: run npm run generate:shapes`);
  }
});

test('a model change shows in the generated types', async () => {
  const gen = await load();
  const model = {
    operations: {
      PutThing: {
        name: 'PutThing',
        input: { shape: 'PutThingRequest' },
        output: { shape: 'PutThingResponse' },
      },
      DropThing: { name: 'DropThing', input: { shape: 'DropThingRequest' } },
    },
    shapes: {
      PutThingRequest: {
        type: 'structure',
        required: ['Name'],
        members: {
          Name: { shape: 'name' },
          Mode: { shape: 'mode' },
          When: { shape: 'when' },
          Tags: { shape: 'tags' },
          Attrs: { shape: 'attrs' },
          Data: { shape: 'data' },
        },
      },
      PutThingResponse: { type: 'structure', required: ['Thing'], members: { Thing: { shape: 'Thing' } } },
      DropThingRequest: { type: 'structure', members: {} },
      Thing: { type: 'structure', members: { Created: { shape: 'when' }, Count: { shape: 'count' } } },
      Tag: { type: 'structure', required: ['Key'], members: { Key: { shape: 'name' } } },
      tags: { type: 'list', member: { shape: 'Tag' } },
      attrs: { type: 'map', key: { shape: 'name' }, value: { shape: 'count' } },
      name: { type: 'string' },
      mode: { type: 'string', enum: ['On', 'Off'] },
      when: { type: 'timestamp' },
      count: { type: 'integer' },
      data: { type: 'blob' },
    },
  };
  const src = gen.shapesSource('thing', model).replace(/\s+/g, ' ');
  assert.match(
    src,
    /export type PutThingInput = \{ readonly Name: string; readonly Mode\?: "On" \| "Off" \| undefined;/,
  );
  assert.match(src, /readonly When\?: Date \| undefined;/);
  assert.match(src, /readonly Tags\?: readonly \(Tag\)\[\] \| undefined;/);
  assert.match(src, /readonly Attrs\?: Readonly<Record<string, number>> \| undefined;/);
  assert.match(src, /readonly Data\?: Uint8Array \| undefined;/);
  assert.match(src, /export type PutThingOutput = \{ readonly Thing\?: Thing \| undefined; \}/);
  assert.match(src, /export type Thing = \{ readonly Created\?: Date \| number \| string \| undefined;/);
  assert.match(src, /export type DropThingOutput = Readonly<Record<string, never>>;/);
  assert.match(src, /export type DropThingInput = Readonly<Record<string, never>>;/);
  assert.match(
    src,
    /export interface ThingOperations \{ DropThing: \{ input: DropThingInput; output: DropThingOutput \}; PutThing:/,
  );
});
