/**
 * S3's additional checksums sent as a request header (`x-amz-checksum-<algorithm>: <base64>`, the form
 * the SDKs use when the body is not aws-chunked with a trailer): S3 checks the value against the body it
 * receives and stores nothing when they differ (BadDigest, "The CRC32 you specified did not match the
 * calculated checksum."). https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 *
 * The gateway checks it too, so the answer does not depend on whether the upstream checks: the body is
 * streamed through {@link checksumCheck}, which holds back the last chunk until the digest is known, and
 * a mismatch aborts the upstream request before the body is complete. A value that is not the base64 of
 * a digest of the algorithm's size, several checksum headers, or an `x-amz-sdk-checksum-algorithm`
 * naming another algorithm are S3's InvalidRequest answers. Presigned URLs' query checksums are not
 * checked: S3 ignores them (the SDKs add one computed over an empty body).
 */
import { Transform, type TransformCallback } from 'node:stream';
import {
  CHECKSUM_ALGORITHMS,
  checksumDisplayName,
  createChecksum,
  type ChecksumAlgorithm,
} from './checksum.js';
import { GatewayError, s3Errors } from './errors.js';

/** Digest size in bytes per algorithm. */
const DIGEST_BYTES: Readonly<Record<ChecksumAlgorithm, number>> = {
  crc32: 4,
  crc32c: 4,
  crc64nvme: 8,
  sha1: 20,
  sha256: 32,
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A checksum a request announces for its body. */
export interface AnnouncedChecksum {
  readonly algorithm: ChecksumAlgorithm;
  /** The base64 digest as sent. */
  readonly expected: string;
}

const invalid = (what: string): GatewayError =>
  new GatewayError('InvalidRequest', `Value for ${what} header is invalid.`, 400);

/**
 * The `x-amz-checksum-<algorithm>` header of a request, validated; undefined when there is none.
 * `headers` are Node's distinct headers (lower-case names).
 */
export function headerChecksum(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
): AnnouncedChecksum | undefined {
  let found: AnnouncedChecksum | undefined;
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const raw = headers[`x-amz-checksum-${algorithm}`];
    if (raw === undefined) continue;
    const values = typeof raw === 'string' ? [raw] : raw;
    if (found !== undefined || values.length !== 1) throw s3Errors.multipleChecksums();
    const value = values[0]!.trim();
    if (
      !BASE64.test(value) ||
      value.length % 4 !== 0 ||
      Buffer.from(value, 'base64').length !== DIGEST_BYTES[algorithm]
    )
      throw invalid(`x-amz-checksum-${algorithm}`);
    found = { algorithm, expected: value };
  }
  const sdk = headers['x-amz-sdk-checksum-algorithm'];
  if (found !== undefined && sdk !== undefined) {
    const named = (typeof sdk === 'string' ? sdk : (sdk[0] ?? '')).trim().toLowerCase();
    if (named !== found.algorithm) throw invalid('x-amz-sdk-checksum-algorithm');
  }
  return found;
}

/** Whether `body` (read whole) has the announced checksum; BadDigest when not. */
export function checkWholeBody(announced: AnnouncedChecksum, body: string | Uint8Array): void {
  const sum = createChecksum(announced.algorithm);
  sum.update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  if (sum.base64() !== announced.expected) throw s3Errors.badDigest(checksumDisplayName(announced.algorithm));
}

/**
 * A pass-through that computes the announced checksum and fails with BadDigest at the end when it
 * differs; the last chunk is held back until then, so a wrong body never reaches the upstream whole.
 */
export function checksumCheck(announced: AnnouncedChecksum): Transform {
  const sum = createChecksum(announced.algorithm);
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      sum.update(chunk);
      if (held !== undefined) this.push(held);
      held = chunk;
      done();
    },
    flush(done: TransformCallback) {
      if (sum.base64() !== announced.expected)
        return done(s3Errors.badDigest(checksumDisplayName(announced.algorithm)));
      if (held !== undefined) this.push(held);
      done();
    },
  });
}
