import { AwsError } from '../errors/index.js';
import { canonicalHeaders } from './canonical-headers.js';
import { canonicalPath, canonicalS3Path } from './canonical-path.js';
import { canonicalQuery } from './canonical-query.js';
import { ALGORITHM, SCOPE_TERMINATOR, SIGNATURE_MISMATCH_MESSAGE } from './constants.js';
import { deriveSigningKey, type SigningKeyCache } from './signing-key.js';
import type { ParsedSigV4, SigV4Crypto, SigV4Request } from './types.js';

/** Options for canonicalisation. */
export interface CanonicalOptions {
  /** Normalise the path (all services except S3). Default true: IAM and STS normalise. */
  normalizePath?: boolean;
  /**
   * Leave `X-Amz-Security-Token` out of the canonical query (clients that add the token after
   * presigning). Default false: the token must be signed.
   */
  omitSecurityToken?: boolean;
  /**
   * S3: the canonical URI is the path URI-encoded once, not normalised and not encoded again ("each
   * path segment must be URI-encoded twice (except for Amazon S3 which only gets URI-encoded once)",
   * AWS SigV4 docs, canonical request): the wire path is decoded and re-encoded with SigV4's encoding.
   */
  s3Path?: boolean;
  /**
   * The payload hash to put in the canonical request instead of the body's (S3: the value of
   * `x-amz-content-sha256` — a hex hash checked against the body as it streams, `UNSIGNED-PAYLOAD`,
   * or a `STREAMING-…` mode; see {@link s3PayloadHash}).
   */
  payloadHash?: string;
}

const HEX = '0123456789abcdef';

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  if (Buffer.isBuffer(bytes)) return bytes.toString('hex');
  let out = '';
  for (const b of bytes) out += HEX[b >> 4]! + HEX[b & 15]!;
  return out;
}

/**
 * The SigV4 canonical request: method, canonical URI, canonical query, canonical headers, signed
 * header list and the hex SHA-256 of the body, separated by `\n` (AWS SigV4 docs, "create a
 * canonical request"). The payload hash is always computed from the body actually received, so a
 * client cannot claim a different `x-amz-content-sha256`.
 */
export function canonicalRequest(
  req: SigV4Request,
  p: ParsedSigV4,
  crypto: SigV4Crypto,
  options?: CanonicalOptions,
): string {
  return (
    req.method +
    '\n' +
    (options?.s3Path === true
      ? canonicalS3Path(req.path)
      : canonicalPath(req.path, options?.normalizePath ?? true)) +
    '\n' +
    canonicalQuery(req.query, p.presigned, options?.omitSecurityToken ?? false) +
    '\n' +
    canonicalHeaders(req.headers, p.signedHeaders) +
    '\n' +
    p.signedHeaders.join(';') +
    '\n' +
    (options?.payloadHash ?? crypto.sha256Hex(req.body))
  );
}

/** Credential scope `date/region/service/aws4_request`. */
export function credentialScope(p: ParsedSigV4): string {
  return p.date + '/' + p.region + '/' + p.service + '/' + SCOPE_TERMINATOR;
}

/** The string to sign: algorithm, request time, scope and the hash of the canonical request. */
export function stringToSign(p: ParsedSigV4, canonical: string, crypto: SigV4Crypto): string {
  return ALGORITHM + '\n' + p.amzDate + '\n' + credentialScope(p) + '\n' + crypto.sha256Hex(canonical);
}

/**
 * Compare two strings in time that depends only on their lengths, never on where they differ
 * (the jose `timingSafeEqual` habit; STYLE.md: compare signatures in constant time).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const n = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/**
 * Compute the signature a request should carry under `secretAccessKey`. Exposed for tests and for
 * clients of iamd that need to sign (e.g. the console).
 */
export function computeSignature(
  req: SigV4Request,
  p: ParsedSigV4,
  secretAccessKey: string,
  crypto: SigV4Crypto,
  cache?: SigningKeyCache,
  options?: CanonicalOptions,
): string {
  const key =
    cache !== undefined
      ? cache.get(secretAccessKey, p.date, p.region, p.service, crypto)
      : deriveSigningKey(secretAccessKey, p.date, p.region, p.service, crypto);
  return toHex(crypto.hmac(key, stringToSign(p, canonicalRequest(req, p, crypto, options), crypto)));
}

/**
 * Verify the signature of a parsed request. Throws `SignatureDoesNotMatch` with AWS's uniform text
 * when it does not match; the error never reveals which part differed. Call {@link checkScope}
 * first (time and scope are checked separately so their messages can be specific, as AWS's are).
 */
export function verifySigV4(
  req: SigV4Request,
  p: ParsedSigV4,
  secretAccessKey: string,
  crypto: SigV4Crypto,
  cache?: SigningKeyCache,
  options?: CanonicalOptions,
): void {
  const expected = computeSignature(req, p, secretAccessKey, crypto, cache, options);
  if (!constantTimeEqual(expected, p.signature)) {
    throw new AwsError('SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE);
  }
}
