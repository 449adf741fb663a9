/**
 * The messages between the SQLite store and its audit writer thread (audit-worker.ts): events travel
 * already serialised (their JSON is needed anyway), so posting them copies strings, not object graphs.
 */
import type { AuditRecord } from '../index.js';

/** What the worker needs to open its own connection to the store's file. */
export interface AuditWorkerData {
  readonly path: string;
  readonly busyTimeoutMs: number;
  /** A throwaway store skips disk flushes, as its main connection does. */
  readonly ephemeral: boolean;
}

/** The `audit` columns of one event, in the insert statement's order. */
export type AuditColumns = [
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
];

/**
 * A batch to insert in one transaction: the rows' columns back to back, {@link AUDIT_COLUMNS} per
 * event, in one flat array — a posted message is copied value by value, and one array of values costs
 * less to copy than an object and two arrays per event. The worker recovers each event's resources
 * from its `resources` column (JSON).
 */
export interface AuditBatchRequest {
  readonly id: number;
  readonly values: readonly AuditColumns[number][];
}

/** How many values each event takes in {@link AuditBatchRequest.values}. */
export const AUDIT_COLUMNS = 12;

/** The answer: which rows were duplicates (by index), or why the whole batch failed. */
export interface AuditBatchReply {
  readonly id: number;
  readonly conflicts: readonly number[];
  readonly error?: { readonly code: string | undefined; readonly message: string } | undefined;
}

/** Index of the `resources` column (the event's `[{type, name}]` list as JSON). */
const RESOURCES = 10;

/** Serialises `event` as its `audit` columns, in the insert statement's order (both connections). */
export function auditColumns(event: AuditRecord): AuditColumns {
  return [
    event.eventId,
    event.eventTime,
    event.account,
    event.eventName,
    event.eventSource,
    event.requestId,
    event.readOnly ? 1 : 0,
    event.username ?? null,
    event.accessKeyId ?? null,
    event.errorCode ?? null,
    event.resources.length === 0 ? '[]' : JSON.stringify(event.resources),
    JSON.stringify(event.record),
  ];
}

/** The event's resources (its `resource`/`type` lookup keys), read back from its `resources` column. */
export function auditResources(columns: AuditColumns): readonly { type: string; name: string }[] {
  const text = columns[RESOURCES];
  return text === '[]' ? [] : (JSON.parse(text) as { type: string; name: string }[]);
}
