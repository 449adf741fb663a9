/**
 * Request throttling (issue 16): one token bucket per caller per service, as IAM and STS do it ("IAM and
 * AWS STS independently implement a token bucket algorithm for throttling, in which a bucket of virtual
 * tokens is refilled every second" — https://aws.amazon.com/blogs/security/how-to-monitor-and-query-iam-resources-at-scale-part-2/).
 * A request over the rate is answered `Throttling` / `Rate exceeded` (HTTP 400), which every AWS SDK
 * retries with backoff. The buckets live in this node's memory: with several nodes each node counts
 * on its own.
 */

/** A bucket's state, mutated in place so the hot path allocates nothing. */
export interface Bucket {
  /** Tokens left (fractional: the refill is continuous). */
  tokens: number;
  /** When the tokens were last counted (ms). */
  last: number;
}

/** The rate of one service: `perSecond` requests a second, bursts of up to `burst`. */
export interface Rate {
  readonly perSecond: number;
  readonly burst: number;
}

/** A full bucket's burst is this many seconds' worth of requests. */
export const BURST_SECONDS = 2;

/** The {@link Rate} of `perSecond` requests a second (burst {@link BURST_SECONDS} seconds' worth). */
export function rateOf(perSecond: number): Rate {
  return { perSecond, burst: Math.max(1, perSecond * BURST_SECONDS) };
}

/** A new, full bucket. */
export function fullBucket(rate: Rate, now: number): Bucket {
  return { tokens: rate.burst, last: now };
}

/**
 * Refills `bucket` for the time since it was last counted (never beyond the burst) and takes one token
 * if there is one. Returns whether the request may go on. A clock that went backwards refills nothing.
 */
export function takeToken(bucket: Bucket, rate: Rate, now: number): boolean {
  const elapsed = now - bucket.last;
  if (elapsed > 0) {
    bucket.tokens = Math.min(rate.burst, bucket.tokens + (elapsed * rate.perSecond) / 1000);
    bucket.last = now;
  }
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

/** Whether `bucket` would be full at `now` (an idle caller: forgetting it changes nothing). */
export function isFull(bucket: Bucket, rate: Rate, now: number): boolean {
  return bucket.tokens + (Math.max(0, now - bucket.last) * rate.perSecond) / 1000 >= rate.burst;
}

/** The throttled services. */
export type ThrottledService = 'iam' | 'sts';

/** Per-service rates; `undefined` leaves a service unlimited. */
export type ThrottleRates = Readonly<Record<ThrottledService, Rate | undefined>>;

/** Most callers a table keeps before idle ones are forgotten (bounds memory under many source IPs). */
export const MAX_CALLERS = 10_000;

/** One bucket per caller key for one service. */
class BucketTable {
  private readonly buckets = new Map<string, Bucket>();
  constructor(private readonly rate: Rate) {}

  take(key: string, now: number): boolean {
    const bucket = this.buckets.get(key);
    if (bucket !== undefined) return takeToken(bucket, this.rate, now);
    if (this.buckets.size >= MAX_CALLERS) this.forgetIdle(now);
    const fresh = fullBucket(this.rate, now);
    this.buckets.set(key, fresh);
    return takeToken(fresh, this.rate, now);
  }

  /** Drops full buckets; if every caller is busy, starts over (a flood of keys must not grow memory). */
  private forgetIdle(now: number): void {
    for (const [key, bucket] of this.buckets) if (isFull(bucket, this.rate, now)) this.buckets.delete(key);
    if (this.buckets.size >= MAX_CALLERS) this.buckets.clear();
  }
}

/**
 * The throttle of one node: authenticated calls count against the caller's account, unsigned calls
 * (AssumeRoleWithWebIdentity, AssumeRoleWithSAML) against their source IP address.
 */
export class Throttle {
  private readonly accounts: Partial<Record<ThrottledService, BucketTable>> = {};
  private readonly addresses: Partial<Record<ThrottledService, BucketTable>> = {};

  constructor(rates: ThrottleRates) {
    for (const service of ['iam', 'sts'] as const) {
      const rate = rates[service];
      if (rate === undefined) continue;
      this.accounts[service] = new BucketTable(rate);
      this.addresses[service] = new BucketTable(rate);
    }
  }

  /** Whether a call by `account` to `service` may go on (and counts it). */
  allowAccount(service: ThrottledService, account: string, now: number): boolean {
    const table = this.accounts[service];
    return table === undefined || table.take(account, now);
  }

  /** Whether an unsigned call from `sourceIp` to `service` may go on (and counts it). */
  allowAddress(service: ThrottledService, sourceIp: string, now: number): boolean {
    const table = this.addresses[service];
    return table === undefined || table.take(sourceIp, now);
  }
}
