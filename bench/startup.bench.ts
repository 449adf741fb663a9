/**
 * `npm run bench -- startup [--json] [--runs N]`: how long `iamd serve --memory` takes from spawn to its
 * "listening" line (issue 9: "starts in well under a second; measure and state it"), next to the cost of
 * starting Node itself (`node -e ""`), the floor every CLI pays, measured in the same run. Also with the
 * moto-suite seed file, and the time of `POST /_iamd/reset` on a running server.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { printTable, wantsJson } from './lib/measure.js';

const BIN = fileURLToPath(new URL('../../bin/iamd.js', import.meta.url));
const SEED = fileURLToPath(new URL('../../test/fixtures/devmode/moto-suite.yaml', import.meta.url));
const runsIdx = process.argv.indexOf('--runs');
const runs = runsIdx > 0 ? Number(process.argv[runsIdx + 1]) : 7;

/** Milliseconds from spawn until `ready(stderr)` (or exit, for the baseline); the child is then stopped. */
function timeStart(
  args: readonly string[],
  ready?: RegExp,
  then?: (url: string) => Promise<number>,
): Promise<{ ms: number; after?: number | undefined }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env))
      if (!k.startsWith('IAMD_') && v !== undefined) env[k] = v;
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let done = false;
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = ready?.exec(err);
      if (m && !done) {
        done = true;
        const ms = performance.now() - t0;
        const finish = (after?: number) => {
          child.once('exit', () => resolve({ ms, after }));
          child.kill('SIGTERM');
        };
        if (then) then(m[1] ?? '').then(finish, reject);
        else finish();
      }
    });
    child.on('exit', (code) => {
      if (!ready) resolve({ ms: performance.now() - t0 });
      else if (!done) reject(new Error(`exited with ${code}: ${err}`));
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function series(args: readonly string[], ready?: RegExp, then?: (url: string) => Promise<number>) {
  const ms: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await timeStart(args, ready, then);
    ms.push(r.ms);
    if (r.after !== undefined) after.push(r.after);
  }
  return { ms, after };
}

async function main(): Promise<void> {
  const listening = /iamd listening on (http:\/\/\S+)/;
  const baseline = await series(['-e', '']);
  const memory = await series([BIN, 'serve', '--memory', '--port', '0', '--log-level', 'warn'], listening);
  const seeded = await series(
    [BIN, 'serve', '--memory', '--port', '0', '--log-level', 'warn', '--auth', 'permissive', '--seed', SEED],
    listening,
    async (url) => {
      // Reset a few times and keep the last (the first pays for warm-up).
      let last = NaN;
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        const r = await fetch(`${url}/_iamd/reset`, { method: 'POST' });
        if (!r.ok) throw new Error(`reset: ${r.status}`);
        await r.arrayBuffer();
        last = performance.now() - t;
      }
      return last;
    },
  );
  const rows = [
    { name: 'node -e "" (baseline)', median: median(baseline.ms), min: Math.min(...baseline.ms) },
    { name: 'iamd serve --memory', median: median(memory.ms), min: Math.min(...memory.ms) },
    {
      name: 'iamd serve --memory --seed (permissive)',
      median: median(seeded.ms),
      min: Math.min(...seeded.ms),
    },
    { name: 'POST /_iamd/reset (seeded)', median: median(seeded.after), min: Math.min(...seeded.after) },
  ];
  if (wantsJson()) {
    console.log(JSON.stringify({ node: process.version, runs, results: rows }));
    return;
  }
  console.log(`startup, ${runs} runs each, node ${process.version}; ms from spawn to the "listening" line`);
  printTable(
    ['workload', 'median ms', 'min ms', 'minus baseline'],
    rows.map((r, i) => [
      r.name,
      r.median.toFixed(1),
      r.min.toFixed(1),
      i === 0 || i === 3 ? '' : (r.median - median(baseline.ms)).toFixed(1),
    ]),
  );
}

await main();
