/**
 * The SQLite store with its audit thread (`auditThread: true`, as `iamd serve` opens it): the whole
 * store conformance suite again, plus what the thread adds — events appended outside transactions are
 * durable and visible once `appendAudit` resolves, a duplicate id fails that event alone, and close
 * waits for the batch in flight.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreConflict, type AuditRecord, type StoreChange } from '../../src/store/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { exerciseStore } from './conformance.js';
import { eventually, WILDCARD } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'iamd-store-thread-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshFile = (): string => join(dir, `store-${n++}.db`);

exerciseStore('sqlite file, audit thread', () => openSqliteStore({ path: freshFile(), auditThread: true }));
exerciseStore('sqlite :memory:, audit thread', () =>
  openSqliteStore({ path: ':memory:', auditThread: true }),
);

function event(id: string, resources: AuditRecord['resources'] = []): AuditRecord {
  return {
    eventId: id,
    eventTime: 1_700_000_000_000,
    account: '123456789012',
    eventName: 'GetRole',
    eventSource: 'iam.amazonaws.com',
    requestId: `req-${id}`,
    readOnly: true,
    username: 'alice',
    accessKeyId: 'AKIAEXAMPLE',
    resources,
    record: { eventName: 'GetRole', requestParameters: { roleName: 'r' } },
  };
}

test('audit thread: a batch is visible once appendAudit resolves; a duplicate fails alone', async () => {
  const path = freshFile();
  const store = await openSqliteStore({ path, auditThread: true });
  await store.appendAudit(event('first'));
  // One batch: two new events and a duplicate of an existing one, appended together.
  const results = await Promise.allSettled([
    store.appendAudit(event('second', [{ type: 'AWS::IAM::Role', name: 'r' }])),
    store.appendAudit(event('first')),
    store.appendAudit(event('third')),
  ]);
  assert.equal(results[0]!.status, 'fulfilled');
  assert.equal(results[2]!.status, 'fulfilled');
  const dup = results[1]!;
  assert.equal(dup.status, 'rejected');
  assert.ok(dup.status === 'rejected' && dup.reason instanceof StoreConflict);
  assert.equal((dup.reason as StoreConflict).message, 'audit event `first` already exists');
  const page = await store.queryAudit({ account: '123456789012' });
  assert.deepEqual(page.events.map((e) => e.eventId).sort(), ['first', 'second', 'third']);
  const byResource = await store.queryAudit({ account: '123456789012', resourceName: 'r' });
  assert.deepEqual(
    byResource.events.map((e) => e.eventId),
    ['second'],
  );
  assert.deepEqual(
    page.events.find((e) => e.eventId === 'second'),
    event('second', [{ type: 'AWS::IAM::Role', name: 'r' }]),
  );
  await store.close();
  // Durable: a fresh connection (no thread) reads them back.
  const reopened = await openSqliteStore({ path });
  assert.equal((await reopened.queryAudit({ account: '123456789012' })).events.length, 3);
  await reopened.close();
});

test('audit thread: close waits for the batch in flight', async () => {
  const path = freshFile();
  const store = await openSqliteStore({ path, auditThread: true });
  const pending = store.appendAudit(event('late'));
  await store.close();
  await pending;
  const reopened = await openSqliteStore({ path });
  assert.deepEqual(
    (await reopened.queryAudit({ account: '123456789012' })).events.map((e) => e.eventId),
    ['late'],
  );
  await reopened.close();
});

test("audit thread: its batches are not another process's writes — caches stay; a real one still flushes them", async () => {
  const path = freshFile();
  const store = await openSqliteStore({ path, auditThread: true, externalCheckMs: 50 });
  const other = await openSqliteStore({ path, externalCheckMs: 50 });
  try {
    const seen: StoreChange[] = [];
    store.onChange((change) => seen.push(change));
    // The thread commits on its own connection, which moves the store's PRAGMA data_version.
    for (let i = 0; i < 5; i++) {
      await store.appendAudit(event(`batch-${i}`));
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    assert.deepEqual(seen, []);
    assert.equal((await store.queryAudit({ account: '123456789012' })).events.length, 5);

    await other.transact((tx) => tx.putMeta('m', 'theirs'));
    await eventually(() => seen.length > 0);
    assert.deepEqual(seen, [WILDCARD]);
    assert.equal(await store.getMeta('m'), 'theirs');
  } finally {
    await other.close();
    await store.close();
  }
});
