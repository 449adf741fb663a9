/**
 * S3's aws-chunked payload (`x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD` and its
 * unsigned / trailer variants): an incremental decoder that frames the chunks, verifies every chunk
 * signature — chained from the seed signature of the request's `Authorization` header — and hands the
 * decoded payload on as it arrives. Pure: hashing comes in through {@link ChunkCrypto}.
 *
 * AWS, "Signature Calculations for the Authorization Header: Transferring Payload in Multiple Chunks
 * (Chunked Upload)", https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html:
 *   chunk      = hex(size) ";chunk-signature=" signature CRLF data CRLF
 *   string to sign = "AWS4-HMAC-SHA256-PAYLOAD" \n date \n scope \n previous-signature \n
 *                    hex(sha256("")) \n hex(sha256(data))
 * and the final chunk has size 0. Trailing headers (…-TRAILER modes,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html) follow the final chunk.
 */
import { constantTimeEqual, toHex } from './verify.js';
import type { SigV4Crypto } from './types.js';

/** The `x-amz-content-sha256` values that announce an aws-chunked body. */
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
/** The payload hash of a request whose body is not signed. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** Hex SHA-256 of the empty string. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Incremental SHA-256 (a chunk is hashed as it streams, never buffered whole). */
export interface IncrementalSha256 {
  update(data: Uint8Array): void;
  /** Lower-case hex digest; the hash is finished. */
  hex(): string;
}

/** Hashing for chunk signatures. */
export interface ChunkCrypto extends SigV4Crypto {
  sha256(): IncrementalSha256;
}

/** The string to sign of one chunk. */
export function chunkStringToSign(
  amzDate: string,
  scope: string,
  previousSignature: string,
  chunkSha256Hex: string,
): string {
  return `AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${scope}\n${previousSignature}\n${EMPTY_SHA256}\n${chunkSha256Hex}`;
}

/** The signature of one chunk under `signingKey`. */
export function chunkSignature(
  signingKey: Uint8Array,
  amzDate: string,
  scope: string,
  previousSignature: string,
  chunkSha256Hex: string,
  crypto: SigV4Crypto,
): string {
  return toHex(crypto.hmac(signingKey, chunkStringToSign(amzDate, scope, previousSignature, chunkSha256Hex)));
}

/**
 * The string to sign of the trailing headers (signed trailer mode): chained from the final chunk's
 * signature, over the SHA-256 of the trailing headers as `name:value\n` lines
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html).
 */
export function trailerStringToSign(
  amzDate: string,
  scope: string,
  previousSignature: string,
  trailersSha256Hex: string,
): string {
  return `AWS4-HMAC-SHA256-TRAILER\n${amzDate}\n${scope}\n${previousSignature}\n${trailersSha256Hex}`;
}

/** The header that carries the trailer signature. */
export const TRAILER_SIGNATURE_HEADER = 'x-amz-trailer-signature';

/** How a chunked body failed. */
export type ChunkFailure =
  /** A chunk signature did not match (the client is told only `SignatureDoesNotMatch`). */
  | 'signature'
  /** The framing is not aws-chunked (bad size line, missing CRLF, data after the end). */
  | 'malformed'
  /** The body ended before the final chunk. */
  | 'incomplete';

/** Signed mode: what the chunk signatures chain from. */
export interface ChunkSigning {
  readonly signingKey: Uint8Array;
  readonly amzDate: string;
  /** `date/region/service/aws4_request`. */
  readonly scope: string;
  /** The request's own signature (the seed). */
  readonly seedSignature: string;
}

/** An incremental decoder: push bytes, get payload pieces; `end()` when the body is over. */
export interface ChunkDecoder {
  /** The decoded payload in `bytes` (possibly none), or the failure. */
  push(bytes: Uint8Array): Uint8Array[] | ChunkFailure;
  /** Whether the body was complete (final chunk and trailers seen); the failure otherwise. */
  end(): true | ChunkFailure;
  /** Payload bytes decoded so far. */
  readonly decodedLength: number;
  /** Trailing headers (lower-case names), once complete. */
  readonly trailers: ReadonlyMap<string, string>;
}

/** Longest size line or trailer line accepted (a signature line is ~100 bytes). */
const MAX_LINE = 4096;
/** Largest chunk size accepted (hex digits in the size line). */
const MAX_SIZE_DIGITS = 10;

/**
 * A decoder for an aws-chunked body. With `signing`, every chunk must carry a `chunk-signature` that
 * chains from the previous one; without it (STREAMING-UNSIGNED-PAYLOAD-TRAILER) chunks carry none.
 * `trailer`: trailing headers follow the final chunk.
 */
export function chunkDecoder(
  crypto: ChunkCrypto,
  signing: ChunkSigning | undefined,
  trailer: boolean,
): ChunkDecoder {
  let state: 'size' | 'data' | 'data-crlf' | 'trailer' | 'done' | 'failed' = 'size';
  let line: number[] = [];
  let remaining = 0;
  let chunkSig = '';
  let previous = signing?.seedSignature ?? '';
  let hash: IncrementalSha256 | undefined;
  let decoded = 0;
  let crlfSeen = 0;
  const trailers = new Map<string, string>();
  /** The trailing header lines as signed (`name:value\n`), and the trailer signature sent. */
  let trailerText = '';
  let trailerSig: string | undefined;

  const verify = (dataHash: string): boolean => {
    if (signing === undefined) return true;
    const expected = chunkSignature(
      signing.signingKey,
      signing.amzDate,
      signing.scope,
      previous,
      dataHash,
      crypto,
    );
    if (!constantTimeEqual(expected, chunkSig)) return false;
    previous = chunkSig;
    return true;
  };

  /** A size line: `hex[;chunk-signature=sig]`. */
  const sizeLine = (text: string): ChunkFailure | undefined => {
    const semi = text.indexOf(';');
    const hex = semi < 0 ? text : text.slice(0, semi);
    if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length > MAX_SIZE_DIGITS) return 'malformed';
    remaining = parseInt(hex, 16);
    if (signing !== undefined) {
      const ext = semi < 0 ? '' : text.slice(semi + 1);
      if (!ext.startsWith('chunk-signature=')) return 'malformed';
      chunkSig = ext.slice('chunk-signature='.length);
      if (!/^[0-9a-f]{64}$/.test(chunkSig)) return 'signature';
    } else if (semi >= 0) return 'malformed';
    if (remaining === 0) {
      if (!verify(EMPTY_SHA256)) return 'signature';
      state = 'trailer';
      return undefined;
    }
    hash = crypto.sha256();
    state = 'data';
    return undefined;
  };

  /** A trailer line (`name:value`) or the empty line that ends the body. */
  const trailerLine = (text: string): ChunkFailure | undefined => {
    if (text === '') {
      if (trailer && signing !== undefined) {
        // Signed trailers: the trailer signature is required and chains from the final chunk's.
        if (trailerSig === undefined) return 'signature';
        const expected = toHex(
          crypto.hmac(
            signing.signingKey,
            trailerStringToSign(signing.amzDate, signing.scope, previous, crypto.sha256Hex(trailerText)),
          ),
        );
        if (!constantTimeEqual(expected, trailerSig)) return 'signature';
      }
      state = 'done';
      return undefined;
    }
    if (!trailer) return 'malformed';
    const colon = text.indexOf(':');
    if (colon <= 0) return 'malformed';
    const name = text.slice(0, colon).trim().toLowerCase();
    const value = text.slice(colon + 1).trim();
    if (name === TRAILER_SIGNATURE_HEADER) {
      if (trailerSig !== undefined || signing === undefined) return 'malformed';
      trailerSig = value;
      return undefined;
    }
    // Headers after the signature are not covered by it.
    if (trailerSig !== undefined || trailers.has(name)) return 'malformed';
    trailers.set(name, value);
    trailerText += `${name}:${value}\n`;
    return undefined;
  };

  const fail = (f: ChunkFailure): ChunkFailure => {
    state = 'failed';
    return f;
  };

  return {
    get decodedLength() {
      return decoded;
    },
    get trailers() {
      return trailers;
    },
    push(bytes) {
      const out: Uint8Array[] = [];
      let i = 0;
      while (i < bytes.length) {
        switch (state) {
          case 'failed':
            return 'malformed';
          case 'done':
            return fail('malformed');
          case 'data': {
            const n = Math.min(remaining, bytes.length - i);
            const piece = bytes.subarray(i, i + n);
            hash!.update(piece);
            out.push(piece);
            decoded += n;
            remaining -= n;
            i += n;
            if (remaining === 0) {
              if (!verify(hash!.hex())) return fail('signature');
              state = 'data-crlf';
              crlfSeen = 0;
            }
            break;
          }
          case 'data-crlf': {
            const want = crlfSeen === 0 ? 13 : 10;
            if (bytes[i] !== want) return fail('malformed');
            i++;
            if (++crlfSeen === 2) state = 'size';
            break;
          }
          case 'size':
          case 'trailer': {
            const b = bytes[i]!;
            i++;
            if (b !== 10) {
              line.push(b);
              if (line.length > MAX_LINE) return fail('malformed');
              break;
            }
            if (line[line.length - 1] !== 13) return fail('malformed');
            const text = String.fromCharCode(...line.slice(0, -1));
            line = [];
            const f = state === 'size' ? sizeLine(text) : trailerLine(text);
            if (f !== undefined) return fail(f);
            break;
          }
        }
      }
      return out;
    },
    end() {
      if (state === 'done') return true;
      if (state === 'failed') return 'malformed';
      state = 'failed';
      return 'incomplete';
    },
  };
}
