// Buckets behind the gateway are S3 Object Ownership BucketOwnerEnforced (the setting of every bucket
// created since April 2023): ACLs are disabled, policies alone decide, and S3's refusals of ACLs come
// back as S3 sends them.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateBucketCommand,
  GetBucketOwnershipControlsCommand,
  GetObjectAclCommand,
  PutBucketOwnershipControlsCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { type TestServer } from '../contract/harness.js';
import { s3Client, startS3Gateway, type S3Gateway } from './setup.js';

let gateway: S3Gateway;
let server: TestServer;
const s3 = () => s3Client(server.url);

before(async () => {
  gateway = await startS3Gateway();
  server = gateway.server;
  await s3().send(new CreateBucketCommand({ Bucket: 'owned' }));
});

after(() => gateway?.stop());

async function refused(
  p: Promise<unknown>,
  code: string,
  status: number,
  message: RegExp | string,
): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof S3ServiceException, String(e));
    assert.equal(e.name, code);
    assert.equal(e.$metadata.httpStatusCode, status);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test('PutObject: no ACL or bucket-owner-full-control is stored; public-read is AccessControlListNotSupported', async () => {
  await s3().send(new PutObjectCommand({ Bucket: 'owned', Key: 'plain', Body: 'x' }));
  await s3().send(
    new PutObjectCommand({ Bucket: 'owned', Key: 'owner-acl', Body: 'x', ACL: 'bucket-owner-full-control' }),
  );
  await refused(
    s3().send(new PutObjectCommand({ Bucket: 'owned', Key: 'public', Body: 'x', ACL: 'public-read' })),
    'AccessControlListNotSupported',
    400,
    'The bucket does not allow ACLs',
  );
  await refused(
    s3().send(new PutObjectAclCommand({ Bucket: 'owned', Key: 'plain', ACL: 'public-read' })),
    'AccessControlListNotSupported',
    400,
    'The bucket does not allow ACLs',
  );
  // Reading an ACL still works.
  const acl = await s3().send(new GetObjectAclCommand({ Bucket: 'owned', Key: 'plain' }));
  assert.ok(acl.Owner !== undefined);
});

test('CreateBucket: a public ACL is InvalidBucketAclWithObjectOwnership; an ACL-enabled ownership is not implemented', async () => {
  await refused(
    s3().send(new CreateBucketCommand({ Bucket: 'public-bucket', ACL: 'public-read' })),
    'InvalidBucketAclWithObjectOwnership',
    400,
    "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
  );
  await refused(
    s3().send(new CreateBucketCommand({ Bucket: 'writer-bucket', ObjectOwnership: 'ObjectWriter' })),
    'NotImplemented',
    501,
    /ObjectWriter/,
  );
  await s3().send(
    new CreateBucketCommand({ Bucket: 'enforced-bucket', ObjectOwnership: 'BucketOwnerEnforced' }),
  );
});

test('ownership controls: every bucket reads BucketOwnerEnforced; only that setting can be put', async () => {
  const got = await s3().send(new GetBucketOwnershipControlsCommand({ Bucket: 'owned' }));
  assert.deepEqual(
    got.OwnershipControls?.Rules?.map((r) => r.ObjectOwnership),
    ['BucketOwnerEnforced'],
  );
  await s3().send(
    new PutBucketOwnershipControlsCommand({
      Bucket: 'owned',
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    }),
  );
  await refused(
    s3().send(
      new PutBucketOwnershipControlsCommand({
        Bucket: 'owned',
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      }),
    ),
    'NotImplemented',
    501,
    /BucketOwnerPreferred/,
  );
  await refused(
    s3().send(new GetBucketOwnershipControlsCommand({ Bucket: 'no-such-bucket' })),
    'NoSuchBucket',
    404,
    'The specified bucket does not exist',
  );
});
