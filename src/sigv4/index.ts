/**
 * SigV4 verification (header and presigned), pure: hashing is injected through {@link SigV4Crypto}.
 * Typical use in the shell: `parseSigV4` → (undefined ⇒ MissingAuthenticationToken) → `checkScope`
 * → look up the secret for `accessKeyId` → `verifySigV4`.
 */
export type { ParsedSigV4, SigV4Crypto, SigV4Request } from './types.js';
export { parseSigV4 } from './parse.js';
export { checkScope } from './scope.js';
export { AWS_PARTITION_REGIONS, SERVICE_REGIONS, isValidScopeRegion } from './regions.js';
export {
  canonicalRequest,
  computeSignature,
  constantTimeEqual,
  credentialScope,
  stringToSign,
  toHex,
  verifySigV4,
  type CanonicalOptions,
} from './verify.js';
export { SigningKeyCache, deriveSigningKey } from './signing-key.js';
export { canonicalPath, canonicalS3Path } from './canonical-path.js';
export {
  chunkDecoder,
  chunkSignature,
  chunkStringToSign,
  trailerStringToSign,
  TRAILER_SIGNATURE_HEADER,
  EMPTY_SHA256,
  STREAMING_SIGNED,
  STREAMING_SIGNED_TRAILER,
  STREAMING_UNSIGNED_TRAILER,
  UNSIGNED_PAYLOAD,
  type ChunkCrypto,
  type ChunkDecoder,
  type ChunkFailure,
  type ChunkSigning,
  type IncrementalSha256,
} from './chunked.js';
export { s3CanonicalOptions, s3PayloadHash, type S3PayloadHash, type S3PayloadMode } from './s3.js';
export { canonicalQuery } from './canonical-query.js';
export { canonicalHeaders, canonicalHeaderValue } from './canonical-headers.js';
export { uriEncode } from './uri-encode.js';
export { formatAmzDate, parseAmzDate } from './amz-date.js';
export { SIGNATURE_MISMATCH_MESSAGE, MAX_SKEW_MS, MAX_EXPIRES_SECONDS } from './constants.js';
