/**
 * Row shapes of the PostgreSQL adapter and their conversion to store records. `bigint` columns arrive
 * from the driver as strings (it cannot know they fit a JS number); every value iamd stores there is a
 * millisecond timestamp or a sequence value, far below 2^53.
 */
import type { AccountRecord, AuditRecord, Entity, EntityKind } from '../index.js';

/** An `entities` row as read back (account and kind are known to the caller). */
export interface PgEntityRow {
  readonly key: string;
  readonly idx: string | null;
  readonly body: string;
  readonly version: number;
}

/** An `audit` row. */
export interface PgAuditRow {
  readonly event_id: string;
  readonly event_time: string;
  readonly account: string;
  readonly event_name: string;
  readonly event_source: string;
  readonly request_id: string;
  readonly read_only: boolean;
  readonly username: string | null;
  readonly access_key_id: string | null;
  readonly error_code: string | null;
  readonly resources: string;
  readonly record: string;
}

/** Turns a row into an {@link Entity}; the body is parsed afresh, so callers may change it. */
export function toEntity<T>(account: string, kind: EntityKind, row: PgEntityRow): Entity<T> {
  return {
    account,
    kind,
    key: row.key,
    index: row.idx,
    body: JSON.parse(row.body) as T,
    version: row.version,
  };
}

/** Parses a stored account body. */
export function toAccount(row: { readonly body: string } | undefined): AccountRecord | undefined {
  return row === undefined ? undefined : (JSON.parse(row.body) as AccountRecord);
}

/** Turns an `audit` row back into the {@link AuditRecord} that was appended (absent optionals stay absent). */
export function toAudit(row: PgAuditRow): AuditRecord {
  const event: { -readonly [K in keyof AuditRecord]: AuditRecord[K] } = {
    eventId: row.event_id,
    eventTime: Number(row.event_time),
    account: row.account,
    eventName: row.event_name,
    eventSource: row.event_source,
    requestId: row.request_id,
    readOnly: row.read_only,
    resources: JSON.parse(row.resources) as AuditRecord['resources'],
    record: JSON.parse(row.record) as AuditRecord['record'],
  };
  if (row.username !== null) event.username = row.username;
  if (row.access_key_id !== null) event.accessKeyId = row.access_key_id;
  if (row.error_code !== null) event.errorCode = row.error_code;
  return event;
}
