/**
 * S3's SigV4 variations (AWS, "Authenticating Requests (AWS Signature Version 4)" for S3,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html): the payload
 * hash comes from `x-amz-content-sha256`, and presigned URLs sign `UNSIGNED-PAYLOAD`.
 */
import {
  STREAMING_SIGNED,
  STREAMING_SIGNED_TRAILER,
  STREAMING_UNSIGNED_TRAILER,
  UNSIGNED_PAYLOAD,
} from './chunked.js';
import type { ParsedSigV4, SigV4Request } from './types.js';
import type { CanonicalOptions } from './verify.js';

/** How an S3 request's body is covered by its signature. */
export type S3PayloadMode =
  /** `x-amz-content-sha256` is the body's hex SHA-256: check it against the body. */
  | { readonly kind: 'hash'; readonly sha256: string }
  | { readonly kind: 'unsigned' }
  /** aws-chunked; `signed`: chunk signatures chain from the seed; `trailer`: trailing headers follow. */
  | { readonly kind: 'chunked'; readonly signed: boolean; readonly trailer: boolean };

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The payload hash of an S3 request, or why it has none: `missing` (header-signed without it), `invalid`. */
export type S3PayloadHash =
  { readonly hash: string; readonly mode: S3PayloadMode } | { readonly error: 'missing' | 'invalid' };

/**
 * The payload mode and the hash to sign with for an S3 request. A header-signed request must carry
 * `x-amz-content-sha256` (S3 answers `InvalidRequest` "Missing required header for this request:
 * x-amz-content-sha256"); a presigned one signs `UNSIGNED-PAYLOAD` unless it names a hash.
 */
export function s3PayloadHash(req: SigV4Request, p: ParsedSigV4): S3PayloadHash {
  const declared = first(req.headers['x-amz-content-sha256']);
  if (declared === undefined) {
    if (p.presigned) return { hash: UNSIGNED_PAYLOAD, mode: { kind: 'unsigned' } };
    return { error: 'missing' };
  }
  switch (declared) {
    case UNSIGNED_PAYLOAD:
      return { hash: declared, mode: { kind: 'unsigned' } };
    case STREAMING_SIGNED:
      return { hash: declared, mode: { kind: 'chunked', signed: true, trailer: false } };
    case STREAMING_SIGNED_TRAILER:
      return { hash: declared, mode: { kind: 'chunked', signed: true, trailer: true } };
    case STREAMING_UNSIGNED_TRAILER:
      return { hash: declared, mode: { kind: 'chunked', signed: false, trailer: true } };
  }
  if (!/^[0-9a-f]{64}$/.test(declared)) return { error: 'invalid' };
  return { hash: declared, mode: { kind: 'hash', sha256: declared } };
}

/** The canonicalisation options of an S3 request whose payload hash is `hash`. */
export function s3CanonicalOptions(hash: string): CanonicalOptions {
  return { normalizePath: false, s3Path: true, payloadHash: hash };
}
