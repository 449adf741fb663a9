/**
 * Versioned schema migrations, applied in order at open. Each runs once, inside the same
 * `BEGIN IMMEDIATE` transaction that records it in `schema_migrations`, so two processes opening the
 * same file at once cannot both apply it. Never edit a released migration; append a new one.
 */
import type Database from 'better-sqlite3';

/** One numbered migration. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** Every migration, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'accounts, entities, meta, audit',
    sql: `
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        alias TEXT UNIQUE,
        body TEXT NOT NULL
      ) STRICT;
      CREATE TABLE entities (
        account TEXT NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        idx TEXT,
        body TEXT NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (account, kind, key)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX entities_by_index ON entities (account, kind, idx, key);
      CREATE TABLE meta (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
      CREATE TABLE audit (
        event_id TEXT PRIMARY KEY,
        event_time INTEGER NOT NULL,
        account TEXT NOT NULL,
        event_name TEXT NOT NULL,
        event_source TEXT NOT NULL,
        request_id TEXT NOT NULL,
        read_only INTEGER NOT NULL,
        username TEXT,
        access_key_id TEXT,
        error_code TEXT,
        resources TEXT NOT NULL,
        record TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_by_time ON audit (event_time, event_id);
      CREATE INDEX audit_by_account ON audit (account, event_time, event_id);
      CREATE INDEX audit_by_name ON audit (event_name, event_time, event_id);
      CREATE INDEX audit_by_username ON audit (username, event_time, event_id);
      CREATE INDEX audit_by_access_key ON audit (access_key_id, event_time, event_id);
      CREATE INDEX audit_by_request ON audit (request_id);
      CREATE TABLE audit_resources (
        event_id TEXT NOT NULL,
        type TEXT NOT NULL,
        name TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_resources_by_name ON audit_resources (name, type);
      CREATE INDEX audit_resources_by_type ON audit_resources (type);
      CREATE INDEX audit_resources_by_event ON audit_resources (event_id);
    `,
  },
  {
    version: 2,
    // src/store/sqlite/audit-keys.ts: one key row per attribute value and 10-second bucket replaces
    // the per-event lookup indexes and the per-resource rows. 10000 is AUDIT_KEY_BUCKET_MS.
    description: 'audit lookups by bucket keys',
    sql: `
      CREATE TABLE audit_keys (
        attr TEXT NOT NULL,
        value TEXT NOT NULL,
        bucket INTEGER NOT NULL,
        PRIMARY KEY (attr, value, bucket)
      ) STRICT, WITHOUT ROWID;
      INSERT OR IGNORE INTO audit_keys SELECT 'account', account, event_time / 10000 FROM audit;
      INSERT OR IGNORE INTO audit_keys SELECT 'name', event_name, event_time / 10000 FROM audit;
      INSERT OR IGNORE INTO audit_keys SELECT 'source', event_source, event_time / 10000 FROM audit;
      INSERT OR IGNORE INTO audit_keys
        SELECT 'username', username, event_time / 10000 FROM audit WHERE username IS NOT NULL;
      INSERT OR IGNORE INTO audit_keys
        SELECT 'key', access_key_id, event_time / 10000 FROM audit WHERE access_key_id IS NOT NULL;
      INSERT OR IGNORE INTO audit_keys
        SELECT 'resource', r.name, a.event_time / 10000 FROM audit_resources r JOIN audit a USING (event_id);
      INSERT OR IGNORE INTO audit_keys
        SELECT 'type', r.type, a.event_time / 10000 FROM audit_resources r JOIN audit a USING (event_id);
      DROP INDEX audit_by_account;
      DROP INDEX audit_by_name;
      DROP INDEX audit_by_username;
      DROP INDEX audit_by_access_key;
      DROP TABLE audit_resources;
    `,
  },
  {
    // Version 3 is taken by a concurrent change; the runner skips gaps (versions only grow).
    version: 4,
    // One row per committed write transaction (see src/store/index.ts `transact`), as in PostgreSQL.
    description: 'commit markers (exactly-once commit outcome)',
    sql: `
      CREATE TABLE commit_markers (
        id TEXT PRIMARY KEY,
        request_id TEXT,
        created_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX commit_markers_by_time ON commit_markers (created_at);
    `,
  },
];

/**
 * Brings `db` up to the newest schema. Throws when the file was written by a newer iamd (its schema
 * version is beyond the last migration known here): running old code on a newer schema could corrupt it.
 */
export function migrate(db: Database.Database): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)',
  );
  const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  db.exec('BEGIN IMMEDIATE');
  try {
    const current =
      (db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number | null) ?? 0;
    if (current > latest) {
      throw new Error(
        `the database schema is version ${current} but this iamd knows only up to ${latest}; upgrade iamd`,
      );
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      record.run(migration.version, Date.now());
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
