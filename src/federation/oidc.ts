/**
 * OpenID Connect ID tokens for sts:AssumeRoleWithWebIdentity (issue 5; IAM User Guide, "OIDC
 * federation" and "Create an OpenID Connect (OIDC) identity provider in IAM").
 *
 * Keys come from the issuer's discovery document (`/.well-known/openid-configuration`, OpenID Connect
 * Discovery 1.0 §4) and its `jwks_uri`; both are cached per issuer and the JWKS is fetched again when a
 * token names a key id that is not in the cached set (the issuer rotated keys), at most once per
 * {@link OidcKeySetOptions.refetchCooldownMs}. Signatures are checked by `jose` with an allow-list of
 * asymmetric algorithms: never `none`, never HMAC (an HMAC "signed" with the issuer's public key is the
 * classic key-confusion attack; jose also refuses to use an asymmetric JWK as an HMAC secret).
 */
import {
  compactVerify,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import { AwsError } from '../errors/index.js';
import { FetchFailure, fetchAllowed, type JsonFetcher } from './http.js';

/** JWS algorithms iamd accepts for ID tokens (asymmetric only; RFC 7518 §3.1 names). */
export const ALLOWED_JWT_ALGORITHMS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/**
 * Clock skew allowed on `exp`, `nbf` and `iat`: "IAM provides a five-minute window beyond the
 * expiration time specified in the JWT to account for clock skew" (IAM User Guide, OIDC federation).
 */
export const OIDC_CLOCK_SKEW_SECONDS = 300;

/** AWS's text when no key can be had for a token (mozilla-iam/mozilla-aws-cli issues; re:Post "iam-oidc-idp-federation"). */
export const NO_VERIFICATION_KEY =
  "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements";

/** Options of {@link OidcKeySets}. */
export interface OidcKeySetOptions {
  /** Milliseconds since the epoch (the server clock). */
  readonly now: () => number;
  /** How long discovery documents and key sets are reused (default one hour). */
  readonly maxAgeMs?: number | undefined;
  /** Least time between two fetches of one issuer's keys forced by an unknown key id (default 1 s). */
  readonly refetchCooldownMs?: number | undefined;
  /** Issuers remembered at most (default 1000); the oldest entry is dropped first. */
  readonly maxIssuers?: number | undefined;
  /** Same opt-in as the fetcher: lets a loopback issuer name an `http://` `jwks_uri`. */
  readonly allowHttpLoopback: boolean;
}

interface CachedKeys {
  readonly keys: JSONWebKeySet;
  readonly fetchedAt: number;
}

/** Per-issuer cache of JWKS documents, fetched through an injected {@link JsonFetcher}. */
export class OidcKeySets {
  private readonly cache = new Map<string, CachedKeys>();
  private readonly inFlight = new Map<string, Promise<CachedKeys>>();

  constructor(
    private readonly fetchJson: JsonFetcher,
    private readonly options: OidcKeySetOptions,
  ) {}

  /**
   * The key set of `issuer` (its exact `iss` value). With `refresh`, fetches again unless the cached
   * set is younger than the cool-down. Throws {@link FetchFailure} when the issuer cannot be reached
   * or serves something unusable.
   */
  async keySet(issuer: string, refresh = false): Promise<JSONWebKeySet> {
    const now = this.options.now();
    const hit = this.cache.get(issuer);
    const maxAge = this.options.maxAgeMs ?? 60 * 60 * 1000;
    const cooldown = this.options.refetchCooldownMs ?? 1000;
    if (hit !== undefined) {
      const age = now - hit.fetchedAt;
      const fresh = age >= 0 && age < maxAge;
      if (fresh && (!refresh || age < cooldown)) return hit.keys;
    }
    let pending = this.inFlight.get(issuer);
    if (pending === undefined) {
      pending = this.load(issuer).finally(() => this.inFlight.delete(issuer));
      this.inFlight.set(issuer, pending);
    }
    const loaded = await pending;
    this.cache.delete(issuer);
    this.cache.set(issuer, loaded);
    const max = this.options.maxIssuers ?? 1000;
    while (this.cache.size > max) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return loaded.keys;
  }

  private async load(issuer: string): Promise<CachedKeys> {
    const base = issuer.endsWith('/') ? issuer.slice(0, -1) : issuer;
    const discovery = await this.fetchJson(`${base}/.well-known/openid-configuration`);
    if (typeof discovery !== 'object' || discovery === null)
      throw new FetchFailure('discovery is not an object');
    const d = discovery as Record<string, unknown>;
    // OpenID Connect Discovery 1.0 §4.3: the document's `issuer` MUST be identical to the issuer URL.
    if (typeof d.issuer !== 'string' || trimSlash(d.issuer) !== trimSlash(issuer))
      throw new FetchFailure('discovery `issuer` does not match the token issuer');
    if (typeof d.jwks_uri !== 'string' || !fetchAllowed(d.jwks_uri, this.options.allowHttpLoopback))
      throw new FetchFailure('discovery has no usable `jwks_uri`');
    const jwks = await this.fetchJson(d.jwks_uri);
    if (typeof jwks !== 'object' || jwks === null || !Array.isArray((jwks as { keys?: unknown }).keys))
      throw new FetchFailure('JWKS has no `keys` array');
    const keys = (jwks as { keys: unknown[] }).keys.filter(
      (k): k is JSONWebKeySet['keys'][number] => typeof k === 'object' && k !== null && !Array.isArray(k),
    );
    return { keys: { keys }, fetchedAt: this.options.now() };
  }
}

function trimSlash(s: string): string {
  return s.endsWith('/') ? s.slice(0, -1) : s;
}

/** A registered provider as the verifier needs it. */
export interface OidcProviderRef {
  /** The provider URL with scheme, e.g. `https://token.actions.githubusercontent.com`. */
  readonly url: string;
  readonly clientIds: readonly string[];
}

/** What a verified token says. */
export interface VerifiedWebIdentity {
  readonly claims: JWTPayload;
  readonly issuer: string;
  readonly subject: string;
  /** The client id the token was accepted for: `azp` when present and registered, else the matching `aud`. */
  readonly audience: string;
}

function invalidToken(message: string): AwsError {
  return new AwsError('InvalidIdentityToken', message);
}

/** The `iss` of a token, read before its signature is checked (only to find the provider). */
export function unverifiedIssuer(token: string): string {
  let payload: JWTPayload;
  try {
    if (token.split('.').length !== 3) throw new Error('not a JWS');
    decodeProtectedHeader(token);
    payload = decodeJwt(token);
  } catch {
    throw invalidToken('The ID token provided is not a valid JWT');
  }
  if (typeof payload.iss !== 'string' || payload.iss === '')
    throw invalidToken('Missing a required claim: iss');
  return payload.iss;
}

/**
 * Verifies `token` for `provider` at `nowMs`: signature (key from the issuer's JWKS, refreshed once on
 * an unknown key id), then `exp`/`nbf`/`iat` with {@link OIDC_CLOCK_SKEW_SECONDS}, `sub`, and the
 * audience (`aud` or `azp` among the provider's client ids). Throws AwsError with AWS's codes:
 * InvalidIdentityToken, ExpiredTokenException, IDPCommunicationError.
 */
export async function verifyWebIdentityToken(
  token: string,
  provider: OidcProviderRef,
  keys: OidcKeySets,
  nowMs: number,
): Promise<VerifiedWebIdentity> {
  const issuer = unverifiedIssuer(token);
  if (issuer !== provider.url)
    throw invalidToken(`No OpenIDConnect provider found in your account for ${issuer}`);
  const header = decodeProtectedHeader(token);
  const alg = typeof header.alg === 'string' ? header.alg : '';
  // Refused before any key is looked up: `none` and HMAC can never verify an issuer's token.
  if (!ALLOWED_JWT_ALGORITHMS.includes(alg))
    throw invalidToken(`The ID token is signed with an unsupported algorithm \`${alg}\``);

  let payloadBytes: Uint8Array | undefined;
  for (const refresh of [false, true]) {
    let set: JSONWebKeySet;
    try {
      set = await keys.keySet(issuer, refresh);
    } catch (e) {
      if (e instanceof FetchFailure) throw new AwsError('IDPCommunicationError', NO_VERIFICATION_KEY);
      throw e;
    }
    try {
      const result = await compactVerify(token, createLocalJWKSet(set), {
        algorithms: [...ALLOWED_JWT_ALGORITHMS],
      });
      payloadBytes = result.payload;
      break;
    } catch (e) {
      if (e instanceof joseErrors.JWKSNoMatchingKey) {
        if (refresh) throw invalidToken(NO_VERIFICATION_KEY);
        continue;
      }
      if (e instanceof joseErrors.JWSSignatureVerificationFailed)
        throw invalidToken('The ID token signature could not be verified');
      throw invalidToken('The ID token provided is not a valid JWT');
    }
  }
  if (payloadBytes === undefined) throw invalidToken(NO_VERIFICATION_KEY);
  let claims: JWTPayload;
  try {
    claims = JSON.parse(new TextDecoder().decode(payloadBytes)) as JWTPayload;
  } catch {
    throw invalidToken('The ID token provided is not a valid JWT');
  }
  if (typeof claims !== 'object' || claims === null)
    throw invalidToken('The ID token provided is not a valid JWT');

  const now = Math.floor(nowMs / 1000);
  if (typeof claims.exp !== 'number') throw invalidToken('Missing a required claim: exp');
  // AWS's text (aws-errors.md, AssumeRoleWithWebIdentity: aws/aws-sdk-java-v2#5709).
  if (now > claims.exp + OIDC_CLOCK_SKEW_SECONDS)
    throw new AwsError(
      'ExpiredTokenException',
      `Token expired: current date/time ${now} must be before the expiration date/time ${claims.exp}`,
    );
  if (typeof claims.nbf === 'number' && now + OIDC_CLOCK_SKEW_SECONDS < claims.nbf)
    throw invalidToken(
      `Token not yet valid: current date/time ${now} must be after the not-before date/time ${claims.nbf}`,
    );
  if (typeof claims.iat === 'number' && now + OIDC_CLOCK_SKEW_SECONDS < claims.iat)
    throw invalidToken(
      `Token issued in the future: current date/time ${now} is before the issued-at date/time ${claims.iat}`,
    );
  if (typeof claims.sub !== 'string' || claims.sub === '')
    throw invalidToken('Missing a required claim: sub');

  const auds = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  if (auds.length === 0) throw invalidToken('Missing a required claim: aud');
  const azp = typeof claims.azp === 'string' ? claims.azp : undefined;
  const registered = new Set(provider.clientIds);
  const audience =
    azp !== undefined && registered.has(azp)
      ? azp
      : auds.find((a) => typeof a === 'string' && registered.has(a));
  // "Incorrect token audience" (aws-errors.md: awslabs/amazon-eks-irsa-cfn#18).
  if (audience === undefined) throw invalidToken('Incorrect token audience');
  return { claims, issuer, subject: claims.sub, audience };
}

/**
 * The trust-policy condition keys of a verified token (IAM User Guide, "Available keys for AWS OIDC
 * federation"): `PROVIDER:aud` (the `azp` claim when present, else the audience), `PROVIDER:oaud` (the
 * `aud` claim when `azp` is present), `PROVIDER:sub`, `PROVIDER:amr`. `PROVIDER` is the provider URL
 * without its scheme (`token.actions.githubusercontent.com`, `oidc.eks.REGION.amazonaws.com/id/ID`).
 */
export function webIdentityConditionKeys(
  providerKey: string,
  verified: VerifiedWebIdentity,
): Record<string, string | readonly string[]> {
  const c = Object.create(null) as Record<string, string | readonly string[]>;
  const claims = verified.claims;
  const azp = typeof claims.azp === 'string' ? claims.azp : undefined;
  c[`${providerKey}:aud`] = azp ?? verified.audience;
  if (azp !== undefined) {
    const auds = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
    c[`${providerKey}:oaud`] = auds.length === 1 && auds[0] !== undefined ? auds[0] : auds;
  }
  c[`${providerKey}:sub`] = verified.subject;
  const amr = claims.amr;
  if (typeof amr === 'string') c[`${providerKey}:amr`] = amr;
  else if (Array.isArray(amr))
    c[`${providerKey}:amr`] = amr.filter((v): v is string => typeof v === 'string');
  return c;
}

/**
 * Session tags carried by a token in the `https://aws.amazon.com/tags` claim (IAM User Guide,
 * "Passing session tags using AssumeRoleWithWebIdentity"): `principal_tags` maps a key to a one-value
 * list, `transitive_tag_keys` lists keys.
 */
export function webIdentityTags(claims: JWTPayload): {
  tags: { key: string; value: string }[];
  transitiveTagKeys: string[];
} {
  const raw = claims['https://aws.amazon.com/tags'];
  const out = { tags: [] as { key: string; value: string }[], transitiveTagKeys: [] as string[] };
  if (typeof raw !== 'object' || raw === null) return out;
  const r = raw as { principal_tags?: unknown; transitive_tag_keys?: unknown };
  if (typeof r.principal_tags === 'object' && r.principal_tags !== null) {
    for (const [key, v] of Object.entries(r.principal_tags as Record<string, unknown>)) {
      const value = Array.isArray(v) ? v[0] : v;
      if (typeof value === 'string') out.tags.push({ key, value });
      else throw invalidToken(`The value of principal tag \`${key}\` is not a string`);
    }
  }
  if (Array.isArray(r.transitive_tag_keys))
    out.transitiveTagKeys = r.transitive_tag_keys.filter((k): k is string => typeof k === 'string');
  return out;
}
