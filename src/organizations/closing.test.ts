import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accountStatusAt,
  CLOSE_WINDOW_MS,
  CLOSURE_DELAY_MS,
  closeQuota,
  mayClose,
  POST_CLOSURE_MS,
} from './closing.js';

// https://docs.aws.amazon.com/organizations/latest/APIReference/API_CloseAccount.html

test('an open account reports its stored status', () => {
  assert.deepEqual(accountStatusAt({ status: 'ACTIVE' }, 0), { status: 'ACTIVE', state: 'ACTIVE' });
});

test('a closed account is PENDING_CLOSURE, then SUSPENDED, then CLOSED after 90 days', () => {
  const a = { status: 'PENDING_CLOSURE' as const, closedAt: 1000 };
  assert.deepEqual(accountStatusAt(a, 1000), { status: 'PENDING_CLOSURE', state: 'PENDING_CLOSURE' });
  assert.deepEqual(accountStatusAt(a, 1000 + CLOSURE_DELAY_MS - 1).status, 'PENDING_CLOSURE');
  assert.deepEqual(accountStatusAt(a, 1000 + CLOSURE_DELAY_MS), { status: 'SUSPENDED', state: 'SUSPENDED' });
  assert.deepEqual(accountStatusAt(a, 1000 + POST_CLOSURE_MS), { status: 'SUSPENDED', state: 'CLOSED' });
});

test('the close quota: the higher of 250 and 20% of the members, at most 1,000', () => {
  assert.equal(closeQuota(0), 250);
  assert.equal(closeQuota(1250), 250);
  assert.equal(closeQuota(2000), 400);
  assert.equal(closeQuota(5000), 1000);
  assert.equal(closeQuota(100_000), 1000);
});

test('the quota counts closes in the rolling 30 days only', () => {
  const now = 100 * 86_400_000;
  const full = Array.from({ length: 250 }, () => now - 1000);
  assert.equal(mayClose(full, 10, now), false);
  assert.equal(mayClose(full.slice(1), 10, now), true);
  // Closes older than 30 days no longer count.
  const old = Array.from({ length: 250 }, () => now - CLOSE_WINDOW_MS);
  assert.equal(mayClose(old, 10, now), true);
});
