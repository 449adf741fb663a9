/**
 * Audit-log paging shared by every store adapter: page sizes and the opaque `NextToken` (CloudTrail
 * LookupEvents API reference: events are returned newest first; `MaxResults` defaults to 50;
 * `NextToken` continues a listing).
 */
import { AwsError } from '../errors/index.js';

/** Page size when the query gives none (CloudTrail LookupEvents' default `MaxResults`). */
export const DEFAULT_AUDIT_LIMIT = 50;
/** Largest page served, whatever the query asks. */
export const MAX_AUDIT_LIMIT = 1000;

/** The position after the last event of a page: ordering is (eventTime, eventId) descending. */
export interface AuditCursor {
  readonly time: number;
  readonly id: string;
}

/** Encodes a cursor as an opaque token (base64url, so it is safe in query strings). */
export function encodeAuditToken(cursor: AuditCursor): string {
  return Buffer.from(`${cursor.time}:${cursor.id}`, 'utf8').toString('base64url');
}

/**
 * Decodes a token from {@link encodeAuditToken}; throws `InvalidParameterValue` for anything else,
 * since a forged or truncated token is the caller's input error.
 */
export function decodeAuditToken(token: string): AuditCursor {
  const text = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const match = /^(\d{1,16}):(.+)$/s.exec(text);
  if (!match || match[1] === undefined || match[2] === undefined) {
    throw new AwsError('InvalidParameterValue', `invalid pagination token \`${token}\``);
  }
  return { time: Number(match[1]), id: match[2] };
}
