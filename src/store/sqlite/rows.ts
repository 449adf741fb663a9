/**
 * Row shapes and row → record conversions, plus the prepared statements of one connection.
 * Statements are prepared once per connection and reused: better-sqlite3 then spends a few
 * microseconds per keyed read.
 */
import type Database from 'better-sqlite3';
import type { AccountRecord, AuditRecord, Entity, EntityKind, ListOptions } from '../index.js';
import { INSERT_AUDIT_KEY } from './audit-keys.js';

/**
 * The `meta` row counting committed writes to what this store's caches hold (entities, accounts, meta
 * values): every write transaction but the audit trail's adds one. `PRAGMA data_version` says only that
 * another connection committed something — the audit writer thread's batches included, several times a
 * second under load — so a process compares this count to decide whether that was a change to cached
 * data (flush) or only audit events (keep the caches).
 */
export const WRITE_GENERATION = 'iamd.store.write-generation';

/** An `entities` row as read back (the key columns are known to the caller). */
export interface EntityRow {
  readonly key: string;
  readonly idx: string | null;
  readonly body: string;
  readonly version: number;
}

/** An `audit` row. */
export interface AuditRow {
  readonly event_id: string;
  readonly event_time: number;
  readonly account: string;
  readonly event_name: string;
  readonly event_source: string;
  readonly request_id: string;
  readonly read_only: number;
  readonly username: string | null;
  readonly access_key_id: string | null;
  readonly error_code: string | null;
  readonly resources: string;
  readonly record: string;
}

/** Turns a row into an {@link Entity}; the body is parsed afresh each time, so callers may not share it. */
export function toEntity<T>(account: string, kind: EntityKind, row: EntityRow): Entity<T> {
  return {
    account,
    kind,
    key: row.key,
    index: row.idx,
    body: JSON.parse(row.body) as T,
    version: row.version,
  };
}

/** Turns an `audit` row back into the {@link AuditRecord} that was appended (absent optionals stay absent). */
export function toAudit(row: AuditRow): AuditRecord {
  const event: { -readonly [K in keyof AuditRecord]: AuditRecord[K] } = {
    eventId: row.event_id,
    eventTime: row.event_time,
    account: row.account,
    eventName: row.event_name,
    eventSource: row.event_source,
    requestId: row.request_id,
    readOnly: row.read_only === 1,
    resources: JSON.parse(row.resources) as AuditRecord['resources'],
    record: JSON.parse(row.record) as AuditRecord['record'],
  };
  if (row.username !== null) event.username = row.username;
  if (row.access_key_id !== null) event.accessKeyId = row.access_key_id;
  if (row.error_code !== null) event.errorCode = row.error_code;
  return event;
}

/** The read statements of one connection. */
export class ReadStatements {
  readonly getEntity: Database.Statement<[string, string, string], EntityRow>;
  readonly countEntities: Database.Statement<[string, string], number>;
  readonly getAccount: Database.Statement<[string], string>;
  readonly getAccountByAlias: Database.Statement<[string], string>;
  readonly listAccounts: Database.Statement<[], string>;
  readonly getMeta: Database.Statement<[string], string>;
  /** The {@link WRITE_GENERATION} count (undefined before the first counted write). */
  readonly writeGeneration: Database.Statement<[], string>;
  readonly #db: Database.Database;
  /** Statements built from a query shape (list filters, audit filters), keyed by their SQL. */
  readonly #dynamic = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
    this.getEntity = db.prepare(
      'SELECT key, idx, body, version FROM entities WHERE account = ? AND kind = ? AND key = ?',
    );
    this.countEntities = db
      .prepare<[string, string], number>('SELECT count(*) FROM entities WHERE account = ? AND kind = ?')
      .pluck();
    this.getAccount = db.prepare<[string], string>('SELECT body FROM accounts WHERE id = ?').pluck();
    this.getAccountByAlias = db
      .prepare<[string], string>('SELECT body FROM accounts WHERE alias = ?')
      .pluck();
    this.listAccounts = db.prepare<[], string>('SELECT body FROM accounts ORDER BY id').pluck();
    this.getMeta = db.prepare<[string], string>('SELECT value FROM meta WHERE name = ?').pluck();
    this.writeGeneration = db
      .prepare<[], string>(`SELECT value FROM meta WHERE name = '${WRITE_GENERATION}'`)
      .pluck();
  }

  /** A cached statement for `sql` (a small, bounded set of shapes: one per combination of filters). */
  dynamic(sql: string): Database.Statement {
    let statement = this.#dynamic.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#dynamic.set(sql, statement);
    }
    return statement;
  }

  /** Lists entities; ordered by key in binary (code unit) order, as the contract says. */
  list(account: string, kind: EntityKind, options: ListOptions = {}): EntityRow[] {
    let sql = 'SELECT key, idx, body, version FROM entities WHERE account = ? AND kind = ?';
    const params: (string | number)[] = [account, kind];
    if (options.index !== undefined) {
      sql += ' AND idx = ?';
      params.push(options.index);
    }
    if (options.keyPrefix !== undefined && options.keyPrefix !== '') {
      // A range keeps the primary-key index usable (LIKE/GLOB would need escaping and a case rule).
      // U+10FFFF sorts after every other code point in UTF-8 binary order.
      sql += ' AND key >= ? AND key < ?';
      params.push(options.keyPrefix, options.keyPrefix + '\u{10FFFF}');
    }
    if (options.afterKey !== undefined) {
      sql += ' AND key > ?';
      params.push(options.afterKey);
    }
    sql += ' ORDER BY key LIMIT ?';
    params.push(options.limit === undefined ? -1 : Math.max(0, Math.floor(options.limit)));
    return this.dynamic(sql).all(...params) as EntityRow[];
  }

  /** Parses a stored account body. */
  static account(body: string | undefined): AccountRecord | undefined {
    return body === undefined ? undefined : (JSON.parse(body) as AccountRecord);
  }
}

/** The write statements of the write connection. */
export class WriteStatements {
  readonly insertEntity: Database.Statement<[string, string, string, string | null, string]>;
  readonly updateEntity: Database.Statement<
    [
      {
        account: string;
        kind: string;
        key: string;
        body: string;
        setIdx: number;
        idx: string | null;
        expected: number | null;
      },
    ]
  >;
  readonly deleteEntity: Database.Statement<[string, string, string]>;
  readonly putAccount: Database.Statement<[string, string | null, string]>;
  readonly deleteAccount: Database.Statement<[string]>;
  readonly deleteAccountEntities: Database.Statement<[string]>;
  readonly putMeta: Database.Statement<[string, string]>;
  readonly insertAudit: Database.Statement<
    [
      string,
      number,
      string,
      string,
      string,
      string,
      number,
      string | null,
      string | null,
      string | null,
      string,
      string,
    ]
  >;
  readonly insertAuditKey: Database.Statement<[string, string, number]>;
  readonly pruneAuditKeys: Database.Statement<[number]>;
  readonly pruneAudit: Database.Statement<[number]>;
  readonly insertMarker: Database.Statement<[string, string | null, number]>;
  readonly pruneMarkers: Database.Statement<[number]>;
  readonly dataVersion: Database.Statement<[], number>;
  /** Counts one more committed write to what caches hold; returns the new count (see {@link WRITE_GENERATION}). */
  readonly bumpWriteGeneration: Database.Statement<[], string>;

  constructor(db: Database.Database) {
    this.insertEntity = db.prepare(
      'INSERT INTO entities (account, kind, key, idx, body, version) VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT DO NOTHING',
    );
    // One statement for every update shape: `setIdx` chooses between replacing and keeping the index,
    // a null `expected` skips the version check.
    this.updateEntity = db.prepare(
      `UPDATE entities SET body = @body, idx = CASE WHEN @setIdx THEN @idx ELSE idx END, version = version + 1
       WHERE account = @account AND kind = @kind AND key = @key AND (@expected IS NULL OR version = @expected)`,
    );
    this.deleteEntity = db.prepare('DELETE FROM entities WHERE account = ? AND kind = ? AND key = ?');
    this.putAccount = db.prepare(
      'INSERT INTO accounts (id, alias, body) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET alias = excluded.alias, body = excluded.body',
    );
    this.deleteAccount = db.prepare('DELETE FROM accounts WHERE id = ?');
    this.deleteAccountEntities = db.prepare('DELETE FROM entities WHERE account = ?');
    this.putMeta = db.prepare(
      'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    );
    this.insertAudit = db.prepare(
      `INSERT INTO audit (event_id, event_time, account, event_name, event_source, request_id, read_only,
         username, access_key_id, error_code, resources, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertAuditKey = db.prepare(INSERT_AUDIT_KEY);
    // Keys of buckets wholly before the cut; the bucket the cut falls in keeps its keys (still in use).
    this.pruneAuditKeys = db.prepare('DELETE FROM audit_keys WHERE bucket < ?');
    this.pruneAudit = db.prepare('DELETE FROM audit WHERE event_time < ?');
    this.insertMarker = db.prepare(
      'INSERT INTO commit_markers (id, request_id, created_at) VALUES (?, ?, ?)',
    );
    this.pruneMarkers = db.prepare('DELETE FROM commit_markers WHERE created_at < ?');
    this.dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.bumpWriteGeneration = db
      .prepare<[], string>(
        `INSERT INTO meta (name, value) VALUES ('${WRITE_GENERATION}', '1')
         ON CONFLICT (name) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) RETURNING value`,
      )
      .pluck();
  }
}
