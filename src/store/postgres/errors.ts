/**
 * Classifies driver errors. Two classes matter to the adapter:
 * - "retry the transaction": SQLSTATE 40001 `serialization_failure` and 40P01 `deadlock_detected`
 *   (PostgreSQL docs, "Serialization Failure Handling": applications should retry the complete
 *   transaction when these occur);
 * - "the database cannot be used right now", which becomes {@link StoreUnavailable} and, on the wire,
 *   AWS's 503 `ServiceUnavailable`: socket errors, connection timeouts, class 08 (connection exception),
 *   class 53 (insufficient resources, e.g. too many connections), 57P01-57P03 (administrator or crash
 *   shutdown, "the database system is starting up"), 57014 (statement timeout) and read-only standby
 *   (25006). (PostgreSQL docs, Appendix A "PostgreSQL Error Codes".)
 */
import { StoreUnavailable } from '../index.js';

/** SQLSTATEs after which re-running the whole transaction is the documented remedy. */
const RETRYABLE = new Set(['40001', '40P01']);

/** Node socket error codes that mean the server is unreachable. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

/** Messages the `pg` driver uses for connection loss and its own timeouts (it sets no code on them). */
const DRIVER_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed|Connection closed|Cannot use a pool after calling end/i;

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** True when re-running the whole transaction may succeed (serialization failure or deadlock). */
export function isRetryable(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && RETRYABLE.has(code);
}

/** True when `error` means PostgreSQL cannot be reached or cannot serve right now. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailable) return true;
  const code = codeOf(error);
  if (code !== undefined) {
    if (SOCKET_CODES.has(code)) return true;
    if (/^(08|53)/.test(code)) return true;
    if (code === '57P01' || code === '57P02' || code === '57P03' || code === '57014' || code === '25006')
      return true;
  }
  if (error instanceof AggregateError) return error.errors.some(isUnavailable);
  return error instanceof Error && DRIVER_MESSAGES.test(error.message);
}

/**
 * Maps "cannot be used right now" to {@link StoreUnavailable} (the message names the cause but never
 * the connection string, which may hold a password); returns anything else unchanged.
 */
export function translate(error: unknown): unknown {
  if (error instanceof StoreUnavailable) return error;
  if (isUnavailable(error)) {
    const detail =
      error instanceof Error && error.message !== '' ? error.message : (codeOf(error) ?? 'unknown');
    return new StoreUnavailable(`the PostgreSQL database is unavailable: ${detail}`);
  }
  return error;
}

/** Removes the password from a connection URL, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable url)';
  }
}
