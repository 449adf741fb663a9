// Checksum headers on S3 requests (src/gateway/header-checksum.ts): validation as S3 answers it and the
// streaming check. https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { createChecksum, CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from './checksum.js';
import { GatewayError } from './errors.js';
import { checksumCheck, checkWholeBody, headerChecksum } from './header-checksum.js';

const sumOf = (a: ChecksumAlgorithm, data: Uint8Array): string => {
  const c = createChecksum(a);
  c.update(data);
  return c.base64();
};

function rejectsAs(fn: () => unknown, code: string, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof GatewayError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    assert.equal(e.status, 400);
    return true;
  });
}

test('headerChecksum: none, one of each algorithm, and the SDK algorithm header agreeing', () => {
  assert.equal(headerChecksum({ 'content-type': 'text/plain' }), undefined);
  for (const a of CHECKSUM_ALGORITHMS) {
    const v = sumOf(a, Buffer.from('hello'));
    assert.deepEqual(headerChecksum({ [`x-amz-checksum-${a}`]: v }), { algorithm: a, expected: v });
    assert.deepEqual(
      headerChecksum({ [`x-amz-checksum-${a}`]: [v], 'x-amz-sdk-checksum-algorithm': a.toUpperCase() }),
      { algorithm: a, expected: v },
    );
  }
});

test("headerChecksum: S3's InvalidRequest answers", () => {
  // Not the base64 of a 4-byte digest.
  rejectsAs(
    () => headerChecksum({ 'x-amz-checksum-crc32': 'AAAAAAAA' }),
    'InvalidRequest',
    'Value for x-amz-checksum-crc32 header is invalid.',
  );
  rejectsAs(
    () => headerChecksum({ 'x-amz-checksum-sha256': 'not base64!' }),
    'InvalidRequest',
    'Value for x-amz-checksum-sha256 header is invalid.',
  );
  // Two algorithms, or the header twice.
  const multiple = 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.';
  rejectsAs(
    () => headerChecksum({ 'x-amz-checksum-crc32': 'AAAAAA==', 'x-amz-checksum-crc32c': 'AAAAAA==' }),
    'InvalidRequest',
    multiple,
  );
  rejectsAs(
    () => headerChecksum({ 'x-amz-checksum-crc32': ['AAAAAA==', 'AAAAAA=='] }),
    'InvalidRequest',
    multiple,
  );
  // The SDK's algorithm header names another algorithm (https://github.com/versity/versitygw/issues/1598).
  rejectsAs(
    () => headerChecksum({ 'x-amz-checksum-crc32c': 'AAAAAA==', 'x-amz-sdk-checksum-algorithm': 'CRC32' }),
    'InvalidRequest',
    'Value for x-amz-sdk-checksum-algorithm header is invalid.',
  );
});

test('headerChecksum: any header value is a checksum or a GatewayError, never another throw', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...CHECKSUM_ALGORITHMS),
      fc.string(),
      fc.option(fc.string(), { nil: undefined }),
      (a, value, sdk) => {
        const headers: Record<string, string> = { [`x-amz-checksum-${a}`]: value };
        if (sdk !== undefined) headers['x-amz-sdk-checksum-algorithm'] = sdk;
        try {
          const r = headerChecksum(headers);
          assert.equal(r?.algorithm, a);
        } catch (e) {
          assert.ok(e instanceof GatewayError && e.code === 'InvalidRequest', String(e));
        }
      },
    ),
  );
});

async function drain(source: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of source) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('checksumCheck: passes the body unchanged when it matches, in any chunking; BadDigest when not', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...CHECKSUM_ALGORITHMS),
      fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
      async (a, parts) => {
        const whole = Buffer.concat(parts);
        const expected = sumOf(a, whole);
        const out = await drain(
          Readable.from(parts.map((p) => Buffer.from(p))).pipe(checksumCheck({ algorithm: a, expected })),
        );
        assert.deepEqual(out, whole);
        checkWholeBody({ algorithm: a, expected }, whole);
      },
    ),
    { numRuns: 60 },
  );
  const wrong = { algorithm: 'crc32' as const, expected: sumOf('crc32', Buffer.from('other')) };
  const piped = Readable.from([Buffer.from('hel'), Buffer.from('lo')]).pipe(checksumCheck(wrong));
  const seen: Buffer[] = [];
  piped.on('data', (c: Buffer) => seen.push(c));
  const failure = await new Promise<unknown>((resolve) => piped.on('error', resolve));
  assert.ok(failure instanceof GatewayError);
  assert.equal(failure.code, 'BadDigest');
  assert.equal(failure.message, 'The CRC32 you specified did not match the calculated checksum.');
  // The last chunk was held back: the body never got through whole.
  assert.equal(Buffer.concat(seen).toString(), 'hel');
  rejectsAs(
    () => checkWholeBody({ algorithm: 'sha256', expected: sumOf('sha256', Buffer.from('x')) }, 'y'),
    'BadDigest',
    'The SHA256 you specified did not match the calculated checksum.',
  );
});
