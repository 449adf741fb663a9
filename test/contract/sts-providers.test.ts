/**
 * The SDK v3 credential providers against iamd: `fromTemporaryCredentials` (AssumeRole with external
 * id, duration and MFA) and `fromIni` (a profile with `role_arn`, `source_profile`, `external_id`,
 * `duration_seconds`, and `mfa_serial` answered by `mfaCodeProvider` — the CLI's `mfa_serial` is
 * interactive, so MFA through a profile is covered here).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateRoleCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { totpCode } from '../../src/credentials/totp.js';
import { ROOT, startIamd, type TestServer } from './harness.js';
import { allow, createUser, trust, type TestUser } from './accounts-helper.js';

const ACCT = ROOT.accountId;
let server: TestServer;
let alice: TestUser;
let serial = '';
let seed = '';
let dir = '';

async function whoAmI(credentials: AwsCredentialIdentityProvider): Promise<string | undefined> {
  const client = new STSClient({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  return (await client.send(new GetCallerIdentityCommand({}))).Arn;
}

before(async () => {
  server = await startIamd();
  const iam = server.iam();
  alice = await createUser(iam, 'alice', allow('sts:AssumeRole'));
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'partner',
      AssumeRolePolicyDocument: trust(alice.arn, 'sts:AssumeRole', {
        StringEquals: { 'sts:ExternalId': 'ext-42' },
      }),
      MaxSessionDuration: 7200,
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'guarded',
      AssumeRolePolicyDocument: trust(alice.arn, 'sts:AssumeRole', {
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      }),
    }),
  );
  const d = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'alice-phone' }));
  serial = d.VirtualMFADevice?.SerialNumber ?? '';
  seed = Buffer.from(d.VirtualMFADevice?.Base32StringSeed ?? new Uint8Array()).toString('utf8');
  await iam.send(
    new EnableMFADeviceCommand({
      UserName: 'alice',
      SerialNumber: serial,
      AuthenticationCode1: totpCode(seed, Date.now() - 30_000),
      AuthenticationCode2: totpCode(seed, Date.now()),
    }),
  );
  dir = mkdtempSync(join(tmpdir(), 'iamd-ini-'));
});

after(async () => {
  await server?.stop();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

test('fromTemporaryCredentials assumes a role with an external id and a duration', async () => {
  const provider = fromTemporaryCredentials({
    masterCredentials: alice.creds,
    params: {
      RoleArn: `arn:aws:iam::${ACCT}:role/partner`,
      RoleSessionName: 'sdk-temp',
      ExternalId: 'ext-42',
      DurationSeconds: 7200,
    },
    clientConfig: { endpoint: server.url, region: 'us-east-1', maxAttempts: 1 },
  });
  const creds = await provider();
  assert.ok(creds.accessKeyId.startsWith('ASIA'));
  assert.ok(Math.abs((creds.expiration?.getTime() ?? 0) - (Date.now() + 7_200_000)) < 5_000);
  assert.equal(await whoAmI(provider), `arn:aws:sts::${ACCT}:assumed-role/partner/sdk-temp`);
});

test('fromTemporaryCredentials with MFA (SerialNumber + mfaCodeProvider)', async () => {
  const provider = fromTemporaryCredentials({
    masterCredentials: alice.creds,
    params: {
      RoleArn: `arn:aws:iam::${ACCT}:role/guarded`,
      RoleSessionName: 'sdk-mfa',
      SerialNumber: serial,
    },
    // The code one step ahead: the device's current and previous steps were used to enable it.
    mfaCodeProvider: async () => totpCode(seed, Date.now() + 30_000),
    clientConfig: { endpoint: server.url, region: 'us-east-1', maxAttempts: 1 },
  });
  assert.equal(await whoAmI(provider), `arn:aws:sts::${ACCT}:assumed-role/guarded/sdk-mfa`);
});

test('fromIni: role_arn + source_profile + external_id + duration_seconds', async () => {
  const credentials = join(dir, 'credentials');
  const config = join(dir, 'config');
  writeFileSync(
    credentials,
    `[alice]\naws_access_key_id = ${alice.creds.accessKeyId}\naws_secret_access_key = ${alice.creds.secretAccessKey}\n`,
  );
  writeFileSync(
    config,
    [
      '[profile partner]',
      `role_arn = arn:aws:iam::${ACCT}:role/partner`,
      'source_profile = alice',
      'external_id = ext-42',
      'duration_seconds = 3600',
      'role_session_name = from-ini',
      'region = us-east-1',
      '',
    ].join('\n'),
  );
  const provider = fromIni({
    profile: 'partner',
    filepath: credentials,
    configFilepath: config,
    clientConfig: { endpoint: server.url, region: 'us-east-1' },
  });
  const creds = await provider();
  assert.ok(Math.abs((creds.expiration?.getTime() ?? 0) - (Date.now() + 3_600_000)) < 5_000);
  assert.equal(await whoAmI(provider), `arn:aws:sts::${ACCT}:assumed-role/partner/from-ini`);
});

test('fromIni: mfa_serial answered by mfaCodeProvider', async () => {
  const credentials = join(dir, 'credentials-mfa');
  const config = join(dir, 'config-mfa');
  writeFileSync(
    credentials,
    `[alice]\naws_access_key_id = ${alice.creds.accessKeyId}\naws_secret_access_key = ${alice.creds.secretAccessKey}\n`,
  );
  writeFileSync(
    config,
    [
      '[profile guarded]',
      `role_arn = arn:aws:iam::${ACCT}:role/guarded`,
      'source_profile = alice',
      `mfa_serial = ${serial}`,
      'role_session_name = ini-mfa',
      '',
    ].join('\n'),
  );
  // Every step in the verifier's window is used by now: move the server three steps on (well inside
  // SigV4's 15-minute skew), and answer with the code of its time.
  await server.advance(90);
  let asked = '';
  const provider = fromIni({
    profile: 'guarded',
    filepath: credentials,
    configFilepath: config,
    mfaCodeProvider: async (s) => {
      asked = s;
      return totpCode(seed, Date.now() + 90_000);
    },
    clientConfig: { endpoint: server.url, region: 'us-east-1' },
  });
  const arn = await whoAmI(provider);
  assert.equal(asked, serial);
  assert.equal(arn, `arn:aws:sts::${ACCT}:assumed-role/guarded/ini-mfa`);
});
