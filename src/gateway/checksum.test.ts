import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { checksumAlgorithmOf, createChecksum, CHECKSUM_ALGORITHMS } from './checksum.js';

const hex = (b64: string): string => Buffer.from(b64, 'base64').toString('hex');

// The CRC catalogue's check values (CRC of the ASCII "123456789"): CRC-32 cbf43926, CRC-32C (iSCSI)
// e3069283, CRC-64/NVME ae8b14860a799888 (https://reveng.sourceforge.io/crc-catalogue/).
test('check values of "123456789"', () => {
  const data = Buffer.from('123456789');
  const of = (a: (typeof CHECKSUM_ALGORITHMS)[number]): string => {
    const c = createChecksum(a);
    c.update(data);
    return hex(c.base64());
  };
  assert.equal(of('crc32'), 'cbf43926');
  assert.equal(of('crc32c'), 'e3069283');
  assert.equal(of('crc64nvme'), 'ae8b14860a799888');
  assert.equal(of('sha1'), createHash('sha1').update(data).digest('hex'));
  assert.equal(of('sha256'), createHash('sha256').update(data).digest('hex'));
});

test("S3's example: CRC32C of 65 KiB of 'a' in the trailer docs is sOO8/Q==", () => {
  // https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
  const c = createChecksum('crc32c');
  c.update(Buffer.alloc(66560, 'a'));
  assert.equal(c.base64(), 'sOO8/Q==');
});

test('empty input', () => {
  assert.equal(createChecksum('crc32').base64(), 'AAAAAA==');
  assert.equal(createChecksum('crc32c').base64(), 'AAAAAA==');
  assert.equal(createChecksum('crc64nvme').base64(), 'AAAAAAAAAAA=');
});

test('header names', () => {
  assert.equal(checksumAlgorithmOf('x-amz-checksum-crc32'), 'crc32');
  assert.equal(checksumAlgorithmOf(' X-Amz-Checksum-CRC64NVME '), 'crc64nvme');
  assert.equal(checksumAlgorithmOf('x-amz-checksum-md5'), undefined);
  assert.equal(checksumAlgorithmOf('content-md5'), undefined);
});

test('property: any split of the input gives the same checksum', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 300 }),
      fc.array(fc.nat(300), { maxLength: 5 }),
      fc.constantFrom(...CHECKSUM_ALGORITHMS),
      (data, cuts, a) => {
        const whole = createChecksum(a);
        whole.update(data);
        const parts = createChecksum(a);
        const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((x, y) => x - y);
        let at = 0;
        for (const p of [...points, data.length]) {
          parts.update(data.subarray(at, p));
          at = p;
        }
        assert.equal(parts.base64(), whole.base64());
      },
    ),
  );
});
