/**
 * Shared benchmark helpers: a time-boxed ops/s measurement and output as a table or JSON.
 * Benchmarks are never run by `npm test` (STYLE.md §3); run them with `npm run bench -- NAME [--json]`.
 */

/** One measured workload. */
export interface BenchResult {
  readonly name: string;
  readonly opsPerSec: number;
  readonly iterations: number;
  readonly ms: number;
}

/**
 * Runs `fn(i)` repeatedly for about `budgetMs` (after a short warm-up) and returns operations per
 * second. `fn` receives the iteration number so workloads can rotate through request variants.
 */
export function measure(name: string, fn: (i: number) => unknown, budgetMs = 1000): BenchResult {
  let sink = 0;
  const warmEnd = performance.now() + Math.min(200, budgetMs / 4);
  let i = 0;
  while (performance.now() < warmEnd) if (fn(i++)) sink++;
  const g = globalThis as { gc?: () => void };
  g.gc?.();
  let batch = 16;
  let iterations = 0;
  const start = performance.now();
  let now = start;
  while (now - start < budgetMs) {
    for (let k = 0; k < batch; k++) if (fn(iterations + k)) sink++;
    iterations += batch;
    now = performance.now();
    if (now - start < budgetMs / 20) batch *= 2;
  }
  const ms = now - start;
  if (sink < 0) console.log(sink); // keeps the results observable so the calls cannot be elided
  return { name, opsPerSec: (iterations * 1000) / ms, iterations, ms };
}

/** True when `--json` was passed. */
export function wantsJson(argv: readonly string[] = process.argv): boolean {
  return argv.includes('--json');
}

/** Formats a rate with thousands separators. */
export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Prints rows as an aligned text table. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

/** {@link measure} for asynchronous operations (awaited one at a time). */
export async function measureAsync(
  name: string,
  fn: (i: number) => Promise<unknown>,
  budgetMs = 1000,
): Promise<BenchResult> {
  const warmEnd = performance.now() + Math.min(200, budgetMs / 4);
  let i = 0;
  while (performance.now() < warmEnd) await fn(i++);
  let iterations = 0;
  const start = performance.now();
  let now = start;
  while (now - start < budgetMs) {
    await fn(iterations++);
    now = performance.now();
  }
  const ms = now - start;
  return { name, opsPerSec: (iterations * 1000) / ms, iterations, ms };
}
