// Reading a POST upload's form as it streams (post-form.ts): fields up to the file, the file left for
// later, fields after it ignored; S3's errors for forms it cannot take; the spool's bound and its
// removal (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { GatewayError } from '../errors.js';
import { MAX_POST_PRE_DATA, readPostForm, spoolFile } from './post-form.js';

const BOUNDARY = 'b0undary';
const headers = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

function part(name: string, value: string, filename?: string): string {
  const disposition =
    filename === undefined
      ? `form-data; name="${name}"`
      : `form-data; name="${name}"; filename="${filename}"`;
  return `--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n\r\n${value}\r\n`;
}

const body = (...parts: string[]) => Readable.from([Buffer.from(parts.join('') + `--${BOUNDARY}--\r\n`)]);

function gatewayError(code: string, message: string) {
  return (e: unknown) => e instanceof GatewayError && e.code === code && e.message === message;
}

test('fields before the file are read; the file is streamed; fields after it are ignored', async () => {
  const form = await readPostForm(
    body(
      part('key', 'a/${filename}'),
      part('Content-Type', 'text/plain'),
      part('file', 'hello', 'h.txt'),
      part('acl', 'x'),
    ),
    headers,
  );
  assert.deepEqual(form.fields, [
    ['key', 'a/${filename}'],
    ['Content-Type', 'text/plain'],
  ]);
  assert.equal(form.filename, 'h.txt');
  const spooled = await spoolFile(form.file, 100, () => new Error('too large'));
  assert.equal(spooled.size, 5);
  assert.equal(readFileSync(spooled.path, 'utf8'), 'hello');
  await spooled.remove();
  assert.equal(existsSync(spooled.path), false);
});

test('a spool past its bound is refused with the full size and leaves no file behind', async () => {
  const form = await readPostForm(body(part('key', 'k'), part('file', 'x'.repeat(50), 'f')), headers);
  let seen = -1;
  await assert.rejects(
    spoolFile(form.file, 10, (size) => {
      seen = size;
      return new GatewayError('EntityTooLarge', 'too large', 400);
    }),
    (e: unknown) => e instanceof GatewayError && e.code === 'EntityTooLarge',
  );
  assert.equal(seen, 50);
});

test('forms S3 cannot take: no file, fields over 20 KB, broken framing, not multipart', async () => {
  await assert.rejects(
    readPostForm(body(part('key', 'k')), headers),
    gatewayError('IncorrectNumberOfFilesInPostRequest', 'POST requires exactly one file upload per request.'),
  );
  await assert.rejects(
    readPostForm(
      body(part('key', 'k'), part('pad', 'p'.repeat(MAX_POST_PRE_DATA)), part('file', 'x', 'f')),
      headers,
    ),
    gatewayError(
      'MaxPostPreDataLengthExceededError',
      'Your POST request fields preceding the upload file were too large.',
    ),
  );
  const malformed = gatewayError(
    'MalformedPOSTRequest',
    'The body of your POST request is not well-formed multipart/form-data.',
  );
  await assert.rejects(
    readPostForm(Readable.from([Buffer.from('x')]), { 'content-type': 'text/plain' }),
    malformed,
  );
  await assert.rejects(
    readPostForm(body(part('other', 'x', 'f.txt'), part('file', 'x', 'f')), headers),
    malformed,
  );
  const truncated = await readPostForm(
    Readable.from([
      Buffer.from(
        part('key', 'k') +
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\nabc`,
      ),
    ]),
    headers,
  );
  await assert.rejects(
    spoolFile(truncated.file, 100, () => new Error('too large')),
    malformed,
  );
});

test('a body busboy stops on inside the file part is RequestTimeout once idle, not a wait forever', async () => {
  // Found by the property below: after an early closing delimiter busboy hands out a file part that
  // neither ends nor fails, and never finishes the form.
  const text =
    `--${BOUNDARY}\r\n--${BOUNDARY}--\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="policy"; filename="p"\r\n\r\nF\r\n\r\n\r\n` +
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\ndata\r\ns&--${BOUNDARY}--\r\n`;
  const started = Date.now();
  await assert.rejects(
    (async () => {
      const form = await readPostForm(Readable.from([Buffer.from(text)]), headers, 100);
      await spoolFile(form.file, 1024, () => new Error('too large'), 100);
    })(),
    (e: unknown) =>
      e instanceof GatewayError && (e.code === 'RequestTimeout' || e.code === 'MalformedPOSTRequest'),
  );
  assert.ok(Date.now() - started < 5000);
});

test('property: any body is a form or one of S3 errors; never a throw, an uncaught error or a hang', async () => {
  const piece = fc.oneof(
    fc
      .tuple(
        fc.constantFrom('key', 'file', 'policy', 'x-amz-meta-a', 'File'),
        fc.string(),
        fc.option(fc.string()),
      )
      .map(([n, v, f]) => part(n, v, f ?? undefined)),
    fc.string(),
    fc.constantFrom(
      `--${BOUNDARY}\r\n`,
      `--${BOUNDARY}--\r\n`,
      '\r\n\r\n',
      'Content-Disposition: form-data; name="file"; filename="x"\r\n',
    ),
  );
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown): void => {
    uncaught.push(e);
  };
  process.on('uncaughtException', onUncaught);
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 6 }), fc.boolean(), async (pieces, ended) => {
        const text = pieces.join('') + (ended ? `--${BOUNDARY}--\r\n` : '');
        try {
          // Short idle bounds: a body the parser stops on is answered, not waited on (see below).
          const form = await readPostForm(Readable.from([Buffer.from(text)]), headers, 50);
          const spooled = await spoolFile(
            form.file,
            1024,
            () => new GatewayError('EntityTooLarge', 'big', 400),
            50,
          );
          await spooled.remove();
        } catch (e) {
          assert.ok(e instanceof GatewayError, String(e));
        }
      }),
      { numRuns: 200 },
    );
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(uncaught, []);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});
