import { createHash, createHmac } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSigV4, s3CanonicalOptions, verifySigV4, type SigV4Crypto } from '../sigv4/index.js';
import { resignRequest, stripPresignParams } from './resign.js';

const crypto: SigV4Crypto = {
  sha256Hex: (d) => createHash('sha256').update(d).digest('hex'),
  hmac: (k, d) => new Uint8Array(createHmac('sha256', k).update(d, 'utf8').digest()),
};
const upstream = {
  host: '127.0.0.1:9000',
  service: 's3',
  region: 'us-east-1',
  credentials: { accessKeyId: 'UPSTREAMKEY', secretAccessKey: 'upstream-secret' },
};

test('the re-signed request verifies under the upstream key and carries none of the client credentials', () => {
  const out = resignRequest(
    {
      method: 'PUT',
      path: '/bkt/a%20b.txt',
      query:
        'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F&X-Amz-Signature=abc&X-Amz-Security-Token=tok&x-id=PutObject',
      headers: {
        host: 'localhost:4599',
        authorization: 'AWS4-HMAC-SHA256 Credential=CLIENT/…',
        'x-amz-security-token': 'client-session-token',
        connection: 'keep-alive',
        'transfer-encoding': 'chunked',
        'content-encoding': 'aws-chunked,gzip',
        'x-amz-decoded-content-length': '5',
        'x-amz-meta-colour': 'blue',
        'content-type': 'text/plain',
      },
    },
    upstream,
    'UNSIGNED-PAYLOAD',
    5,
    Date.UTC(2026, 0, 2, 3, 4, 5),
    crypto,
  );
  assert.equal(out.query, 'x-id=PutObject');
  assert.equal(out.headers['host'], '127.0.0.1:9000');
  assert.equal(out.headers['x-amz-security-token'], undefined);
  assert.equal(out.headers['connection'], undefined);
  assert.equal(out.headers['transfer-encoding'], undefined);
  assert.equal(out.headers['x-amz-decoded-content-length'], undefined);
  assert.equal(out.headers['content-encoding'], 'gzip');
  assert.equal(out.headers['content-length'], '5');
  assert.equal(out.headers['x-amz-date'], '20260102T030405Z');
  assert.ok(!JSON.stringify(out).includes('client-session-token'));
  assert.ok(!JSON.stringify(out).includes('CLIENT'));
  const req = { ...out, body: '' };
  const p = parseSigV4(req)!;
  assert.equal(p.accessKeyId, 'UPSTREAMKEY');
  assert.ok(p.signedHeaders.includes('x-amz-meta-colour'));
  verifySigV4(req, p, 'upstream-secret', crypto, undefined, s3CanonicalOptions('UNSIGNED-PAYLOAD'));
  assert.throws(() =>
    verifySigV4(req, p, 'other', crypto, undefined, s3CanonicalOptions('UNSIGNED-PAYLOAD')),
  );
});

test('stripPresignParams keeps every other parameter as sent', () => {
  assert.equal(stripPresignParams('list-type=2&prefix=a%2Fb'), 'list-type=2&prefix=a%2Fb');
  assert.equal(stripPresignParams('X-Amz-Expires=60&versionId=v%3D1&X-Amz-Date=1'), 'versionId=v%3D1');
  assert.equal(stripPresignParams('X-Amz-%ZZ=1'), 'X-Amz-%ZZ=1');
});

test('re-signing derives the upstream signing key once per day, not on every request', () => {
  let hmacs = 0;
  const counting: SigV4Crypto = {
    sha256Hex: crypto.sha256Hex,
    hmac: (k, d) => {
      hmacs++;
      return crypto.hmac(k, d);
    },
  };
  const target = { ...upstream, credentials: { accessKeyId: 'K2', secretAccessKey: 'counted-secret' } };
  const incoming = { method: 'GET', path: '/bkt/k', query: '', headers: { host: 'localhost:4599' } };
  const day = Date.UTC(2026, 4, 6, 7, 8, 9);
  resignRequest(incoming, target, 'UNSIGNED-PAYLOAD', undefined, day, counting);
  // First request of the day: four HMACs to derive the key (date, region, service, aws4_request) + one.
  assert.equal(hmacs, 5);
  hmacs = 0;
  const again = resignRequest(incoming, target, 'UNSIGNED-PAYLOAD', undefined, day + 1000, counting);
  assert.equal(hmacs, 1);
  // The cached key signs exactly as a fresh derivation does.
  const req = { ...again, body: '' };
  verifySigV4(
    req,
    parseSigV4(req)!,
    'counted-secret',
    crypto,
    undefined,
    s3CanonicalOptions('UNSIGNED-PAYLOAD'),
  );
});
