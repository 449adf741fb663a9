/**
 * A small closed-loop HTTP load generator: `concurrency` workers each send one request at a time
 * over keep-alive connections for a fixed duration; reports requests/s and latency percentiles.
 * Bounded in time and count, loopback only.
 */
import { request, Agent } from 'node:http';

/** One request to send. */
export interface LoadRequest {
  /** Default `POST`. */
  readonly method?: string;
  /** Default `/`. */
  readonly path?: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Result of one load run. */
export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
}

/** Sends requests from `next()` to `url` with `concurrency` workers for `durationMs`. */
export async function runLoad(
  url: string,
  next: (i: number) => LoadRequest,
  concurrency: number,
  durationMs: number,
  expectStatus = 200,
): Promise<LoadResult> {
  const u = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let count = 0;
  const deadline = performance.now() + durationMs;
  const maxRequests = 2_000_000;
  const worker = async () => {
    while (performance.now() < deadline && count < maxRequests) {
      const r = next(count++);
      const t0 = performance.now();
      const status = await new Promise<number>((resolve) => {
        const req = request(
          {
            host: u.hostname,
            port: u.port,
            method: r.method ?? 'POST',
            path: r.path ?? '/',
            headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) },
            agent,
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', () => resolve(0));
        req.end(r.body);
      });
      latencies.push(performance.now() - t0);
      if (status !== expectStatus) errors++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return {
    requests: latencies.length,
    errors,
    rps: (latencies.length / elapsed) * 1000,
    p50ms: pct(0.5),
    p99ms: pct(0.99),
  };
}

/** One measured cell: a workload at a concurrency, next to the ceiling measured in the same run. */
export interface Cell {
  readonly workload: string;
  readonly concurrency: number;
  readonly result: LoadResult;
  readonly ceiling: LoadResult;
  /** The measured server's CPU time per request (µs), where the platform tells it. */
  readonly cpuUsPerRequest?: number | undefined;
}

/**
 * Runs {@link runLoad} against `server` and reads the server's CPU time around it: µs of its CPU per
 * request (undefined where /proc is not there).
 */
export async function runLoadMeasured(
  server: { readonly url: string; cpuMs(): number | undefined },
  next: (i: number) => LoadRequest,
  concurrency: number,
  durationMs: number,
): Promise<{ result: LoadResult; cpuUsPerRequest: number | undefined }> {
  const before = server.cpuMs();
  const result = await runLoad(server.url, next, concurrency, durationMs);
  const after = server.cpuMs();
  const cpuUsPerRequest =
    before !== undefined && after !== undefined && result.requests > 0
      ? ((after - before) * 1000) / result.requests
      : undefined;
  return { result, cpuUsPerRequest };
}

/** A cell's throughput as a fraction of its ceiling's. */
export function ratio(cell: Cell): number {
  return cell.result.rps / cell.ceiling.rps;
}

/** `--repeat N` (default 1): how many times each cell is measured. */
export function repeatArg(argv: readonly string[] = process.argv): number {
  const i = argv.indexOf('--repeat');
  const n = i > 0 ? Number(argv[i + 1]) : 1;
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/**
 * For each workload and concurrency (in first-seen order), the repetition whose ratio to its ceiling
 * is the median, with every repetition's ratio alongside: runs on a shared 2-core machine spread by
 * several points, and one run alone says little.
 */
export function medianCells(cells: readonly Cell[]): { cell: Cell; ratios: number[] }[] {
  const groups = new Map<string, Cell[]>();
  for (const c of cells) {
    const key = `${c.workload}\u0000${c.concurrency}`;
    const group = groups.get(key);
    if (group) group.push(c);
    else groups.set(key, [c]);
  }
  return [...groups.values()].map((group) => {
    const sorted = [...group].sort((a, b) => ratio(a) - ratio(b));
    return { cell: sorted[Math.floor((sorted.length - 1) / 2)]!, ratios: group.map(ratio) };
  });
}
