/**
 * `npm run bench -- server [--json] [--seconds N] [--repeat N] [--calibrate]`: signed GetCallerIdentity,
 * GetRole and CreateUser against a real iamd at concurrency 1 and 16, next to a plain Node HTTP server
 * returning a fixed XML body (the ceiling) measured in the same run. With `--repeat N` every cell (and
 * its ceiling) is measured N times and the run with the median ratio is shown, with all ratios. With
 * `--calibrate`, the same plain server made to spin 25, 50 and 100 µs per request is measured too: what
 * ratio a server gets whose own work costs that much CPU, on this machine, with this load generator
 * (it shares the cores). Target (issue 3): GetCallerIdentity ≥ 60% of the ceiling.
 *
 * Every iamd cell also shows iamd's own CPU time per request (µs, from /proc): on a shared machine it
 * moves far less than throughput does. `--compare DIR` runs a second iamd from another build (a
 * checkout at DIR, built: `DIR/bin/iamd.js`) through the same cells, alternating which goes first, so
 * a change is measured side by side with the build before it in one run (issue #17).
 */
import {
  medianCells,
  repeatArg,
  runLoad,
  runLoadMeasured,
  type Cell,
  type LoadRequest,
} from './http/load.js';
import { signForm } from './http/sign.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BENCH_ROOT,
  compareBinArg,
  createAccountIn,
  startCeiling,
  startIamdProcess,
} from './http/servers.js';

const json = process.argv.includes('--json');
const secIdx = process.argv.indexOf('--seconds');
const seconds = secIdx > 0 ? Number(process.argv[secIdx + 1]) : 3;
const repeat = repeatArg();
const calibrate = process.argv.includes('--calibrate');
/** `--compare DIR`: the other build's entry point. */
const compareBin = compareBinArg();
/** Per-request CPU the calibration servers spend, µs. */
const CALIBRATION_MICROS = [25, 50, 100];

function form(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

function signed(url: string, service: 'iam' | 'sts', params: Record<string, string>): LoadRequest {
  const body = form(params);
  return { body, headers: signForm(new URL(url).host, service, body, BENCH_ROOT) };
}

/** An iamd under measurement: its process, data directory and workloads (signed for its address). */
interface Target {
  readonly label: string;
  readonly server: Awaited<ReturnType<typeof startIamdProcess>>;
  readonly dataDir: string;
  readonly workloads: readonly { name: string; next: () => (i: number) => LoadRequest }[];
}

async function startTarget(label: string, bin?: string): Promise<Target> {
  // A data directory (not --memory) so CreateUser can run in fresh accounts: IAM allows 5,000 users per
  // account, more than one cell creates.
  const dataDir = mkdtempSync(join(tmpdir(), 'iamd-bench-'));
  const server = await startIamdProcess(['--data', dataDir], bin);
  // Set-up: one role for GetRole.
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${BENCH_ROOT.accountId}:root` },
        Action: 'sts:AssumeRole',
      },
    ],
  });
  const setup = signed(server.url, 'iam', {
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: 'bench-role',
    AssumeRolePolicyDocument: trust,
  });
  const r = await fetch(server.url, { method: 'POST', headers: setup.headers, body: setup.body });
  if (r.status !== 200) throw new Error(`CreateRole failed: ${r.status} ${await r.text()}`);

  const gci = signed(server.url, 'sts', { Action: 'GetCallerIdentity', Version: '2011-06-15' });
  const getRole = signed(server.url, 'iam', {
    Action: 'GetRole',
    Version: '2010-05-08',
    RoleName: 'bench-role',
  });
  let run = 0;
  const host = new URL(server.url).host;
  const workloads = [
    { name: 'GetCallerIdentity', next: () => () => gci },
    { name: 'GetRole', next: () => () => getRole },
    {
      name: 'CreateUser',
      next: () => {
        const prefix = `u${run++}-`;
        let account = createAccountIn(dataDir, bin);
        let used = 0;
        return (i: number) => {
          if (++used > 4900) {
            account = createAccountIn(dataDir, bin);
            used = 1;
          }
          const body = form({ Action: 'CreateUser', Version: '2010-05-08', UserName: `${prefix}${i}` });
          const creds = { accessKeyId: account.AccessKeyId, secretAccessKey: account.SecretAccessKey };
          return { body, headers: signForm(host, 'iam', body, creds) };
        };
      },
    },
  ];
  return { label, server, dataDir, workloads };
}

async function main(): Promise<void> {
  const ceiling = await startCeiling();
  const calibration = calibrate
    ? await Promise.all(
        CALIBRATION_MICROS.map(async (micros) => ({ micros, server: await startCeiling(micros) })),
      )
    : [];
  const targets: Target[] = [];
  const rows: Cell[] = [];
  try {
    targets.push(await startTarget(''));
    if (compareBin !== undefined) targets.push(await startTarget(' (--compare)', compareBin));
    const gci = signed(ceiling.url, 'sts', { Action: 'GetCallerIdentity', Version: '2011-06-15' });
    // A discarded warm-up first: the load generator itself must be warm (JIT) before it sets the ceiling.
    await runLoad(ceiling.url, () => gci, 16, 2000);
    for (let rep = 0; rep < repeat; rep++)
      for (const concurrency of [1, 16]) {
        // The ceiling is measured with the same request stream shape (signing cost on the client included).
        const base = await runLoad(ceiling.url, () => gci, concurrency, seconds * 1000);
        for (let w = 0; w < targets[0]!.workloads.length; w++) {
          // With --compare, the two builds take turns going first, repetition by repetition.
          const order = rep % 2 === 0 ? targets : [...targets].reverse();
          for (const t of order) {
            const workload = t.workloads[w]!;
            const m = await runLoadMeasured(t.server, workload.next(), concurrency, seconds * 1000);
            rows.push({
              workload: `${workload.name}${t.label}`,
              concurrency,
              result: m.result,
              ceiling: base,
              cpuUsPerRequest: m.cpuUsPerRequest,
            });
          }
        }
        for (const { micros, server } of calibration) {
          const result = await runLoad(server.url, () => gci, concurrency, seconds * 1000);
          rows.push({ workload: `plain + ${micros} µs work`, concurrency, result, ceiling: base });
        }
      }
  } finally {
    for (const t of targets) {
      await t.server.stop();
      rmSync(t.dataDir, { recursive: true, force: true });
    }
    await ceiling.stop();
    for (const { server } of calibration) await server.stop();
  }
  const medians = medianCells(rows);
  if (json) {
    console.log(JSON.stringify({ node: process.version, repeat, rows, medians }, null, 2));
    return;
  }
  console.log(
    `iamd server benchmark — node ${process.version}, ${seconds}s per cell, loopback, ${repeat} run(s) per cell (median shown)`,
  );
  console.log(
    'workload                            conc   req/s    p50 ms  p99 ms  errors  ceiling req/s  ratio  cpu µs/req  runs',
  );
  for (const { cell: r, ratios } of medians) {
    const cpu = r.cpuUsPerRequest === undefined ? '-' : r.cpuUsPerRequest.toFixed(0);
    console.log(
      `${r.workload.padEnd(34)} ${String(r.concurrency).padStart(5)} ${r.result.rps.toFixed(0).padStart(7)} ${r.result.p50ms.toFixed(2).padStart(8)} ${r.result.p99ms.toFixed(2).padStart(7)} ${String(r.result.errors).padStart(7)} ${r.ceiling.rps.toFixed(0).padStart(14)} ${((r.result.rps / r.ceiling.rps) * 100).toFixed(0).padStart(5)}% ${cpu.padStart(11)}  ${ratios.map((x) => (x * 100).toFixed(0)).join('/')}`,
    );
  }
}

await main();
