// Data-driven test over AWS's official SigV4 test vectors (test/fixtures/sigv4/, copied from
// shared/reference/sigv4-testsuite = awslabs/aws-c-auth tests/aws-signing-test-suite/v4, Apache-2.0).
// For every case and both signing styles (Authorization header, presigned query) the verifier must
// rebuild the exact canonical request, string to sign and signature from the signed request, accept
// it, and reject it after any single change.
import { createHash, createHmac } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SIGNATURE_MISMATCH_MESSAGE,
  SigningKeyCache,
  canonicalRequest,
  checkScope,
  computeSignature,
  parseSigV4,
  stringToSign,
  verifySigV4,
  type SigV4Crypto,
  type SigV4Request,
} from './index.js';
import { AwsError } from '../errors/index.js';

/** Focus one case while debugging: set to a folder name, e.g. 'get-utf8'. */
const FOCUS: string | undefined = undefined;

const crypto: SigV4Crypto = {
  sha256Hex: (d) => createHash('sha256').update(d).digest('hex'),
  hmac: (k, d) => new Uint8Array(createHmac('sha256', k).update(d, 'utf8').digest()),
};

const root = new URL('../../../test/fixtures/sigv4/', import.meta.url);

/** Parse a raw HTTP/1.1 request as the suite writes it (folded header lines, repeated headers). */
export function parseRawRequest(text: string): SigV4Request {
  const split = text.indexOf('\n\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 2);
  const lines = head.split('\n');
  const requestLine = lines.shift() as string;
  const method = requestLine.slice(0, requestLine.indexOf(' '));
  const target = requestLine.slice(method.length + 1, requestLine.lastIndexOf(' '));
  const q = target.indexOf('?');
  const headers: Record<string, string[]> = {};
  let last: string[] | undefined;
  for (const line of lines) {
    if (line === '') continue;
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      last[last.length - 1] += '\n' + line; // obsolete line folding
      continue;
    }
    const c = line.indexOf(':');
    const name = line.slice(0, c).toLowerCase();
    last = headers[name] ??= [];
    last.push(line.slice(c + 1));
  }
  return {
    method,
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? '' : target.slice(q + 1),
    headers,
    body,
  };
}

function read(dir: URL, name: string): string {
  return readFileSync(new URL(name, dir), 'utf8');
}

function expectMismatch(fn: () => void): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError);
    assert.equal(e.code, 'SignatureDoesNotMatch');
    assert.equal(e.message, SIGNATURE_MISMATCH_MESSAGE);
    return true;
  });
}

const cases = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && (FOCUS === undefined || d.name === FOCUS))
  .map((d) => d.name)
  .sort();

test('the suite has all 38 cases', () => {
  if (FOCUS === undefined) assert.equal(cases.length, 38);
});

for (const name of cases) {
  const dir = new URL(name + '/', root);
  const ctx = JSON.parse(read(dir, 'context.json')) as {
    credentials: { access_key_id: string; secret_access_key: string };
    normalize: boolean;
    service: string;
    timestamp: string;
    omit_session_token?: boolean;
  };
  const now = Date.parse(ctx.timestamp);
  const options = { normalizePath: ctx.normalize, omitSecurityToken: ctx.omit_session_token === true };
  for (const style of ['header', 'query'] as const) {
    if (!existsSync(new URL(`${style}-signed-request.txt`, dir))) continue;
    test(`${name} (${style})`, () => {
      const req = parseRawRequest(read(dir, `${style}-signed-request.txt`));
      const p = parseSigV4(req);
      assert.ok(p, 'request carries SigV4');
      assert.equal(p.presigned, style === 'query');
      assert.equal(p.accessKeyId, ctx.credentials.access_key_id);
      const canonical = canonicalRequest(req, p, crypto, options);
      assert.equal(canonical, read(dir, `${style}-canonical-request.txt`));
      assert.equal(stringToSign(p, canonical, crypto), read(dir, `${style}-string-to-sign.txt`));
      const secret = ctx.credentials.secret_access_key;
      assert.equal(
        computeSignature(req, p, secret, crypto, undefined, options),
        read(dir, `${style}-signature.txt`).trim(),
      );
      checkScope(p, now, [ctx.service]);
      verifySigV4(req, p, secret, crypto, new SigningKeyCache(4), options);

      // Any single change must fail, and fail with the same uniform message.
      expectMismatch(() => verifySigV4(req, p, secret + 'x', crypto, undefined, options));
      expectMismatch(() =>
        verifySigV4({ ...req, body: req.body + 'x' }, p, secret, crypto, undefined, options),
      );
      expectMismatch(() =>
        verifySigV4(
          { ...req, method: req.method === 'GET' ? 'POST' : 'GET' },
          p,
          secret,
          crypto,
          undefined,
          options,
        ),
      );
      expectMismatch(() =>
        verifySigV4({ ...req, path: req.path + 'a' }, p, secret, crypto, undefined, options),
      );
      expectMismatch(() =>
        verifySigV4(
          { ...req, headers: { ...req.headers, host: 'example.amazonaws.org' } },
          p,
          secret,
          crypto,
          undefined,
          options,
        ),
      );
      const sig = p.signature;
      const flipped = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
      expectMismatch(() =>
        verifySigV4(req, { ...p, signature: flipped }, secret, crypto, undefined, options),
      );
      expectMismatch(() =>
        verifySigV4(req, { ...p, region: 'us-west-2' }, secret, crypto, undefined, options),
      );
    });
  }
}
