import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseSshPublicKey } from './ssh-public-key.js';

const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
const pem = rsa2048.export({ type: 'spki', format: 'pem' }).toString();

test('a PEM key and its ssh-rsa form give the same blob and fingerprint', () => {
  const fromPem = parseSshPublicKey(pem);
  assert.ok(fromPem.ok);
  assert.equal(fromPem.key.bits, 2048);
  assert.match(fromPem.key.fingerprint, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
  const fromSsh = parseSshPublicKey(`${fromPem.key.openssh} me@laptop\n`);
  assert.ok(fromSsh.ok);
  assert.equal(fromSsh.key.fingerprint, fromPem.key.fingerprint);
  assert.equal(fromSsh.key.pem, fromPem.key.pem);
  const pkcs1 = rsa2048.export({ type: 'pkcs1', format: 'pem' }).toString();
  const fromPkcs1 = parseSshPublicKey(pkcs1);
  assert.ok(fromPkcs1.ok);
  assert.equal(fromPkcs1.key.fingerprint, fromPem.key.fingerprint);
});

// The fingerprint is "the MD5 message digest of the SSH public key" (SSHPublicKey data type,
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_SSHPublicKey.html): OpenSSH's MD5 form.
test('the fingerprint is what ssh-keygen -E md5 prints', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'iamd-ssh-'));
  try {
    const parsed = parseSshPublicKey(pem);
    assert.ok(parsed.ok);
    const file = join(dir, 'k.pub');
    writeFileSync(file, parsed.key.openssh + '\n');
    let out: string;
    try {
      out = execFileSync('ssh-keygen', ['-E', 'md5', '-lf', file], { encoding: 'utf8' });
    } catch {
      t.skip('ssh-keygen not installed');
      return;
    }
    assert.ok(out.includes(`MD5:${parsed.key.fingerprint}`), out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keys under 2048 bits, non-RSA keys and broken blobs are InvalidPublicKey', () => {
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
  assert.deepEqual(parseSshPublicKey(small.export({ type: 'spki', format: 'pem' }).toString()), {
    ok: false,
    code: 'InvalidPublicKey',
  });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  assert.deepEqual(parseSshPublicKey(ec.export({ type: 'spki', format: 'pem' }).toString()), {
    ok: false,
    code: 'InvalidPublicKey',
  });
  assert.deepEqual(parseSshPublicKey('ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQ=='), {
    ok: false,
    code: 'InvalidPublicKey',
  });
  assert.deepEqual(parseSshPublicKey('ssh-rsa not*base64'), { ok: false, code: 'InvalidPublicKey' });
  assert.deepEqual(parseSshPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'), {
    ok: false,
    code: 'InvalidPublicKey',
  });
});

test('other encodings are UnrecognizedPublicKeyEncoding', () => {
  for (const body of [
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE',
    'hello',
    '',
    '---- BEGIN SSH2 PUBLIC KEY ----',
  ])
    assert.deepEqual(parseSshPublicKey(body), { ok: false, code: 'UnrecognizedPublicKeyEncoding' });
});

test('property: never throws; a failure is one of the AWS codes', () => {
  const valid = parseSshPublicKey(pem);
  assert.ok(valid.ok);
  const b64 = valid.key.openssh.slice('ssh-rsa '.length);
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.string().map((s) => `ssh-rsa ${s}`),
        fc.uint8Array({ maxLength: 600 }).map((b) => `ssh-rsa ${Buffer.from(b).toString('base64')}`),
        fc
          .tuple(fc.nat(b64.length - 1), fc.constantFrom('A', '/', '+', '='))
          .map(([i, c]) => `ssh-rsa ${b64.slice(0, i)}${c}${b64.slice(i + 1)}`),
        fc.string().map((s) => `-----BEGIN PUBLIC KEY-----\n${s}\n-----END PUBLIC KEY-----`),
      ),
      (body) => {
        const r = parseSshPublicKey(body);
        if (!r.ok) assert.ok(r.code === 'InvalidPublicKey' || r.code === 'UnrecognizedPublicKeyEncoding');
        else assert.ok(r.key.bits >= 2048);
      },
    ),
    { numRuns: 300 },
  );
});
