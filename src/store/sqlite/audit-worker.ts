/**
 * The SQLite audit writer thread: inserts batches of audit events (of calls that changed nothing;
 * see src/audit/writer.ts) on its own better-sqlite3 connection to the store's file, so the insert,
 * the index upkeep of the `audit` table and the commit's disk flush stay off the event loop.
 *
 * The main thread sends a batch only while holding the store's write mutex (src/store/sqlite/index.ts),
 * so this connection never competes with the main write connection for SQLite's write lock; a batch
 * is acknowledged after COMMIT, when the events are durable (as durable as the store's `synchronous`
 * setting makes any commit) and visible to the read connection (WAL: a reader sees every committed
 * transaction; SQLite docs, "Write-Ahead Logging").
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { AUDIT_COLUMNS } from './audit-rows.js';
import { collectAuditKeys, INSERT_AUDIT_KEY, type AuditKey } from './audit-keys.js';
import type { AuditBatchReply, AuditBatchRequest, AuditColumns, AuditWorkerData } from './audit-rows.js';

const port = parentPort;
if (port === null) throw new Error('audit-worker.js runs only as a worker thread');
const data = workerData as AuditWorkerData;

const db = new Database(data.path, { timeout: data.busyTimeoutMs });
// The same durability as the main connection (synchronous is per connection; SQLite docs, "PRAGMA
// synchronous"). journal_mode=WAL is a property of the file, set by the main connection.
db.pragma(data.ephemeral ? 'synchronous = OFF' : 'synchronous = FULL');
// `ON CONFLICT (event_id) DO NOTHING` turns only a duplicate event id into "no row inserted" (reported
// back as a conflict for that event alone); any other constraint failure still throws.
const insertAudit = db.prepare<AuditColumns>(
  `INSERT INTO audit (event_id, event_time, account, event_name, event_source, request_id, read_only,
     username, access_key_id, error_code, resources, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT (event_id) DO NOTHING`,
);
const insertKey = db.prepare<[string, string, number]>(INSERT_AUDIT_KEY);
const begin = db.prepare('BEGIN IMMEDIATE');
const commit = db.prepare('COMMIT');
const rollback = db.prepare('ROLLBACK');

function insertBatch(request: AuditBatchRequest): AuditBatchReply {
  const conflicts: number[] = [];
  try {
    begin.run();
    try {
      const values = request.values;
      // The batch's keys, de-duplicated: its events mostly share callers, names and buckets.
      const keys = new Map<string, AuditKey>();
      for (let at = 0, i = 0; at < values.length; at += AUDIT_COLUMNS, i++) {
        const columns = values.slice(at, at + AUDIT_COLUMNS) as AuditColumns;
        if (insertAudit.run(...columns).changes === 0) {
          conflicts.push(i);
          continue;
        }
        collectAuditKeys(columns, keys);
      }
      for (const [attr, value, bucket] of keys.values()) insertKey.run(attr, value, bucket);
      commit.run();
    } catch (error) {
      if (db.inTransaction) rollback.run();
      throw error;
    }
    return { id: request.id, conflicts };
  } catch (error) {
    const code = error instanceof Database.SqliteError ? error.code : undefined;
    return {
      id: request.id,
      conflicts: [],
      error: { code, message: error instanceof Error ? error.message : String(error) },
    };
  }
}

port.on('message', (message: AuditBatchRequest | 'close') => {
  if (message === 'close') {
    db.close();
    port.close();
    return;
  }
  port.postMessage(insertBatch(message));
});
