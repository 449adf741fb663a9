/**
 * The one authentication step of a signed request: credential scope and time, the caller's
 * credentials, the signature. The enforcement level decides how much of it is checked, here only.
 */
import {
  checkScope,
  verifySigV4,
  type ParsedSigV4,
  type SigningKeyCache,
  type SigV4Crypto,
  type SigV4Request,
} from '../sigv4/index.js';
import type { CredentialResolver, ResolvedCredentials } from './resolve.js';

/**
 * Authenticates a signed request. At `enforce` and the report levels: scope, request time (15
 * minutes of skew), credentials and signature. A `permissive` stand-in root has no secret, so only its
 * signature's form is checked. At `off` (issue #21) only the form of the credential scope is checked
 * (terminator, service, region): no time, no signature — suites freeze their clocks years in the past.
 * `nowMs` is server time (session expiry); `signingNowMs` is real time (signature freshness).
 */
export async function authenticate(
  resolver: CredentialResolver,
  request: SigV4Request,
  sig: ParsedSigV4,
  nowMs: number,
  signingNowMs: number,
  services: readonly string[],
  crypto: SigV4Crypto,
  signingKeys: SigningKeyCache,
): Promise<ResolvedCredentials> {
  const off = resolver.checksNothing;
  // At `off` the request is checked as of its own time, which leaves the scope's form only. Otherwise
  // signature freshness is judged on real time (`signingNowMs`): a moved test clock expires sessions
  // (resolved at `nowMs`), not the signatures of unmodified clients (issue #16 item 8).
  checkScope(sig, off ? sig.amzDateMs : signingNowMs, services);
  const creds = await resolver.resolve(sig.accessKeyId, sig.securityToken, nowMs);
  if (!off && !creds.unverified) verifySigV4(request, sig, creds.secretAccessKey, crypto, signingKeys);
  return creds;
}
