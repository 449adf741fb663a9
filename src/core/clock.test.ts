// The test clock moves `now` (sessions, MFA age, aws:CurrentTime, audit times) but never the time
// signature freshness is checked against (issue #16 item 8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adjustableClock, signingNow, type Clock } from './clock.js';

test('adjustableClock: advance moves now(), not wallNow()', () => {
  let real = 1_000_000;
  const base: Clock = { now: () => real };
  const clock = adjustableClock(base);
  clock.advance(3_600_000);
  assert.equal(clock.now(), 4_600_000);
  assert.equal(signingNow(clock), 1_000_000);
  real += 5;
  assert.equal(signingNow(clock), 1_000_005);
  assert.equal(clock.offsetMs, 3_600_000);
  assert.throws(() => clock.advance(-1), RangeError);
});

test('signingNow: a clock without wallNow is its own signing time; nested clocks keep the real time', () => {
  const fixed: Clock = { now: () => 42 };
  assert.equal(signingNow(fixed), 42);
  const outer = adjustableClock(adjustableClock(fixed));
  outer.advance(10);
  assert.equal(outer.now(), 52);
  assert.equal(signingNow(outer), 42);
});
