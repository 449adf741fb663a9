/**
 * IAM contract tests (SDK v3 through the real server) for the credential operations of issue #20: SSH
 * public keys, service-specific credentials, signing certificates and server certificates — happy paths,
 * each AWS error with code and message, DeleteUser conflicts, and secrets kept out of the audit trail.
 *
 * Recorded texts: shared/reference/aws-errors.md and localstack-snapshots/pr-13720/iam; behaviour: the IAM
 * API reference pages cited per test.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateAccessKeyCommand,
  CreateServiceSpecificCredentialCommand,
  DeleteServerCertificateCommand,
  DeleteSigningCertificateCommand,
  GetAccountSummaryCommand,
  GetServerCertificateCommand,
  ListServerCertificatesCommand,
  ListServerCertificateTagsCommand,
  ListSigningCertificatesCommand,
  TagServerCertificateCommand,
  UntagServerCertificateCommand,
  UpdateServerCertificateCommand,
  UpdateSigningCertificateCommand,
  UpdateUserCommand,
  UploadServerCertificateCommand,
  UploadSigningCertificateCommand,
  CreateUserCommand,
  DeleteServiceSpecificCredentialCommand,
  DeleteSSHPublicKeyCommand,
  DeleteUserCommand,
  GetSSHPublicKeyCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListServiceSpecificCredentialsCommand,
  ListSSHPublicKeysCommand,
  ResetServiceSpecificCredentialCommand,
  UpdateAccessKeyCommand,
  UpdateServiceSpecificCredentialCommand,
  UpdateSSHPublicKeyCommand,
  UploadSSHPublicKeyCommand,
} from '@aws-sdk/client-iam';
import { startIamdOnData, ROOT, type TestServer } from './harness.js';
import { allow, createUser, denied } from './accounts-helper.js';
import { expectClientError } from './support.js';

const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));
const A = ROOT.accountId;
let dir = '';
let server: TestServer;
let iam: IAMClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iamd-creds-'));
  server = await startIamdOnData(dir);
  iam = server.iam();
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh RSA public key in SPKI PEM. */
function rsaPem(bits = 2048): string {
  return generateKeyPairSync('rsa', { modulusLength: bits })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
}

/** Every audit event of the store in `dir`, as JSON lines (iamd audit search). */
function auditText(): string {
  const r = spawnSync(process.execPath, [BIN, 'audit', 'search', '--data', dir, '--json', '--max', '5000'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** The raw bytes of the SQLite files, to check a secret is not stored in the clear. */
function storeBytes(): string {
  return readdirSync(dir)
    .filter((f) => f.startsWith('iamd.db'))
    .map((f) => readFileSync(join(dir, f)).toString('latin1'))
    .join('');
}

// UploadSSHPublicKey / GetSSHPublicKey / ListSSHPublicKeys / UpdateSSHPublicKey / DeleteSSHPublicKey:
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSSHPublicKey.html ("must be encoded in
// ssh-rsa format or PEM format. The minimum bit-length of the public key is 2048 bits"),
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetSSHPublicKey.html (Encoding SSH | PEM).
test('SSH public keys: upload (PEM and ssh-rsa), get in both encodings, list, update, delete', async () => {
  await iam.send(new CreateUserCommand({ UserName: 'ssh-user' }));
  const pem = rsaPem();
  const up = (await iam.send(new UploadSSHPublicKeyCommand({ UserName: 'ssh-user', SSHPublicKeyBody: pem })))
    .SSHPublicKey!;
  assert.match(up.SSHPublicKeyId!, /^APKA[A-Z2-7]{16}$/);
  assert.equal(up.UserName, 'ssh-user');
  assert.equal(up.Status, 'Active');
  assert.equal(up.SSHPublicKeyBody, pem);
  assert.match(up.Fingerprint!, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
  assert.ok(up.UploadDate instanceof Date);

  const asSsh = (
    await iam.send(
      new GetSSHPublicKeyCommand({
        UserName: 'ssh-user',
        SSHPublicKeyId: up.SSHPublicKeyId,
        Encoding: 'SSH',
      }),
    )
  ).SSHPublicKey!;
  assert.match(asSsh.SSHPublicKeyBody!, /^ssh-rsa AAAAB3NzaC1yc2E[A-Za-z0-9+/=]+$/);
  assert.equal(asSsh.Fingerprint, up.Fingerprint);
  const asPem = (
    await iam.send(
      new GetSSHPublicKeyCommand({
        UserName: 'ssh-user',
        SSHPublicKeyId: up.SSHPublicKeyId,
        Encoding: 'PEM',
      }),
    )
  ).SSHPublicKey!;
  assert.equal(asPem.SSHPublicKeyBody!.trim(), pem.trim());

  // The same key in ssh-rsa form is the same key: DuplicateSSHPublicKey (400, modelled).
  await expectClientError(
    iam.send(
      new UploadSSHPublicKeyCommand({
        UserName: 'ssh-user',
        SSHPublicKeyBody: `${asSsh.SSHPublicKeyBody} me@host`,
      }),
    ),
    'DuplicateSSHPublicKeyException',
    400,
    'The request was rejected because the SSH public key is already associated with the specified IAM user.',
  );
  // An ssh-rsa upload is echoed as uploaded and, with Encoding SSH, returned the same way.
  const second = (
    await iam.send(
      new UploadSSHPublicKeyCommand({
        UserName: 'ssh-user',
        SSHPublicKeyBody: `${await sshForm(rsaPem())} laptop`,
      }),
    )
  ).SSHPublicKey!;
  assert.match(second.SSHPublicKeyBody!, / laptop$/);

  const listed = await iam.send(new ListSSHPublicKeysCommand({ UserName: 'ssh-user' }));
  assert.equal(listed.IsTruncated, false);
  assert.deepEqual(
    listed.SSHPublicKeys!.map((k) => k.SSHPublicKeyId).sort(),
    [up.SSHPublicKeyId, second.SSHPublicKeyId].sort(),
  );
  assert.equal(listed.SSHPublicKeys![0]!.Status, 'Active');
  const paged = await iam.send(new ListSSHPublicKeysCommand({ UserName: 'ssh-user', MaxItems: 1 }));
  assert.equal(paged.IsTruncated, true);
  assert.equal(paged.SSHPublicKeys!.length, 1);

  await iam.send(
    new UpdateSSHPublicKeyCommand({
      UserName: 'ssh-user',
      SSHPublicKeyId: up.SSHPublicKeyId,
      Status: 'Inactive',
    }),
  );
  const after = await iam.send(
    new GetSSHPublicKeyCommand({ UserName: 'ssh-user', SSHPublicKeyId: up.SSHPublicKeyId, Encoding: 'SSH' }),
  );
  assert.equal(after.SSHPublicKey!.Status, 'Inactive');

  // DeleteUser: "Before attempting to delete a user, remove the following items: … SSH public keys"
  // (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html).
  await expectClientError(
    iam.send(new DeleteUserCommand({ UserName: 'ssh-user' })),
    'DeleteConflictException',
    409,
    'Cannot delete entity, must delete SSH public keys first.',
  );
  for (const id of [up.SSHPublicKeyId, second.SSHPublicKeyId])
    await iam.send(new DeleteSSHPublicKeyCommand({ UserName: 'ssh-user', SSHPublicKeyId: id }));
  assert.deepEqual(
    (await iam.send(new ListSSHPublicKeysCommand({ UserName: 'ssh-user' }))).SSHPublicKeys,
    [],
  );
  await iam.send(new DeleteUserCommand({ UserName: 'ssh-user' }));
});

/** The ssh-rsa form of a PEM key, via a throwaway upload/get on a scratch user. */
async function sshForm(pem: string): Promise<string> {
  const name = `scratch-${Math.random().toString(36).slice(2, 10)}`;
  await iam.send(new CreateUserCommand({ UserName: name }));
  const k = (await iam.send(new UploadSSHPublicKeyCommand({ UserName: name, SSHPublicKeyBody: pem })))
    .SSHPublicKey!;
  const got = await iam.send(
    new GetSSHPublicKeyCommand({ UserName: name, SSHPublicKeyId: k.SSHPublicKeyId, Encoding: 'SSH' }),
  );
  await iam.send(new DeleteSSHPublicKeyCommand({ UserName: name, SSHPublicKeyId: k.SSHPublicKeyId }));
  await iam.send(new DeleteUserCommand({ UserName: name }));
  return got.SSHPublicKey!.SSHPublicKeyBody!;
}

test('SSH public keys: errors (bad keys, unknown ids and users, quota of 5)', async () => {
  await iam.send(new CreateUserCommand({ UserName: 'ssh-errors' }));
  await iam.send(new CreateUserCommand({ UserName: 'ssh-other' }));
  await expectClientError(
    iam.send(new UploadSSHPublicKeyCommand({ UserName: 'ssh-errors', SSHPublicKeyBody: 'not a key' })),
    'UnrecognizedPublicKeyEncodingException',
    400,
    'The request was rejected because the public key encoding format is unsupported or unrecognized.',
  );
  await expectClientError(
    iam.send(new UploadSSHPublicKeyCommand({ UserName: 'ssh-errors', SSHPublicKeyBody: rsaPem(1024) })),
    'InvalidPublicKeyException',
    400,
    'The request was rejected because the public key is malformed or otherwise invalid.',
  );
  await expectClientError(
    iam.send(new UploadSSHPublicKeyCommand({ UserName: 'ssh-errors', SSHPublicKeyBody: 'ssh-rsa AAAA' })),
    'InvalidPublicKeyException',
    400,
    'The request was rejected because the public key is malformed or otherwise invalid.',
  );
  await expectClientError(
    iam.send(new UploadSSHPublicKeyCommand({ UserName: 'nobody-here', SSHPublicKeyBody: rsaPem() })),
    'NoSuchEntityException',
    404,
    'The user with name nobody-here cannot be found.',
  );
  // Recorded `get-not-found` / `update-not-found` / `delete-not-found` (aws-errors.md).
  const missing = 'APKAXXXXXXXXXXXXXXXXX';
  const text = `The Public Key with id ${missing} cannot be found.`;
  await expectClientError(
    iam.send(
      new GetSSHPublicKeyCommand({ UserName: 'ssh-errors', SSHPublicKeyId: missing, Encoding: 'SSH' }),
    ),
    'NoSuchEntityException',
    404,
    text,
  );
  await expectClientError(
    iam.send(
      new UpdateSSHPublicKeyCommand({ UserName: 'ssh-errors', SSHPublicKeyId: missing, Status: 'Active' }),
    ),
    'NoSuchEntityException',
    404,
    text,
  );
  await expectClientError(
    iam.send(new DeleteSSHPublicKeyCommand({ UserName: 'ssh-errors', SSHPublicKeyId: missing })),
    'NoSuchEntityException',
    404,
    text,
  );
  // IAM quotas: "SSH public keys per IAM user: 5"
  // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
  const ids: string[] = [];
  for (let i = 0; i < 5; i++)
    ids.push(
      (await iam.send(new UploadSSHPublicKeyCommand({ UserName: 'ssh-errors', SSHPublicKeyBody: rsaPem() })))
        .SSHPublicKey!.SSHPublicKeyId!,
    );
  await expectClientError(
    iam.send(new UploadSSHPublicKeyCommand({ UserName: 'ssh-errors', SSHPublicKeyBody: rsaPem() })),
    'LimitExceededException',
    409,
    'Cannot exceed quota for SSHPublicKeysPerUser: 5',
  );
  // Another user's key id is not found for this user.
  await expectClientError(
    iam.send(new GetSSHPublicKeyCommand({ UserName: 'ssh-other', SSHPublicKeyId: ids[0], Encoding: 'PEM' })),
    'NoSuchEntityException',
    404,
    `The Public Key with id ${ids[0]} cannot be found.`,
  );
  assert.ok(auditText().includes('UploadSSHPublicKey'));
});

// CreateServiceSpecificCredential & co.:
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceSpecificCredential.html; shapes as
// recorded in localstack-snapshots/pr-13720/iam/test_iam `test_service_specific_credential_lifecycle`.
test('service-specific credentials: lifecycle (create, list, update, reset, delete), secrets sealed and unaudited', async () => {
  await iam.send(new CreateUserCommand({ UserName: 'git-user' }));
  const created = (
    await iam.send(
      new CreateServiceSpecificCredentialCommand({
        UserName: 'git-user',
        ServiceName: 'codecommit.amazonaws.com',
      }),
    )
  ).ServiceSpecificCredential!;
  assert.equal(created.ServiceUserName, `git-user-at-${A}`);
  assert.equal(created.ServiceName, 'codecommit.amazonaws.com');
  assert.equal(created.Status, 'Active');
  assert.equal(created.UserName, 'git-user');
  assert.match(created.ServiceSpecificCredentialId!, /^ACCA[A-Z2-7]{17}$/);
  assert.match(created.ServicePassword!, /^[A-Za-z0-9+/]{43}=$/);
  const id = created.ServiceSpecificCredentialId!;

  const listed = await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: 'git-user' }));
  assert.equal(listed.ServiceSpecificCredentials!.length, 1);
  const meta = listed.ServiceSpecificCredentials![0]!;
  assert.equal(meta.ServiceSpecificCredentialId, id);
  assert.equal(meta.ServiceUserName, `git-user-at-${A}`);
  assert.equal((meta as unknown as Record<string, unknown>).ServicePassword, undefined);

  await iam.send(
    new UpdateServiceSpecificCredentialCommand({
      UserName: 'git-user',
      ServiceSpecificCredentialId: id,
      Status: 'Inactive',
    }),
  );
  const reset = (
    await iam.send(
      new ResetServiceSpecificCredentialCommand({ UserName: 'git-user', ServiceSpecificCredentialId: id }),
    )
  ).ServiceSpecificCredential!;
  assert.equal(reset.Status, 'Inactive');
  assert.notEqual(reset.ServicePassword, created.ServicePassword);
  assert.match(reset.ServicePassword!, /^[A-Za-z0-9+/]{43}=$/);

  // Two per user per service (the second named `+1`); a second service has its own two.
  const second = (
    await iam.send(
      new CreateServiceSpecificCredentialCommand({
        UserName: 'git-user',
        ServiceName: 'codecommit.amazonaws.com',
      }),
    )
  ).ServiceSpecificCredential!;
  assert.equal(second.ServiceUserName, `git-user+1-at-${A}`);
  await expectClientError(
    iam.send(
      new CreateServiceSpecificCredentialCommand({
        UserName: 'git-user',
        ServiceName: 'codecommit.amazonaws.com',
      }),
    ),
    'LimitExceededException',
    409,
    'Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2',
  );
  const keyspaces = (
    await iam.send(
      new CreateServiceSpecificCredentialCommand({
        UserName: 'git-user',
        ServiceName: 'cassandra.amazonaws.com',
      }),
    )
  ).ServiceSpecificCredential!;
  const onlyKeyspaces = await iam.send(
    new ListServiceSpecificCredentialsCommand({
      UserName: 'git-user',
      ServiceName: 'cassandra.amazonaws.com',
    }),
  );
  assert.deepEqual(
    onlyKeyspaces.ServiceSpecificCredentials!.map((c) => c.ServiceSpecificCredentialId),
    [keyspaces.ServiceSpecificCredentialId],
  );

  // AllUsers lists every user's credentials.
  await iam.send(new CreateUserCommand({ UserName: 'git-user-2' }));
  await iam.send(
    new CreateServiceSpecificCredentialCommand({
      UserName: 'git-user-2',
      ServiceName: 'codecommit.amazonaws.com',
    }),
  );
  const everyone = await iam.send(new ListServiceSpecificCredentialsCommand({ AllUsers: true }));
  assert.deepEqual([...new Set(everyone.ServiceSpecificCredentials!.map((c) => c.UserName))].sort(), [
    'git-user',
    'git-user-2',
  ]);

  // Recorded `delete-user-existing-credential`.
  await expectClientError(
    iam.send(new DeleteUserCommand({ UserName: 'git-user-2' })),
    'DeleteConflictException',
    409,
    'Cannot delete entity, must remove referenced objects first.',
  );
  await iam.send(
    new DeleteServiceSpecificCredentialCommand({ UserName: 'git-user', ServiceSpecificCredentialId: id }),
  );
  const left = await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: 'git-user' }));
  assert.ok(!left.ServiceSpecificCredentials!.some((c) => c.ServiceSpecificCredentialId === id));

  // The passwords are neither in the audit trail nor in the store files (sealed at rest).
  const audit = auditText();
  const stored = storeBytes();
  assert.ok(audit.includes(id), 'the events are there');
  for (const secret of [created.ServicePassword!, reset.ServicePassword!, keyspaces.ServicePassword!]) {
    assert.ok(!audit.includes(secret), 'not in any event');
    assert.ok(!stored.includes(secret), 'not in the store files');
  }
});

test('service-specific credentials: Bedrock API keys with CredentialAgeDays expire', async () => {
  await iam.send(new CreateUserCommand({ UserName: 'bedrock-user' }));
  const key = (
    await iam.send(
      new CreateServiceSpecificCredentialCommand({
        UserName: 'bedrock-user',
        ServiceName: 'bedrock.amazonaws.com',
        CredentialAgeDays: 1,
      }),
    )
  ).ServiceSpecificCredential!;
  assert.equal(key.ServiceCredentialAlias, `bedrock-user-at-${A}`);
  assert.match(key.ServiceCredentialSecret!, /^ABSK[A-Za-z0-9+/=]+$/);
  assert.equal(key.ServicePassword, undefined);
  assert.equal(key.ExpirationDate!.getTime() - key.CreateDate!.getTime(), 86_400_000);
  await server.advance(86_401);
  const listed = await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: 'bedrock-user' }));
  assert.equal(listed.ServiceSpecificCredentials![0]!.Status, 'Expired');
  await expectClientError(
    iam.send(
      new CreateServiceSpecificCredentialCommand({
        UserName: 'bedrock-user',
        ServiceName: 'codecommit.amazonaws.com',
        CredentialAgeDays: 1,
      }),
    ),
    'InvalidInputException',
    400,
    'CredentialAgeDays is not supported for service codecommit.amazonaws.com',
  );
});

test('service-specific credentials: recorded errors', async () => {
  await iam.send(new CreateUserCommand({ UserName: 'ssc-errors' }));
  // Recorded `invalid-service-existing-but-unsupported-exception` and `invalid-user-name-exception`.
  await expectClientError(
    iam.send(
      new CreateServiceSpecificCredentialCommand({
        UserName: 'ssc-errors',
        ServiceName: 'lambda.amazonaws.com',
      }),
    ),
    'NoSuchEntityException',
    404,
    'No such service lambda.amazonaws.com is supported for Service Specific Credentials',
  );
  await expectClientError(
    iam.send(
      new CreateServiceSpecificCredentialCommand({
        UserName: 'non-existent-user',
        ServiceName: 'codecommit.amazonaws.com',
      }),
    ),
    'NoSuchEntityException',
    404,
    'The user with name non-existent-user cannot be found.',
  );
  await expectClientError(
    iam.send(
      new ListServiceSpecificCredentialsCommand({
        UserName: 'ssc-errors',
        ServiceName: 'nonexistentservice.amazonaws.com',
      }),
    ),
    'NoSuchEntityException',
    404,
    'No such service nonexistentservice.amazonaws.com is supported for Service Specific Credentials',
  );
  const bad = 'satisfiesregexbutstillinvalid';
  for (const send of [
    () =>
      iam.send(
        new ResetServiceSpecificCredentialCommand({
          UserName: 'ssc-errors',
          ServiceSpecificCredentialId: bad,
        }),
      ),
    () =>
      iam.send(
        new UpdateServiceSpecificCredentialCommand({
          UserName: 'ssc-errors',
          ServiceSpecificCredentialId: bad,
          Status: 'Active',
        }),
      ),
    () =>
      iam.send(
        new DeleteServiceSpecificCredentialCommand({
          UserName: 'ssc-errors',
          ServiceSpecificCredentialId: bad,
        }),
      ),
  ])
    await expectClientError(send(), 'NoSuchEntityException', 404, `No such credential ${bad} exists`);
  await expectClientError(
    iam.send(
      new DeleteServiceSpecificCredentialCommand({
        UserName: 'wrong-user-name',
        ServiceSpecificCredentialId: bad,
      }),
    ),
    'NoSuchEntityException',
    404,
    'The user with name wrong-user-name cannot be found.',
  );
});

/** A fresh RSA key pair and a self-signed certificate for it (openssl), all PEM. */
function makeCert(cn: string): { cert: string; key: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keyFile = join(dir, `${cn}.key`);
  writeFileSync(keyFile, key);
  const r = spawnSync(
    'openssl',
    ['req', '-x509', '-new', '-key', keyFile, '-subj', `/CN=${cn}`, '-days', '30'],
    {
      encoding: 'utf8',
    },
  );
  rmSync(keyFile);
  assert.equal(r.status, 0, r.stderr);
  return { cert: r.stdout, key };
}

// UploadSigningCertificate & co.: https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSigningCertificate.html;
// shapes and texts recorded in localstack-snapshots/pr-13720/iam/test_iam_signing_certificates.
test('signing certificates: upload, list, update, delete; duplicate, malformed, quota, DeleteUser conflict', async () => {
  await iam.send(new CreateUserCommand({ UserName: 'signer' }));
  const one = makeCert('signer-1');
  const up = (
    await iam.send(new UploadSigningCertificateCommand({ UserName: 'signer', CertificateBody: one.cert }))
  ).Certificate!;
  assert.match(up.CertificateId!, /^[A-Z2-7]{32}$/);
  assert.equal(up.UserName, 'signer');
  assert.equal(up.Status, 'Active');
  assert.equal(up.CertificateBody, one.cert);
  const listed = await iam.send(new ListSigningCertificatesCommand({ UserName: 'signer' }));
  assert.deepEqual(
    listed.Certificates!.map((c) => [c.CertificateId, c.Status, c.CertificateBody]),
    [[up.CertificateId, 'Active', one.cert]],
  );
  await iam.send(
    new UpdateSigningCertificateCommand({
      UserName: 'signer',
      CertificateId: up.CertificateId,
      Status: 'Inactive',
    }),
  );
  assert.equal(
    (await iam.send(new ListSigningCertificatesCommand({ UserName: 'signer' }))).Certificates![0]!.Status,
    'Inactive',
  );
  await iam.send(new CreateUserCommand({ UserName: 'signer-2' }));
  await expectClientError(
    iam.send(new UploadSigningCertificateCommand({ UserName: 'signer-2', CertificateBody: one.cert })),
    'DuplicateCertificateException',
    409,
    'The request was rejected because the same certificate is associated with an IAM user in the account.',
  );
  // Recorded `upload-invalid-certificate-error`.
  await expectClientError(
    iam.send(
      new UploadSigningCertificateCommand({
        UserName: 'signer',
        CertificateBody: 'invalid-certificate-body',
      }),
    ),
    'MalformedCertificateException',
    400,
    'Certificate invalid-certificate-body is malformed.',
  );
  await iam.send(
    new UploadSigningCertificateCommand({ UserName: 'signer', CertificateBody: makeCert('signer-2').cert }),
  );
  // Recorded `upload-exceeds-limit-error`.
  await expectClientError(
    iam.send(
      new UploadSigningCertificateCommand({ UserName: 'signer', CertificateBody: makeCert('signer-3').cert }),
    ),
    'LimitExceededException',
    409,
    'Cannot exceed quota for CertificatesPerUser: 2',
  );
  // DeleteUser API reference: signing certificates must be removed first.
  await expectClientError(
    iam.send(new DeleteUserCommand({ UserName: 'signer' })),
    'DeleteConflictException',
    409,
    'Cannot delete entity, must delete signing certificates first.',
  );
  // Recorded `update-nonexistent-certificate-error`, `delete-nonexistent-certificate-error`, `…-nonexistent-user-error`.
  const missing = 'NONEXISTENTCERTID12345678901';
  await expectClientError(
    iam.send(
      new UpdateSigningCertificateCommand({ UserName: 'signer', CertificateId: missing, Status: 'Active' }),
    ),
    'NoSuchEntityException',
    404,
    `The Certificate with id ${missing} cannot be found.`,
  );
  await expectClientError(
    iam.send(new DeleteSigningCertificateCommand({ UserName: 'signer-2', CertificateId: up.CertificateId })),
    'NoSuchEntityException',
    404,
    `The Certificate with id ${up.CertificateId} cannot be found.`,
  );
  await expectClientError(
    iam.send(new ListSigningCertificatesCommand({ UserName: 'nonexistent-user' })),
    'NoSuchEntityException',
    404,
    'The user with name nonexistent-user cannot be found.',
  );
  for (const c of (await iam.send(new ListSigningCertificatesCommand({ UserName: 'signer' }))).Certificates!)
    await iam.send(
      new DeleteSigningCertificateCommand({ UserName: 'signer', CertificateId: c.CertificateId }),
    );
  await iam.send(new DeleteUserCommand({ UserName: 'signer' }));

  // Without UserName the root's own certificates: GetAccountSummary AccountSigningCertificatesPresent.
  const root = (
    await iam.send(new UploadSigningCertificateCommand({ CertificateBody: makeCert('root').cert }))
  ).Certificate!;
  assert.equal(root.UserName, undefined);
  let summary = (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap!;
  assert.equal(summary.AccountSigningCertificatesPresent, 1);
  await iam.send(new DeleteSigningCertificateCommand({ CertificateId: root.CertificateId }));
  summary = (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap!;
  assert.equal(summary.AccountSigningCertificatesPresent, 0);
});

// UploadServerCertificate & co.: https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadServerCertificate.html;
// shapes and texts recorded in localstack-snapshots/pr-13720/iam/test_iam_server_certificates.
test('server certificates: upload with chain and tags, get, list by path, rename, tag, delete; key never leaves', async () => {
  const leaf = makeCert('www.example.test');
  const ca = makeCert('ca.example.test');
  const up = await iam.send(
    new UploadServerCertificateCommand({
      ServerCertificateName: 'web',
      Path: '/cloudfront/',
      CertificateBody: leaf.cert,
      PrivateKey: leaf.key,
      CertificateChain: ca.cert,
      Tags: [{ Key: 'env', Value: 'test' }],
    }),
  );
  const meta = up.ServerCertificateMetadata!;
  assert.equal(meta.Arn, `arn:aws:iam::${A}:server-certificate/cloudfront/web`);
  assert.equal(meta.Path, '/cloudfront/');
  assert.match(meta.ServerCertificateId!, /^ASCA[A-Z2-7]{17}$/);
  // Expiration is the certificate's notAfter (30 days from now, openssl -days 30; the server's test clock
  // may run ahead of real time, so compare with this process's clock).
  const days = (meta.Expiration!.getTime() - Date.now()) / 86_400_000;
  assert.ok(days > 29 && days < 31, String(days));
  assert.deepEqual(up.Tags, [{ Key: 'env', Value: 'test' }]);

  const got = (await iam.send(new GetServerCertificateCommand({ ServerCertificateName: 'web' })))
    .ServerCertificate!;
  assert.equal(got.CertificateBody, leaf.cert);
  assert.equal(got.CertificateChain, ca.cert);
  assert.deepEqual(got.Tags, [{ Key: 'env', Value: 'test' }]);
  assert.equal(got.ServerCertificateMetadata!.ServerCertificateId, meta.ServerCertificateId);

  await iam.send(
    new UploadServerCertificateCommand({
      ServerCertificateName: 'api',
      CertificateBody: ca.cert,
      PrivateKey: ca.key,
    }),
  );
  const all = await iam.send(new ListServerCertificatesCommand({}));
  assert.deepEqual(
    all.ServerCertificateMetadataList!.map((m) => m.ServerCertificateName),
    ['api', 'web'],
  );
  const cf = await iam.send(new ListServerCertificatesCommand({ PathPrefix: '/cloudfront/' }));
  assert.deepEqual(
    cf.ServerCertificateMetadataList!.map((m) => m.ServerCertificateName),
    ['web'],
  );
  const paged = await iam.send(new ListServerCertificatesCommand({ MaxItems: 1 }));
  assert.equal(paged.IsTruncated, true);
  const rest = await iam.send(new ListServerCertificatesCommand({ MaxItems: 1, Marker: paged.Marker }));
  assert.deepEqual(
    rest.ServerCertificateMetadataList!.map((m) => m.ServerCertificateName),
    ['web'],
  );
  assert.equal((await iam.send(new GetAccountSummaryCommand({}))).SummaryMap!.ServerCertificates, 2);

  // Recorded `upload-duplicate-certificate-error`.
  await expectClientError(
    iam.send(
      new UploadServerCertificateCommand({
        ServerCertificateName: 'WEB',
        CertificateBody: leaf.cert,
        PrivateKey: leaf.key,
      }),
    ),
    'EntityAlreadyExistsException',
    409,
    'The Server Certificate with name WEB already exists.',
  );
  await expectClientError(
    iam.send(
      new UpdateServerCertificateCommand({ ServerCertificateName: 'web', NewServerCertificateName: 'api' }),
    ),
    'EntityAlreadyExistsException',
    409,
    'The Server Certificate with name api already exists.',
  );
  await iam.send(
    new UpdateServerCertificateCommand({
      ServerCertificateName: 'web',
      NewServerCertificateName: 'www',
      NewPath: '/',
    }),
  );
  const moved = (await iam.send(new GetServerCertificateCommand({ ServerCertificateName: 'www' })))
    .ServerCertificate!;
  assert.equal(moved.ServerCertificateMetadata!.Arn, `arn:aws:iam::${A}:server-certificate/www`);
  assert.equal(moved.ServerCertificateMetadata!.ServerCertificateId, meta.ServerCertificateId);
  await expectClientError(
    iam.send(new GetServerCertificateCommand({ ServerCertificateName: 'web' })),
    'NoSuchEntityException',
    404,
    'The Server Certificate with name web cannot be found.',
  );

  await iam.send(
    new TagServerCertificateCommand({ ServerCertificateName: 'www', Tags: [{ Key: 'team', Value: 'edge' }] }),
  );
  await iam.send(new UntagServerCertificateCommand({ ServerCertificateName: 'www', TagKeys: ['env'] }));
  assert.deepEqual(
    (await iam.send(new ListServerCertificateTagsCommand({ ServerCertificateName: 'www' }))).Tags,
    [{ Key: 'team', Value: 'edge' }],
  );

  for (const n of ['www', 'api'])
    await iam.send(new DeleteServerCertificateCommand({ ServerCertificateName: n }));
  // Recorded `delete-nonexistent-certificate-error`.
  await expectClientError(
    iam.send(new DeleteServerCertificateCommand({ ServerCertificateName: 'nonexistent-certificate' })),
    'NoSuchEntityException',
    404,
    'The Server Certificate with name nonexistent-certificate cannot be found.',
  );

  // The private keys are neither in any event nor in the clear in the store files.
  const audit = auditText();
  const stored = storeBytes();
  assert.ok(audit.includes('UploadServerCertificate'));
  for (const k of [leaf.key, ca.key]) {
    const inner = k.split('\n')[5]!;
    assert.ok(!audit.includes(inner), 'key not in any event');
    assert.ok(!stored.includes(inner), 'key not in the store files');
  }
});

test('server certificates: KeyPairMismatch, malformed body, key and chain', async () => {
  const a = makeCert('a.example.test');
  const b = makeCert('b.example.test');
  await expectClientError(
    iam.send(
      new UploadServerCertificateCommand({
        ServerCertificateName: 'x',
        CertificateBody: a.cert,
        PrivateKey: b.key,
      }),
    ),
    'KeyPairMismatchException',
    400,
    'The request was rejected because the public key certificate and the private key do not match.',
  );
  await expectClientError(
    iam.send(
      new UploadServerCertificateCommand({
        ServerCertificateName: 'x',
        CertificateBody: 'nope',
        PrivateKey: a.key,
      }),
    ),
    'MalformedCertificateException',
    400,
    'Certificate nope is malformed.',
  );
  await expectClientError(
    iam.send(
      new UploadServerCertificateCommand({
        ServerCertificateName: 'x',
        CertificateBody: a.cert,
        PrivateKey: 'not a key',
      }),
    ),
    'MalformedCertificateException',
    400,
    'The private key is malformed or is not in PEM format.',
  );
  await expectClientError(
    iam.send(
      new UploadServerCertificateCommand({
        ServerCertificateName: 'x',
        CertificateBody: a.cert,
        PrivateKey: a.key,
        CertificateChain: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
      }),
    ),
    'MalformedCertificateException',
    400,
    'The certificate chain is malformed.',
  );
  await expectClientError(
    iam.send(new GetServerCertificateCommand({ ServerCertificateName: 'x' })),
    'NoSuchEntityException',
    404,
    'The Server Certificate with name x cannot be found.',
  );
});

// Every operation authorizes its action on the resource it touches: the user ARN for the credential
// operations (Service Authorization Reference, IAM: UploadSSHPublicKey etc. on `user`), the
// `server-certificate` ARN for server certificates; a user may manage its own keys with a
// `${aws:username}` policy, and the NoSuchEntity answer comes only after authorization.
test('authorization: own-user policies work, other users and server certificates are denied', async () => {
  const self = await createUser(
    iam,
    'self-service',
    allow(
      ['iam:UploadSSHPublicKey', 'iam:ListSSHPublicKeys', 'iam:CreateServiceSpecificCredential'],
      `arn:aws:iam::${A}:user/\${aws:username}`,
    ),
  );
  await iam.send(new CreateUserCommand({ UserName: 'victim' }));
  const mine = server.iam(self.creds);
  const up = await mine.send(
    new UploadSSHPublicKeyCommand({ UserName: 'self-service', SSHPublicKeyBody: rsaPem() }),
  );
  // Without UserName: the calling user's keys.
  const listed = await mine.send(new ListSSHPublicKeysCommand({}));
  assert.deepEqual(
    listed.SSHPublicKeys!.map((k) => k.SSHPublicKeyId),
    [up.SSHPublicKey!.SSHPublicKeyId],
  );
  const reason = (action: string) => `because no identity-based policy allows the ${action} action`;
  await expectClientError(
    mine.send(new UploadSSHPublicKeyCommand({ UserName: 'victim', SSHPublicKeyBody: rsaPem() })),
    'AccessDenied',
    403,
    denied(
      self.arn,
      'iam:UploadSSHPublicKey',
      `arn:aws:iam::${A}:user/victim`,
      reason('iam:UploadSSHPublicKey'),
    ),
  );
  await expectClientError(
    mine.send(
      new CreateServiceSpecificCredentialCommand({
        UserName: 'victim',
        ServiceName: 'codecommit.amazonaws.com',
      }),
    ),
    'AccessDenied',
    403,
    denied(
      self.arn,
      'iam:CreateServiceSpecificCredential',
      `arn:aws:iam::${A}:user/victim`,
      reason('iam:CreateServiceSpecificCredential'),
    ),
  );
  // Not allowed to ask: AccessDenied even for a user that does not exist (no existence leak).
  await expectClientError(
    mine.send(new ListSigningCertificatesCommand({ UserName: 'ghost' })),
    'AccessDenied',
    403,
    denied(
      self.arn,
      'iam:ListSigningCertificates',
      `arn:aws:iam::${A}:user/ghost`,
      reason('iam:ListSigningCertificates'),
    ),
  );
  await expectClientError(
    mine.send(new GetServerCertificateCommand({ ServerCertificateName: 'secret-site' })),
    'AccessDenied',
    403,
    denied(
      self.arn,
      'iam:GetServerCertificate',
      `arn:aws:iam::${A}:server-certificate/secret-site`,
      reason('iam:GetServerCertificate'),
    ),
  );
});

// UpdateUser: the user's SSH keys, signing certificates and service-specific credentials follow the new
// name (recorded in test_iam_users `TestUserRename`; UpdateUser API reference).
test('renaming a user keeps its SSH keys, signing certificates and service-specific credentials', async () => {
  await iam.send(new CreateUserCommand({ UserName: 'before-rename' }));
  const key = (
    await iam.send(new UploadSSHPublicKeyCommand({ UserName: 'before-rename', SSHPublicKeyBody: rsaPem() }))
  ).SSHPublicKey!;
  const cert = (
    await iam.send(
      new UploadSigningCertificateCommand({
        UserName: 'before-rename',
        CertificateBody: makeCert('rename').cert,
      }),
    )
  ).Certificate!;
  const cred = (
    await iam.send(
      new CreateServiceSpecificCredentialCommand({
        UserName: 'before-rename',
        ServiceName: 'cassandra.amazonaws.com',
      }),
    )
  ).ServiceSpecificCredential!;
  await iam.send(new UpdateUserCommand({ UserName: 'before-rename', NewUserName: 'after-rename' }));
  const keys = await iam.send(new ListSSHPublicKeysCommand({ UserName: 'after-rename' }));
  assert.deepEqual(
    keys.SSHPublicKeys!.map((k) => [k.SSHPublicKeyId, k.UserName]),
    [[key.SSHPublicKeyId, 'after-rename']],
  );
  const certs = await iam.send(new ListSigningCertificatesCommand({ UserName: 'after-rename' }));
  assert.deepEqual(
    certs.Certificates!.map((c) => [c.CertificateId, c.UserName]),
    [[cert.CertificateId, 'after-rename']],
  );
  const creds = await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: 'after-rename' }));
  assert.deepEqual(
    creds.ServiceSpecificCredentials!.map((c) => [c.ServiceSpecificCredentialId, c.UserName]),
    [[cred.ServiceSpecificCredentialId, 'after-rename']],
  );
});

test('credential status: Expired is refused (only AWS sets it), Active/Inactive apply and repeat', async () => {
  // The model's statusType lists Active, Inactive and Expired; a caller may set the first two
  // (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html).
  await iam.send(new CreateUserCommand({ UserName: 'status-user' }));
  const UserName = 'status-user';
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey!.AccessKeyId!;
  const cert = (
    await iam.send(
      new UploadSigningCertificateCommand({ UserName, CertificateBody: makeCert('status').cert }),
    )
  ).Certificate!.CertificateId!;
  const ssh = (await iam.send(new UploadSSHPublicKeyCommand({ UserName, SSHPublicKeyBody: rsaPem() })))
    .SSHPublicKey!.SSHPublicKeyId!;
  const updates = (Status: 'Active' | 'Inactive' | 'Expired'): [string, () => Promise<unknown>][] => [
    ['access key', () => iam.send(new UpdateAccessKeyCommand({ UserName, AccessKeyId: key, Status }))],
    [
      'signing certificate',
      () => iam.send(new UpdateSigningCertificateCommand({ UserName, CertificateId: cert, Status })),
    ],
    [
      'SSH public key',
      () => iam.send(new UpdateSSHPublicKeyCommand({ UserName, SSHPublicKeyId: ssh, Status })),
    ],
  ];
  for (const [what, update] of updates('Expired'))
    await expectClientError(
      update(),
      'InvalidInputException',
      400,
      'Invalid status Expired. Valid values are Active and Inactive.',
    ).catch((e: Error) => assert.fail(`${what}: ${e.message}`));
  // Setting a status twice is no error; the last one sticks.
  for (const status of ['Inactive', 'Inactive', 'Active', 'Inactive'] as const)
    for (const [, update] of updates(status)) await update();
  const statuses = [
    (await iam.send(new ListAccessKeysCommand({ UserName }))).AccessKeyMetadata![0]!.Status,
    (await iam.send(new ListSigningCertificatesCommand({ UserName }))).Certificates![0]!.Status,
    (await iam.send(new ListSSHPublicKeysCommand({ UserName }))).SSHPublicKeys![0]!.Status,
  ];
  assert.deepEqual(statuses, ['Inactive', 'Inactive', 'Inactive']);
});
