import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isS3SigV2 } from './sigv2.js';

test('SigV2 header and presigned forms are recognised; SigV4 and unsigned are not', () => {
  assert.equal(isS3SigV2('AWS AKIAEXAMPLE:c2ln', '/b/k'), true);
  assert.equal(isS3SigV2(undefined, '/b/k?AWSAccessKeyId=AKIA&Expires=1&Signature=abc%3D'), true);
  assert.equal(
    isS3SigV2('AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/s3/aws4_request, S=x', '/'),
    false,
  );
  assert.equal(isS3SigV2(undefined, '/b/k?X-Amz-Credential=AKIA%2F&X-Amz-Signature=abc'), false);
  assert.equal(isS3SigV2(undefined, '/b/k?AWSAccessKeyId=AKIA'), false);
  assert.equal(isS3SigV2(undefined, '/b/k'), false);
});

test('never throws, and a SigV4 Authorization header is never SigV2 (property)', () => {
  fc.assert(
    fc.property(fc.option(fc.string(), { nil: undefined }), fc.string(), (auth, url) => {
      const r = isS3SigV2(auth, url);
      assert.equal(typeof r, 'boolean');
      assert.equal(isS3SigV2(`AWS4-HMAC-SHA256 ${auth ?? ''}`, url), false);
    }),
  );
});
