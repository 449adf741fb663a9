// S3's signing-time answers (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html,
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkS3Time } from './s3-time.js';
import { GatewayError } from './errors.js';
import type { ParsedSigV4 } from '../sigv4/index.js';

const T = Date.UTC(2024, 0, 1, 12, 0, 0);
function p(over: Partial<ParsedSigV4>): ParsedSigV4 {
  return {
    accessKeyId: 'AKID',
    date: '20240101',
    region: 'us-east-1',
    service: 's3',
    terminator: 'aws4_request',
    signedHeaders: ['host'],
    signature: 'x',
    amzDate: '20240101T120000Z',
    amzDateMs: T,
    presigned: false,
    ...over,
  } as ParsedSigV4;
}
const is = (code: string, status: number, message: string) => (e: unknown) =>
  e instanceof GatewayError && e.code === code && e.status === status && e.message === message;

test('header-signed: 15 minutes either way, then RequestTimeTooSkewed', () => {
  checkS3Time(p({}), T + 15 * 60_000);
  checkS3Time(p({}), T - 15 * 60_000);
  const skew = is(
    'RequestTimeTooSkewed',
    403,
    'The difference between the request time and the current time is too large.',
  );
  assert.throws(() => checkS3Time(p({}), T + 15 * 60_000 + 1), skew);
  assert.throws(() => checkS3Time(p({}), T - 15 * 60_000 - 1), skew);
});

test('presigned: X-Amz-Expires required, AccessDenied "Request has expired" after it, not valid yet before', () => {
  checkS3Time(p({ presigned: true, expiresSeconds: 3600 }), T + 3600_000);
  assert.throws(
    () => checkS3Time(p({ presigned: true, expiresSeconds: 3600 }), T + 3600_001),
    is('AccessDenied', 403, 'Request has expired'),
  );
  assert.throws(
    () => checkS3Time(p({ presigned: true }), T),
    is(
      'AuthorizationQueryParametersError',
      400,
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    ),
  );
  assert.throws(
    () => checkS3Time(p({ presigned: true, expiresSeconds: 60 }), T - 16 * 60_000),
    is('AccessDenied', 403, 'Request is not valid yet'),
  );
});
