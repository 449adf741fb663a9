/**
 * The credential operations of issue #20 driven by the AWS CLI against the real server (one test per
 * group): `/usr/bin/aws` (CLI v2) when installed, else `aws` on PATH (v1). Skipped only when no aws binary
 * exists. Command references: https://docs.aws.amazon.com/cli/latest/reference/iam/upload-ssh-public-key.html,
 * create-service-specific-credential.html, upload-signing-certificate.html, upload-server-certificate.html.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIamd, ROOT, type TestServer } from './harness.js';
import { cliRunner, findAws } from './cli-support.js';

const AWS = findAws();
const A = ROOT.accountId;
let server: TestServer | undefined;
let dir = '';

const { aws, ok } = cliRunner(
  AWS,
  () => server!.url,
  () => dir,
);

/** A key pair and a self-signed certificate (openssl), written to files in `dir`. */
function certFiles(cn: string): { cert: string; key: string } {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const keyFile = join(dir, `${cn}.key`);
  writeFileSync(keyFile, key);
  const r = spawnSync(
    'openssl',
    ['req', '-x509', '-new', '-key', keyFile, '-subj', `/CN=${cn}`, '-days', '7'],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const certFile = join(dir, `${cn}.crt`);
  writeFileSync(certFile, r.stdout);
  return { cert: certFile, key: keyFile };
}

const skip = AWS === undefined ? 'no aws binary (install Debian awscli or AWS CLI v1)' : false;

before(async () => {
  if (AWS === undefined) return;
  dir = mkdtempSync(join(tmpdir(), 'iamd-cli-creds-'));
  server = await startIamd();
  await ok('iam', 'create-user', '--user-name', 'cli-creds');
});
after(async () => {
  await server?.stop();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

test(
  'aws iam upload-ssh-public-key / get-ssh-public-key --encoding SSH / unrecognized encoding error',
  { skip },
  async () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const file = join(dir, 'id.pem');
    writeFileSync(file, pem);
    const up = (await ok(
      'iam',
      'upload-ssh-public-key',
      '--user-name',
      'cli-creds',
      '--ssh-public-key-body',
      `file://${file}`,
    )) as { SSHPublicKey: { SSHPublicKeyId: string; Fingerprint: string } };
    assert.match(up.SSHPublicKey.SSHPublicKeyId, /^APKA/);
    const got = (await ok(
      'iam',
      'get-ssh-public-key',
      '--user-name',
      'cli-creds',
      '--ssh-public-key-id',
      up.SSHPublicKey.SSHPublicKeyId,
      '--encoding',
      'SSH',
    )) as { SSHPublicKey: { SSHPublicKeyBody: string; Fingerprint: string } };
    assert.match(got.SSHPublicKey.SSHPublicKeyBody, /^ssh-rsa /);
    assert.equal(got.SSHPublicKey.Fingerprint, up.SSHPublicKey.Fingerprint);
    const bad = await aws(
      'iam',
      'upload-ssh-public-key',
      '--user-name',
      'cli-creds',
      '--ssh-public-key-body',
      'x',
    );
    assert.notEqual(bad.code, 0);
    assert.match(
      bad.stderr,
      /\(UnrecognizedPublicKeyEncoding\) when calling the UploadSSHPublicKey operation: The request was rejected because the public key encoding format is unsupported or unrecognized\./,
    );
    await ok(
      'iam',
      'delete-ssh-public-key',
      '--user-name',
      'cli-creds',
      '--ssh-public-key-id',
      up.SSHPublicKey.SSHPublicKeyId,
    );
  },
);

test('aws iam create-service-specific-credential / list / reset', { skip }, async () => {
  const created = (await ok(
    'iam',
    'create-service-specific-credential',
    '--user-name',
    'cli-creds',
    '--service-name',
    'codecommit.amazonaws.com',
  )) as {
    ServiceSpecificCredential: {
      ServiceUserName: string;
      ServicePassword: string;
      ServiceSpecificCredentialId: string;
    };
  };
  assert.equal(created.ServiceSpecificCredential.ServiceUserName, `cli-creds-at-${A}`);
  const listed = (await ok('iam', 'list-service-specific-credentials', '--user-name', 'cli-creds')) as {
    ServiceSpecificCredentials: { ServiceSpecificCredentialId: string }[];
  };
  assert.deepEqual(
    listed.ServiceSpecificCredentials.map((c) => c.ServiceSpecificCredentialId),
    [created.ServiceSpecificCredential.ServiceSpecificCredentialId],
  );
  const reset = (await ok(
    'iam',
    'reset-service-specific-credential',
    '--user-name',
    'cli-creds',
    '--service-specific-credential-id',
    created.ServiceSpecificCredential.ServiceSpecificCredentialId,
  )) as { ServiceSpecificCredential: { ServicePassword: string } };
  assert.notEqual(
    reset.ServiceSpecificCredential.ServicePassword,
    created.ServiceSpecificCredential.ServicePassword,
  );
  const bad = await aws(
    'iam',
    'create-service-specific-credential',
    '--user-name',
    'cli-creds',
    '--service-name',
    'lambda.amazonaws.com',
  );
  assert.match(
    bad.stderr,
    /\(NoSuchEntity\) when calling the CreateServiceSpecificCredential operation: No such service lambda\.amazonaws\.com is supported for Service Specific Credentials/,
  );
});

test('aws iam upload-signing-certificate / list-signing-certificates', { skip }, async () => {
  const { cert } = certFiles('cli-signer');
  const up = (await ok(
    'iam',
    'upload-signing-certificate',
    '--user-name',
    'cli-creds',
    '--certificate-body',
    `file://${cert}`,
  )) as { Certificate: { CertificateId: string; Status: string } };
  assert.equal(up.Certificate.Status, 'Active');
  const listed = (await ok('iam', 'list-signing-certificates', '--user-name', 'cli-creds')) as {
    Certificates: { CertificateId: string }[];
  };
  assert.deepEqual(
    listed.Certificates.map((c) => c.CertificateId),
    [up.Certificate.CertificateId],
  );
});

test('aws iam upload-server-certificate / get-server-certificate / KeyPairMismatch', { skip }, async () => {
  const a = certFiles('cli-a.example.test');
  const b = certFiles('cli-b.example.test');
  const up = (await ok(
    'iam',
    'upload-server-certificate',
    '--server-certificate-name',
    'cli-web',
    '--certificate-body',
    `file://${a.cert}`,
    '--private-key',
    `file://${a.key}`,
  )) as { ServerCertificateMetadata: { Arn: string } };
  assert.equal(up.ServerCertificateMetadata.Arn, `arn:aws:iam::${A}:server-certificate/cli-web`);
  const got = (await ok('iam', 'get-server-certificate', '--server-certificate-name', 'cli-web')) as {
    ServerCertificate: Record<string, unknown>;
  };
  assert.equal(got.ServerCertificate.PrivateKey, undefined);
  const bad = await aws(
    'iam',
    'upload-server-certificate',
    '--server-certificate-name',
    'cli-bad',
    '--certificate-body',
    `file://${a.cert}`,
    '--private-key',
    `file://${b.key}`,
  );
  assert.match(
    bad.stderr,
    /\(KeyPairMismatch\) when calling the UploadServerCertificate operation: The request was rejected because the public key certificate and the private key do not match\./,
  );
});
