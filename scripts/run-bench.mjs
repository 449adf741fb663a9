// Runs benchmarks: `npm run bench -- NAME [--json]` runs dist/bench/NAME.bench.js; no name runs all.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('--'));
const flags = args.filter((a) => a.startsWith('--'));
const all = readdirSync('dist/bench')
  .filter((f) => f.endsWith('.bench.js'))
  .map((f) => f.replace(/\.bench\.js$/, ''));
const chosen = names.length ? names : all;
let status = 0;
for (const n of chosen) {
  if (!all.includes(n)) {
    console.error(`unknown benchmark \`${n}\`; have: ${all.join(', ')}`);
    process.exit(2);
  }
  const r = spawnSync(process.execPath, ['--expose-gc', `dist/bench/${n}.bench.js`, ...flags], {
    stdio: 'inherit',
  });
  status ||= r.status ?? 1;
}
process.exit(status);
