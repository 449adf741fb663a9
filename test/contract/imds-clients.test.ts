/**
 * Runtime credentials end to end with unmodified clients, configured only through their documented
 * environment variables (AWS SDKs and Tools Reference Guide, "IMDS credential provider" and "Container
 * credential provider"): `AWS_EC2_METADATA_SERVICE_ENDPOINT`, `AWS_CONTAINER_CREDENTIALS_FULL_URI`,
 * `AWS_CONTAINER_AUTHORIZATION_TOKEN`. Clients: SDK for JavaScript v3 (`fromInstanceMetadata`,
 * `fromContainerMetadata`, the default chain in a fresh process), boto3 and the AWS CLI v2. Child
 * processes get a clean environment (no keys, a temporary HOME, so no ~/.aws leaks in).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  IAMClient,
  RemoveRoleFromInstanceProfileCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromContainerMetadata, fromInstanceMetadata } from '@aws-sdk/credential-providers';
import { ROOT } from './harness.js';

const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const INSTANCE = 'i-0123456789abcdef0';
const TOKEN = 'container-token-for-tests-0123';
const EC2_TRUST =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
const ECS_TRUST =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
const ROLE_ARN = `arn:aws:sts::${ROOT.accountId}:assumed-role/web-role/${INSTANCE}`;

let child: ChildProcess;
let home: string;
let url = '';
let imdsUrl = '';
let containerUrl = '';
let python = '';

/** A clean environment: PATH, a temporary HOME, and only what a test adds. */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', ...extra };
}

function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, cwd: REPO, timeout: 20_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr }),
    );
  });
}

const iam = () =>
  new IAMClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: ROOT,
    maxAttempts: 1,
  });
const stsWith = (
  credentials:
    STSClient['config']['credentials'] | Awaited<ReturnType<ReturnType<typeof fromInstanceMetadata>>>,
) =>
  new STSClient({
    endpoint: url,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
  });

async function advance(seconds: number): Promise<void> {
  const r = await fetch(`${url}/_iamd/clock`, {
    method: 'POST',
    body: JSON.stringify({ advanceSeconds: seconds }),
  });
  assert.equal(r.status, 200);
}

async function imdsCredentials(): Promise<Record<string, string>> {
  const t = await (
    await fetch(`${imdsUrl}/latest/api/token`, {
      method: 'PUT',
      headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' },
    })
  ).text();
  const r = await fetch(`${imdsUrl}/latest/meta-data/iam/security-credentials/web-role`, {
    headers: { 'X-aws-ec2-metadata-token': t },
  });
  return (await r.json()) as Record<string, string>;
}

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'iamd-imds-'));
  python = spawnSync('python3', ['-c', 'import sys, boto3; print(sys.executable)'], {
    encoding: 'utf8',
  }).stdout.trim();
  child = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--memory',
      '--port',
      '0',
      '--test-clock',
      '--log-level',
      'warn',
      '--imds',
      '127.0.0.1:0',
      '--instance',
      `${INSTANCE}=web-profile`,
      '--container-credentials',
      '127.0.0.1:0',
      '--task',
      't1=task-role',
    ],
    {
      env: cleanEnv({
        IAMD_ACCOUNT_ID: ROOT.accountId,
        IAMD_ROOT_ACCESS_KEY_ID: ROOT.accessKeyId,
        IAMD_ROOT_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
        IAMD_CONTAINER_AUTHORIZATION_TOKEN: TOKEN,
      }),
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`iamd did not start:\n${stderr}`)), 20_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m =
        /iamd listening on (\S+)[\s\S]*IMDS listening on (\S+)[\s\S]*container credentials listening on (\S+)/.exec(
          stderr,
        );
      if (m) {
        [url, imdsUrl, containerUrl] = [m[1]!, m[2]!, m[3]!];
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`iamd exited with ${code}:\n${stderr}`)));
  });
  const client = iam();
  await client.send(new CreateRoleCommand({ RoleName: 'web-role', AssumeRolePolicyDocument: EC2_TRUST }));
  await client.send(new CreateRoleCommand({ RoleName: 'task-role', AssumeRolePolicyDocument: ECS_TRUST }));
  await client.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'web-profile' }));
  await client.send(
    new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web-profile', RoleName: 'web-role' }),
  );
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = `${imdsUrl}/`;
  process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `${containerUrl}/v2/credentials/t1`;
  process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = TOKEN;
});

after(async () => {
  delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
  delete process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
  delete process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(home, { recursive: true, force: true });
});

test('SDK v3 fromInstanceMetadata: the instance role session, named after the instance', async () => {
  const creds = await fromInstanceMetadata()();
  assert.match(creds.accessKeyId, /^ASIA/);
  assert.ok(creds.sessionToken);
  const who = await stsWith(creds).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, ROLE_ARN);
  assert.equal(who.Account, ROOT.accountId);
  assert.match(who.UserId ?? '', new RegExp(`^AROA[A-Z2-7]+:${INSTANCE}$`));
});

test('SDK v3 default provider chain in a fresh process (only AWS_EC2_METADATA_SERVICE_ENDPOINT set)', async () => {
  const script = `import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
const out = await new STSClient({ endpoint: ${JSON.stringify(url)}, region: 'us-east-1' }).send(new GetCallerIdentityCommand({}));
console.log(out.Arn);`;
  const r = await run(
    process.execPath,
    ['--input-type=module', '-e', script],
    cleanEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: `${imdsUrl}/` }),
  );
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim(), ROLE_ARN);
});

test('boto3 (default chain, IMDS)', async (t) => {
  if (python === '') return t.skip('boto3 is not installed');
  const r = await run(
    python,
    [
      '-c',
      `import boto3; print(boto3.client('sts', endpoint_url=${JSON.stringify(url)}, region_name='us-east-1').get_caller_identity()['Arn'])`,
    ],
    cleanEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: `${imdsUrl}/` }),
  );
  assert.equal(r.out.trim(), ROLE_ARN, r.err);
});

test('AWS CLI: `aws sts get-caller-identity` prints the instance role ARN (region from IMDS too)', async () => {
  const r = await run(
    '/usr/bin/aws',
    ['sts', 'get-caller-identity', '--endpoint-url', url, '--output', 'json'],
    cleanEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: `${imdsUrl}/` }),
  );
  assert.equal(r.code, 0, r.err);
  assert.equal((JSON.parse(r.out) as { Arn: string }).Arn, ROLE_ARN);
});

test('SDK v3 fromContainerMetadata and boto3 with the container endpoint; a wrong token is refused', async () => {
  const creds = await fromContainerMetadata()();
  const who = await stsWith(creds).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, `arn:aws:sts::${ROOT.accountId}:assumed-role/task-role/t1`);
  const env = {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `${containerUrl}/v2/credentials/t1`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: TOKEN,
  };
  if (python !== '') {
    const r = await run(
      python,
      [
        '-c',
        `import boto3; print(boto3.client('sts', endpoint_url=${JSON.stringify(url)}, region_name='us-east-1').get_caller_identity()['Arn'])`,
      ],
      cleanEnv(env),
    );
    assert.equal(r.out.trim(), `arn:aws:sts::${ROOT.accountId}:assumed-role/task-role/t1`, r.err);
  }
  const wrong = await fetch(`${containerUrl}/v2/credentials/t1`, {
    headers: { Authorization: 'not-the-token' },
  });
  assert.equal(wrong.status, 401);
  process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = 'not-the-token';
  try {
    await assert.rejects(fromContainerMetadata()(), {
      name: 'ProviderError',
      message: 'Error response received from instance metadata service',
    });
  } finally {
    process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = TOKEN;
  }
});

test('refresh across expiry with the test clock: same credentials until rotation, old ones expire', async () => {
  const a = await imdsCredentials();
  assert.equal(a.Code, 'Success');
  const lifetime = (Date.parse(a.Expiration!) - Date.parse(a.LastUpdated!)) / 1000;
  assert.equal(lifetime, 6 * 3600);
  await advance(4 * 3600);
  assert.equal((await imdsCredentials()).AccessKeyId, a.AccessKeyId, 'no rotation with 2 h left');
  await advance(3600 + 5);
  const b = await imdsCredentials();
  assert.notEqual(b.AccessKeyId, a.AccessKeyId, 'rotated with less than an hour left');
  // The SDK picks the new credentials up; both sets still work until the old one expires.
  const fresh = await fromInstanceMetadata()();
  assert.equal(fresh.accessKeyId, b.AccessKeyId);
  const old = { accessKeyId: a.AccessKeyId!, secretAccessKey: a.SecretAccessKey!, sessionToken: a.Token! };
  assert.equal((await stsWith(old).send(new GetCallerIdentityCommand({}))).Arn, ROLE_ARN);
  await advance(3600);
  await assert.rejects(stsWith(old).send(new GetCallerIdentityCommand({})), {
    name: 'ExpiredToken',
    message: 'The security token included in the request is expired',
  });
  assert.equal((await stsWith(fresh).send(new GetCallerIdentityCommand({}))).Arn, ROLE_ARN);
});

test('broken profile: a role that stops trusting EC2, then a profile without its role', async () => {
  await iam().send(
    new UpdateAssumeRolePolicyCommand({
      RoleName: 'web-role',
      PolicyDocument: EC2_TRUST.replace('ec2.amazonaws.com', 'lambda.amazonaws.com'),
    }),
  );
  const doc = await imdsCredentials();
  assert.equal(doc.Code, 'AssumeRoleUnauthorizedAccess');
  await assert.rejects(fromInstanceMetadata()(), {
    name: 'CredentialsProviderError',
    message: 'Invalid response received from instance metadata service.',
  });
  await iam().send(new UpdateAssumeRolePolicyCommand({ RoleName: 'web-role', PolicyDocument: EC2_TRUST }));
  assert.equal((await imdsCredentials()).Code, 'Success');

  await iam().send(
    new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'web-profile', RoleName: 'web-role' }),
  );
  const listing = await fetch(`${imdsUrl}/latest/meta-data/iam/security-credentials/`);
  assert.equal(listing.status, 404);
  await assert.rejects(fromInstanceMetadata()(), {
    name: 'ProviderError',
    message: 'Error response received from instance metadata service',
  });
  const cli = await run(
    '/usr/bin/aws',
    ['sts', 'get-caller-identity', '--endpoint-url', url, '--region', 'us-east-1'],
    cleanEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: `${imdsUrl}/` }),
  );
  assert.notEqual(cli.code, 0);
  assert.match(cli.err, /Unable to locate credentials/);
});
