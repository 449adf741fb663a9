/**
 * The outbound fetcher (src/federation/http.ts): which URLs may be fetched at all, and the limits of
 * {@link makeJsonFetcher} (status, size, redirects, time, JSON) against a loopback HTTP server started
 * in the test. Every failure is a FetchFailure with its message.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { FetchFailure, fetchAllowed, isLoopbackHost, makeJsonFetcher } from './http.js';

let server: Server;
let base = '';
before(async () => {
  server = createServer((req, res) => {
    switch (req.url) {
      case '/ok':
        res.setHeader('content-type', 'application/json');
        res.end('{"keys":[]}');
        return;
      case '/404':
        res.statusCode = 404;
        res.end('nope');
        return;
      case '/redirect':
        res.statusCode = 302;
        res.setHeader('location', '/ok');
        res.end();
        return;
      case '/big-declared':
        res.setHeader('content-length', '2000');
        res.end('x'.repeat(2000));
        return;
      case '/big-chunked':
        // No content-length: the limit must hold while streaming.
        res.write('['.padEnd(600, ' '));
        res.write(' '.repeat(600));
        res.end(']');
        return;
      case '/not-json':
        res.end('<html/>');
        return;
      case '/slow':
        setTimeout(() => res.end('{}'), 2000).unref();
        return;
      default:
        res.statusCode = 500;
        res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function fails(p: Promise<unknown>, message: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof FetchFailure, `expected FetchFailure, got ${String(e)}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test('isLoopbackHost: localhost, 127/8 and [::1] only', () => {
  for (const h of ['localhost', 'LOCALHOST', '127.0.0.1', '127.255.0.9', '[::1]'])
    assert.ok(isLoopbackHost(h), h);
  for (const h of ['localhost.evil.com', '127.0.0.1.nip.io', '128.0.0.1', '10.0.0.1', '[::2]', '', '0.0.0.0'])
    assert.ok(!isLoopbackHost(h), h);
});

test('fetchAllowed: HTTPS always; HTTP only to loopback with the opt-in; no userinfo, fragments or other schemes', () => {
  assert.ok(fetchAllowed('https://issuer.example.com/jwks', false));
  assert.ok(!fetchAllowed('http://issuer.example.com/jwks', true));
  assert.ok(!fetchAllowed('http://127.0.0.1:8080/jwks', false));
  assert.ok(fetchAllowed('http://127.0.0.1:8080/jwks', true));
  assert.ok(fetchAllowed('http://[::1]:8080/jwks', true));
  assert.ok(fetchAllowed('http://localhost/jwks', true));
  for (const url of [
    'https://user:pass@issuer.example.com/jwks',
    'https://user@issuer.example.com/jwks',
    'https://issuer.example.com/jwks#frag',
    'file:///etc/passwd',
    'ftp://issuer.example.com/jwks',
    'data:application/json,{}',
    'not a url',
    '',
    // An `@` trick: the host is evil.com, not loopback.
    'http://127.0.0.1@evil.com/jwks',
  ])
    assert.ok(!fetchAllowed(url, true), url);
});

test('property: fetchAllowed never throws and only ever allows https:, or http: to loopback', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.string(), fc.webUrl({ withFragments: true, withQueryParameters: true })),
      fc.boolean(),
      (url, loop) => {
        if (fetchAllowed(url, loop)) {
          const u = new URL(url);
          assert.ok(
            u.protocol === 'https:' || (loop && u.protocol === 'http:' && isLoopbackHost(u.hostname)),
            url,
          );
        }
      },
    ),
    { numRuns: 500 },
  );
});

test('a JSON document is fetched and parsed', async () => {
  const fetchJson = makeJsonFetcher({ allowHttpLoopback: true });
  assert.deepEqual(await fetchJson(`${base}/ok`), { keys: [] });
});

test('a URL that is not allowed is refused without any request', async () => {
  await fails(
    makeJsonFetcher({ allowHttpLoopback: false })(`${base}/ok`),
    `refusing to fetch \`${base}/ok\``,
  );
});

test('non-200 answers, redirects, bodies over the limit, non-JSON and slow servers are FetchFailures', async () => {
  const fetchJson = makeJsonFetcher({ allowHttpLoopback: true, maxBytes: 1000, timeoutMs: 300 });
  await fails(fetchJson(`${base}/404`), `\`${base}/404\` answered HTTP 404`);
  await fails(fetchJson(`${base}/redirect`), new RegExp(`^fetching \`${base}/redirect\` failed: `));
  await fails(fetchJson(`${base}/big-declared`), `\`${base}/big-declared\` is larger than 1000 bytes`);
  await fails(fetchJson(`${base}/big-chunked`), `\`${base}/big-chunked\` is larger than 1000 bytes`);
  await fails(fetchJson(`${base}/not-json`), `\`${base}/not-json\` is not JSON`);
  await fails(fetchJson(`${base}/slow`), new RegExp(`^fetching \`${base}/slow\` failed: `));
  // Within the limit the chunked body is fine.
  assert.deepEqual(await makeJsonFetcher({ allowHttpLoopback: true })(`${base}/big-chunked`), []);
});

test('an unreachable host is a FetchFailure', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  await fails(
    makeJsonFetcher({ allowHttpLoopback: true })(`http://127.0.0.1:${port}/x`),
    new RegExp(`^fetching \`http://127\\.0\\.0\\.1:${port}/x\` failed: `),
  );
});
