/**
 * Lock-out after repeated failures of a guessable secret (issue #16 item 1): a virtual MFA device's
 * 6-digit code, a console password. Pure arithmetic over a small state; the store-backed guard is
 * `src/authn/lockout.ts`.
 *
 * The schedule: the first `threshold` consecutive failures are free (people mistype); each failure
 * from then on locks the key for `baseLockMs`, doubled per further failure, capped at `maxLockMs`.
 * A success clears the count; so does a quiet `resetAfterMs` after the last failure. While locked,
 * the secret is not checked at all, so a right guess during a lock is worth nothing.
 */

/** How a key is locked out. */
export interface LockoutPolicy {
  /** Failures allowed before the first lock (at least 1). */
  readonly threshold: number;
  /** The first lock's length, in milliseconds. */
  readonly baseLockMs: number;
  /** The longest lock, in milliseconds. */
  readonly maxLockMs: number;
  /** After this long without a failure the count starts again, in milliseconds. */
  readonly resetAfterMs: number;
}

/** The failures recorded for one key. */
export interface LockoutState {
  /** Consecutive failures (since the last success or reset). */
  readonly failures: number;
  /** When the last failure happened (ms since the epoch). */
  readonly lastFailureAt: number;
  /** Locked until this time (ms since the epoch); 0 when not locked. */
  readonly lockedUntil: number;
}

/** Whether `state` is locked at `nowMs`. */
export function isLocked(state: LockoutState | undefined, nowMs: number): boolean {
  return state !== undefined && state.lockedUntil > nowMs;
}

/** The lock that the `failures`-th consecutive failure sets (0: none). */
export function lockMsAfter(failures: number, policy: LockoutPolicy): number {
  if (failures < policy.threshold) return 0;
  const doublings = failures - policy.threshold;
  // 2 ** 40 times any base is far past any cap; stop doubling before the number loses meaning.
  return Math.min(policy.maxLockMs, policy.baseLockMs * 2 ** Math.min(doublings, 40));
}

/** The state after one more failure at `nowMs`, and whether this failure started a lock. */
export function afterFailure(
  state: LockoutState | undefined,
  nowMs: number,
  policy: LockoutPolicy,
): { readonly state: LockoutState; readonly lockedNow: boolean; readonly lockMs: number } {
  const fresh = state === undefined || nowMs - state.lastFailureAt >= policy.resetAfterMs;
  const failures = (fresh ? 0 : state.failures) + 1;
  const lockMs = lockMsAfter(failures, policy);
  const lockedUntil = lockMs > 0 ? nowMs + lockMs : 0;
  return { state: { failures, lastFailureAt: nowMs, lockedUntil }, lockedNow: lockMs > 0, lockMs };
}

/**
 * The expected time, in milliseconds, an attacker needs to guess a secret drawn from `space` values
 * when every attempt is checked against `acceptedPerAttempt` of them (a TOTP verifier that allows one
 * step of drift accepts 3 codes), guessing as fast as the schedule lets: `threshold` free attempts,
 * then one attempt per lock. The count is never cleared (no success), and a reset (a quiet
 * `resetAfterMs`) is never worth waiting for when it is longer than the locks it would save; the
 * schedule is evaluated both ways and the faster is taken.
 */
export function expectedGuessMs(policy: LockoutPolicy, space: number, acceptedPerAttempt: number): number {
  const attempts = space / acceptedPerAttempt / 2; // on average half the space is searched
  return Math.min(timeForAttempts(policy, attempts, false), timeForAttempts(policy, attempts, true));
}

function timeForAttempts(policy: LockoutPolicy, attempts: number, waitForReset: boolean): number {
  if (waitForReset) {
    // Each cycle: `threshold` attempts (the last one locks), then wait out the reset.
    const cycles = attempts / policy.threshold;
    return cycles * Math.max(policy.resetAfterMs, lockMsAfter(policy.threshold, policy));
  }
  let total = 0;
  for (let n = 1; n <= attempts; n++) {
    const lock = lockMsAfter(n, policy);
    if (lock === policy.maxLockMs) return total + (attempts - n + 1) * lock;
    total += lock;
  }
  return total;
}
