/**
 * Runs the store conformance suite against SQLite (a temporary file and `:memory:`), plus what only a
 * file can show: durability across reopen, and commits by another process being noticed.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  COMMIT_MARKER_RETENTION_MS,
  StoreUnavailable,
  type AuditRecord,
  type Store,
  type StoreChange,
} from '../../src/store/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { openMemoryStore } from '../../src/store/memory/index.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { exerciseStore } from './conformance.js';
import { eventually, WILDCARD } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'iamd-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshFile = (): string => join(dir, `store-${n++}.db`);
const auditEvent = (eventId: string): AuditRecord => ({
  eventId,
  eventTime: 1,
  account: '123456789012',
  eventName: 'CreateRole',
  eventSource: 'iam.amazonaws.com',
  requestId: `r-${eventId}`,
  readOnly: false,
  resources: [],
  record: {},
});

/**
 * Two stores on one fresh file, as the server and another process writing the same data directory
 * (`iamd accounts create --data DIR`), both looking for the other's commits every `externalCheckMs`;
 * closed after `fn`.
 */
async function twoProcesses(
  externalCheckMs: number,
  fn: (server: Store, cli: Store) => Promise<void>,
): Promise<void> {
  const path = freshFile();
  const server = await openSqliteStore({ path, externalCheckMs });
  const cli = await openSqliteStore({ path, externalCheckMs });
  try {
    await fn(server, cli);
  } finally {
    await cli.close();
    await server.close();
  }
}

exerciseStore('sqlite file', () => openSqliteStore({ path: freshFile() }));
exerciseStore('sqlite :memory:', () => openSqliteStore({ path: ':memory:' }));
exerciseStore('memory', () => openMemoryStore());

test('sqlite file: committed data survives close and reopen', async () => {
  const path = freshFile();
  const first = await openSqliteStore({ path });
  await first.transact(async (tx) => {
    await tx.putAccount({ id: '123456789012', createdAt: 7, alias: 'durable' });
    await tx.insert('123456789012', 'role', 'r', { arn: 'x' }, 'idx');
    await tx.putMeta('keyring', 'sealed');
  });
  await first.appendAudit(auditEvent('e'));
  await first.close();
  const second = await openSqliteStore({ path });
  try {
    assert.equal((await second.getAccountByAlias('durable'))?.id, '123456789012');
    assert.deepEqual(await second.get('123456789012', 'role', 'r'), {
      account: '123456789012',
      kind: 'role',
      key: 'r',
      index: 'idx',
      body: { arn: 'x' },
      version: 1,
    });
    assert.equal(await second.getMeta('keyring'), 'sealed');
    assert.equal((await second.queryAudit({})).events.length, 1);
  } finally {
    await second.close();
  }
});

test('sqlite file: WAL, synchronous=FULL and the migration record are in place', async () => {
  const path = freshFile();
  const store = await openSqliteStore({ path });
  await store.close();
  const db = new Database(path, { readonly: true });
  try {
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    assert.deepEqual(
      versions,
      MIGRATIONS.map((m) => m.version),
    );
  } finally {
    db.close();
  }
  // Reopening applies nothing twice.
  const again = await openSqliteStore({ path });
  await again.close();
});

test('sqlite file: a commit marker per committed write transaction, none for reads or rollbacks (issue #22)', async () => {
  const path = freshFile();
  const store = await openSqliteStore({ path });
  try {
    await store.transact(async (tx) => tx.insert('123456789012', 'user', 'alice', {}), {
      requestId: 'req-1',
    });
    await store.transact(async (tx) => tx.putMeta('m', 'v')); // no request id
    await store.transact(async (tx) => tx.get('123456789012', 'user', 'alice'), { requestId: 'req-read' });
    await assert.rejects(
      store.transact(
        async (tx) => {
          await tx.insert('123456789012', 'user', 'bob', {});
          throw new Error('handler failed');
        },
        { requestId: 'req-rolled-back' },
      ),
      { message: 'handler failed' },
    );
  } finally {
    await store.close();
  }
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare('SELECT id, request_id AS requestId, created_at AS createdAt FROM commit_markers')
      .all() as { id: string; requestId: string | null; createdAt: number }[];
    assert.deepEqual(rows.map((r) => r.requestId).sort(), ['req-1', null].sort());
    for (const r of rows) {
      assert.match(r.id, /^[0-9a-f-]{36}$/);
      assert.ok(Math.abs(r.createdAt - Date.now()) < 60_000);
    }
  } finally {
    db.close();
  }
});

test('sqlite file: commit markers older than the retention are pruned by later writes', async () => {
  const path = freshFile();
  await (await openSqliteStore({ path })).close();
  const old = Date.now() - COMMIT_MARKER_RETENTION_MS - 1000;
  const db = new Database(path);
  db.prepare('INSERT INTO commit_markers (id, request_id, created_at) VALUES (?, ?, ?)').run('old', 'x', old);
  db.prepare('INSERT INTO commit_markers (id, request_id, created_at) VALUES (?, ?, ?)').run(
    'recent',
    'y',
    Date.now() - COMMIT_MARKER_RETENTION_MS + 60_000,
  );
  db.close();
  const store = await openSqliteStore({ path });
  await store.transact(async (tx) => tx.putMeta('m', 'v'), { requestId: 'z' });
  await store.close();
  const check = new Database(path, { readonly: true });
  try {
    const ids = check.prepare('SELECT request_id FROM commit_markers ORDER BY request_id').pluck().all();
    assert.deepEqual(ids, ['y', 'z']);
  } finally {
    check.close();
  }
});

test('sqlite file: a schema newer than this code is refused', async () => {
  const path = freshFile();
  await (await openSqliteStore({ path })).close();
  const db = new Database(path);
  db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)').run(999);
  db.close();
  await assert.rejects(openSqliteStore({ path }), {
    message: `the database schema is version 999 but this iamd knows only up to ${MIGRATIONS[MIGRATIONS.length - 1]?.version}; upgrade iamd`,
  });
});

test('sqlite file: an unopenable path is StoreUnavailable', async () => {
  const path = join(dir, 'no-such-dir', 'x.db');
  await assert.rejects(openSqliteStore({ path }), (error: unknown) => {
    assert.ok(error instanceof StoreUnavailable);
    assert.match(error.message, /^cannot open the SQLite database `.*no-such-dir.*x\.db`: /);
    return true;
  });
});

test('sqlite file: a commit by another connection emits the wildcard change; own commits do not', () =>
  twoProcesses(50, async (server, cli) => {
    const seen: StoreChange[] = [];
    server.onChange((change) => seen.push(change));
    await server.transact((tx) => tx.insert('111111111111', 'user', 'own', {}));
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.deepEqual(seen, [{ account: '111111111111', kind: 'user', key: 'own' }]);

    seen.length = 0;
    await cli.transact((tx) => tx.putAccount({ id: '222222222222', createdAt: 1 }));
    // The server sees the committed data at once (its reads use a fresh WAL snapshot) …
    assert.equal((await server.getAccount('222222222222'))?.id, '222222222222');
    // … and its caches are told within a check interval, by the timer even without reads.
    await eventually(() => seen.length > 0);
    assert.deepEqual(seen, [WILDCARD]);
  }));

test('sqlite file: another connection appending audit events only does not flush caches; its clear does', () =>
  twoProcesses(50, async (server, cli) => {
    const seen: StoreChange[] = [];
    server.onChange((change) => seen.push(change));
    await cli.appendAudit(auditEvent('from-cli'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.deepEqual(seen, [], 'an audit append is not a change to cached data');
    assert.equal((await server.queryAudit({})).events.length, 1);

    await cli.clear();
    await eventually(() => seen.length > 0);
    assert.deepEqual(seen, [WILDCARD]);
  }));

test("sqlite file: an own commit that finds another process's write since the last look flushes caches at once", () =>
  // No timed look during the test: only the own commit can notice the other write.
  twoProcesses(60_000, async (server, cli) => {
    const account = '111111111111';
    await server.transact((tx) => tx.insert(account, 'user', 'u', { v: 1 }));
    assert.equal((await server.get<{ v: number }>(account, 'user', 'u'))?.body.v, 1);
    await cli.transact((tx) => tx.update(account, 'user', 'u', { v: 2 }));
    // Still the cached value: nothing has looked yet.
    assert.equal((await server.get<{ v: number }>(account, 'user', 'u'))?.body.v, 1);
    const seen: StoreChange[] = [];
    server.onChange((change) => seen.push(change));
    await server.transact((tx) => tx.insert(account, 'user', 'mine', {}));
    assert.deepEqual(seen, [WILDCARD, { account, kind: 'user', key: 'mine' }]);
    assert.equal((await server.get<{ v: number }>(account, 'user', 'u'))?.body.v, 2);
  }));

test('sqlite file: entity and meta reads are cached, entities frozen; both follow own commits at once, others within a check', () =>
  twoProcesses(50, async (server, cli) => {
    const account = '111111111111';
    assert.equal(await server.get(account, 'user', 'u'), undefined);
    await server.transact((tx) => tx.insert(account, 'user', 'u', { v: 1, tags: [{ k: 'a' }] }));
    // This process's commit replaces the cached absence before transact resolves.
    const first = await server.get<{ v: number; tags: { k: string }[] }>(account, 'user', 'u');
    assert.equal(first?.body.v, 1);
    // What the cache hands out cannot be changed by one caller under the next one's feet.
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first?.body) && Object.isFrozen(first?.body.tags[0]));
    assert.throws(() => {
      (first!.body as { v: number }).v = 2;
    }, TypeError);
    assert.equal((await server.get<{ v: number }>(account, 'user', 'u'))?.body.v, 1);

    // Another process's commit: seen once the server notices it (the wildcard change), within a check.
    assert.equal(await server.get(account, 'user', 'other'), undefined);
    await cli.transact((tx) => tx.insert(account, 'user', 'other', { v: 3 }));
    let seen: unknown;
    await eventually(async () => (seen = await server.get(account, 'user', 'other')) !== undefined);
    assert.deepEqual((seen as { body: unknown }).body, { v: 3 });

    // Meta values the same way: own writes at once, another process's within a check.
    assert.equal(await server.getMeta('m'), undefined);
    await server.transact((tx) => tx.putMeta('m', 'mine'));
    assert.equal(await server.getMeta('m'), 'mine');
    await cli.transact((tx) => tx.putMeta('m', 'theirs'));
    await eventually(async () => (await server.getMeta('m')) === 'theirs');
  }));

test('sqlite file: a slow transaction does not block reads of committed data', async () => {
  const store = await openSqliteStore({ path: freshFile() });
  try {
    await store.transact((tx) => tx.insert('111111111111', 'user', 'a', { v: 1 }));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = store.transact(async (tx) => {
      await tx.update('111111111111', 'user', 'a', { v: 2 });
      await gate;
    });
    // Answers while the transaction is still open, with the committed version.
    const read = await store.get<{ v: number }>('111111111111', 'user', 'a');
    assert.deepEqual(read?.body, { v: 1 });
    release();
    await slow;
    assert.deepEqual((await store.get('111111111111', 'user', 'a'))?.body, { v: 2 });
  } finally {
    await store.close();
  }
});
