/**
 * S3's additional checksums (`x-amz-checksum-<algorithm>`), computed incrementally as a body streams:
 * CRC32, CRC32C, CRC64NVME, SHA1 and SHA256, each answered base64 of the big-endian digest, as S3 and
 * the SDKs send them. https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 *
 * CRC32 is zlib's (Node's `zlib.crc32`); CRC32C (Castagnoli, reflected polynomial 0x82F63B78) and
 * CRC64NVME (reflected polynomial 0x9A6C9329AC4BC9B5) are table-driven here.
 */
import { createHash } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';

/** The algorithms S3 takes, by their header suffix. */
export const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** An incremental checksum. */
export interface Checksum {
  update(data: Uint8Array): void;
  /** Base64 of the big-endian digest; the checksum is finished. */
  base64(): string;
}

/** The algorithm named by a header (`x-amz-checksum-crc32c` → `crc32c`), if S3 knows it. */
export function checksumAlgorithmOf(header: string): ChecksumAlgorithm | undefined {
  const h = header.trim().toLowerCase();
  if (!h.startsWith('x-amz-checksum-')) return undefined;
  const name = h.slice('x-amz-checksum-'.length);
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name) ? (name as ChecksumAlgorithm) : undefined;
}

/** S3's name of the algorithm in its messages (`CRC32C`, `SHA256`, `CRC64NVME`). */
export function checksumDisplayName(a: ChecksumAlgorithm): string {
  return a.toUpperCase();
}

const CRC32C_TABLE = ((): Uint32Array => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-64/NVME as two 32-bit halves per table entry (no BigInt on the per-byte path). */
const CRC64_HI = new Uint32Array(256);
const CRC64_LO = new Uint32Array(256);
(() => {
  const poly = 0x9a6c9329ac4bc9b5n;
  for (let n = 0; n < 256; n++) {
    let c = BigInt(n);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
    CRC64_HI[n] = Number(c >> 32n);
    CRC64_LO[n] = Number(c & 0xffffffffn);
  }
})();

function bigEndian32(v: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b.toString('base64');
}

/** A fresh checksum of `algorithm`. */
export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  switch (algorithm) {
    case 'crc32': {
      let v = 0;
      return { update: (d) => void (v = zlibCrc32(d, v)), base64: () => bigEndian32(v) };
    }
    case 'crc32c': {
      let c = 0xffffffff;
      return {
        update(d) {
          for (let i = 0; i < d.length; i++) c = CRC32C_TABLE[(c ^ d[i]!) & 0xff]! ^ (c >>> 8);
        },
        base64: () => bigEndian32(~c),
      };
    }
    case 'crc64nvme': {
      let hi = 0xffffffff;
      let lo = 0xffffffff;
      return {
        update(d) {
          for (let i = 0; i < d.length; i++) {
            const idx = (lo ^ d[i]!) & 0xff;
            // (crc >> 8) ^ table[idx], on the two halves.
            const nlo = ((lo >>> 8) | ((hi & 0xff) << 24)) >>> 0;
            const nhi = hi >>> 8;
            lo = (nlo ^ CRC64_LO[idx]!) >>> 0;
            hi = (nhi ^ CRC64_HI[idx]!) >>> 0;
          }
        },
        base64() {
          const b = Buffer.alloc(8);
          b.writeUInt32BE(~hi >>> 0, 0);
          b.writeUInt32BE(~lo >>> 0, 4);
          return b.toString('base64');
        },
      };
    }
    case 'sha1':
    case 'sha256': {
      const h = createHash(algorithm);
      return { update: (d) => void h.update(d), base64: () => h.digest('base64') };
    }
  }
}
