/**
 * S3's own answers on signing time, which differ from IAM's (`checkScope`): a header-signed request
 * more than 15 minutes off is `RequestTimeTooSkewed` (403, "The difference between the request time and
 * the current time is too large.", https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html);
 * a presigned URL past `X-Amz-Expires` is `AccessDenied` "Request has expired" (403), one dated in the
 * future `AccessDenied` "Request is not valid yet", and S3 requires `X-Amz-Expires` on every SigV4
 * presigned URL (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html). Called
 * before authentication, which is then left with the scope to object to.
 */
import { MAX_SKEW_MS } from '../sigv4/constants.js';
import type { ParsedSigV4 } from '../sigv4/index.js';
import { GatewayError } from './errors.js';

export function checkS3Time(p: ParsedSigV4, nowMs: number): void {
  if (p.presigned) {
    if (p.expiresSeconds === undefined)
      throw new GatewayError(
        'AuthorizationQueryParametersError',
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
        400,
      );
    if (nowMs > p.amzDateMs + p.expiresSeconds * 1000)
      throw new GatewayError('AccessDenied', 'Request has expired', 403);
    if (p.amzDateMs > nowMs + MAX_SKEW_MS)
      throw new GatewayError('AccessDenied', 'Request is not valid yet', 403);
    return;
  }
  if (Math.abs(p.amzDateMs - nowMs) > MAX_SKEW_MS)
    throw new GatewayError(
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
      403,
    );
}
