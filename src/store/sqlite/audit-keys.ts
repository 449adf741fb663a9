/**
 * Bucket keys: how the SQLite store finds audit events by attribute (account, event name and source,
 * username, access key, resource name and type) without an index entry per event.
 *
 * The trail records every call, so its write cost is paid on every request. One B-tree entry per event
 * for each of six lookup attributes (and a row plus three entries per named resource) made the insert
 * of an event several times the cost of its row. Instead `audit_keys` holds one row per attribute value
 * per {@link AUDIT_KEY_BUCKET_MS}-wide time bucket in which an event with that value was recorded: a
 * busy caller adds a handful of key rows per bucket, not one per call. A lookup reads the buckets of
 * its value, newest first, and scans only those stretches of the time-ordered `audit` table, applying
 * every filter exactly to the rows themselves — so a key is a hint that never changes a query's answer,
 * only how much of the trail it reads (at most one bucket's events per bucket the value occurs in).
 */
import type { AuditColumns } from './audit-rows.js';
import { auditResources } from './audit-rows.js';

/**
 * Width of a bucket. Part of the schema: migration 2 fills `audit_keys` with this width, so a change
 * needs a migration that rebuilds the table.
 */
export const AUDIT_KEY_BUCKET_MS = 10_000;

/** The attributes events are found by, as stored in `audit_keys.attr`. */
export type AuditKeyAttr = 'account' | 'name' | 'source' | 'username' | 'key' | 'resource' | 'type';

/** One `audit_keys` row. */
export type AuditKey = readonly [attr: AuditKeyAttr, value: string, bucket: number];

/** The bucket an event time falls in. */
export function auditBucket(timeMs: number): number {
  return Math.floor(timeMs / AUDIT_KEY_BUCKET_MS);
}

/**
 * Adds the keys of one event (its `audit` columns) to `keys`, de-duplicated by their text: a batch of
 * events from the same few callers needs only a few key rows.
 */
export function collectAuditKeys(columns: AuditColumns, keys: Map<string, AuditKey>): void {
  const bucket = auditBucket(columns[1]);
  const add = (attr: AuditKeyAttr, value: string | null): void => {
    if (value === null) return;
    const id = `${attr}\u0000${bucket}\u0000${value}`;
    if (!keys.has(id)) keys.set(id, [attr, value, bucket]);
  };
  add('account', columns[2]);
  add('name', columns[3]);
  add('source', columns[4]);
  add('username', columns[7]);
  add('key', columns[8]);
  for (const r of auditResources(columns)) {
    add('resource', r.name);
    add('type', r.type);
  }
}

/** The SQL that records a key (already present is fine: keys only say "there is one here"). */
export const INSERT_AUDIT_KEY = 'INSERT OR IGNORE INTO audit_keys (attr, value, bucket) VALUES (?, ?, ?)';
