/**
 * Signed trailing headers (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER): the `x-amz-trailer-signature`
 * chains from the final chunk's signature over the SHA-256 of the `name:value\n` trailer lines.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
 */
import { createHash, createHmac } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chunkDecoder, type ChunkCrypto, type ChunkSigning } from './chunked.js';

const crypto: ChunkCrypto = {
  sha256Hex: (d) => createHash('sha256').update(d).digest('hex'),
  hmac: (k, d) => new Uint8Array(createHmac('sha256', k).update(d, 'utf8').digest()),
  sha256: () => {
    const h = createHash('sha256');
    return { update: (b) => void h.update(b), hex: () => h.digest('hex') };
  },
};

const sha = (d: string | Uint8Array): string => createHash('sha256').update(d).digest('hex');
const hmacHex = (k: Uint8Array, s: string): string => createHmac('sha256', k).update(s).digest('hex');

const signing: ChunkSigning = {
  signingKey: new Uint8Array(createHmac('sha256', 'k').update('signing').digest()),
  amzDate: '20130524T000000Z',
  scope: '20130524/us-east-1/s3/aws4_request',
  seedSignature: 'a'.repeat(64),
};

/** A signed aws-chunked body with trailers, signed independently of the decoder. */
function signedBody(
  chunks: Uint8Array[],
  trailers: [string, string][],
  tamper?: 'value' | 'signature' | 'missing',
): Buffer {
  const parts: Buffer[] = [];
  let prev = signing.seedSignature;
  const sign = (dataHash: string): string => {
    prev = hmacHex(
      signing.signingKey,
      `AWS4-HMAC-SHA256-PAYLOAD\n${signing.amzDate}\n${signing.scope}\n${prev}\n${sha('')}\n${dataHash}`,
    );
    return prev;
  };
  for (const c of chunks) {
    parts.push(Buffer.from(`${c.length.toString(16)};chunk-signature=${sign(sha(c))}\r\n`), Buffer.from(c));
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`0;chunk-signature=${sign(sha(''))}\r\n`));
  const text = trailers.map(([n, v]) => `${n}:${v}\n`).join('');
  const sig = hmacHex(
    signing.signingKey,
    `AWS4-HMAC-SHA256-TRAILER\n${signing.amzDate}\n${signing.scope}\n${prev}\n${sha(text)}`,
  );
  trailers.forEach(([n, v], i) =>
    parts.push(Buffer.from(`${n}:${tamper === 'value' && i === 0 ? v + 'x' : v}\r\n`)),
  );
  if (tamper !== 'missing')
    parts.push(Buffer.from(`x-amz-trailer-signature:${tamper === 'signature' ? 'b'.repeat(64) : sig}\r\n`));
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

function decode(
  body: Buffer,
  splits: number[] = [],
): { out: Buffer; end: string | true; trailers: Map<string, string> } {
  const d = chunkDecoder(crypto, signing, true);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const n of [...splits, body.length]) {
    const r = d.push(body.subarray(at, Math.min(body.length, at + n)));
    at += n;
    if (typeof r === 'string') return { out: Buffer.concat(out), end: r, trailers: new Map(d.trailers) };
    out.push(...r);
    if (at >= body.length) break;
  }
  return { out: Buffer.concat(out), end: d.end(), trailers: new Map(d.trailers) };
}

test('a signed trailer verifies and its headers are handed on', () => {
  const body = signedBody(
    [Buffer.from('hello '), Buffer.from('world')],
    [['x-amz-checksum-crc32c', 'sOO8/Q==']],
  );
  const r = decode(body);
  assert.equal(r.end, true);
  assert.equal(r.out.toString(), 'hello world');
  assert.equal(r.trailers.get('x-amz-checksum-crc32c'), 'sOO8/Q==');
  assert.equal(r.trailers.has('x-amz-trailer-signature'), false);
});

test('a changed trailer value, a wrong trailer signature or none fail as a signature mismatch', () => {
  const chunks = [Buffer.from('data')];
  const t: [string, string][] = [['x-amz-checksum-crc32', 'AAAAAA==']];
  assert.equal(decode(signedBody(chunks, t, 'value')).end, 'signature');
  assert.equal(decode(signedBody(chunks, t, 'signature')).end, 'signature');
  assert.equal(decode(signedBody(chunks, t, 'missing')).end, 'signature');
});

test('a trailer signature in unsigned mode, or a header after the signature, is malformed', () => {
  const d = chunkDecoder(crypto, undefined, true);
  assert.equal(d.push(Buffer.from(`0\r\nx-amz-trailer-signature:${'a'.repeat(64)}\r\n\r\n`)), 'malformed');
  const body = signedBody([Buffer.from('x')], [['x-amz-checksum-crc32', 'AAAAAA==']]);
  const spliced = Buffer.concat([body.subarray(0, body.length - 2), Buffer.from('x-amz-meta:1\r\n\r\n')]);
  assert.equal(decode(spliced).end, 'malformed');
});

test('property: signed trailers verify under any split of the body, and any flipped byte is caught', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 30 }), { maxLength: 4 }),
      fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 8 }),
      fc.nat(),
      (chunks, splits, flip) => {
        const body = signedBody(chunks, [['x-amz-checksum-sha256', 'abc=']]);
        const ok = decode(body, splits);
        assert.equal(ok.end, true);
        assert.deepEqual(ok.out, Buffer.concat(chunks));
        const bad = Buffer.from(body);
        const at = flip % bad.length;
        bad[at] = bad[at]! ^ 0x01;
        assert.notEqual(decode(bad, splits).end, true);
      },
    ),
  );
});
