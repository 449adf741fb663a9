import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fullBucket, isFull, MAX_CALLERS, rateOf, takeToken, Throttle } from './throttle.js';

test('a full bucket lets a burst of two seconds of requests through, then refuses', () => {
  const rate = rateOf(5);
  assert.deepEqual(rate, { perSecond: 5, burst: 10 });
  const b = fullBucket(rate, 1_000);
  for (let i = 0; i < 10; i++) assert.equal(takeToken(b, rate, 1_000), true, `request ${i}`);
  assert.equal(takeToken(b, rate, 1_000), false);
  assert.equal(takeToken(b, rate, 1_000), false, 'a refused request takes nothing and gives nothing back');
});

test('tokens refill at the rate, continuously, never beyond the burst', () => {
  const rate = rateOf(5);
  const b = fullBucket(rate, 0);
  for (let i = 0; i < 10; i++) takeToken(b, rate, 0);
  assert.equal(takeToken(b, rate, 199), false, '199 ms is less than one token at 5/s');
  assert.equal(takeToken(b, rate, 200), true, '200 ms is one token');
  assert.equal(takeToken(b, rate, 200), false);
  // A long pause fills the bucket only up to the burst.
  for (let i = 0; i < 10; i++) assert.equal(takeToken(b, rate, 60_000), true);
  assert.equal(takeToken(b, rate, 60_000), false);
});

test('a clock that goes backwards refills nothing and does not move the bucket back', () => {
  const rate = rateOf(1);
  const b = fullBucket(rate, 10_000);
  takeToken(b, rate, 10_000);
  takeToken(b, rate, 10_000);
  assert.equal(takeToken(b, rate, 5_000), false);
  assert.equal(b.last, 10_000);
  assert.equal(takeToken(b, rate, 11_000), true);
});

test('a rate of 0.x still allows one request (the burst is at least one)', () => {
  const rate = rateOf(0.25);
  assert.equal(rate.burst, 1);
  const b = fullBucket(rate, 0);
  assert.equal(takeToken(b, rate, 0), true);
  assert.equal(takeToken(b, rate, 3_999), false);
  assert.equal(takeToken(b, rate, 4_000), true);
});

test('isFull tells an idle bucket from a busy one', () => {
  const rate = rateOf(10);
  const b = fullBucket(rate, 0);
  assert.equal(isFull(b, rate, 0), true);
  takeToken(b, rate, 0);
  assert.equal(isFull(b, rate, 50), false);
  assert.equal(isFull(b, rate, 100), true);
});

test('Throttle: accounts, services and source addresses each have their own bucket', () => {
  const t = new Throttle({ iam: rateOf(1), sts: rateOf(2) });
  assert.equal(t.allowAccount('iam', '111122223333', 0), true);
  assert.equal(t.allowAccount('iam', '111122223333', 0), true);
  assert.equal(t.allowAccount('iam', '111122223333', 0), false);
  assert.equal(t.allowAccount('iam', '444455556666', 0), true, 'another account is not affected');
  for (let i = 0; i < 4; i++) assert.equal(t.allowAccount('sts', '111122223333', 0), true, 'sts is separate');
  assert.equal(t.allowAccount('sts', '111122223333', 0), false);
  for (let i = 0; i < 4; i++)
    assert.equal(t.allowAddress('sts', '111122223333', 0), true, 'addresses are separate');
  assert.equal(t.allowAddress('sts', '111122223333', 0), false);
  assert.equal(t.allowAccount('iam', '111122223333', 1_000), true, 'recovers after a second');
});

test('Throttle: an unlimited service is never refused', () => {
  const t = new Throttle({ iam: undefined, sts: rateOf(1) });
  for (let i = 0; i < 1000; i++) assert.equal(t.allowAccount('iam', '111122223333', 0), true);
  for (let i = 0; i < 1000; i++) assert.equal(t.allowAddress('iam', '127.0.0.1', 0), true);
});

test('Throttle: a flood of source addresses does not grow memory', () => {
  const t = new Throttle({ iam: undefined, sts: rateOf(1) });
  // Idle callers (full buckets) are forgotten once the table is full; when every caller is busy the
  // table starts over rather than grow.
  for (let i = 0; i < MAX_CALLERS + 10; i++) t.allowAddress('sts', `10.0.${i >> 8}.${i & 255}`, 5_000);
  const table = (t as unknown as { addresses: { sts: { buckets: Map<string, unknown> } } }).addresses.sts;
  assert.ok(table.buckets.size <= MAX_CALLERS, `${table.buckets.size} callers kept`);
});
