// Checksums sent as request headers through the gateway (issue #18): S3 checks `x-amz-checksum-<alg>`
// against the body and stores nothing on a mismatch (BadDigest); iamd checks it as S3 does, whatever the
// upstream checks (s3rver checks none).
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3ServiceException,
  type ChecksumAlgorithm,
} from '@aws-sdk/client-s3';
import { ROOT, type TestServer } from '../contract/harness.js';
import { signedFetch } from '../contract/signed-fetch.js';
import { createChecksum } from '../../src/gateway/checksum.js';
import { s3Client, startS3Gateway, type S3Gateway } from './setup.js';

let gateway: S3Gateway;
let server: TestServer;
const s3 = () => s3Client(server.url);

before(async () => {
  gateway = await startS3Gateway();
  server = gateway.server;
  await s3().send(new CreateBucketCommand({ Bucket: 'sums' }));
});

after(() => gateway?.stop());

const crc32Of = (text: string): string => {
  const c = createChecksum('crc32');
  c.update(Buffer.from(text));
  return c.base64();
};

/** A PUT signed by the root with the body's SHA-256 and extra headers. */
function put(key: string, body: string, headers: Record<string, string>): Promise<Response> {
  return signedFetch(server.url, ROOT, 's3', `/sums/${key}`, {
    method: 'PUT',
    body,
    headers: { ...headers, 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') },
  });
}

async function xmlError(res: Response): Promise<{ status: number; code: string; message: string }> {
  const text = await res.text();
  return {
    status: res.status,
    code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? '',
    message: /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? '',
  };
}

async function absent(key: string): Promise<void> {
  await assert.rejects(s3().send(new GetObjectCommand({ Bucket: 'sums', Key: key })), (e: unknown) => {
    assert.ok(e instanceof S3ServiceException);
    assert.equal(e.name, 'NoSuchKey');
    return true;
  });
}

test('the SDK v3 client: PutObject with each checksum algorithm it computes is stored', async () => {
  for (const algorithm of ['CRC32', 'CRC32C', 'SHA1', 'SHA256'] as ChecksumAlgorithm[]) {
    const key = `sdk-${algorithm}`;
    await s3().send(
      new PutObjectCommand({
        Bucket: 'sums',
        Key: key,
        Body: `body for ${algorithm}`,
        ChecksumAlgorithm: algorithm,
      }),
    );
    const got = await s3().send(new GetObjectCommand({ Bucket: 'sums', Key: key }));
    assert.equal(await got.Body?.transformToString(), `body for ${algorithm}`);
  }
});

test('a checksum header that is not the body’s is BadDigest, and the object is not stored', async () => {
  const ok = await put('right', 'hello', { 'x-amz-checksum-crc32': crc32Of('hello') });
  assert.equal(ok.status, 200, await ok.text());
  const wrong = await put('wrong', 'hello', { 'x-amz-checksum-crc32': crc32Of('HELLO') });
  assert.deepEqual(await xmlError(wrong), {
    status: 400,
    code: 'BadDigest',
    message: 'The CRC32 you specified did not match the calculated checksum.',
  });
  await absent('wrong');
});

test('malformed and conflicting checksum headers are InvalidRequest', async () => {
  assert.deepEqual(await xmlError(await put('bad', 'hello', { 'x-amz-checksum-crc32': 'AAAA' })), {
    status: 400,
    code: 'InvalidRequest',
    message: 'Value for x-amz-checksum-crc32 header is invalid.',
  });
  assert.deepEqual(
    await xmlError(
      await put('two', 'hello', {
        'x-amz-checksum-crc32': crc32Of('hello'),
        'x-amz-checksum-sha256': createHash('sha256').update('hello').digest('base64'),
      }),
    ),
    {
      status: 400,
      code: 'InvalidRequest',
      message: 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    },
  );
  await absent('bad');
  await absent('two');
});
