// Cross-account S3 through the gateway (issue #18): a bucket belongs to the account that created it;
// another account's user needs both an identity-based allow and the bucket policy naming its account
// (IAM User Guide, "Cross-account policy evaluation logic"); ListBuckets shows each account its own.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateBucketCommand,
  PutObjectCommand,
  GetObjectCommand,
  ListBucketsCommand,
  PutBucketPolicyCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { ROOT, type Creds, type TestServer } from '../contract/harness.js';
import { createUser, rootCreds, type CreatedAccount } from '../contract/accounts-helper.js';
import { s3Client, startTwoAccountGateway, type TwoAccountGateway } from './setup.js';

let gateway: TwoAccountGateway;
let server: TestServer;
let other: CreatedAccount;

const s3 = (creds: Creds = ROOT) => s3Client(server.url, creds);

before(async () => {
  gateway = await startTwoAccountGateway('s3');
  ({ server, other } = gateway);
  await s3().send(new CreateBucketCommand({ Bucket: 'shared' }));
  await s3().send(new PutObjectCommand({ Bucket: 'shared', Key: 'doc.txt', Body: 'shared doc' }));
});

after(() => gateway?.stop());

test('cross-account read needs an identity allow in the caller account and the bucket policy', async () => {
  const iamB = server.iam(rootCreds(other));
  const reader = await createUser(iamB, 'reader', {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/*' }],
  });
  const bystander = await createUser(iamB, 'bystander');
  const get = (c: Creds) => s3(c).send(new GetObjectCommand({ Bucket: 'shared', Key: 'doc.txt' }));
  const denied = async (c: Creds) =>
    assert.rejects(get(c), (e: unknown) => {
      assert.ok(e instanceof S3ServiceException);
      assert.equal(e.name, 'AccessDenied');
      assert.equal(e.$metadata.httpStatusCode, 403);
      // Cross-account denials carry no context (S3 User Guide, "Troubleshoot access denied (403 Forbidden)
      // errors": the extra context is for same-account or same-organization requests).
      assert.equal(e.message, 'Access Denied');
      return true;
    });
  await denied(reader.creds);
  await s3().send(
    new PutBucketPolicyCommand({
      Bucket: 'shared',
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${other.AccountId}:root` },
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::shared/*',
          },
        ],
      }),
    }),
  );
  const ok = await get(reader.creds);
  assert.equal(await ok.Body!.transformToString(), 'shared doc');
  // The bucket policy trusts the account; its users still need their own account's allow.
  await denied(bystander.creds);
});

test('ListBuckets shows each account its own buckets only', async () => {
  await s3(rootCreds(other)).send(new CreateBucketCommand({ Bucket: 'b-bucket' }));
  const mine = await s3(rootCreds(other)).send(new ListBucketsCommand({}));
  assert.deepEqual(
    mine.Buckets?.map((b) => b.Name),
    ['b-bucket'],
  );
  const theirs = await s3().send(new ListBucketsCommand({}));
  assert.deepEqual(
    theirs.Buckets?.map((b) => b.Name),
    ['shared'],
  );
});
