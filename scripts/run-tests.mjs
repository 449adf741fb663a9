// Runs every compiled test file (dist/**/*.test.js) with node's test runner.
// Node 20's `--test` does not expand globs, so the list is built here.
// Usage: node scripts/run-tests.mjs [substring filter ...]
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const filters = process.argv.slice(2);
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.test.js') && (filters.length === 0 || filters.some((f) => p.includes(f))))
      files.push(p);
  }
};
for (const root of ['dist/src', 'dist/test']) if (existsSync(root)) walk(root);
files.sort();
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=180000', ...files], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
