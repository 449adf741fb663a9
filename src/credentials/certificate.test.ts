import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { checkKeyPair, parseCertificate, parseCertificateChain } from './certificate.js';

/** A self-signed certificate (openssl) and its PKCS#8 key; undefined when openssl is missing. */
function selfSigned(cn: string, days = 10): { cert: string; key: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'iamd-cert-'));
  try {
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    writeFileSync(join(dir, 'k.pem'), key);
    const r = spawnSync(
      'openssl',
      ['req', '-x509', '-new', '-key', join(dir, 'k.pem'), '-subj', `/CN=${cn}`, '-days', String(days)],
      { encoding: 'utf8' },
    );
    return r.status === 0 ? { cert: r.stdout, key } : undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const a = selfSigned('a.test');
const b = selfSigned('b.test');
const skip = a === undefined || b === undefined ? 'openssl not installed' : false;

test('a certificate parses; notAfter and fingerprint come from it', { skip }, () => {
  const c = parseCertificate(a!.cert);
  assert.ok(c);
  const days = (c.notAfter - Date.now()) / 86_400_000;
  assert.ok(days > 9 && days < 11);
  assert.match(c.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.notEqual(parseCertificate(b!.cert)?.fingerprint256, c.fingerprint256);
});

test('two certificates in a body, garbage and a broken PEM block are not a certificate', { skip }, () => {
  assert.equal(parseCertificate(a!.cert + b!.cert), undefined);
  assert.equal(parseCertificate('invalid-certificate-body'), undefined);
  assert.equal(parseCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'), undefined);
  assert.equal(parseCertificateChain(a!.cert + b!.cert)?.length, 2);
  assert.equal(parseCertificateChain('nothing'), undefined);
});

test('checkKeyPair: ok, mismatch, malformed', { skip }, () => {
  const c = parseCertificate(a!.cert)!;
  assert.equal(checkKeyPair(c, a!.key), 'ok');
  assert.equal(checkKeyPair(c, b!.key), 'mismatch');
  assert.equal(checkKeyPair(c, 'not a key'), 'malformed');
});

test('property: parsing never throws', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.string().map((s) => `-----BEGIN CERTIFICATE-----\n${s}\n-----END CERTIFICATE-----`),
        fc
          .uint8Array({ maxLength: 400 })
          .map(
            (u) =>
              `-----BEGIN CERTIFICATE-----\n${Buffer.from(u).toString('base64')}\n-----END CERTIFICATE-----`,
          ),
      ),
      (body) => {
        parseCertificate(body);
        parseCertificateChain(body);
      },
    ),
    { numRuns: 200 },
  );
});
