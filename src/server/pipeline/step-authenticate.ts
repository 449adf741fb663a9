/**
 * The authenticate step: the request's SigV4 fields → the shared authentication (src/authn) → the
 * call's principal and region; then what follows a good signature on the Query API — the caller's
 * request rate, and the key's last use (GetAccessKeyLastUsed).
 */
import { signingNow } from '../../core/clock.js';
import { errors } from '../../errors/index.js';
import { authenticate, missingAuthentication, type Authenticator } from '../../authn/authenticate.js';
import type { ResolvedCredentials } from '../../authn/resolve.js';
import { recordAccessKeyUse } from '../../domain/access-keys.js';
import { parseSigV4, type CanonicalOptions, type ParsedSigV4 } from '../../sigv4/index.js';
import type { Call } from './call.js';
import type { Pipeline } from './pipeline.js';

/** How an entry point authenticates. */
export interface AuthenticateOptions {
  readonly auth: Authenticator;
  /** Count the call against the caller's account (the Query API's per-account rates). */
  readonly throttle?: boolean | undefined;
  /** Record a long-term key's use (GetAccessKeyLastUsed). */
  readonly recordKeyUse?: boolean | undefined;
  /** The service's canonicalisation (the gateway's S3: see src/sigv4/s3.ts). */
  readonly canonical?: CanonicalOptions | undefined;
}

/** Authenticates the call signed with `sig`: sets its principal and region; returns the credentials. */
export async function authenticateCall(
  p: Pipeline,
  call: Call,
  sig: ParsedSigV4,
  options: AuthenticateOptions,
): Promise<ResolvedCredentials> {
  call.region = sig.region;
  const creds = await authenticate(
    options.auth,
    call.incoming,
    sig,
    call.now,
    signingNow(p.deps.clock),
    options.canonical,
  );
  call.principal = creds.principal;
  const throttle = p.deps.throttle;
  // Counted only once the signature holds, against the caller's account (the account whose credentials
  // sign, as AWS applies its rates), so nobody can spend another account's budget.
  if (
    options.throttle === true &&
    throttle !== undefined &&
    (call.service === 'iam' || call.service === 'sts') &&
    !throttle.allowAccount(call.service, creds.principal.account, call.now)
  )
    throw errors.throttling();
  if (options.recordKeyUse === true) noteKeyUse(p, call, sig, creds);
  return creds;
}

/**
 * Authenticates a call that must be signed (every entry point but the Query API, whose federation
 * operations may come unsigned): an unsigned one is `MissingAuthenticationToken`.
 */
export async function authenticateSignedCall(
  p: Pipeline,
  call: Call,
  options: AuthenticateOptions,
): Promise<ResolvedCredentials> {
  const sig = parseSigV4(call.incoming);
  if (sig === undefined) throw missingAuthentication();
  return authenticateCall(p, call, sig, options);
}

/**
 * GetAccessKeyLastUsed: long-term keys record their use (best effort). The store write is throttled to
 * once a minute per key in recordAccessKeyUse; this in-memory check keeps even the read off the request
 * path in between.
 */
export function noteKeyUse(p: Pipeline, call: Call, sig: ParsedSigV4, creds: ResolvedCredentials): void {
  if (creds.principal.session || creds.unverified) return;
  const account = creds.principal.account;
  const useKey = `${sig.accessKeyId}|${sig.service}|${sig.region}`;
  const last = p.keyUse.get(useKey);
  const now = call.now;
  if (last !== undefined && now - last < 60_000 && now >= last) return;
  if (p.keyUse.size > 10_000) p.keyUse.clear();
  p.keyUse.set(useKey, now);
  void recordAccessKeyUse(p.deps.store, account, sig.accessKeyId, sig.service, sig.region, now);
}
