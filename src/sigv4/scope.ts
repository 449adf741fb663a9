import { AwsError } from '../errors/index.js';
import { formatAmzDate } from './amz-date.js';
import { MAX_SKEW_MS, SCOPE_TERMINATOR } from './constants.js';
import { isValidScopeRegion } from './regions.js';
import type { ParsedSigV4 } from './types.js';

function mismatch(message: string): AwsError {
  return new AwsError('SignatureDoesNotMatch', message);
}

/**
 * Check the credential scope and the signing time of a parsed request; throws
 * `SignatureDoesNotMatch` with AWS's texts:
 * - terminator must be `aws4_request`, service one of `services`, region one the service's table
 *   allows ({@link isValidScopeRegion}, `regions.ts`);
 * - the scope date must equal the date part of `X-Amz-Date`;
 * - header-signed requests must be within 15 minutes of `nowMs` either way ("Signature expired: …
 *   is now earlier than … (… - 15 min.)" / "Signature not yet current: … is still later than …
 *   (… + 15 min.)", aws-errors.md section 1, aws/aws-cli#6676);
 * - presigned requests with `X-Amz-Expires` must not have expired and may not be dated in the
 *   future beyond the same 15-minute skew.
 */
export function checkScope(p: ParsedSigV4, nowMs: number, services: readonly string[]): void {
  if (p.terminator !== SCOPE_TERMINATOR) {
    throw mismatch(
      `Credential should be scoped with a valid terminator: '${SCOPE_TERMINATOR}', not '${p.terminator}'. `,
    );
  }
  if (!services.includes(p.service)) {
    throw mismatch(`Credential should be scoped to correct service: '${services[0] ?? ''}'. `);
  }
  if (!isValidScopeRegion(p.service, p.region))
    throw mismatch(`Credential should be scoped to a valid region, not '${p.region}'. `);
  const httpDate = p.amzDate.slice(0, 8);
  if (p.date !== httpDate) {
    throw mismatch(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${p.date}' != '${httpDate}', from 'X-Amz-Date'.`,
    );
  }
  if (p.amzDateMs > nowMs + MAX_SKEW_MS) {
    throw mismatch(
      `Signature not yet current: ${p.amzDate} is still later than ${formatAmzDate(nowMs + MAX_SKEW_MS)} (${formatAmzDate(nowMs)} + 15 min.)`,
    );
  }
  if (p.presigned && p.expiresSeconds !== undefined) {
    if (nowMs > p.amzDateMs + p.expiresSeconds * 1000) throw mismatch('Request has expired');
    return;
  }
  if (p.amzDateMs < nowMs - MAX_SKEW_MS) {
    throw mismatch(
      `Signature expired: ${p.amzDate} is now earlier than ${formatAmzDate(nowMs - MAX_SKEW_MS)} (${formatAmzDate(nowMs)} - 15 min.)`,
    );
  }
}
