/**
 * The console's HTTP conventions: its cookies (HttpOnly, SameSite=Strict, Secure over TLS), security
 * headers (a Content Security Policy without inline scripts), JSON bodies and errors.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Session cookie name; the CSRF cookie used before sign-in. */
export const SESSION_COOKIE = 'iamd-console';
export const PRE_AUTH_COOKIE = 'iamd-console-csrf';

/** CSP: scripts, styles and fetches from this origin only; images also as data: (the MFA QR code PNG). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Parses a `Cookie` header into a null-prototype map. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** A `Set-Cookie` value for the console (Path=/console, HttpOnly, SameSite=Strict, Secure over TLS). */
export function cookie(name: string, value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${name}=${value}`,
    'Path=/console',
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** A hex colour `#rrggbb` from `#rrggbb` / `rrggbb`, else the default (AWS's switch-role colours). */
export function normaliseColor(value: unknown): string {
  const s = typeof value === 'string' ? value.trim() : '';
  const m = /^#?([0-9a-fA-F]{6})$/.exec(s);
  return m ? `#${m[1]!.toLowerCase()}` : '#2e7d32';
}

/** An error the console API answers as `{ok: false, error: {code, message}}` with `status`. */
export class ConsoleError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The request's JSON object body; a `BadRequest` ConsoleError otherwise. */
export function jsonBody(req: FastifyRequest): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(typeof req.body === 'string' && req.body !== '' ? req.body : '{}');
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ConsoleError(400, 'BadRequest', 'the request body is not a JSON object');
}

/** `v` when it is a string, else ''. */
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** True when the request came over TLS. */
export const secureOf = (req: FastifyRequest): boolean => req.protocol === 'https';

/** The security headers every console answer carries. */
export function setHeaders(reply: FastifyReply, cacheable = false): void {
  reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', cacheable ? 'no-cache' : 'no-store');
}
