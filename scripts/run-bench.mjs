// Runs benchmarks: `npm run bench -- NAME [--json] [--seconds N] [--repeat N] [--compare DIR]
// [--stream-mib N] [--only WORKLOAD] [--pin]` runs dist/bench/NAME.bench.js; no name runs all. Flags (and the values of
// `--seconds` / `--repeat` / `--compare` / `--stream-mib` / `--only`) go to every benchmark.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const VALUE_FLAGS = new Set(['--seconds', '--repeat', '--compare', '--stream-mib', '--only']);
const args = process.argv.slice(2);
const names = [];
const flags = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (!a.startsWith('--')) names.push(a);
  else if (VALUE_FLAGS.has(a) && i + 1 < args.length) flags.push(a, args[++i]);
  else flags.push(a);
}
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
