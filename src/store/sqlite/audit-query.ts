/**
 * Audit-log queries: newest first, CloudTrail `LookupEvents`-style filters, keyset pagination.
 * (CloudTrail LookupEvents API reference: events are returned newest first; `MaxResults` defaults to
 * 50; `NextToken` continues a listing.)
 */
import { AwsError } from '../../errors/index.js';
import type { AuditPage, AuditQuery } from '../index.js';
import { toAudit, type AuditRow, type ReadStatements } from './rows.js';

/** Page size when the query gives none (CloudTrail LookupEvents' default `MaxResults`). */
export const DEFAULT_AUDIT_LIMIT = 50;
/** Largest page served, whatever the query asks. */
export const MAX_AUDIT_LIMIT = 1000;

/** The position after the last event of a page: ordering is (eventTime, eventId) descending. */
interface Cursor {
  readonly time: number;
  readonly id: string;
}

/** Encodes a cursor as an opaque token (base64url, so it is safe in query strings). */
export function encodeAuditToken(cursor: Cursor): string {
  return Buffer.from(`${cursor.time}:${cursor.id}`, 'utf8').toString('base64url');
}

/**
 * Decodes a token from {@link encodeAuditToken}; throws `InvalidParameterValue` for anything else,
 * since a forged or truncated token is the caller's input error.
 */
export function decodeAuditToken(token: string): Cursor {
  const text = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const match = /^(\d{1,16}):(.+)$/s.exec(text);
  if (!match || match[1] === undefined || match[2] === undefined) {
    throw new AwsError('InvalidParameterValue', `invalid pagination token \`${token}\``);
  }
  return { time: Number(match[1]), id: match[2] };
}

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
      conditions.push('name = ?');
      params.push(query.resourceName);
    }
    if (query.resourceType !== undefined) {
      conditions.push('type = ?');
      params.push(query.resourceType);
    }
    where.push(`event_id IN (SELECT event_id FROM audit_resources WHERE ${conditions.join(' AND ')})`);
  }
  if (query.nextToken !== undefined) {
    const cursor = decodeAuditToken(query.nextToken);
    where.push('(event_time < ? OR (event_time = ? AND event_id < ?))');
    params.push(cursor.time, cursor.time, cursor.id);
  }
  const limit = Math.min(MAX_AUDIT_LIMIT, Math.max(1, Math.floor(query.limit ?? DEFAULT_AUDIT_LIMIT)));
  const sql =
    'SELECT * FROM audit' +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ' ORDER BY event_time DESC, event_id DESC LIMIT ?';
  // One more than asked tells whether another page exists, so the last page carries no token.
  const rows = statements.dynamic(sql).all(...params, limit + 1) as AuditRow[];
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
