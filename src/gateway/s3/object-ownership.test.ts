// S3 Object Ownership BucketOwnerEnforced, as the gateway enforces it (object-ownership.ts). S3's
// answers: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GatewayError } from '../errors.js';
import { objectOwnershipRefusal, ownershipControlsRefusal, requestedOwnership } from './object-ownership.js';

const code = (e: GatewayError | undefined): string | undefined => e?.code;

test('object writes: no ACL or bucket-owner-full-control only; other canned ACLs and grants are refused', () => {
  for (const op of ['PutObject', 'CopyObject', 'CreateMultipartUpload']) {
    assert.equal(objectOwnershipRefusal(op, {}, true), undefined);
    assert.equal(objectOwnershipRefusal(op, { 'x-amz-acl': 'bucket-owner-full-control' }, true), undefined);
    const refused = objectOwnershipRefusal(op, { 'x-amz-acl': 'public-read' }, true);
    assert.equal(refused?.code, 'AccessControlListNotSupported');
    assert.equal(refused?.message, 'The bucket does not allow ACLs');
    assert.equal(refused?.status, 400);
    assert.equal(
      code(
        objectOwnershipRefusal(
          op,
          { 'x-amz-grant-read': 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' },
          true,
        ),
      ),
      'AccessControlListNotSupported',
    );
  }
});

test('PutObjectAcl / PutBucketAcl: only the owner-only canned ACL, alone; ACL documents and grants are refused', () => {
  assert.equal(
    objectOwnershipRefusal('PutObjectAcl', { 'x-amz-acl': 'bucket-owner-full-control' }, false),
    undefined,
  );
  assert.equal(
    code(objectOwnershipRefusal('PutObjectAcl', { 'x-amz-acl': 'private' }, false)),
    'AccessControlListNotSupported',
  );
  assert.equal(code(objectOwnershipRefusal('PutObjectAcl', {}, true)), 'AccessControlListNotSupported');
  assert.equal(objectOwnershipRefusal('PutBucketAcl', { 'x-amz-acl': 'private' }, false), undefined);
  assert.equal(
    code(objectOwnershipRefusal('PutBucketAcl', { 'x-amz-acl': 'public-read' }, false)),
    'AccessControlListNotSupported',
  );
  assert.equal(code(objectOwnershipRefusal('PutBucketAcl', {}, true)), 'AccessControlListNotSupported');
});

test('CreateBucket: owner-only ACLs pass, others are InvalidBucketAclWithObjectOwnership; ACL-enabled ownership is not implemented', () => {
  assert.equal(objectOwnershipRefusal('CreateBucket', {}, false), undefined);
  assert.equal(objectOwnershipRefusal('CreateBucket', { 'x-amz-acl': 'private' }, false), undefined);
  assert.equal(
    objectOwnershipRefusal('CreateBucket', { 'x-amz-object-ownership': 'BucketOwnerEnforced' }, false),
    undefined,
  );
  const bad = objectOwnershipRefusal('CreateBucket', { 'x-amz-acl': 'public-read' }, false);
  assert.equal(bad?.code, 'InvalidBucketAclWithObjectOwnership');
  assert.equal(
    bad?.message,
    "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
  );
  const writer = objectOwnershipRefusal('CreateBucket', { 'x-amz-object-ownership': 'ObjectWriter' }, false);
  assert.equal(writer?.code, 'NotImplemented');
  assert.equal(writer?.status, 501);
  assert.match(writer?.message ?? '', /ObjectWriter/);
  assert.equal(code(objectOwnershipRefusal('DeleteBucketOwnershipControls', {}, false)), 'NotImplemented');
  // Reads of ACLs and everything else go on.
  for (const op of ['GetObjectAcl', 'GetBucketAcl', 'GetObject', 'ListObjectsV2'])
    assert.equal(objectOwnershipRefusal(op, { 'x-amz-acl': 'public-read' }, false), undefined);
});

test('PutBucketOwnershipControls bodies', () => {
  const body = (v: string) =>
    `<OwnershipControls xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ObjectOwnership>${v}</ObjectOwnership></Rule></OwnershipControls>`;
  assert.equal(ownershipControlsRefusal(body('BucketOwnerEnforced')), undefined);
  assert.equal(ownershipControlsRefusal(body('BucketOwnerPreferred'))?.code, 'NotImplemented');
  assert.equal(ownershipControlsRefusal('<OwnershipControls/>')?.code, 'MalformedXML');
  fc.assert(
    fc.property(fc.string(), (text) => {
      const r = ownershipControlsRefusal(text);
      assert.ok(r === undefined || r instanceof GatewayError);
      if (r === undefined) assert.equal(requestedOwnership(text), 'BucketOwnerEnforced');
    }),
  );
});
