/**
 * The SQL of the PostgreSQL adapter, over an executor that is either a pooled autocommit query (reads
 * outside transactions) or one transaction's connection. Hot statements are named, so each connection
 * parses and plans them once (PostgreSQL docs, "Extended Query": a named prepared statement lasts until
 * the end of the session).
 */
import type pg from 'pg';
import type {
  AccountRecord,
  AuditPage,
  AuditQuery,
  AuditRecord,
  Entity,
  EntityKind,
  ListOptions,
} from '../index.js';
import { DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT, decodeAuditToken, encodeAuditToken } from '../audit-cursor.js';
import { toAccount, toAudit, toEntity, type PgAuditRow, type PgEntityRow } from './rows.js';

/** Runs one statement; `name` makes it a named prepared statement on the connection. */
export type Exec = <R extends pg.QueryResultRow>(
  text: string,
  values?: readonly unknown[],
  name?: string,
) => Promise<pg.QueryResult<R>>;

/** Fixed statements, by name (the name doubles as the prepared-statement name). */
export const SQL = {
  iamd_get_entity:
    'SELECT key, idx, body, version FROM entities WHERE account = $1 AND kind = $2 AND key = $3',
  iamd_count: 'SELECT count(*)::integer AS n FROM entities WHERE account = $1 AND kind = $2',
  iamd_get_account: 'SELECT body FROM accounts WHERE id = $1',
  iamd_get_account_by_alias: 'SELECT body FROM accounts WHERE alias = $1',
  iamd_list_accounts: 'SELECT body FROM accounts ORDER BY id',
  iamd_get_meta: 'SELECT value FROM meta WHERE name = $1',
  iamd_insert_entity:
    'INSERT INTO entities (account, kind, key, idx, body, version) VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT DO NOTHING',
  // One statement for every update shape: $5 chooses between replacing and keeping the index, a null
  // $7 skips the version check (lost-update protection when given).
  iamd_update_entity: `UPDATE entities SET body = $4, idx = CASE WHEN $5::boolean THEN $6::text ELSE idx END,
      version = version + 1
    WHERE account = $1 AND kind = $2 AND key = $3 AND ($7::integer IS NULL OR version = $7::integer)`,
  iamd_delete_entity: 'DELETE FROM entities WHERE account = $1 AND kind = $2 AND key = $3',
  iamd_alias_taken: 'SELECT 1 FROM accounts WHERE alias = $1 AND id <> $2',
  iamd_put_account:
    'INSERT INTO accounts (id, alias, body) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET alias = excluded.alias, body = excluded.body',
  iamd_delete_account_entities: 'DELETE FROM entities WHERE account = $1',
  iamd_delete_account: 'DELETE FROM accounts WHERE id = $1',
  iamd_put_meta:
    'INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
  // The event and its resource rows in one statement (so an autocommit append is atomic, too); the
  // count says whether the event was new.
  iamd_insert_audit: `WITH ins AS (
      INSERT INTO audit (event_id, event_time, account, event_name, event_source, request_id, read_only,
        username, access_key_id, error_code, resources, record)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
      ON CONFLICT DO NOTHING RETURNING event_id
    ), res AS (
      INSERT INTO audit_resources (event_id, type, name)
      SELECT ins.event_id, r.type, r.name FROM ins, unnest($13::text[], $14::text[]) AS r(type, name)
    )
    SELECT count(*)::integer AS n FROM ins`,
} as const;

/** Runs a fixed statement by name. */
function run<R extends pg.QueryResultRow>(
  exec: Exec,
  name: keyof typeof SQL,
  values: readonly unknown[],
): Promise<pg.QueryResult<R>> {
  return exec<R>(SQL[name], values, name);
}

/** Reads, shared by the store (pooled) and its transactions (one connection). */
export class Reads {
  /** @param exec runs one statement on the pool or on the transaction's connection. */
  constructor(readonly exec: Exec) {}

  async getAccount(id: string): Promise<AccountRecord | undefined> {
    return toAccount((await run<{ body: string }>(this.exec, 'iamd_get_account', [id])).rows[0]);
  }

  async getAccountByAlias(alias: string): Promise<AccountRecord | undefined> {
    return toAccount((await run<{ body: string }>(this.exec, 'iamd_get_account_by_alias', [alias])).rows[0]);
  }

  async listAccounts(): Promise<AccountRecord[]> {
    const result = await run<{ body: string }>(this.exec, 'iamd_list_accounts', []);
    return result.rows.map((row) => JSON.parse(row.body) as AccountRecord);
  }

  async get<T>(account: string, kind: EntityKind, key: string): Promise<Entity<T> | undefined> {
    const row = (await run<PgEntityRow>(this.exec, 'iamd_get_entity', [account, kind, key])).rows[0];
    return row === undefined ? undefined : toEntity<T>(account, kind, row);
  }

  async list<T>(account: string, kind: EntityKind, options: ListOptions = {}): Promise<Entity<T>[]> {
    let sql = 'SELECT key, idx, body, version FROM entities WHERE account = $1 AND kind = $2';
    const values: unknown[] = [account, kind];
    const param = (value: unknown): string => {
      values.push(value);
      return `$${values.length}`;
    };
    if (options.index !== undefined) sql += ` AND idx = ${param(options.index)}`;
    if (options.keyPrefix !== undefined && options.keyPrefix !== '') {
      // A range keeps the primary-key index usable; with COLLATE "C" U+10FFFF sorts after every other
      // code point (UTF-8 byte order), as in the SQLite adapter.
      sql += ` AND key >= ${param(options.keyPrefix)} AND key < ${param(options.keyPrefix + '\u{10FFFF}')}`;
    }
    if (options.afterKey !== undefined) sql += ` AND key > ${param(options.afterKey)}`;
    sql += ' ORDER BY key';
    if (options.limit !== undefined) sql += ` LIMIT ${param(Math.max(0, Math.floor(options.limit)))}`;
    const result = await this.exec<PgEntityRow>(sql, values);
    return result.rows.map((row) => toEntity<T>(account, kind, row));
  }

  async count(account: string, kind: EntityKind): Promise<number> {
    return (await run<{ n: number }>(this.exec, 'iamd_count', [account, kind])).rows[0]?.n ?? 0;
  }

  async getMeta(name: string): Promise<string | undefined> {
    return (await run<{ value: string }>(this.exec, 'iamd_get_meta', [name])).rows[0]?.value;
  }

  /** Audit query: newest first, the same filters and token format as the SQLite adapter. */
  async queryAudit(query: AuditQuery): Promise<AuditPage> {
    const where: string[] = [];
    const values: unknown[] = [];
    const param = (value: unknown): string => {
      values.push(value);
      return `$${values.length}`;
    };
    const equal = (column: string, value: string | undefined): void => {
      if (value !== undefined) where.push(`${column} = ${param(value)}`);
    };
    equal('account', query.account);
    equal('event_name', query.eventName);
    equal('event_source', query.eventSource);
    equal('username', query.username);
    equal('access_key_id', query.accessKeyId);
    equal('event_id', query.eventId);
    equal('request_id', query.requestId);
    if (query.readOnly !== undefined) where.push(`read_only = ${param(query.readOnly)}`);
    // Both bounds are inclusive.
    if (query.startTime !== undefined) where.push(`event_time >= ${param(query.startTime)}`);
    if (query.endTime !== undefined) where.push(`event_time <= ${param(query.endTime)}`);
    if (query.resourceName !== undefined || query.resourceType !== undefined) {
      // Name and type, when both given, must match the same resource of the event.
      const conditions: string[] = [];
      if (query.resourceName !== undefined) conditions.push(`name = ${param(query.resourceName)}`);
      if (query.resourceType !== undefined) conditions.push(`type = ${param(query.resourceType)}`);
      where.push(`event_id IN (SELECT event_id FROM audit_resources WHERE ${conditions.join(' AND ')})`);
    }
    if (query.nextToken !== undefined) {
      const cursor = decodeAuditToken(query.nextToken);
      const time = param(cursor.time);
      where.push(`(event_time < ${time} OR (event_time = ${time} AND event_id < ${param(cursor.id)}))`);
    }
    const limit = Math.min(MAX_AUDIT_LIMIT, Math.max(1, Math.floor(query.limit ?? DEFAULT_AUDIT_LIMIT)));
    const sql =
      'SELECT * FROM audit' +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY event_time DESC, event_id DESC LIMIT ${param(limit + 1)}`;
    // One more than asked tells whether another page exists, so the last page carries no token.
    const rows = (await this.exec<PgAuditRow>(sql, values)).rows;
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      events: page.map(toAudit),
      nextToken:
        rows.length > limit && last
          ? encodeAuditToken({ time: Number(last.event_time), id: last.event_id })
          : undefined,
    };
  }
}

/** Inserts one audit event; returns false when its id exists. */
export async function insertAudit(exec: Exec, event: AuditRecord): Promise<boolean> {
  const result = await run<{ n: number }>(exec, 'iamd_insert_audit', [
    event.eventId,
    event.eventTime,
    event.account,
    event.eventName,
    event.eventSource,
    event.requestId,
    event.readOnly,
    event.username ?? null,
    event.accessKeyId ?? null,
    event.errorCode ?? null,
    JSON.stringify(event.resources),
    JSON.stringify(event.record),
    event.resources.map((r) => r.type),
    event.resources.map((r) => r.name),
  ]);
  return (result.rows[0]?.n ?? 0) > 0;
}

/** Runs a fixed write statement by name (for the transaction handle). */
export function write(
  exec: Exec,
  name: keyof typeof SQL,
  values: readonly unknown[],
): Promise<pg.QueryResult> {
  return run(exec, name, values);
}
