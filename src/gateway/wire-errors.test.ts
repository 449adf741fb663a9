import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import { renderDynamoDbError, renderS3Error, S3_SIGNATURE_MISMATCH } from './wire-errors.js';
import { SIGNATURE_MISMATCH_MESSAGE } from '../sigv4/index.js';

const denial = {
  code: 'AccessDenied',
  status: 403,
  // AWS's current wording (S3 User Guide, "Troubleshoot access denied (403 Forbidden) errors",
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html).
  message:
    'User: arn:aws:iam::111122223333:user/mary is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::b/<k>&" because no identity-based policy allows the s3:GetObject action',
};

test('S3 AccessDenied: REST-XML <Error> with code, escaped message, request id and host id', () => {
  const r = renderS3Error(denial, 'REQ1', 'HOST1');
  assert.equal(r.status, 403);
  assert.equal(r.contentType, 'application/xml');
  const doc = new DOMParser().parseFromString(r.body, 'text/xml');
  const text = (tag: string) => doc.getElementsByTagName(tag)[0]?.textContent;
  assert.equal(doc.documentElement?.nodeName, 'Error');
  assert.equal(text('Code'), 'AccessDenied');
  assert.equal(text('Message'), denial.message);
  assert.equal(text('RequestId'), 'REQ1');
  assert.equal(text('HostId'), 'HOST1');
});

test('S3: expired session is ExpiredToken 400 "The provided token has expired."; bad signature in S3 words', () => {
  const expired = renderS3Error(
    { code: 'ExpiredToken', status: 403, message: 'The security token included in the request is expired' },
    'R',
    'H',
  );
  assert.equal(expired.status, 400);
  assert.match(
    expired.body,
    /<Code>ExpiredToken<\/Code><Message>The provided token has expired\.<\/Message>/,
  );
  const sig = renderS3Error(
    { code: 'SignatureDoesNotMatch', status: 403, message: SIGNATURE_MISMATCH_MESSAGE },
    'R',
    'H',
  );
  assert.equal(sig.status, 403);
  assert.ok(sig.body.includes(`<Message>${S3_SIGNATURE_MISMATCH}</Message>`));
  const down = renderS3Error({ code: 'ServiceUnavailable', status: 503, message: 'x' }, 'R', 'H');
  assert.equal(down.status, 503);
  assert.ok(down.body.includes('<Code>ServiceUnavailable</Code>'));
  const own = renderS3Error(
    { code: 'NoSuchBucket', status: 404, message: 'The specified bucket does not exist' },
    'R',
    'H',
  );
  assert.equal(own.status, 404);
  assert.ok(own.body.includes('<Code>NoSuchBucket</Code>'));
});

test('DynamoDB: JSON 1.0 AccessDeniedException and ExpiredTokenException', () => {
  const r = renderDynamoDbError({
    ...denial,
    message:
      'User: u is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:111122223333:table/T because no identity-based policy allows the dynamodb:PutItem action',
  });
  assert.equal(r.status, 400);
  assert.equal(r.contentType, 'application/x-amz-json-1.0');
  assert.deepEqual(JSON.parse(r.body), {
    __type: 'com.amazonaws.dynamodb.v20120810#AccessDeniedException',
    message:
      'User: u is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:111122223333:table/T because no identity-based policy allows the dynamodb:PutItem action',
  });
  const expired = renderDynamoDbError({ code: 'ExpiredToken', status: 403, message: 'x' });
  assert.deepEqual(JSON.parse(expired.body), {
    __type: 'com.amazon.coral.service#ExpiredTokenException',
    message: 'The security token included in the request is expired',
  });
  assert.equal(expired.code, 'ExpiredTokenException');
});
