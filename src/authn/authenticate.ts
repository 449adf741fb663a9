/**
 * The one authentication step of a signed request: credential scope and time, the caller's
 * credentials, the signature. Every entry point — the Query API, CloudTrail's JSON 1.1 API, iamd's own
 * endpoints, the reset route — authenticates here; the enforcement level decides how much of it is
 * checked, here only.
 */
import { AwsError } from '../errors/index.js';
import {
  checkScope,
  parseSigV4,
  SIGNATURE_MISMATCH_MESSAGE,
  verifySigV4,
  type CanonicalOptions,
  type ParsedSigV4,
  type SigningKeyCache,
  type SigV4Crypto,
  type SigV4Request,
} from '../sigv4/index.js';
import type { CredentialResolver, ResolvedCredentials } from './resolve.js';
import { sigv4Crypto } from './sigv4-crypto.js';

/** How one entry point authenticates, built once (the signing-key cache is per entry point). */
export interface Authenticator {
  readonly resolver: CredentialResolver;
  /** The services a request may be signed for (its credential scope's service). */
  readonly services: readonly string[];
  readonly signingKeys: SigningKeyCache;
  /** SigV4 hashing; defaults to Node's crypto. */
  readonly crypto?: SigV4Crypto | undefined;
  /**
   * Check everything whatever the enforcement level: scope and request time on real time, and the
   * signature against the credentials' secret — a `permissive` stand-in root, which has none, is refused
   * with `SignatureDoesNotMatch`. iamd's own endpoints (explain, analysis, CloudTrail lookups, reset)
   * never took the development levels' leniency. (Credentials the `off` level marks unverified but
   * whose secret iamd holds — an expired session, an inactive key — still verify; callers that want
   * them refused check {@link ResolvedCredentials.unverified} themselves, as the reset route does.)
   */
  readonly strict?: boolean | undefined;
}

/** A request whose signature holds: its parsed SigV4 fields and the caller's credentials. */
export interface Authenticated {
  readonly sig: ParsedSigV4;
  readonly creds: ResolvedCredentials;
}

/** Builds an {@link Authenticator}. */
export function authenticator(
  resolver: CredentialResolver,
  services: readonly string[],
  signingKeys: SigningKeyCache,
  options: { readonly strict?: boolean; readonly crypto?: SigV4Crypto } = {},
): Authenticator {
  return { resolver, services, signingKeys, crypto: options.crypto, strict: options.strict };
}

/** "Request is missing Authentication Token" (AWS Common Errors: MissingAuthenticationToken). */
export function missingAuthentication(): AwsError {
  return new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
}

/**
 * Authenticates a request whose SigV4 fields are already parsed (`sig`). At `enforce` and the report
 * levels: scope, request time (15 minutes of skew), credentials and signature. A `permissive` stand-in
 * root has no secret, so only its signature's form is checked. At `off` (issue #21) only the form of
 * the credential scope is checked (terminator, service, region): no time, no signature — suites freeze
 * their clocks years in the past. A {@link Authenticator.strict} authenticator checks everything.
 * `nowMs` is server time (session expiry); `signingNowMs` is real time (signature freshness). `canonical`:
 * the service's canonicalisation (S3: path encoded once, payload hash from `x-amz-content-sha256`).
 */
export async function authenticate(
  auth: Authenticator,
  request: SigV4Request,
  sig: ParsedSigV4,
  nowMs: number,
  signingNowMs: number,
  canonical?: CanonicalOptions,
): Promise<ResolvedCredentials> {
  const resolver = auth.resolver;
  const lenient = auth.strict !== true;
  const off = lenient && resolver.checksNothing;
  // At `off` the request is checked as of its own time, which leaves the scope's form only. Otherwise
  // signature freshness is judged on real time (`signingNowMs`): a moved test clock expires sessions
  // (resolved at `nowMs`), not the signatures of unmodified clients (issue #16 item 8).
  checkScope(sig, off ? sig.amzDateMs : signingNowMs, auth.services);
  const creds = await resolver.resolve(sig.accessKeyId, sig.securityToken, nowMs);
  if (off) return creds;
  if (creds.unverified === true) {
    if (lenient) return creds;
    // No secret to check against: uniform with any other bad signature (STYLE.md, Errors).
    if (creds.secretAccessKey === '') throw new AwsError('SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE);
  }
  verifySigV4(request, sig, creds.secretAccessKey, auth.crypto ?? sigv4Crypto, auth.signingKeys, canonical);
  return creds;
}

/**
 * Parses the request's SigV4 fields and authenticates it; an unsigned request is
 * `MissingAuthenticationToken`. For entry points where every call is signed.
 */
export async function authenticateRequest(
  auth: Authenticator,
  request: SigV4Request,
  nowMs: number,
  signingNowMs: number,
): Promise<Authenticated> {
  const sig = parseSigV4(request);
  if (sig === undefined) throw missingAuthentication();
  return { sig, creds: await authenticate(auth, request, sig, nowMs, signingNowMs) };
}
