/** Small helpers of the store tests. */
import assert from 'node:assert/strict';
import type { StoreChange } from '../../src/store/index.js';

/** The change a store emits when another process committed: every cache flushes. */
export const WILDCARD: StoreChange = { account: '*', kind: 'account', key: '*' };

/** Resolves once `done()` holds, checking every 25 ms; fails the test after `withinMs`. */
export async function eventually(done: () => boolean | Promise<boolean>, withinMs = 3000): Promise<void> {
  for (let waited = 0; waited < withinMs; waited += 25) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.ok(await done(), `not so within ${withinMs} ms`);
}
