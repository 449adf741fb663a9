// The gateway streams bodies (issue #18, Speed): a 256 MiB UNSIGNED-PAYLOAD PutObject through iamd to
// s3rver, and its GetObject back, keep iamd's resident set within 64 MiB of what it was before — a
// gateway that buffered the body would grow by the object's size. Not timed (the benchmark times it:
// `npm run bench -- gateway`). RSS is read from /proc/PID/status (VmRSS), so the test runs on Linux.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { startS3Gateway, type S3Gateway } from './setup.js';
import { sigv4Crypto as crypto } from '../../src/authn/sigv4-crypto.js';
import { ROOT, type TestServer } from '../contract/harness.js';
import {
  computeSignature,
  credentialScope,
  formatAmzDate,
  s3CanonicalOptions,
} from '../../src/sigv4/index.js';

const MIB = 1024 * 1024;
const SIZE = 256 * MIB;
const BOUND = 64 * MIB;
const onLinux = process.platform === 'linux';

let gateway: S3Gateway;
let server: TestServer;

before(async () => {
  gateway = await startS3Gateway();
  server = gateway.server;
  const s3 = new S3Client({
    endpoint: server.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: ROOT,
    maxAttempts: 1,
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'big' }));
});

after(() => gateway?.stop());

function rss(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, 'VmRSS readable');
  return Number(m[1]) * 1024;
}

/** Samples the server's RSS every 20 ms while `work` runs; the largest growth over `before`. */
async function growthDuring(work: () => Promise<void>): Promise<number> {
  const pid = server.process.pid!;
  const start = rss(pid);
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, rss(pid))), 20);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, rss(pid)) - start;
}

/** Headers of a request to the server signed by the root with UNSIGNED-PAYLOAD. */
function signed(method: string, path: string, extra: Record<string, string>): Record<string, string> {
  const url = new URL(server.url);
  const now = Date.now();
  const amzDate = formatAmzDate(now);
  const headers: Record<string, string> = {
    ...extra,
    host: url.host,
    'x-amz-date': amzDate,
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
  };
  const p = {
    accessKeyId: ROOT.accessKeyId,
    date: amzDate.slice(0, 8),
    region: 'us-east-1',
    service: 's3',
    terminator: 'aws4_request' as const,
    signedHeaders: Object.keys(headers).sort(),
    signature: '',
    amzDate,
    amzDateMs: now,
    presigned: false,
  };
  const signature = computeSignature(
    { method, path, query: '', headers, body: '' },
    p,
    ROOT.secretAccessKey,
    crypto,
    undefined,
    s3CanonicalOptions('UNSIGNED-PAYLOAD'),
  );
  headers['authorization'] =
    `AWS4-HMAC-SHA256 Credential=${ROOT.accessKeyId}/${credentialScope(p)}, ` +
    `SignedHeaders=${p.signedHeaders.join(';')}, Signature=${signature}`;
  return headers;
}

async function drain(res: IncomingMessage): Promise<{ bytes: number; text: string }> {
  let bytes = 0;
  let text = '';
  for await (const c of res) {
    bytes += (c as Buffer).length;
    if (text.length < 1024) text += (c as Buffer).toString('utf8');
  }
  return { bytes, text };
}

test(
  'a 256 MiB streamed upload and its download keep iamd within 64 MiB of RSS',
  { skip: !onLinux },
  async () => {
    const url = new URL(server.url);
    const block = randomBytes(MIB);
    const uploadGrowth = await growthDuring(async () => {
      const req = request({
        host: url.hostname,
        port: url.port,
        method: 'PUT',
        path: '/big/object',
        headers: {
          ...signed('PUT', '/big/object', { 'content-type': 'application/octet-stream' }),
          'content-length': String(SIZE),
        },
      });
      const answered = new Promise<IncomingMessage>((resolve, reject) => {
        req.on('response', resolve);
        req.on('error', reject);
      });
      // Written with back-pressure: the client holds at most one block.
      for (let sent = 0; sent < SIZE; sent += MIB) if (!req.write(block)) await once(req, 'drain');
      req.end();
      const res = await answered;
      const r = await drain(res);
      assert.equal(res.statusCode, 200, r.text);
    });
    assert.ok(uploadGrowth < BOUND, `upload grew iamd's RSS by ${(uploadGrowth / MIB).toFixed(1)} MiB`);

    const downloadGrowth = await growthDuring(async () => {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = request({
          host: url.hostname,
          port: url.port,
          method: 'GET',
          path: '/big/object',
          headers: signed('GET', '/big/object', {}),
        });
        req.on('response', resolve);
        req.on('error', reject);
        req.end();
      });
      const r = await drain(res);
      assert.equal(res.statusCode, 200, r.text);
      assert.equal(r.bytes, SIZE);
    });
    assert.ok(downloadGrowth < BOUND, `download grew iamd's RSS by ${(downloadGrowth / MIB).toFixed(1)} MiB`);
  },
);
