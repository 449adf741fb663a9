/**
 * A small closed-loop HTTP load generator: `concurrency` workers each send one request at a time
 * over keep-alive connections for a fixed duration; reports requests/s and latency percentiles.
 * Bounded in time and count, loopback only.
 */
import { request, Agent } from 'node:http';

/** One request to send. */
export interface LoadRequest {
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
            method: 'POST',
            path: '/',
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
