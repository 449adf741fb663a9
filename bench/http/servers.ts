/**
 * Processes a benchmark measures: a real `iamd serve` (in-memory store) and the ceiling — a plain
 * Node HTTP server answering every request with a fixed XML body — both as child processes so the
 * load generator never shares their event loop.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A started child server. */
export interface ChildServer {
  readonly url: string;
  /** The child's process id (to sample its memory from `/proc`). */
  readonly pid: number;
  /**
   * The CPU time (user + system, ms) the process has used so far, from /proc (Linux; undefined
   * elsewhere). Per request it is a figure a busy shared machine disturbs far less than throughput.
   */
  cpuMs(): number | undefined;
  stop(): Promise<void>;
}

/** Clock ticks per second of /proc/PID/stat's times (USER_HZ: 100 on every Linux Node supports). */
const USER_HZ = 100;

export function cpuReader(child: ChildProcess): () => number | undefined {
  return () => {
    try {
      // Fields after the command name: state is the 1st, utime the 12th and stime the 13th (proc(5)).
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
    } catch {
      return undefined;
    }
  };
}

/**
 * The CPUs of a pinned run (`--pin`): the measured server (iamd, or the baseline it is compared with)
 * gets the last CPU to itself, everything else (the load generator, the upstreams) the rest — as a
 * gateway deployed on its own cores would be, instead of sharing them with its clients. Needs Linux's
 * `taskset` (util-linux) and at least two CPUs.
 */
export interface CpuSplit {
  /** `taskset` CPU list of the load generator and the upstreams. */
  readonly others: string;
  /** `taskset` CPU list of the measured server. */
  readonly server: string;
}

/** The split of this machine's CPUs for a pinned run; throws where pinning is impossible. */
export function cpuSplit(): CpuSplit {
  const n = availableParallelism();
  if (n < 2) throw new Error('--pin needs at least two CPUs');
  return { others: n === 2 ? '0' : `0-${n - 2}`, server: String(n - 1) };
}

/**
 * Pins process `pid` and every thread it has to `cpus` (`taskset -a -c -p`); threads it starts later
 * (a worker thread, libuv's pool) inherit the affinity of the thread that starts them.
 */
export function pinProcess(pid: number, cpus: string): void {
  try {
    execFileSync('taskset', ['-a', '-c', '-p', cpus, String(pid)], { stdio: 'ignore' });
  } catch (error) {
    throw new Error(`could not pin process ${pid} to CPUs ${cpus} with taskset`, { cause: error });
  }
}

/**
 * `--compare DIR`: the entry point (`bin/iamd.js`) of another build — a checkout of another commit,
 * built — measured in the same run, taking turns with this one; undefined without the flag.
 */
export function compareBinArg(argv: readonly string[] = process.argv): string | undefined {
  const i = argv.indexOf('--compare');
  const dir = i > 0 ? argv[i + 1] : undefined;
  return dir === undefined ? undefined : join(resolve(dir), 'bin', 'iamd.js');
}

/** Root credentials the benchmark's iamd is started with. */
export const BENCH_ROOT = {
  accountId: '111122223333',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

export function waitFor(child: ChildProcess, pattern: RegExp): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const m = pattern.exec(text);
      if (m) resolve(m[1]!);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${text}`)));
  });
}

export function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null) return;
    const done = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await done;
  };
}

/**
 * The ceiling's source. With `workNs` > 0 it first spins for that long on every request: a stand-in
 * for a server whose own work costs exactly that much CPU, to read a ratio against (`--calibrate`).
 */
const ceilingSource = (workNs: number): string => `
const http = require('node:http');
const body = '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:root</Arn><UserId>111122223333</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></GetCallerIdentityResponse>';
const work = () => { const t = process.hrtime.bigint(); while (process.hrtime.bigint() - t < ${workNs}n); };
const s = http.createServer((req, res) => { req.resume(); req.on('end', () => { ${workNs > 0 ? 'work(); ' : ''}res.writeHead(200, {'content-type': 'text/xml'}); res.end(body); }); });
s.listen(0, '127.0.0.1', () => console.log('ceiling on http://127.0.0.1:' + s.address().port));
process.on('SIGTERM', () => s.close(() => process.exit(0)));
`;

/** Starts the plain-Node ceiling server (spending `workMicros` of CPU on each request when given). */
export async function startCeiling(workMicros = 0): Promise<ChildServer> {
  const source = ceilingSource(Math.round(workMicros * 1000));
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await waitFor(child, /ceiling on (http:\/\/\S+)/);
  return { url, pid: child.pid!, cpuMs: cpuReader(child), stop: stopper(child) };
}

const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));

/** Root credentials of an account made by `iamd accounts create --json`. */
export interface AccountCreds {
  readonly AccountId: string;
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
}

/** Runs `iamd accounts create --data DIR --json` (works while the server runs). */
export function createAccountIn(dataDir: string, bin: string = BIN): AccountCreds {
  const out = execFileSync(process.execPath, [bin, 'accounts', 'create', '--data', dataDir, '--json'], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as AccountCreds;
}

/**
 * Starts `iamd serve` (default `--memory`) with {@link BENCH_ROOT}. Request throttling is off (through
 * the environment, so `extraArgs` may still set a rate): benchmarks drive one account far past AWS's
 * per-account rates on purpose. `bin` runs another build (a checkout's `bin/iamd.js`, `--compare`).
 */
export async function startIamdProcess(
  extraArgs: readonly string[] = ['--memory'],
  bin: string = BIN,
): Promise<ChildServer> {
  // IAMD_BENCH_CPU_PROF=DIR profiles the server (node --cpu-prof; NODE_OPTIONS may not carry it).
  const profile = process.env['IAMD_BENCH_CPU_PROF'];
  const nodeFlags = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const args = [...nodeFlags, bin, 'serve', '--port', '0', '--log-level', 'warn', ...extraArgs];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      IAMD_ACCOUNT_ID: BENCH_ROOT.accountId,
      IAMD_ROOT_ACCESS_KEY_ID: BENCH_ROOT.accessKeyId,
      IAMD_ROOT_SECRET_ACCESS_KEY: BENCH_ROOT.secretAccessKey,
      IAMD_RATE_LIMIT_IAM: 'off',
      IAMD_RATE_LIMIT_STS: 'off',
    },
  });
  const url = await waitFor(child, /iamd listening on (http:\/\/\S+)/);
  return { url, pid: child.pid!, cpuMs: cpuReader(child), stop: stopper(child) };
}
