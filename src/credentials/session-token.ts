/**
 * Stateless session tokens: everything a temporary credential means (principal, session, expiry,
 * session policies, tags, MFA, source identity) sealed with AES-256-GCM into the `SessionToken`
 * itself, so any node validates any token without a lookup (DESIGN.md, credentials).
 *
 * Token = base64( version ‖ key id (4) ‖ nonce (12) ‖ AES-256-GCM(flag ‖ claims) ‖ tag (16) ), where
 * the header (version ‖ key id) is the additional authenticated data, `flag` says whether the compact
 * JSON claims are deflated, and the key id selects a keyring key so keys can rotate.
 *
 * Every failure — garbage, a flipped bit, an unknown or dropped key — is the same
 * `InvalidClientTokenId` "The security token included in the request is invalid." that AWS returns for
 * a bad token (shared/reference/aws-errors.md, auth cases), so nothing tells a forger what was wrong.
 * Expiry is the caller's check ({@link isExpired} → `ExpiredToken`).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { SessionClaims, SessionTag } from '../domain/principal.js';
import { AwsError } from '../errors/index.js';
import { sealSecret, unsealSecret } from './seal.js';

/** A keyring: the key new tokens are sealed with, and every key tokens may still be sealed with. */
export interface Keyring {
  readonly current: { readonly id: string; readonly key: Buffer };
  readonly all: ReadonlyMap<string, Buffer>;
}

const VERSION = 1;
const KEY_ID_LENGTH = 4;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const HEADER_LENGTH = 1 + KEY_ID_LENGTH;
/** Far above any real token (session policies are capped at 2048 packed characters), below abuse. */
const MAX_TOKEN_LENGTH = 16 * 1024;
const MAX_CLAIMS_BYTES = 64 * 1024;
const FLAG_PLAIN = 0;
const FLAG_DEFLATE = 1;
/**
 * Claims below this many bytes of JSON are sealed as they are: a plain role session (about 400 bytes)
 * gains little from deflate, which would cost more than the rest of sealing. Session policies and tags
 * (up to a few kilobytes) are still deflated.
 */
const DEFLATE_FROM_BYTES = 768;
/**
 * How many opened tokens {@link SessionTokenSealer} remembers. A client signs every request of a session
 * with the same token, so opening (base64, AES-GCM, inflate, JSON) once per token instead of once per
 * request takes that work off the request path; the bound keeps memory flat under many sessions.
 */
export const UNSEALED_CACHE_SIZE = 10_000;

const invalid = (): AwsError =>
  new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid');

/** Whether the session has expired at `nowMs` (at `expiresAt` exactly it has). */
export function isExpired(claims: SessionClaims, nowMs: number): boolean {
  return nowMs >= claims.expiresAt;
}

// Compact claim keys keep tokens small; the table is the wire format, so never reuse a key.
type Compact = Record<string, unknown>;
const KINDS = { AssumedRole: 'R', FederatedUser: 'F', SessionToken: 'S' } as const;
const KIND_OF: Readonly<Record<string, SessionClaims['kind']>> = {
  R: 'AssumedRole',
  F: 'FederatedUser',
  S: 'SessionToken',
};
const STRINGS = {
  account: 'a',
  accessKeyId: 'i',
  secretAccessKey: 's',
  roleName: 'rn',
  roleId: 'ri',
  rolePath: 'rp',
  sessionName: 'sn',
  userName: 'un',
  userId: 'ui',
  federatedName: 'fn',
  sourceIdentity: 'si',
  issuerType: 'it',
  issuerArn: 'ia',
  federatedProvider: 'fp',
  federatedSubject: 'fs',
} as const satisfies Partial<Record<keyof SessionClaims, string>>;
const NUMBERS = { issuedAt: 't', expiresAt: 'e', mfaAuthenticatedAt: 'm' } as const;
const LISTS = { sessionPolicies: 'sp', sessionPolicyArns: 'sa', transitiveTagKeys: 'tt' } as const;

const STRING_ENTRIES = Object.entries(STRINGS) as [keyof typeof STRINGS, string][];
const NUMBER_ENTRIES = Object.entries(NUMBERS) as [keyof typeof NUMBERS, string][];
const LIST_ENTRIES = Object.entries(LISTS) as [keyof typeof LISTS, string][];

function compact(claims: SessionClaims): Compact {
  const out: Compact = { k: KINDS[claims.kind] };
  for (const [name, short] of STRING_ENTRIES) {
    const value = claims[name];
    if (value !== undefined) out[short] = value;
  }
  for (const [name, short] of NUMBER_ENTRIES) {
    const value = claims[name];
    if (value !== undefined) out[short] = value;
  }
  for (const [name, short] of LIST_ENTRIES) {
    const value = claims[name];
    if (value !== undefined) out[short] = value;
  }
  if (claims.tags !== undefined) out['tg'] = claims.tags.map((tag) => [tag.key, tag.value]);
  if (claims.chained !== undefined) out['c'] = claims.chained ? 1 : 0;
  if (claims.console === true) out['cn'] = 1;
  if (claims.assumedRoot === true) out['ar'] = 1;
  if (claims.delegated === true) out['dl'] = 1;
  return out;
}

function expand(data: Compact): SessionClaims {
  const kind = KIND_OF[String(data['k'])];
  if (kind === undefined) throw invalid();
  const out: Record<string, unknown> = { kind };
  for (const [name, short] of STRING_ENTRIES) if (short in data) out[name] = data[short];
  for (const [name, short] of NUMBER_ENTRIES) if (short in data) out[name] = data[short];
  for (const [name, short] of LIST_ENTRIES) if (short in data) out[name] = data[short];
  if ('tg' in data) {
    out['tags'] = (data['tg'] as [string, string][]).map(([key, value]): SessionTag => ({ key, value }));
  }
  if ('c' in data) out['chained'] = data['c'] === 1;
  if (data['cn'] === 1) out['console'] = true;
  if (data['ar'] === 1) out['assumedRoot'] = true;
  if (data['dl'] === 1) out['delegated'] = true;
  return out as unknown as SessionClaims;
}

/** The key id a token says it was sealed with (hex), without checking anything else; for keyring reloads. */
export function keyIdOf(token: string): string | undefined {
  const raw = decodeToken(token);
  return raw === undefined ? undefined : raw.subarray(1, HEADER_LENGTH).toString('hex');
}

function decodeToken(token: string): Buffer | undefined {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
  const raw = Buffer.from(token, 'base64');
  // Only the canonical encoding, so a changed character can never decode to the same bytes.
  if (raw.toString('base64') !== token) return undefined;
  if (raw.length < HEADER_LENGTH + NONCE_LENGTH + 1 + TAG_LENGTH || raw[0] !== VERSION) return undefined;
  return raw;
}

/** Seals and opens session tokens with a {@link Keyring}. */
export class SessionTokenSealer {
  #keyring: Keyring;
  readonly #random: (n: number) => Uint8Array;
  /**
   * Tokens this sealer opened, by token text, oldest first. Only authentic tokens get here,
   * and only while their key is in the keyring ({@link setKeyring} empties it). Callers still check expiry
   * against their own clock on every use; entries past their expiry by the wall clock are dropped.
   */
  readonly #opened = new Map<string, SessionClaims>();

  constructor(keyring: Keyring, random: (n: number) => Uint8Array = randomBytes) {
    this.#keyring = keyring;
    this.#random = random;
  }

  /** Replaces the keyring (after {@link loadKeyring} rotated it or another node added a key). */
  setKeyring(keyring: Keyring): void {
    this.#keyring = keyring;
    // A dropped key must take its tokens with it: nothing opened under the old keyring is trusted.
    this.#opened.clear();
  }

  /** Seals `claims` under the current key. */
  seal(claims: SessionClaims): string {
    const { id, key } = this.#keyring.current;
    const json = Buffer.from(JSON.stringify(compact(claims)), 'utf8');
    const deflated = json.length >= DEFLATE_FROM_BYTES ? deflateRawSync(json) : undefined;
    // The compression flag is inside the ciphertext, so it is authenticated too.
    const flag = deflated !== undefined && deflated.length < json.length ? FLAG_DEFLATE : FLAG_PLAIN;
    const payload = flag === FLAG_DEFLATE ? (deflated as Buffer) : json;
    // One buffer for the whole token: header ‖ nonce ‖ ciphertext ‖ tag.
    const out = Buffer.allocUnsafe(HEADER_LENGTH + NONCE_LENGTH + 1 + payload.length + TAG_LENGTH);
    out[0] = VERSION;
    out.write(id, 1, KEY_ID_LENGTH, 'hex');
    out.set(this.#random(NONCE_LENGTH), HEADER_LENGTH);
    const cipher = createCipheriv(
      'aes-256-gcm',
      key,
      out.subarray(HEADER_LENGTH, HEADER_LENGTH + NONCE_LENGTH),
      { authTagLength: TAG_LENGTH },
    );
    cipher.setAAD(out.subarray(0, HEADER_LENGTH));
    let at = HEADER_LENGTH + NONCE_LENGTH;
    at += cipher.update(Buffer.of(flag)).copy(out, at);
    at += cipher.update(payload).copy(out, at);
    at += cipher.final().copy(out, at);
    cipher.getAuthTag().copy(out, at);
    return out.toString('base64');
  }

  /** Opens a token; throws `InvalidClientTokenId` on any tampering, unknown key or garbage. */
  unseal(token: string): SessionClaims {
    const hit = this.#opened.get(token);
    if (hit !== undefined) {
      if (hit.expiresAt > Date.now()) return hit;
      this.#opened.delete(token);
    }
    const claims = this.#open(token);
    if (this.#opened.size >= UNSEALED_CACHE_SIZE) {
      // Oldest first (Map iteration is insertion order). A busy token evicted this way is opened again
      // on its next use and goes back in: cheaper than moving every hit to the end.
      const oldest = this.#opened.keys().next();
      if (oldest.done !== true) this.#opened.delete(oldest.value);
    }
    if (claims.expiresAt > Date.now()) this.#opened.set(token, claims);
    return claims;
  }

  #open(token: string): SessionClaims {
    const raw = decodeToken(token);
    if (raw === undefined) throw invalid();
    const key = this.#keyring.all.get(raw.subarray(1, HEADER_LENGTH).toString('hex'));
    if (key === undefined) throw invalid();
    let plain: Buffer;
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        key,
        raw.subarray(HEADER_LENGTH, HEADER_LENGTH + NONCE_LENGTH),
        {
          authTagLength: TAG_LENGTH,
        },
      );
      decipher.setAAD(raw.subarray(0, HEADER_LENGTH));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_LENGTH));
      plain = Buffer.concat([
        decipher.update(raw.subarray(HEADER_LENGTH + NONCE_LENGTH, raw.length - TAG_LENGTH)),
        decipher.final(),
      ]);
    } catch {
      throw invalid();
    }
    // Authentic from here on: only iamd made it, so a parse failure means a format bug, still refused.
    try {
      const body = plain.subarray(1);
      const json =
        plain[0] === FLAG_DEFLATE ? inflateRawSync(body, { maxOutputLength: MAX_CLAIMS_BYTES }) : body;
      const data: unknown = JSON.parse(json.toString('utf8'));
      if (typeof data !== 'object' || data === null || Array.isArray(data)) throw invalid();
      return expand(data as Compact);
    } catch {
      throw invalid();
    }
  }
}

/** Name of the store meta value holding the sealed session-token keys. */
export const KEYRING_META = 'session-token-keys';
const KEYRING_AAD = 'iamd:meta:session-token-keys';
/** A key is current for a day … */
export const KEY_CURRENT_MS = 24 * 60 * 60 * 1000;
/** … and kept for two more days, longer than the longest session (36 h, GetSessionToken/GetFederationToken). */
export const KEY_RETAIN_MS = 48 * 60 * 60 * 1000;

interface StoredKey {
  readonly id: string;
  readonly key: string;
  readonly createdAt: number;
  /** When it stopped being current. */
  readonly retiredAt?: number;
}

/** What {@link loadKeyring} needs of the Store: one transaction over meta values. */
export interface KeyringStore {
  transact<T>(
    fn: (tx: {
      getMeta(name: string): Promise<string | undefined>;
      putMeta(name: string, value: string): Promise<void>;
    }) => Promise<T>,
  ): Promise<T>;
}

/**
 * Loads the session-token keyring from the store (sealed under `masterKey` in meta
 * {@link KEYRING_META}), rotating as needed, in one transaction so two processes doing it at once
 * agree: creates the first key; creates a new current key when the current one is older than 24 h;
 * drops keys retired more than 48 h ago. Throws when the stored keyring does not open under
 * `masterKey` (the wrong master key: better to stop than to invalidate every session).
 *
 * Nodes sharing a store should call this periodically (e.g. hourly) and, when a token names a key
 * they do not know ({@link keyIdOf}), reload once before refusing it.
 */
export async function loadKeyring(
  store: KeyringStore,
  masterKey: Buffer,
  nowMs: number,
  random: (n: number) => Uint8Array = randomBytes,
): Promise<Keyring> {
  const keys = await store.transact(async (tx) => {
    const sealed = await tx.getMeta(KEYRING_META);
    let stored: StoredKey[] = [];
    if (sealed !== undefined) {
      try {
        stored = (JSON.parse(unsealSecret(masterKey, sealed, KEYRING_AAD)) as { keys: StoredKey[] }).keys;
      } catch {
        throw new Error('the session-token keyring does not open with this master key');
      }
    }
    let changed = false;
    const current = stored
      .filter((k) => k.retiredAt === undefined)
      .sort((x, y) => y.createdAt - x.createdAt)[0];
    if (current === undefined || nowMs - current.createdAt >= KEY_CURRENT_MS) {
      stored = stored.map((k) => (k.retiredAt === undefined ? { ...k, retiredAt: nowMs } : k));
      let id: string;
      do id = Buffer.from(random(KEY_ID_LENGTH)).toString('hex');
      while (stored.some((k) => k.id === id));
      stored.push({ id, key: Buffer.from(random(32)).toString('base64'), createdAt: nowMs });
      changed = true;
    }
    const kept = stored.filter((k) => k.retiredAt === undefined || nowMs - k.retiredAt <= KEY_RETAIN_MS);
    if (kept.length !== stored.length) changed = true;
    if (changed)
      await tx.putMeta(KEYRING_META, sealSecret(masterKey, JSON.stringify({ keys: kept }), KEYRING_AAD));
    return kept;
  });
  const active = keys.find((k) => k.retiredAt === undefined);
  if (active === undefined) throw new Error('the session-token keyring has no current key');
  const all = new Map(keys.map((k) => [k.id, Buffer.from(k.key, 'base64')] as const));
  return { current: { id: active.id, key: all.get(active.id) ?? Buffer.alloc(0) }, all };
}
