/**
 * Audit lookups through bucket keys (src/store/sqlite/audit-keys.ts): whatever the keys narrow, every
 * query answers exactly what filtering the whole trail would — checked against a plain in-memory
 * reference over a trail spanning more buckets than one read of bucket numbers, with rare and common
 * values, time bounds and pagination; plus pruning, reset, and the upgrade of a schema-1 file.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AuditQuery, AuditRecord, Store } from '../../src/store/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { AUDIT_KEY_BUCKET_MS } from '../../src/store/sqlite/audit-keys.js';

const dir = mkdtempSync(join(tmpdir(), 'iamd-audit-keys-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshFile = (): string => join(dir, `store-${n++}.db`);

const T0 = 1_700_000_000_000;

/** A small deterministic generator (mulberry32), so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A trail over 600 buckets: a busy user in nearly every bucket, a rare one in a few scattered
 * buckets, events without a username, resources named by several events (and one name used with two
 * types), two accounts, and several events sharing a millisecond.
 */
function trail(): AuditRecord[] {
  const random = prng(7);
  const events: AuditRecord[] = [];
  for (let i = 0; i < 2400; i++) {
    const bucket = Math.floor(random() * 600);
    // Every fifth event lands on a millisecond another one has too.
    const time =
      T0 + bucket * AUDIT_KEY_BUCKET_MS + (i % 5 === 0 ? 0 : Math.floor(random() * AUDIT_KEY_BUCKET_MS));
    const who = random();
    const username = who < 0.02 ? 'rare' : who < 0.8 ? 'busy' : who < 0.9 ? undefined : 'other';
    const resources: { type: string; name: string }[] = [];
    if (random() < 0.3) resources.push({ type: 'AWS::IAM::Role', name: `role-${Math.floor(random() * 4)}` });
    if (random() < 0.05) resources.push({ type: 'AWS::IAM::Policy', name: 'role-1' });
    const eventName = random() < 0.5 ? 'GetRole' : random() < 0.5 ? 'ListRoles' : 'CreateRole';
    events.push({
      eventId: `e-${String(i).padStart(5, '0')}`,
      eventTime: time,
      account: random() < 0.9 ? '111122223333' : '444455556666',
      eventName,
      eventSource: 'iam.amazonaws.com',
      requestId: `r-${i}`,
      readOnly: eventName !== 'CreateRole',
      username,
      accessKeyId: username === 'rare' ? 'AKIARARE' : username === undefined ? undefined : 'AKIABUSY',
      resources,
      record: { eventName, i },
    });
  }
  // A bucket's first and last millisecond, for a caller seen nowhere else nearby.
  for (const [i, time] of [
    T0 + 200 * AUDIT_KEY_BUCKET_MS - 1,
    T0 + 200 * AUDIT_KEY_BUCKET_MS,
    T0 + 404 * AUDIT_KEY_BUCKET_MS - 1,
  ].entries())
    events.push({
      eventId: `edge-${i}`,
      eventTime: time,
      account: '111122223333',
      eventName: 'GetUser',
      eventSource: 'iam.amazonaws.com',
      requestId: `edge-r-${i}`,
      readOnly: true,
      username: 'rare',
      accessKeyId: 'AKIARARE',
      resources: [{ type: 'AWS::IAM::User', name: 'edge' }],
      record: { eventName: 'GetUser' },
    });
  return events;
}

/** What a query must answer: the whole trail filtered, newest first (ties by event id, descending). */
function reference(events: readonly AuditRecord[], q: AuditQuery): string[] {
  return events
    .filter(
      (e) =>
        (q.account === undefined || e.account === q.account) &&
        (q.eventName === undefined || e.eventName === q.eventName) &&
        (q.eventSource === undefined || e.eventSource === q.eventSource) &&
        (q.username === undefined || e.username === q.username) &&
        (q.accessKeyId === undefined || e.accessKeyId === q.accessKeyId) &&
        (q.readOnly === undefined || e.readOnly === q.readOnly) &&
        (q.startTime === undefined || e.eventTime >= q.startTime) &&
        (q.endTime === undefined || e.eventTime <= q.endTime) &&
        (q.resourceName === undefined && q.resourceType === undefined
          ? true
          : e.resources.some(
              (r) =>
                (q.resourceName === undefined || r.name === q.resourceName) &&
                (q.resourceType === undefined || r.type === q.resourceType),
            )),
    )
    .sort((a, b) => b.eventTime - a.eventTime || (a.eventId < b.eventId ? 1 : -1))
    .map((e) => e.eventId);
}

/** Every page of a query, concatenated. */
async function allPages(store: Store, q: AuditQuery): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.queryAudit({ ...q, nextToken });
    ids.push(...page.events.map((e) => e.eventId));
    nextToken = page.nextToken;
    if (nextToken === undefined) return ids;
  }
  throw new Error('pagination did not end');
}

const QUERIES: AuditQuery[] = [
  { username: 'rare' },
  { username: 'rare', limit: 3 },
  { username: 'busy', limit: 250 },
  { username: 'nobody' },
  { accessKeyId: 'AKIARARE', limit: 7 },
  { account: '444455556666', limit: 40 },
  { account: '111122223333', username: 'other', eventName: 'CreateRole', limit: 9 },
  { resourceName: 'role-1', limit: 25 },
  { resourceName: 'role-1', resourceType: 'AWS::IAM::Policy' },
  { resourceType: 'AWS::IAM::Policy', resourceName: 'role-2' },
  { resourceName: 'edge' },
  { resourceType: 'AWS::IAM::Role', limit: 100 },
  { eventName: 'ListRoles', readOnly: true, limit: 60 },
  { eventSource: 'iam.amazonaws.com', limit: 500 },
  {
    username: 'rare',
    startTime: T0 + 100 * AUDIT_KEY_BUCKET_MS + 1234,
    endTime: T0 + 450 * AUDIT_KEY_BUCKET_MS - 1,
  },
  { username: 'busy', startTime: T0 + 599 * AUDIT_KEY_BUCKET_MS, limit: 2 },
  { username: 'busy', endTime: T0 + 2 * AUDIT_KEY_BUCKET_MS, limit: 4 },
  { limit: 333 },
];

async function fill(store: Store, events: readonly AuditRecord[]): Promise<void> {
  // In transactions (the main connection) and through the group-committing path (the audit thread).
  await store.transact(async (tx) => {
    for (const e of events.slice(0, 600)) await tx.appendAudit(e);
  });
  await Promise.all(events.slice(600).map((e) => store.appendAudit(e)));
}

for (const auditThread of [false, true]) {
  test(`audit keys (${auditThread ? 'audit thread' : 'main connection'}): every lookup answers what the whole trail filtered does`, async () => {
    const events = trail();
    const store = await openSqliteStore({ path: freshFile(), auditThread });
    try {
      await fill(store, events);
      for (const q of QUERIES) {
        assert.deepEqual(await allPages(store, q), reference(events, q), JSON.stringify(q));
      }
      // An event id or request id finds its event whatever else is asked.
      const page = await store.queryAudit({ requestId: 'r-17', username: events[17]!.username });
      assert.deepEqual(
        page.events.map((e) => e.eventId),
        [events[17]!.eventId],
      );
    } finally {
      await store.close();
    }
  });
}

test('audit keys: pruning drops old buckets and later lookups still answer exactly', async () => {
  const events = trail();
  const store = await openSqliteStore({ path: freshFile(), auditThread: true });
  try {
    await fill(store, events);
    // A cut inside a bucket: that bucket's earlier events go, its keys stay (its later events need them).
    const cut = T0 + 300 * AUDIT_KEY_BUCKET_MS + 4321;
    const removed = await store.pruneAudit(cut);
    const kept = events.filter((e) => e.eventTime >= cut);
    assert.equal(removed, events.length - kept.length);
    for (const q of QUERIES)
      assert.deepEqual(await allPages(store, q), reference(kept, q), JSON.stringify(q));
  } finally {
    await store.close();
  }
});

test('audit keys: after a reset, new events in the same buckets are found again', async () => {
  const events = trail().slice(0, 300);
  const store = await openSqliteStore({ path: freshFile(), auditThread: true });
  try {
    await fill(store, events);
    await store.clear();
    assert.deepEqual(await allPages(store, { username: 'busy' }), []);
    const again = events.map((e) => ({ ...e, eventId: `again-${e.eventId}` }));
    await Promise.all(again.map((e) => store.appendAudit(e)));
    for (const q of QUERIES)
      assert.deepEqual(await allPages(store, q), reference(again, q), JSON.stringify(q));
  } finally {
    await store.close();
  }
});

test('audit keys: a schema-1 file is upgraded with its trail still found by every attribute', async () => {
  const events = trail();
  const path = freshFile();
  // Schema 1 as an older iamd wrote it: per-event lookup indexes and an audit_resources table.
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  db.exec(MIGRATIONS[0]!.sql);
  db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (1, ?)').run(Date.now());
  const insert = db.prepare(
    `INSERT INTO audit (event_id, event_time, account, event_name, event_source, request_id, read_only,
       username, access_key_id, error_code, resources, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertResource = db.prepare('INSERT INTO audit_resources (event_id, type, name) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const e of events) {
      insert.run(
        e.eventId,
        e.eventTime,
        e.account,
        e.eventName,
        e.eventSource,
        e.requestId,
        e.readOnly ? 1 : 0,
        e.username ?? null,
        e.accessKeyId ?? null,
        null,
        JSON.stringify(e.resources),
        JSON.stringify(e.record),
      );
      for (const r of e.resources) insertResource.run(e.eventId, r.type, r.name);
    }
  })();
  db.close();

  const store = await openSqliteStore({ path, auditThread: true });
  try {
    for (const q of QUERIES)
      assert.deepEqual(await allPages(store, q), reference(events, q), JSON.stringify(q));
  } finally {
    await store.close();
  }
  const upgraded = new Database(path, { readonly: true });
  try {
    const tables = upgraded
      .prepare("SELECT name FROM sqlite_master WHERE name LIKE 'audit%' ORDER BY name")
      .pluck()
      .all();
    assert.deepEqual(tables, ['audit', 'audit_by_request', 'audit_by_time', 'audit_keys']);
  } finally {
    upgraded.close();
  }
});
