import { SCOPE_TERMINATOR } from './constants.js';
import type { SigV4Crypto } from './types.js';

const encoder = new TextEncoder();

/**
 * Derive the SigV4 signing key: HMAC chain over date, region, service and `aws4_request`, starting
 * from `"AWS4" + secret` (AWS SigV4 docs, "derive a signing key").
 */
export function deriveSigningKey(
  secretAccessKey: string,
  date: string,
  region: string,
  service: string,
  crypto: SigV4Crypto,
): Uint8Array {
  const kDate = crypto.hmac(encoder.encode('AWS4' + secretAccessKey), date);
  const kRegion = crypto.hmac(kDate, region);
  const kService = crypto.hmac(kRegion, service);
  return crypto.hmac(kService, SCOPE_TERMINATOR);
}

/**
 * Bounded cache of signing keys (oldest evicted first). A key is valid for one (secret, date, region, service), so a
 * busy client re-uses it all day and four HMACs per request are saved. Entries are keyed by the secret
 * and the scope, in process memory only (where the credential resolver keeps the same secrets); the
 * bound evicts keys of credentials no longer used.
 */
export class SigningKeyCache {
  readonly #max: number;
  readonly #entries = new Map<string, Uint8Array>();

  /** @param maxEntries upper bound on cached keys; the oldest is evicted first. */
  constructor(maxEntries = 1024) {
    this.#max = Math.max(1, Math.floor(maxEntries));
  }

  /** Number of cached keys. */
  get size(): number {
    return this.#entries.size;
  }

  /** Return the signing key for the scope, deriving and caching it on a miss. */
  get(
    secretAccessKey: string,
    date: string,
    region: string,
    service: string,
    crypto: SigV4Crypto,
  ): Uint8Array {
    const id = secretAccessKey + '/' + date + '/' + region + '/' + service;
    const hit = this.#entries.get(id);
    // Hits stay where they are: eviction is oldest-first, and an evicted key is derived again on its
    // next use (four HMACs), cheaper than moving every hit to the end of the map.
    if (hit !== undefined) return hit;
    const key = deriveSigningKey(secretAccessKey, date, region, service, crypto);
    this.#entries.set(id, key);
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    return key;
  }
}
