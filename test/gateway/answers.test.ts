/**
 * How the gateway hands upstream answers back (src/server/gateway/handler.ts): a small answer that has
 * already arrived whole goes back in one write, a large one streams through; either way the answer is
 * the upstream's, byte for byte, and the upstream connection goes back to the pool — 20 small
 * GetObjects in a row reuse one kept-alive connection rather than opening one each.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { startIamd, type TestServer } from '../contract/harness.js';
import { s3Client } from './setup.js';
import { startS3rver, type Upstream } from './upstreams.js';

let upstream: Upstream;
let relay: Server;
let server: TestServer;
let s3: S3Client;
/** TCP connections iamd opened to the upstream (through the counting relay). */
let connections = 0;
const sockets = new Set<Socket>();

const SMALL = randomBytes(700);
/** Larger than the gateway's one-write limit (64 KiB): streamed. */
const LARGE = randomBytes(300 * 1024);

before(async () => {
  upstream = await startS3rver();
  const target = new URL(upstream.url);
  relay = createServer((client) => {
    connections++;
    const up = connect(Number(target.port), target.hostname);
    for (const s of [client, up]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(up).pipe(client);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const port = (relay.address() as { port: number }).port;
  server = await startIamd([
    '--upstream',
    `s3=http://127.0.0.1:${port}`,
    '--upstream-credentials',
    's3=S3RVER:S3RVER',
  ]);
  s3 = s3Client(server.url);
  await s3.send(new CreateBucketCommand({ Bucket: 'answers' }));
  await s3.send(new PutObjectCommand({ Bucket: 'answers', Key: 'small', Body: SMALL }));
  await s3.send(new PutObjectCommand({ Bucket: 'answers', Key: 'large', Body: LARGE }));
});

after(async () => {
  s3.destroy();
  await server.stop();
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => relay.close(resolve));
  await upstream.stop();
});

async function body(key: string, range?: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: 'answers', Key: key, Range: range }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

test('small answers come back whole and byte for byte; the upstream connection is reused', async () => {
  const before = connections;
  for (let i = 0; i < 20; i++) assert.deepEqual(await body('small'), SMALL);
  // Sequential calls need one connection; the pool may have kept one more from the set-up's overlap.
  assert.ok(connections - before <= 1, `${connections - before} new upstream connections for 20 calls`);
  const head = await s3.send(new HeadObjectCommand({ Bucket: 'answers', Key: 'small' }));
  assert.equal(head.ContentLength, SMALL.length);
  assert.deepEqual(await body('small', 'bytes=10-19'), SMALL.subarray(10, 20));
});

test('a large answer streams back byte for byte, and the connection is reused after it too', async () => {
  assert.deepEqual(await body('large'), LARGE);
  const before = connections;
  assert.deepEqual(await body('large'), LARGE);
  assert.deepEqual(await body('small'), SMALL);
  assert.ok(connections - before <= 1, `${connections - before} new upstream connections`);
});
