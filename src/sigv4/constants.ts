/**
 * SigV4 protocol constants (AWS General Reference, "Signature Version 4 signing process").
 * Header names are lower-case because Node delivers them lower-cased.
 */

/** The only algorithm iamd accepts; SigV4a (`AWS4-ECDSA-P256-SHA256`) is not supported. */
export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** Last element of every credential scope. */
export const SCOPE_TERMINATOR = 'aws4_request';
/** Lower-case request header carrying the header-style signature. */
export const AUTHORIZATION_HEADER = 'authorization';
/** Lower-case request header carrying the signing time (ISO-8601 basic format). */
export const AMZ_DATE_HEADER = 'x-amz-date';
/** Fallback time header when `x-amz-date` is absent (RFC 7231 IMF-fixdate). */
export const DATE_HEADER = 'date';
/** Lower-case request header carrying a session token. */
export const SECURITY_TOKEN_HEADER = 'x-amz-security-token';

/** Presigned-URL query parameter names. */
export const Q_ALGORITHM = 'X-Amz-Algorithm';
/** Presigned-URL credential (`AKID/date/region/service/aws4_request`). */
export const Q_CREDENTIAL = 'X-Amz-Credential';
/** Presigned-URL signing time. */
export const Q_DATE = 'X-Amz-Date';
/** Presigned-URL signed header list. */
export const Q_SIGNED_HEADERS = 'X-Amz-SignedHeaders';
/** Presigned-URL signature; the only parameter left out of the canonical query. */
export const Q_SIGNATURE = 'X-Amz-Signature';
/** Presigned-URL lifetime in seconds. */
export const Q_EXPIRES = 'X-Amz-Expires';
/** Presigned-URL session token. */
export const Q_SECURITY_TOKEN = 'X-Amz-Security-Token';

/** Allowed clock skew for header-signed requests: 15 minutes (AWS General Reference, "Signature Version 4 ... time stamp"). */
export const MAX_SKEW_MS = 15 * 60 * 1000;
/** Longest presigned-URL lifetime AWS accepts: 7 days. */
export const MAX_EXPIRES_SECONDS = 604800;

/** AWS's uniform text for a wrong signature; it never says which part differed (aws-errors.md section 1, aws/aws-cli#5166). */
export const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
