/**
 * Versioned PostgreSQL schema migrations. Every node applies pending migrations when it opens the
 * store, and `iamd migrate` applies them alone. Several nodes may start at once, so the whole run holds
 * a session-level advisory lock (PostgreSQL docs, "Advisory Locks": `pg_advisory_lock` waits until the
 * holder releases it): the second node waits, then finds nothing left to do. Each migration runs in its
 * own transaction together with its `schema_migrations` row, so a failed one leaves no trace.
 * Never edit a released migration; append a new one.
 *
 * The tables mirror the SQLite schema (src/store/sqlite/migrations.ts) so both adapters share one
 * contract. Text keys use `COLLATE "C"`: the store contract orders keys in binary order, whatever the
 * database's default collation is (PostgreSQL docs, "Collation Support": the C collation compares by
 * byte values, which for UTF-8 equals code point order).
 */
import type pg from 'pg';

/** One numbered migration. */
export interface PgMigration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** The advisory-lock key that serialises migration runs (an arbitrary constant: "iamd" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x69616d64;

/** The sequence every committing write transaction advances (the consistency backstop polls it). */
export const CHANGE_SEQUENCE = 'iamd_change_seq';

/** Every migration, in order. */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    description: 'accounts, entities, meta, audit, change sequence',
    sql: `
      CREATE TABLE accounts (
        id text COLLATE "C" PRIMARY KEY,
        alias text COLLATE "C" UNIQUE,
        body text NOT NULL
      );
      CREATE TABLE entities (
        account text COLLATE "C" NOT NULL,
        kind text COLLATE "C" NOT NULL,
        key text COLLATE "C" NOT NULL,
        idx text COLLATE "C",
        body text NOT NULL,
        version integer NOT NULL,
        PRIMARY KEY (account, kind, key)
      );
      CREATE INDEX entities_by_index ON entities (account, kind, idx, key);
      CREATE TABLE meta (
        name text COLLATE "C" PRIMARY KEY,
        value text NOT NULL
      );
      CREATE TABLE audit (
        event_id text COLLATE "C" PRIMARY KEY,
        event_time bigint NOT NULL,
        account text COLLATE "C" NOT NULL,
        event_name text COLLATE "C" NOT NULL,
        event_source text COLLATE "C" NOT NULL,
        request_id text COLLATE "C" NOT NULL,
        read_only boolean NOT NULL,
        username text COLLATE "C",
        access_key_id text COLLATE "C",
        error_code text,
        resources text NOT NULL,
        record text NOT NULL
      );
      CREATE INDEX audit_by_time ON audit (event_time, event_id);
      CREATE INDEX audit_by_account ON audit (account, event_time, event_id);
      CREATE INDEX audit_by_name ON audit (event_name, event_time, event_id);
      CREATE INDEX audit_by_username ON audit (username, event_time, event_id);
      CREATE INDEX audit_by_access_key ON audit (access_key_id, event_time, event_id);
      CREATE INDEX audit_by_request ON audit (request_id);
      CREATE TABLE audit_resources (
        event_id text COLLATE "C" NOT NULL,
        type text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL
      );
      CREATE INDEX audit_resources_by_name ON audit_resources (name, type);
      CREATE INDEX audit_resources_by_type ON audit_resources (type);
      CREATE INDEX audit_resources_by_event ON audit_resources (event_id);
      CREATE SEQUENCE ${CHANGE_SEQUENCE};
    `,
  },
  {
    // Version 2 is taken by a concurrent change; the runner skips gaps (versions only grow).
    version: 3,
    // One row per committed write transaction (its marker, see src/store/index.ts `transact`), or per
    // fenced unknown commit (request_id NULL). Pruned after COMMIT_MARKER_RETENTION_MS.
    description: 'commit markers (exactly-once commit outcome)',
    sql: `
      CREATE TABLE iamd_commit_markers (
        id text COLLATE "C" PRIMARY KEY,
        request_id text COLLATE "C",
        created_at bigint NOT NULL
      );
      CREATE INDEX iamd_commit_markers_by_time ON iamd_commit_markers (created_at);
    `,
  },
];

/** The newest schema version this code knows. */
export const LATEST_PG_VERSION = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]?.version ?? 0;

/** What a migration run did. */
export interface MigrationResult {
  /** The schema version found before the run. */
  readonly from: number;
  /** The schema version after the run. */
  readonly to: number;
  /** Versions applied by this run (empty when another node got there first or nothing was pending). */
  readonly applied: readonly number[];
}

/** The message for a schema written by a newer iamd (the same text as the SQLite adapter's). */
export function newerSchemaMessage(current: number): string {
  return `the database schema is version ${current} but this iamd knows only up to ${LATEST_PG_VERSION}; upgrade iamd`;
}

async function currentVersion(client: pg.ClientBase): Promise<number> {
  const result = await client.query<{ v: number | null }>(
    'SELECT max(version)::integer AS v FROM schema_migrations',
  );
  return result.rows[0]?.v ?? 0;
}

/**
 * Reads the schema version without changing anything (0 when iamd never ran here). Used when a node is
 * told not to migrate: it then refuses a schema that is older or newer than its own.
 */
export async function schemaVersion(client: pg.ClientBase): Promise<number> {
  const exists = await client.query<{ t: string | null }>(
    "SELECT to_regclass('schema_migrations')::text AS t",
  );
  if (exists.rows[0]?.t == null) return 0;
  return currentVersion(client);
}

/**
 * Brings the database behind `client` up to {@link LATEST_PG_VERSION} under the migration advisory
 * lock. Throws when the schema is newer than this code (running old code on it could corrupt it).
 * INVARIANT: `client` is a dedicated connection (not inside a transaction); the lock is released before
 * returning, also on failure.
 */
export async function migratePostgres(client: pg.ClientBase): Promise<MigrationResult> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)',
    );
    const from = await currentVersion(client);
    if (from > LATEST_PG_VERSION) throw new Error(newerSchemaMessage(from));
    const applied: number[] = [];
    for (const migration of PG_MIGRATIONS) {
      if (migration.version <= from) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
          migration.version,
          Date.now(),
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      applied.push(migration.version);
    }
    return { from, to: Math.max(from, LATEST_PG_VERSION), applied };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
  }
}
