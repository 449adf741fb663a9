/**
 * Outbound identity federation (issue #20): an account's state — its issuer and its signing keys —
 * as stored in the account's `setting` entity, shared by the IAM handlers that enable it, the STS
 * handler that signs tokens and the public discovery endpoints. Every node reads the keys from the
 * store, so several PostgreSQL nodes sign with, and publish, the same keys.
 *
 * AWS: https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOutboundWebIdentityFederation.html
 * ("a unique issuer URL for your AWS account that hosts the OpenID Connect (OIDC) discovery endpoints
 * at /.well-known/openid-configuration and /.well-known/jwks.json").
 */
import { createPrivateKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { StoreReader } from '../store/index.js';

/** The `setting` entity key of an account's outbound federation state. */
export const OUTBOUND_FEDERATION_KEY = 'outbound-web-identity-federation';

/** The algorithms GetWebIdentityToken signs with (STS API reference, `SigningAlgorithm`). */
export const SIGNING_ALGORITHMS = ['RS256', 'ES384'] as const;
/** One of {@link SIGNING_ALGORITHMS}. */
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** The longest token lifetime (STS API reference: DurationSeconds 60–3600). */
export const MAX_TOKEN_LIFETIME_MS = 3600 * 1000;
/** How long a signing key signs before a new one replaces it. */
export const KEY_ROTATION_MS = 24 * 3600 * 1000;

/** One signing key pair; the private half sealed under the master key. */
export interface OutboundKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** The public key as a JWK (`kty`, `n`/`e` or `crv`/`x`/`y`). */
  readonly publicJwk: JsonWebKey;
  /** PKCS#8 PEM of the private key, sealed with `services.sealSecret` (aad {@link keyAad}). */
  readonly sealedPrivateKey: string;
  readonly createdAt: number;
  /** When a newer key replaced it; it stays in the JWKS for {@link MAX_TOKEN_LIFETIME_MS} more. */
  readonly retiredAt?: number | undefined;
}

/** An account's outbound federation state (kept when disabled: the issuer does not change). */
export interface OutboundState {
  /** The random part of the issuer URL. */
  readonly issuerId: string;
  readonly enabled: boolean;
  readonly keys: readonly OutboundKey[];
}

/** The additional data a sealed private key is bound to. */
export function keyAad(account: string, kid: string): string {
  return `outbound-federation:${account}:${kid}`;
}

/** The path of an account's issuer below iamd's base URL. */
export function issuerPath(account: string, issuerId: string): string {
  return `/outbound/${account}/${issuerId}`;
}

/** The issuer URL (the `iss` claim): iamd's base URL and {@link issuerPath}. */
export function issuerUrl(baseUrl: string, account: string, issuerId: string): string {
  return baseUrl.replace(/\/+$/, '') + issuerPath(account, issuerId);
}

/** Reads an account's state, if it ever enabled the feature. */
export async function getOutboundState(
  reader: StoreReader,
  account: string,
): Promise<{ state: OutboundState; version: number } | undefined> {
  const e = await reader.get<OutboundState>(account, 'setting', OUTBOUND_FEDERATION_KEY);
  return e === undefined ? undefined : { state: e.body, version: e.version };
}

/** What making a key needs: randomness for its id and the sealer. */
export interface KeyMaker {
  random(n: number): Uint8Array;
  sealSecret(plaintext: string, aad: string): string;
}

/** A new key pair for `alg`: RSA 2048 for RS256, P-384 for ES384 (RFC 7518 §3.3, §3.4). */
export function newSigningKey(
  account: string,
  alg: SigningAlgorithm,
  now: number,
  maker: KeyMaker,
): OutboundKey {
  const pair =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const kid = Buffer.from(maker.random(16)).toString('base64url');
  const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  return {
    kid,
    alg,
    publicJwk: pair.publicKey.export({ format: 'jwk' }),
    sealedPrivateKey: maker.sealSecret(pem, keyAad(account, kid)),
    createdAt: now,
  };
}

/** The key that signs with `alg` now (the newest one not retired), if any. */
export function currentKey(state: OutboundState, alg: SigningAlgorithm): OutboundKey | undefined {
  let best: OutboundKey | undefined;
  for (const k of state.keys)
    if (k.alg === alg && k.retiredAt === undefined && (best === undefined || k.createdAt > best.createdAt))
      best = k;
  return best;
}

/** True when `alg` has no current key or its key has signed for {@link KEY_ROTATION_MS}. */
export function needsRotation(state: OutboundState, alg: SigningAlgorithm, now: number): boolean {
  const k = currentKey(state, alg);
  return k === undefined || now - k.createdAt >= KEY_ROTATION_MS;
}

/**
 * `state` with `fresh` as the current key of its algorithm: the key it replaces is retired at `now`,
 * and keys retired longer than a token lives are dropped (no token they signed is still valid).
 */
export function withKey(state: OutboundState, fresh: OutboundKey, now: number): OutboundState {
  const keys: OutboundKey[] = [];
  for (const k of state.keys) {
    const retired = k.alg === fresh.alg && k.retiredAt === undefined ? { ...k, retiredAt: now } : k;
    if (retired.retiredAt === undefined || now - retired.retiredAt < MAX_TOKEN_LIFETIME_MS)
      keys.push(retired);
  }
  keys.push(fresh);
  return { ...state, keys };
}

/** The keys a verifier may still need: current ones and those retired less than a token's lifetime ago. */
export function publishedKeys(state: OutboundState, now: number): OutboundKey[] {
  return state.keys.filter((k) => k.retiredAt === undefined || now - k.retiredAt < MAX_TOKEN_LIFETIME_MS);
}

/** The JWKS document (RFC 7517 §5) of the published keys. */
export function jwksDocument(state: OutboundState, now: number): { keys: Record<string, unknown>[] } {
  return {
    keys: publishedKeys(state, now).map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg, use: 'sig' })),
  };
}

/** The OpenID Provider metadata (OpenID Connect Discovery 1.0 §3) of an issuer. */
export function openIdConfiguration(issuer: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...SIGNING_ALGORITHMS],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'https://sts.amazonaws.com/'],
  };
}

/** The private key of `key`, unsealed. */
export function privateKeyOf(
  account: string,
  key: OutboundKey,
  unsealSecret: (sealed: string, aad: string) => string,
): KeyObject {
  return createPrivateKey(unsealSecret(key.sealedPrivateKey, keyAad(account, key.kid)));
}
