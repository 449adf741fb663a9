import test from 'node:test';
import assert from 'node:assert/strict';
import { afterFailure, expectedGuessMs, isLocked, lockMsAfter, type LockoutPolicy } from './lockout.js';
import { DEFAULT_LOCKOUT_POLICY } from '../config/index.js';

const P: LockoutPolicy = { threshold: 3, baseLockMs: 1000, maxLockMs: 8000, resetAfterMs: 100_000 };

test('the first failures are free; then each locks, doubling to the cap', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 50].map((n) => lockMsAfter(n, P)),
    [0, 0, 1000, 2000, 4000, 8000, 8000, 8000],
  );
  assert.equal(lockMsAfter(10_000, DEFAULT_LOCKOUT_POLICY), DEFAULT_LOCKOUT_POLICY.maxLockMs);
});

test('afterFailure counts, locks from the threshold on and says when a lock starts', () => {
  let s = afterFailure(undefined, 0, P);
  assert.deepEqual(s, {
    state: { failures: 1, lastFailureAt: 0, lockedUntil: 0 },
    lockedNow: false,
    lockMs: 0,
  });
  s = afterFailure(s.state, 10, P);
  assert.equal(s.lockedNow, false);
  s = afterFailure(s.state, 20, P);
  assert.deepEqual(s, {
    state: { failures: 3, lastFailureAt: 20, lockedUntil: 1020 },
    lockedNow: true,
    lockMs: 1000,
  });
  assert.equal(isLocked(s.state, 1019), true);
  assert.equal(isLocked(s.state, 1020), false);
  assert.equal(isLocked(undefined, 0), false);
  s = afterFailure(s.state, 1020, P);
  assert.equal(s.state.lockedUntil, 3020);
});

test('a quiet reset period forgets the count', () => {
  let s = afterFailure(undefined, 0, P);
  s = afterFailure(s.state, 1, P);
  s = afterFailure(s.state, 1 + P.resetAfterMs, P);
  assert.equal(s.state.failures, 1);
  assert.equal(s.lockedNow, false);
});

// Issue #16: "Guessing a 6-digit code must take more than a day in expectation." src/credentials/totp.ts
// accepts the current 30-second step and one either side: 3 of the 10^6 codes per attempt.
test('with the defaults, guessing a 6-digit TOTP code takes far more than a day on average', () => {
  const day = 24 * 3_600_000;
  const ms = expectedGuessMs(DEFAULT_LOCKOUT_POLICY, 1e6, 3);
  assert.ok(ms > day, `${ms / day} days`);
  // 166,667 attempts on average; after the first few locks every attempt costs the one-hour cap.
  assert.ok(ms / day > 6000, `${ms / day} days`);
  // Without the lock-out (only the request throttle, 600 STS calls a second) it would be minutes.
  assert.ok(1e6 / 3 / 2 / 600 < 300);
});

test('the expected guess time takes the faster of waiting for resets and waiting out locks', () => {
  const quickReset: LockoutPolicy = {
    threshold: 5,
    baseLockMs: 60_000,
    maxLockMs: 3_600_000,
    resetAfterMs: 60_000,
  };
  // Every 5 attempts the count resets after a minute: 166,667 / 5 minutes ≈ 23 days — still over a day,
  // but far less than with the one-day reset, which is why the default reset is a day.
  const ms = expectedGuessMs(quickReset, 1e6, 3);
  assert.ok(Math.abs(ms - (1e6 / 3 / 2 / 5) * 60_000) < 1, String(ms));
  assert.ok(ms < expectedGuessMs(DEFAULT_LOCKOUT_POLICY, 1e6, 3));
});
