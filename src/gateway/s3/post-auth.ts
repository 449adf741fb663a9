/**
 * Authenticating an S3 POST upload (AWS Signature Version 4 in the form, "Authenticating Requests:
 * Browser-Based Uploads Using POST (AWS Signature Version 4)",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-authentication-HTTPPOST.html): the fields
 * `x-amz-algorithm` (AWS4-HMAC-SHA256), `x-amz-credential` (`AKID/date/region/s3/aws4_request`),
 * `x-amz-date`, `x-amz-signature`, `policy` and, for temporary credentials, `x-amz-security-token`.
 * The signature is the hex HMAC-SHA256 of the base64 policy under the SigV4 signing key of the
 * credential's scope. The caller is resolved by src/authn's resolver (users, role sessions: an expired
 * session is ExpiredToken, an unknown key InvalidClientTokenId) and the signature compared in constant
 * time; the enforcement levels apply as in src/authn/authenticate.ts (`off` checks no signature, a
 * `permissive` stand-in root only the form). A form without policy and signature is anonymous.
 */
import { AwsError } from '../../errors/index.js';
import type { Authenticator } from '../../authn/authenticate.js';
import type { ResolvedCredentials } from '../../authn/resolve.js';
import { sigv4Crypto } from '../../authn/sigv4-crypto.js';
import { checkScope, constantTimeEqual, parseAmzDate, toHex, type ParsedSigV4 } from '../../sigv4/index.js';
import { GatewayError, s3Errors } from '../errors.js';
import { S3_SIGNATURE_MISMATCH } from '../wire-errors.js';
import { formValue } from './post-policy.js';

/** The SigV4 fields of a signed POST form. */
export interface PostSignature {
  readonly sig: ParsedSigV4;
  /** The `policy` field as sent (base64): the string that was signed. */
  readonly policy: string;
}

/** The SigV4 fields S3 requires of a signed form. */
const REQUIRED = ['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature', 'policy'] as const;

/**
 * S3's answer for a signed form that lacks a field (S3 answers a POST without `key` with the same
 * words: "Bucket POST must contain a field named 'key'.  If it is specified, please check the order
 * of the fields.").
 */
export function missingField(name: string): GatewayError {
  return new GatewayError(
    'InvalidArgument',
    `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`,
    400,
  );
}

/**
 * The form's signature fields: undefined for an anonymous form (none of them); SigV2 forms
 * (`AWSAccessKeyId`, `signature`) and other algorithms are refused as S3 refuses SigV2 for new buckets.
 * Throws {@link GatewayError} for an incomplete or malformed set.
 */
export function postSignatureOf(fields: readonly (readonly [string, string])[]): PostSignature | undefined {
  if (formValue(fields, 'awsaccesskeyid') !== undefined || formValue(fields, 'signature') !== undefined)
    throw s3Errors.sigV2NotSupported();
  const present = REQUIRED.filter((n) => formValue(fields, n) !== undefined);
  if (present.length === 0 && formValue(fields, 'x-amz-security-token') === undefined) return undefined;
  for (const n of REQUIRED) if (formValue(fields, n) === undefined) throw missingField(n);
  if (formValue(fields, 'x-amz-algorithm') !== 'AWS4-HMAC-SHA256') throw s3Errors.sigV2NotSupported();
  const credential = formValue(fields, 'x-amz-credential')!;
  const amzDate = formValue(fields, 'x-amz-date')!;
  const parts = credential.split('/');
  const amzDateMs = parseAmzDate(amzDate);
  if (parts.length !== 5 || parts.some((p) => p === '') || amzDateMs === undefined)
    throw new GatewayError(
      'InvalidArgument',
      `x-amz-credential must be ACCESS_KEY/yyyymmdd/region/s3/aws4_request and x-amz-date yyyymmddThhmmssZ, not \`${credential}\` and \`${amzDate}\``,
      400,
    );
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  const token = formValue(fields, 'x-amz-security-token');
  const sig: ParsedSigV4 = {
    accessKeyId,
    date,
    region,
    service,
    terminator,
    signedHeaders: [],
    signature: formValue(fields, 'x-amz-signature')!,
    amzDate,
    amzDateMs,
    presigned: false,
    ...(token !== undefined && token !== '' ? { securityToken: token } : {}),
  };
  return { sig, policy: formValue(fields, 'policy')! };
}

/**
 * Authenticates a signed form: the scope's form (terminator, service `s3`, region, date agreeing
 * with `x-amz-date`; no request-time window — a POST form is valid until its policy's expiration),
 * the caller's credentials at `nowMs` (server time), and the signature of the policy.
 */
export async function authenticatePost(
  auth: Authenticator,
  post: PostSignature,
  nowMs: number,
): Promise<ResolvedCredentials> {
  const { sig } = post;
  // Checked as of the form's own date: only the scope's form can fail.
  checkScope(sig, sig.amzDateMs, auth.services);
  const resolver = auth.resolver;
  const lenient = auth.strict !== true;
  const creds = await resolver.resolve(sig.accessKeyId, sig.securityToken, nowMs);
  if (lenient && resolver.checksNothing) return creds;
  if (creds.unverified === true) {
    if (lenient) return creds;
    if (creds.secretAccessKey === '') throw new AwsError('SignatureDoesNotMatch', S3_SIGNATURE_MISMATCH);
  }
  const crypto = auth.crypto ?? sigv4Crypto;
  const key = auth.signingKeys.get(creds.secretAccessKey, sig.date, sig.region, sig.service, crypto);
  const expected = toHex(crypto.hmac(key, post.policy));
  if (!constantTimeEqual(expected, sig.signature.toLowerCase()))
    throw new AwsError('SignatureDoesNotMatch', S3_SIGNATURE_MISMATCH);
  return creds;
}
