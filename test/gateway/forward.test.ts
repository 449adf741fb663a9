// Forwarding to an upstream over real sockets: the response streams back; an upstream that is down or
// silent is ServiceUnavailable (503); a body that fails its check aborts the upstream request, which
// never sees a complete body.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forward } from '../../src/gateway/forward.js';
import { awsChunkedDecoder, payloadHashCheck } from '../../src/gateway/aws-chunked.js';
import { createChecksum } from '../../src/gateway/checksum.js';
import { AwsError } from '../../src/errors/index.js';
import { GatewayError } from '../../src/gateway/errors.js';

const out = { method: 'PUT', path: '/b/k', query: '', headers: { 'content-length': '10' } };

async function listen(
  handler: (req: IncomingMessage, body: Buffer, complete: boolean) => void,
  answer = true,
) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handler(req, Buffer.concat(chunks), true);
      if (answer) res.end('stored');
    });
    req.on('aborted', () => handler(req, Buffer.concat(chunks), false));
    req.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`) };
}

test('the upstream answer streams back with its status', async () => {
  let got = '';
  const { server, url } = await listen((_req, body) => (got = body.toString()));
  const res = await forward(url, out, Readable.from([Buffer.from('0123456789')]), 5000);
  assert.equal(res.status, 200);
  let text = '';
  for await (const c of res.body) text += c;
  assert.equal(text, 'stored');
  assert.equal(got, '0123456789');
  server.close();
});

test('an upstream that is down is ServiceUnavailable (503)', async () => {
  const { server, url } = await listen(() => undefined);
  await new Promise<void>((r) => server.close(() => r()));
  await assert.rejects(forward(url, out, '0123456789', 5000), (e: unknown) => {
    assert.ok(e instanceof AwsError);
    assert.equal(e.code, 'ServiceUnavailable');
    assert.equal(e.status, 503);
    assert.equal(e.message, 'The request has failed due to a temporary failure of the server.');
    return true;
  });
});

test('an upstream that never answers is ServiceUnavailable after the timeout, not a hang', async () => {
  const { server, url } = await listen(() => undefined, false);
  const started = Date.now();
  await assert.rejects(
    forward(url, out, '0123456789', 300),
    (e: unknown) => e instanceof AwsError && e.code === 'ServiceUnavailable',
  );
  assert.ok(Date.now() - started < 3000);
  server.closeAllConnections();
  server.close();
});

test('a body whose hash does not match aborts the upstream request before it is complete', async () => {
  const seen: { body: number; complete: boolean }[] = [];
  const { server, url } = await listen((_req, body, complete) => seen.push({ body: body.length, complete }));
  const body = Readable.from([Buffer.from('01234'), Buffer.from('56789')]).pipe(
    payloadHashCheck('0'.repeat(64)),
  );
  await assert.rejects(forward(url, out, body, 5000), (e: unknown) => {
    assert.ok(e instanceof GatewayError);
    assert.equal(e.code, 'XAmzContentSHA256Mismatch');
    assert.equal(e.status, 400);
    assert.equal(e.message, "The provided 'x-amz-content-sha256' header does not match what was computed.");
    return true;
  });
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(
    seen.every((s) => !s.complete && s.body < 10),
    JSON.stringify(seen),
  );
  server.close();
});

test('a kept-alive connection the upstream drops on reuse is retried once on a fresh one (bodiless and string bodies)', async () => {
  const perSocket = new WeakMap<object, number>();
  const server = createServer((req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    // The second request on a connection finds it closed, as when the upstream's idle timeout fires.
    if (n === 2) {
      req.socket.destroy();
      return;
    }
    req.resume();
    req.on('end', () => res.end(`ok ${n}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const get = { method: 'GET', path: '/b/k', query: '', headers: {} };
  const first = await forward(url, get, '', 5000);
  for await (const _ of first.body) void _;
  const second = await forward(url, get, '', 5000);
  let text = '';
  for await (const c of second.body) text += c;
  assert.equal(second.status, 200);
  assert.equal(text, 'ok 1');
  server.closeAllConnections();
  server.close();
});

test('a trailing checksum that does not match aborts the upstream request before it is complete', async () => {
  const seen: { body: number; complete: boolean }[] = [];
  const { server, url } = await listen((_req, body, complete) => seen.push({ body: body.length, complete }));
  const wrong = createChecksum('crc32');
  wrong.update(Buffer.from('not the body'));
  const body = Readable.from([
    Buffer.from('5\r\n01234\r\n'),
    Buffer.from('5\r\n56789\r\n'),
    Buffer.from(`0\r\nx-amz-checksum-crc32:${wrong.base64()}\r\n\r\n`),
  ]).pipe(awsChunkedDecoder(undefined, true, 10, 'crc32'));
  await assert.rejects(forward(url, out, body, 5000), (e: unknown) => {
    assert.ok(e instanceof GatewayError);
    assert.equal(e.code, 'BadDigest');
    assert.equal(e.status, 400);
    assert.equal(e.message, 'The CRC32 you specified did not match the calculated checksum.');
    return true;
  });
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(
    seen.every((s) => !s.complete && s.body < 10),
    JSON.stringify(seen),
  );
  server.close();
});
