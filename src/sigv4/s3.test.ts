// S3's SigV4: the chunked-upload example of AWS's documentation (published seed and chunk signatures),
// requests signed by @aws-sdk/client-s3 itself and presigned by @aws-sdk/s3-request-presigner, and
// property tests for the chunk decoder.
import { createHash, createHmac } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { S3Client, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  chunkDecoder,
  chunkSignature,
  credentialScope,
  deriveSigningKey,
  parseSigV4,
  s3CanonicalOptions,
  s3PayloadHash,
  verifySigV4,
  computeSignature,
  type ChunkCrypto,
  type ChunkFailure,
  type SigV4Request,
} from './index.js';
import { AwsError } from '../errors/index.js';

const crypto: ChunkCrypto = {
  sha256Hex: (d) => createHash('sha256').update(d).digest('hex'),
  hmac: (k, d) => new Uint8Array(createHmac('sha256', k).update(d, 'utf8').digest()),
  sha256: () => {
    const h = createHash('sha256');
    return { update: (b) => void h.update(b), hex: () => h.digest('hex') };
  },
};

// AWS, "Signature Calculations for the Authorization Header: Transferring Payload in Multiple Chunks
// (Chunked Upload)", Example: PUT Object — https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
const CHUNK1 = 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648';
const CHUNK2 = '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497';
const FINAL = 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9';
const docRequest: SigV4Request = {
  method: 'PUT',
  path: '/examplebucket/chunkObject.txt',
  query: '',
  headers: {
    host: 's3.amazonaws.com',
    'x-amz-date': '20130524T000000Z',
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=' +
      SEED,
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': '66560',
    'content-length': '66824',
  },
  body: '',
};

function docBody(sigs = [CHUNK1, CHUNK2, FINAL], data1 = 'a'.repeat(65536)): Uint8Array {
  const text =
    `10000;chunk-signature=${sigs[0]}\r\n${data1}\r\n` +
    `400;chunk-signature=${sigs[1]}\r\n${'a'.repeat(1024)}\r\n` +
    `0;chunk-signature=${sigs[2]}\r\n\r\n`;
  return new TextEncoder().encode(text);
}

function docDecoder() {
  const p = parseSigV4(docRequest)!;
  return chunkDecoder(
    crypto,
    {
      signingKey: deriveSigningKey(SECRET, p.date, p.region, p.service, crypto),
      amzDate: p.amzDate,
      scope: credentialScope(p),
      seedSignature: p.signature,
    },
    false,
  );
}

function decodeAll(bytes: Uint8Array, pieces: number[]): { out: number; result: true | ChunkFailure } {
  const d = docDecoder();
  let out = 0;
  let at = 0;
  for (const n of [...pieces, bytes.length]) {
    const r = d.push(bytes.subarray(at, Math.min(bytes.length, at + n)));
    at = Math.min(bytes.length, at + n);
    if (typeof r === 'string') return { out, result: r };
    for (const piece of r) out += piece.length;
    if (at >= bytes.length) break;
  }
  return { out, result: d.end() };
}

test('AWS example: the seed signature verifies with S3 canonicalisation (STREAMING payload hash)', () => {
  const p = parseSigV4(docRequest)!;
  const payload = s3PayloadHash(docRequest, p);
  assert.ok('mode' in payload);
  assert.deepEqual(payload.mode, { kind: 'chunked', signed: true, trailer: false });
  verifySigV4(docRequest, p, SECRET, crypto, undefined, s3CanonicalOptions(payload.hash));
  assert.throws(
    () => verifySigV4(docRequest, p, SECRET, crypto, undefined, s3CanonicalOptions('UNSIGNED-PAYLOAD')),
    (e: unknown) => e instanceof AwsError && e.code === 'SignatureDoesNotMatch',
  );
});

test('AWS example: each chunk signature is the published one', () => {
  const p = parseSigV4(docRequest)!;
  const key = deriveSigningKey(SECRET, p.date, p.region, p.service, crypto);
  const scope = credentialScope(p);
  const h = (s: string) => crypto.sha256Hex(s);
  assert.equal(chunkSignature(key, p.amzDate, scope, SEED, h('a'.repeat(65536)), crypto), CHUNK1);
  assert.equal(chunkSignature(key, p.amzDate, scope, CHUNK1, h('a'.repeat(1024)), crypto), CHUNK2);
  assert.equal(chunkSignature(key, p.amzDate, scope, CHUNK2, h(''), crypto), FINAL);
});

test('AWS example: the decoder emits the 66560 payload bytes and accepts the body, whole or byte by byte', () => {
  const body = docBody();
  assert.equal(body.length, 66824);
  assert.deepEqual(decodeAll(body, []), { out: 66560, result: true });
  assert.deepEqual(decodeAll(body, [1, 1, 1, 7, 80, 65536, 3, 1]), { out: 66560, result: true });
});

test('AWS example: a tampered chunk, signature, order or a missing final chunk fails', () => {
  assert.equal(decodeAll(docBody(undefined, 'b' + 'a'.repeat(65535)), []).result, 'signature');
  assert.equal(decodeAll(docBody([CHUNK1, CHUNK1, FINAL]), []).result, 'signature');
  assert.equal(decodeAll(docBody([CHUNK2, CHUNK1, FINAL]), []).result, 'signature');
  assert.equal(decodeAll(docBody([CHUNK1, CHUNK2, CHUNK2]), []).result, 'signature');
  const full = docBody();
  assert.equal(decodeAll(full.subarray(0, full.length - 90), []).result, 'incomplete');
  const extra = new Uint8Array(full.length + 1);
  extra.set(full);
  extra[full.length] = 65;
  assert.equal(decodeAll(extra, []).result, 'malformed');
});

test('property: the chunk decoder never throws on arbitrary bytes, however they are split', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
        fc
          .constantFrom('0;chunk-signature=\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n', 'zz;\r\n')
          .map((s) => new TextEncoder().encode(s)),
      ),
      fc.array(fc.nat(50)),
      fc.boolean(),
      (bytes, splits, signed) => {
        const d = signed ? docDecoder() : chunkDecoder(crypto, undefined, true);
        let at = 0;
        for (const n of [...splits, bytes.length]) {
          const r = d.push(bytes.subarray(at, at + n));
          at += n;
          if (typeof r === 'string' || at >= bytes.length) break;
        }
        const end = d.end();
        assert.ok(end === true || ['signature', 'malformed', 'incomplete'].includes(end));
      },
    ),
    { numRuns: 1000 },
  );
});

test('property: unsigned aws-chunked with trailers round-trips any payload split into any chunks', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 6 }), (chunks) => {
      const parts: Uint8Array[] = [];
      const enc = new TextEncoder();
      for (const c of chunks) parts.push(enc.encode(c.length.toString(16) + '\r\n'), c, enc.encode('\r\n'));
      parts.push(enc.encode('0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n'));
      const d = chunkDecoder(crypto, undefined, true);
      const out: number[] = [];
      for (const p of parts) {
        const r = d.push(p);
        assert.notEqual(typeof r, 'string');
        for (const piece of r as Uint8Array[]) out.push(...piece);
      }
      assert.equal(d.end(), true);
      assert.deepEqual(
        out,
        chunks.flatMap((c) => [...c]),
      );
      assert.equal(d.trailers.get('x-amz-checksum-crc32'), 'AAAAAA==');
    }),
  );
});

/** Captures the request @aws-sdk/client-s3 signs, without sending it. */
async function sdkSigned(command: PutObjectCommand | GetObjectCommand): Promise<SigV4Request> {
  let captured: SigV4Request | undefined;
  const client = new S3Client({
    region: 'eu-west-1',
    endpoint: 'http://127.0.0.1:4599',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET },
    requestHandler: {
      handle: async (req: {
        method: string;
        path: string;
        query?: Record<string, string>;
        headers: Record<string, string>;
        body?: unknown;
      }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
        const query = Object.entries(req.query ?? {})
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
          .join('&');
        captured = { method: req.method, path: req.path, query, headers, body: '' };
        throw new Error('captured');
      },
    },
  });
  await assert.rejects(client.send(command));
  return captured!;
}

test('a PutObject signed by @aws-sdk/client-s3 (key with spaces and unicode) verifies; a changed key does not', async () => {
  const req = await sdkSigned(new PutObjectCommand({ Bucket: 'bkt', Key: 'dir/a b+c é.txt', Body: 'hello' }));
  const p = parseSigV4(req)!;
  const payload = s3PayloadHash(req, p);
  assert.ok('hash' in payload);
  verifySigV4(req, p, SECRET, crypto, undefined, s3CanonicalOptions(payload.hash));
  assert.throws(() =>
    verifySigV4(
      { ...req, path: req.path + 'x' },
      p,
      SECRET,
      crypto,
      undefined,
      s3CanonicalOptions(payload.hash),
    ),
  );
});

test('a GetObject presigned by @aws-sdk/s3-request-presigner verifies (UNSIGNED-PAYLOAD); tampering fails', async () => {
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:4599',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET, sessionToken: 'tok/en+=' },
  });
  const url = new URL(
    await getSignedUrl(client, new GetObjectCommand({ Bucket: 'bkt', Key: 'a b.txt' }), { expiresIn: 300 }),
  );
  const req: SigV4Request = {
    method: 'GET',
    path: url.pathname,
    query: url.search.slice(1),
    headers: { host: url.host },
    body: '',
  };
  const p = parseSigV4(req)!;
  assert.equal(p.presigned, true);
  assert.equal(p.expiresSeconds, 300);
  assert.equal(p.securityToken, 'tok/en+=');
  const payload = s3PayloadHash(req, p);
  assert.ok('hash' in payload);
  assert.equal(payload.hash, 'UNSIGNED-PAYLOAD');
  verifySigV4(req, p, SECRET, crypto, undefined, s3CanonicalOptions(payload.hash));
  const tampered = { ...req, path: req.path.replace('a%20b', 'a%20c') };
  assert.throws(() => verifySigV4(tampered, p, SECRET, crypto, undefined, s3CanonicalOptions(payload.hash)));
  // The same request under the non-S3 rules (double encoding) would not verify.
  assert.notEqual(
    computeSignature(req, p, SECRET, crypto, undefined, {
      normalizePath: false,
      payloadHash: 'UNSIGNED-PAYLOAD',
    }),
    p.signature,
  );
});

test('s3PayloadHash: a header-signed request needs x-amz-content-sha256; junk is invalid', () => {
  const p = parseSigV4(docRequest)!;
  const without = { ...docRequest, headers: { ...docRequest.headers, 'x-amz-content-sha256': undefined } };
  assert.deepEqual(s3PayloadHash(without, p), { error: 'missing' });
  const junk = { ...docRequest, headers: { ...docRequest.headers, 'x-amz-content-sha256': 'abc' } };
  assert.deepEqual(s3PayloadHash(junk, p), { error: 'invalid' });
});
