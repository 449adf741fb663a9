/**
 * The Node side of S3's payload checks, as Transforms the request body streams through on its way to
 * the upstream: aws-chunked decoding with every chunk signature verified (src/sigv4/chunked.ts), and a
 * signed payload hash checked against the body. A failure errors the stream, which aborts the upstream
 * request before it completes: nothing unverified is stored. Each Transform holds back the last piece of
 * payload until the whole body has verified, so an upstream that counts bytes against Content-Length
 * never sees a complete body that then fails.
 */
import { createHash, createHmac } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AwsError } from '../errors/index.js';
import {
  chunkDecoder,
  SIGNATURE_MISMATCH_MESSAGE,
  type ChunkCrypto,
  type ChunkFailure,
  type ChunkSigning,
} from '../sigv4/index.js';
import { checksumDisplayName, createChecksum, type ChecksumAlgorithm } from './checksum.js';
import { s3Errors } from './errors.js';

/** Node's hashing for chunk signatures. */
export const chunkCrypto: ChunkCrypto = {
  sha256Hex: (d) => createHash('sha256').update(d).digest('hex'),
  hmac: (k, d) => new Uint8Array(createHmac('sha256', k).update(d, 'utf8').digest()),
  sha256: () => {
    const h = createHash('sha256');
    return { update: (b) => void h.update(b), hex: () => h.digest('hex') };
  },
};

function failure(f: ChunkFailure): Error {
  // A bad chunk signature is told like any other bad signature (STYLE.md, Errors: uniform).
  return f === 'signature'
    ? new AwsError('SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE)
    : s3Errors.incompleteBody();
}

/**
 * Decodes an aws-chunked body. `signing` verifies chunk signatures (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)
 * and, with `trailer`, the trailer signature; `decodedLength` (`x-amz-decoded-content-length`) must
 * equal the payload's length. `checksum` (the algorithm `x-amz-trailer` announced) is computed over the
 * decoded payload and must equal the trailing `x-amz-checksum-<algorithm>` (BadDigest otherwise).
 */
export function awsChunkedDecoder(
  signing: ChunkSigning | undefined,
  trailer: boolean,
  decodedLength: number,
  checksum?: ChecksumAlgorithm,
): Transform {
  const decoder = chunkDecoder(chunkCrypto, signing, trailer);
  const sum = checksum === undefined ? undefined : createChecksum(checksum);
  let held: Uint8Array | undefined;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      const r = decoder.push(chunk);
      if (typeof r === 'string') return done(failure(r));
      if (decoder.decodedLength > decodedLength) return done(s3Errors.incompleteBody());
      for (const piece of r) {
        if (piece.length === 0) continue;
        sum?.update(piece);
        if (held !== undefined) this.push(held);
        // The decoder's pieces are views of `chunk`, which the stream may reuse: copy the one held.
        held = Buffer.from(piece);
      }
      done();
    },
    flush(done: TransformCallback) {
      const r = decoder.end();
      if (r !== true) return done(failure(r));
      if (decoder.decodedLength !== decodedLength) return done(s3Errors.incompleteBody());
      if (checksum !== undefined) {
        const name = `x-amz-checksum-${checksum}`;
        const sent = decoder.trailers.get(name);
        if (sent === undefined || decoder.trailers.size !== 1) return done(s3Errors.malformedTrailer());
        if (sent !== sum!.base64()) return done(s3Errors.badDigest(checksumDisplayName(checksum)));
      } else if (decoder.trailers.size > 0) return done(s3Errors.malformedTrailer());
      if (held !== undefined) this.push(held);
      done();
    },
  });
}

/** Passes the body through, failing at its end unless its SHA-256 is `expectedHex`. */
export function payloadHashCheck(expectedHex: string): Transform {
  const hash = createHash('sha256');
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      hash.update(chunk);
      if (held !== undefined) this.push(held);
      held = chunk;
      done();
    },
    flush(done: TransformCallback) {
      if (hash.digest('hex') !== expectedHex) return done(s3Errors.contentSha256Mismatch());
      if (held !== undefined) this.push(held);
      done();
    },
  });
}
