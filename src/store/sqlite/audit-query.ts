/**
 * Audit-log queries: newest first, CloudTrail `LookupEvents`-style filters, keyset pagination.
 * (CloudTrail LookupEvents API reference: events are returned newest first; `MaxResults` defaults to
 * 50; `NextToken` continues a listing.)
 */
import type { AuditPage, AuditQuery } from '../index.js';
import type Database from 'better-sqlite3';
import { toAudit, type AuditRow, type ReadStatements } from './rows.js';
import { AUDIT_KEY_BUCKET_MS, auditBucket, type AuditKeyAttr } from './audit-keys.js';
import { DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT, decodeAuditToken, encodeAuditToken } from '../audit-cursor.js';

/** Which lookup attribute narrows a query to buckets, most selective first (src/store/sqlite/audit-keys.ts). */
const LOOKUPS: readonly (readonly [keyof AuditQuery, AuditKeyAttr])[] = [
  ['accessKeyId', 'key'],
  ['username', 'username'],
  ['resourceName', 'resource'],
  ['eventName', 'name'],
  ['resourceType', 'type'],
  ['eventSource', 'source'],
  ['account', 'account'],
];

/** How many bucket numbers are read at a time while a lookup walks back through the trail. */
const BUCKETS_PER_READ = 256;

/** Runs `query` on the connection behind `statements`. */
export function queryAuditRows(statements: ReadStatements, query: AuditQuery): AuditPage {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const equal = (column: string, value: string | undefined): void => {
    if (value === undefined) return;
    where.push(`${column} = ?`);
    params.push(value);
  };
  equal('account', query.account);
  equal('event_name', query.eventName);
  equal('event_source', query.eventSource);
  equal('username', query.username);
  equal('access_key_id', query.accessKeyId);
  equal('event_id', query.eventId);
  equal('request_id', query.requestId);
  if (query.readOnly !== undefined) {
    where.push('read_only = ?');
    params.push(query.readOnly ? 1 : 0);
  }
  // Both bounds are inclusive.
  if (query.startTime !== undefined) {
    where.push('event_time >= ?');
    params.push(query.startTime);
  }
  if (query.endTime !== undefined) {
    where.push('event_time <= ?');
    params.push(query.endTime);
  }
  if (query.resourceName !== undefined || query.resourceType !== undefined) {
    // Name and type, when both given, must match the same resource of the event.
    const conditions: string[] = [];
    if (query.resourceName !== undefined) {
      conditions.push("json_extract(value, '$.name') = ?");
      params.push(query.resourceName);
    }
    if (query.resourceType !== undefined) {
      conditions.push("json_extract(value, '$.type') = ?");
      params.push(query.resourceType);
    }
    where.push(`EXISTS (SELECT 1 FROM json_each(audit.resources) WHERE ${conditions.join(' AND ')})`);
  }
  const cursor = query.nextToken !== undefined ? decodeAuditToken(query.nextToken) : undefined;
  if (cursor !== undefined) {
    where.push('(event_time < ? OR (event_time = ? AND event_id < ?))');
    params.push(cursor.time, cursor.time, cursor.id);
  }
  const limit = Math.min(MAX_AUDIT_LIMIT, Math.max(1, Math.floor(query.limit ?? DEFAULT_AUDIT_LIMIT)));
  // One more than asked tells whether another page exists, so the last page carries no token.
  const wanted = limit + 1;
  const select = (extra: string): Database.Statement => {
    const clauses = extra === '' ? where : [...where, extra];
    return statements.dynamic(
      'SELECT * FROM audit' +
        (clauses.length > 0 ? ` WHERE ${clauses.join(' AND ')}` : '') +
        ' ORDER BY event_time DESC, event_id DESC LIMIT ?',
    );
  };
  // An event or request id finds its few rows through its own index; a query by attribute reads the
  // buckets its value occurs in; anything else walks the time index from the newest event.
  const lookup =
    query.eventId === undefined && query.requestId === undefined
      ? LOOKUPS.find(([field]) => query[field] !== undefined)
      : undefined;
  const rows =
    lookup === undefined
      ? (select('').all(...params, wanted) as AuditRow[])
      : byBuckets(statements, lookup[1], String(query[lookup[0]]), {
          from: query.startTime,
          to: Math.min(query.endTime ?? Infinity, cursor?.time ?? Infinity),
          wanted,
          read: (fromMs, toMs, count) =>
            select('event_time >= ? AND event_time <= ?').all(...params, fromMs, toMs, count) as AuditRow[],
        });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    events: page.map(toAudit),
    nextToken:
      rows.length > limit && last
        ? encodeAuditToken({ time: last.event_time, id: last.event_id })
        : undefined,
  };
}

/**
 * Collects up to `wanted` rows, newest first, from the stretches of the trail whose buckets hold
 * `attr` = `value`: bucket numbers are read newest first, runs of consecutive buckets are read as one
 * time range, and reading stops as soon as enough rows are found. `read` applies the query's own
 * filters, so the result is exactly the unnarrowed query's.
 */
function byBuckets(
  statements: ReadStatements,
  attr: AuditKeyAttr,
  value: string,
  range: {
    readonly from: number | undefined;
    readonly to: number;
    readonly wanted: number;
    readonly read: (fromMs: number, toMs: number, count: number) => AuditRow[];
  },
): AuditRow[] {
  const buckets = statements
    .dynamic(
      'SELECT bucket FROM audit_keys WHERE attr = ? AND value = ? AND bucket >= ? AND bucket <= ? ORDER BY bucket DESC LIMIT ?',
    )
    .pluck();
  const lowest = range.from === undefined ? Number.MIN_SAFE_INTEGER : auditBucket(range.from);
  let highest = Number.isFinite(range.to) ? auditBucket(range.to) : Number.MAX_SAFE_INTEGER;
  const rows: AuditRow[] = [];
  // The run of consecutive buckets not read yet: [runLow, runHigh].
  let runHigh: number | undefined;
  let runLow = 0;
  const readRun = (): void => {
    if (runHigh === undefined) return;
    const fromMs = runLow * AUDIT_KEY_BUCKET_MS;
    const toMs = runHigh * AUDIT_KEY_BUCKET_MS + AUDIT_KEY_BUCKET_MS - 1;
    for (const row of range.read(fromMs, toMs, range.wanted - rows.length)) rows.push(row);
    runHigh = undefined;
  };
  while (rows.length < range.wanted && highest >= lowest) {
    const page = buckets.all(attr, value, lowest, highest, BUCKETS_PER_READ) as number[];
    for (const bucket of page) {
      if (runHigh !== undefined && bucket === runLow - 1) {
        runLow = bucket;
        continue;
      }
      readRun();
      if (rows.length >= range.wanted) return rows;
      runHigh = bucket;
      runLow = bucket;
    }
    if (page.length < BUCKETS_PER_READ) break;
    highest = page[page.length - 1]! - 1;
  }
  readRun();
  return rows;
}
