/**
 * Every `exports` target of package.json exists after the build and loads (issue #17: `"."` pointed at
 * `dist/src/index.js`, which nothing built).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

test('every package export is built and loads', async () => {
  const pkg = JSON.parse(readFileSync(root('package.json'), 'utf8')) as { exports: Record<string, string> };
  const targets = Object.entries(pkg.exports);
  assert.ok(targets.length >= 2);
  for (const [name, target] of targets) {
    const file = root(target);
    assert.ok(existsSync(file), `${name} → ${target} exists`);
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    assert.ok(Object.keys(mod).length > 0, `${name} exports something`);
  }
  const main = (await import(pathToFileURL(root(pkg.exports['.']!)).href)) as Record<string, unknown>;
  assert.equal(typeof main.startServer, 'function');
  assert.equal(typeof main.evaluate, 'function', 'the policy engine is part of the main export');
});
