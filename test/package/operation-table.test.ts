/**
 * README's operation table is generated from the handler registries (issue #20: "README's operation
 * table is generated from the code, not kept by hand"): the block between the `operations` markers must
 * be exactly what `scripts/generate-operation-table.mjs` produces from the built registries and the
 * models, so a new or removed handler without `npm run generate:operations` fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { IAM_OPERATIONS } from '../../src/iam/index.js';

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

interface Generator {
  operationTable(): Promise<string>;
  replaceBlock(readme: string, table: string): string;
  expectedReadme(): Promise<{ current: string; expected: string }>;
}

const load = async (): Promise<Generator> =>
  (await import(pathToFileURL(root('scripts/generate-operation-table.mjs')).href)) as Generator;

test('README.md operation table equals what the generator produces', async () => {
  const { current, expected } = await (await load()).expectedReadme();
  // On failure: run `npm run build && npm run generate:operations`.
  assert.equal(current, expected);
});

test('the table lists every model operation once, with what the registries implement', async () => {
  const table = await (await load()).operationTable();
  const sections = { iam: 'IAM', sts: 'STS', organizations: 'Organizations' } as const;
  for (const [model, title] of Object.entries(sections)) {
    const start = table.indexOf(`<b>${title}</b>`);
    const section = table.slice(start, table.indexOf('</details>', start));
    const ops = Object.keys(
      (JSON.parse(readFileSync(root(`models/${model}.json`), 'utf8')) as { operations: object }).operations,
    );
    assert.equal(section.split('\n').filter((l) => l.startsWith('| `')).length, ops.length, `${title} rows`);
    for (const op of ops)
      assert.equal(section.split(`| \`${op}\` |`).length - 1, 1, `${model} ${op} appears once`);
  }
  const iam = new Set(IAM_OPERATIONS.map((o) => o.name));
  assert.ok(iam.has('CreateDelegationRequest'));
  assert.match(table, /\| `CreateDelegationRequest` \| yes \|/);
  assert.match(table, new RegExp(`<b>IAM</b>: ${iam.size} of 176 operations`));
});

test('a stale or missing block is detected', async () => {
  const g = await load();
  const table = await g.operationTable();
  const readme = readFileSync(root('README.md'), 'utf8');
  const stale = readme.replace('| `CreateUser` | yes |', '| `CreateUser` | no (`NotImplemented`) |');
  assert.notEqual(stale, readme);
  assert.notEqual(g.replaceBlock(stale, table), stale);
  assert.equal(g.replaceBlock(g.replaceBlock(stale, table), table), g.replaceBlock(stale, table));
  assert.throws(() => g.replaceBlock('# no markers', table), {
    message: 'README.md has no <!-- operations:begin --> … <!-- operations:end --> block',
  });
});
