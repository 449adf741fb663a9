/**
 * Reading an S3 POST upload's `multipart/form-data` body as it streams (busboy): the fields before the
 * `file` part (at most 20 KB in all, S3's MaxPostPreDataLengthExceededError), then the file part,
 * left unread until the request is authenticated and authorized; fields after it are ignored, as S3
 * ignores them ("the file or text content must be the last field in the form", PostObject,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html). The file is then spooled to a
 * temporary file (streamed to disk, never held in memory, bounded by the policy's largest size), so
 * that the upstream gets a plain PutObject with a known Content-Length; the file is deleted on every
 * path ({@link SpooledFile.remove}).
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { GatewayError } from '../errors.js';

/** How long a POST upload may send nothing before it is RequestTimeout (S3 closes idle uploads too). */
export const POST_IDLE_MS = 20_000;

/** Largest total of the fields before the file (names and values): 20 KB (S3 API reference, PostObject). */
export const MAX_POST_PRE_DATA = 20 * 1024;

/** A form whose file part has begun (and is paused until read). */
export interface PostForm {
  /** Fields before the file, names as sent, in order. */
  readonly fields: readonly (readonly [string, string])[];
  /** The file's name from its part's Content-Disposition (`${filename}` in `key`). */
  readonly filename: string;
  /** The file's bytes; fails with {@link GatewayError} when the rest of the body is malformed. */
  readonly file: Readable;
  /** Reads and drops the rest of the body (a refused upload); never throws. */
  discard(): void;
}

export const postErrors = {
  /** S3's MalformedPOSTRequest (ErrorResponses.html). */
  malformed: () =>
    new GatewayError(
      'MalformedPOSTRequest',
      'The body of your POST request is not well-formed multipart/form-data.',
      400,
    ),
  preDataTooLarge: () =>
    new GatewayError(
      'MaxPostPreDataLengthExceededError',
      'Your POST request fields preceding the upload file were too large.',
      400,
    ),
  /**
   * S3's RequestTimeout (ErrorResponses.html): the upload stopped sending. Also the answer to a body
   * the parser stops on without ending it (busboy can leave a part open after a premature closing
   * delimiter): never a request that waits forever.
   */
  idle: () =>
    new GatewayError(
      'RequestTimeout',
      'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.',
      400,
    ),
  noFile: () =>
    new GatewayError(
      'IncorrectNumberOfFilesInPostRequest',
      'POST requires exactly one file upload per request.',
      400,
    ),
};

/**
 * Parses `body` (a request with `headers`) up to the start of its `file` part. Rejects with S3's
 * MalformedPOSTRequest (not multipart, broken framing, a part other than `file` carrying a file),
 * MaxPostPreDataLengthExceededError, or IncorrectNumberOfFilesInPostRequest (no file part).
 */
export function readPostForm(
  body: Readable,
  headers: IncomingHttpHeaders,
  idleMs = POST_IDLE_MS,
): Promise<PostForm> {
  return new Promise<PostForm>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers,
        // Field values beyond the pre-data limit are cut (and refused); names are short.
        limits: { fieldSize: MAX_POST_PRE_DATA + 1, fieldNameSize: 1024, fields: 1000, headerPairs: 100 },
        defParamCharset: 'utf8',
      });
    } catch {
      reject(postErrors.malformed());
      return;
    }
    const fields: [string, string][] = [];
    let preData = 0;
    let settled = false;
    let file: Readable | undefined;
    const fail = (err: GatewayError): void => {
      if (settled) {
        file?.destroy(err);
        return;
      }
      settled = true;
      reject(err);
      // The rest of the body is read and dropped, so that the answer reaches the client.
      body.unpipe(parser);
      body.resume();
    };
    parser.on('field', (name, value, info) => {
      if (settled) return;
      preData += Buffer.byteLength(name) + Buffer.byteLength(value);
      if (info.valueTruncated || info.nameTruncated || preData > MAX_POST_PRE_DATA) {
        fail(postErrors.preDataTooLarge());
        return;
      }
      fields.push([name, value]);
    });
    parser.on('file', (name, stream, info) => {
      // A body that breaks inside a part fails that part's stream too: never an unhandled error.
      stream.on('error', () => undefined);
      if (settled || name.toLowerCase() !== 'file') {
        // After the file, parts are ignored; before it, a file in another field is no S3 form.
        stream.resume();
        if (!settled) fail(postErrors.malformed());
        return;
      }
      settled = true;
      file = stream;
      resolve({
        fields,
        filename: info.filename ?? '',
        file: stream,
        discard: () => {
          stream.resume();
        },
      });
    });
    parser.on('fieldsLimit', () => fail(postErrors.preDataTooLarge()));
    parser.on('error', () => fail(postErrors.malformed()));
    parser.on('close', () => {
      if (!settled) fail(postErrors.noFile());
    });
    body.on('error', () => fail(postErrors.malformed()));
    // Once the whole body is in, the parser has everything it will get: a form it neither finished
    // nor failed by then is one it stopped on.
    body.on('end', () => {
      if (settled) return;
      const stopped = setTimeout(() => {
        if (!settled) fail(postErrors.malformed());
      }, idleMs);
      parser.once('close', () => clearTimeout(stopped));
      parser.once('file', () => clearTimeout(stopped));
    });
    body.pipe(parser);
  });
}

/** The file part, on disk. */
export interface SpooledFile {
  readonly path: string;
  readonly size: number;
  /** Deletes the file; idempotent, never throws. */
  remove(): Promise<void>;
}

/**
 * Streams `file` to a new temporary file (mode 0600) while counting it. Past `max` bytes nothing more
 * is written (the rest is counted and dropped, so S3's answer can name the proposed size) and
 * `tooLarge(size)` is thrown once the part ends; the temporary file is deleted on every failure.
 */
export async function spoolFile(
  file: Readable,
  max: number,
  tooLarge: (size: number) => Error,
  idleMs = POST_IDLE_MS,
): Promise<SpooledFile> {
  const path = join(tmpdir(), `iamd-post-${randomUUID()}`);
  const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  let removed = false;
  const remove = async (): Promise<void> => {
    if (removed) return;
    removed = true;
    // A stream destroyed before its file opened still opens (and so creates) it, then closes: the file
    // is removed only once the stream has closed, or it could be created after the removal.
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()).destroy());
    await rm(path, { force: true }).catch(() => undefined);
  };
  let size = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      // A part that broke before it was read is gone already; one that breaks later closes unended.
      if (file.destroyed) {
        reject(postErrors.malformed());
        return;
      }
      let ended = false;
      // Nothing for `idleMs` (not counting waits for the disk) is RequestTimeout.
      let idle: NodeJS.Timeout | undefined;
      const quiet = (): void => {
        clearTimeout(idle);
        idle = setTimeout(() => {
          file.destroy();
          reject(postErrors.idle());
        }, idleMs);
      };
      const settle = (): void => clearTimeout(idle);
      quiet();
      file.on('close', () => {
        settle();
        if (!ended) reject(postErrors.malformed());
      });
      out.on('error', (e) => {
        settle();
        reject(e);
      });
      // The body ended early or broke its framing: the client's fault, not the disk's.
      file.on('error', (e) => {
        settle();
        reject(e instanceof GatewayError ? e : postErrors.malformed());
      });
      file.on('data', (chunk: Buffer) => {
        quiet();
        size += chunk.length;
        if (size > max) return;
        if (!out.write(chunk)) {
          settle();
          file.pause();
          out.once('drain', () => {
            quiet();
            file.resume();
          });
        }
      });
      file.on('end', () => {
        settle();
        ended = true;
        if (size > max) {
          reject(tooLarge(size));
          return;
        }
        out.end(() => resolve());
      });
    });
  } catch (err) {
    file.resume();
    await remove();
    throw err;
  }
  return { path, size, remove };
}
