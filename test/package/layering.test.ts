/**
 * The linter keeps the layers apart (issue #17; STYLE.md section 1): a deliberately wrong import fails
 * `npm test`'s lint step, and the right one passes. Linted in memory with the project's own config.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The messages of the layering rule for `code` as if it were the file `path` (under src/). */
async function layering(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return (result?.messages ?? [])
    .filter(
      (m) => m.ruleId === '@typescript-eslint/no-restricted-imports' || m.ruleId === 'no-restricted-imports',
    )
    .map((m) => m.message);
}

test('a handler importing another handler folder is refused', async () => {
  const m = await layering(
    'src/sts/layering-probe.ts',
    "import { nameKey } from '../iam/common.js';\nexport const k = nameKey('x');\n",
  );
  assert.equal(m.length, 1, m.join('\n'));
  assert.match(m[0]!, /layering \(STYLE\.md section 1\): sts\/ may import only core, errors/);
});

test('the pure core may not import the store, authn may not import authz, nothing low imports fastify', async () => {
  assert.equal(
    (
      await layering(
        'src/policy/layering-probe.ts',
        "import type { Store } from '../store/index.js';\nexport type S = Store;\n",
      )
    ).length >= 1,
    true,
  );
  assert.match(
    (
      await layering(
        'src/authn/layering-probe.ts',
        "import { PolicyCache } from '../authz/index.js';\nexport const c = PolicyCache;\n",
      )
    )[0] ?? '',
    /authn\/ may import only/,
  );
  assert.match(
    (
      await layering(
        'src/iam/layering-probe.ts',
        "import fastify from 'fastify';\nexport const f = fastify;\n",
      )
    ).join('\n'),
    /only server\/ imports fastify/,
  );
  assert.match(
    (
      await layering(
        'src/domain/layering-probe.ts',
        "import { startServer } from '../main.js';\nexport const s = startServer;\n",
      )
    ).join('\n'),
    /domain\/ may import only/,
  );
});

test('downward imports pass; a types-only edge admits types and refuses values', async () => {
  assert.deepEqual(
    await layering(
      'src/sts/layering-probe.ts',
      "import { nameKey } from '../domain/names.js';\nimport { AwsError } from '../errors/index.js';\nexport const k = [nameKey, AwsError];\n",
    ),
    [],
  );
  assert.deepEqual(
    await layering(
      'src/domain/layering-probe.ts',
      "import type { CallContext } from '../api/operation.js';\nexport type C = CallContext;\n",
    ),
    [],
  );
  assert.equal(
    (
      await layering(
        'src/domain/layering-probe.ts',
        "import { refuse } from '../api/operation.js';\nexport const r = refuse;\n",
      )
    ).length,
    1,
  );
});

test('tests may import across layers', async () => {
  assert.deepEqual(
    await layering(
      'src/policy/layering-probe.test.ts',
      "import { nameKey } from '../iam/common.js';\nexport const k = nameKey;\n",
    ),
    [],
  );
});
