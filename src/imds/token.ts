/**
 * IMDSv2 session tokens. AWS's tokens are opaque, bound to the instance and expire after the TTL the
 * client asked for (1–21600 s; EC2 User Guide, "Use IMDSv2"). iamd's are stateless: the instance id and
 * expiry, MACed with a per-process key, so nothing is stored and a restart invalidates them all (on
 * AWS, too, tokens do not outlive the instance's metadata session).
 *
 * Whatever is wrong with a token — forged, altered, for another instance, expired — the caller gets the
 * same answer (401), and the MAC is compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { MAX_TOKEN_TTL_SECONDS, MIN_TOKEN_TTL_SECONDS } from './constants.js';

/** The outcome of parsing the TTL header. */
export type TtlCheck = { readonly ok: true; readonly seconds: number } | { readonly ok: false };

/**
 * Checks `X-aws-ec2-metadata-token-ttl-seconds`: a whole number of seconds in 1–21600. Missing or anything
 * else is AWS's "400 - Missing or Invalid Parameters" (EC2 User Guide, "Query responses and error messages").
 */
export function checkTtl(header: string | undefined): TtlCheck {
  if (header === undefined || !/^\d{1,6}$/.test(header.trim())) return { ok: false };
  const seconds = Number(header.trim());
  if (seconds < MIN_TOKEN_TTL_SECONDS || seconds > MAX_TOKEN_TTL_SECONDS) return { ok: false };
  return { ok: true, seconds };
}

function mac(key: Uint8Array, payload: string): Buffer {
  return createHmac('sha256', key).update(payload).digest();
}

/** Issues a token for `instanceId` valid for `ttlSeconds` from `nowMs`. */
export function issueToken(key: Uint8Array, instanceId: string, nowMs: number, ttlSeconds: number): string {
  const payload = `${instanceId}.${nowMs + ttlSeconds * 1000}`;
  return `${Buffer.from(payload).toString('base64url')}.${mac(key, payload).toString('base64url')}`;
}

/** Whether `token` is a live token of `instanceId` at `nowMs`. */
export function verifyToken(key: Uint8Array, token: string, instanceId: string, nowMs: number): boolean {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 512) return false;
  const payload = Buffer.from(token.slice(0, dot), 'base64url').toString();
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(key, payload);
  // Compare first (constant time), then look at the contents: an altered token and an expired one take
  // the same path.
  const authentic = given.length === expected.length && timingSafeEqual(given, expected);
  const cut = payload.lastIndexOf('.');
  const expiresAt = Number(payload.slice(cut + 1));
  return authentic && payload.slice(0, cut) === instanceId && Number.isFinite(expiresAt) && nowMs < expiresAt;
}
