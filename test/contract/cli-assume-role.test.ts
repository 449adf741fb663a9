/**
 * The AWS CLI assuming a role by itself from a profile (`role_arn`, `source_profile`, `external_id`,
 * `duration_seconds`, `role_session_name`) in a temporary `AWS_CONFIG_FILE`, with `AWS_ENDPOINT_URL`
 * pointing at iamd (AWS CLI User Guide, "Use an IAM role in the AWS CLI" and "Service-specific
 * endpoints"). `mfa_serial` makes the CLI prompt on a terminal, so MFA through a profile is covered
 * with the SDK's `fromIni` in sts-providers.test.ts instead.
 *
 * Which CLI: `/usr/bin/aws` when it honours `AWS_ENDPOINT_URL`, else the `aws` on PATH. The variable
 * arrived in AWS CLI v2.13.0 and v1.29.0 (botocore 1.31.0) ("Service-specific endpoints" changelog); an
 * older CLI sends the profile's AssumeRole to the real sts.amazonaws.com whatever `--endpoint-url` says,
 * because that option does not reach the credential provider's own STS client.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { ROOT, startIamd, type TestServer } from './harness.js';
import { allow, createUser, trust, type TestUser } from './accounts-helper.js';

const ACCT = ROOT.accountId;
/** True when `bin --version` reports a CLI that reads `AWS_ENDPOINT_URL`. */
function honoursEndpointEnv(bin: string): boolean {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  const m = /aws-cli\/(\d+)\.(\d+)\./.exec(`${r.stdout}${r.stderr}`);
  if (r.status !== 0 || m === null) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major === 2 ? minor >= 13 : major === 1 && minor >= 29;
}
const AWS = ['/usr/bin/aws', 'aws'].find((b) => (b === 'aws' || existsSync(b)) && honoursEndpointEnv(b));
const haveCli = AWS !== undefined;
/** Any AWS CLI, the older Debian v2 first: the `credential_process` recipe is for CLIs without `AWS_ENDPOINT_URL`. */
const ANY = ['/usr/bin/aws', 'aws'].find(
  (b) => (b === 'aws' || existsSync(b)) && spawnSync(b, ['--version']).status === 0,
);

let server: TestServer;
let alice: TestUser;
let dir = '';

interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the CLI with only the temporary config (no ambient AWS_* settings); `AWS_ENDPOINT_URL` names
 * iamd unless `endpointEnv` is false (the profile's `endpoint_url` or a `credential_process` must).
 */
function cli(args: readonly string[], endpointEnv = true, bin = AWS ?? 'aws'): CliResult {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_') && v !== undefined) env[k] = v;
  Object.assign(env, {
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    ...(endpointEnv ? { AWS_ENDPOINT_URL: server.url } : {}),
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
  });
  const r = spawnSync(bin, [...args, '--output', 'json'], {
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  if (!haveCli && ANY === undefined) return;
  server = await startIamd();
  const iam = server.iam();
  alice = await createUser(iam, 'alice', allow('sts:AssumeRole'));
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'cli-partner',
      AssumeRolePolicyDocument: trust(alice.arn, 'sts:AssumeRole', {
        StringEquals: { 'sts:ExternalId': 'cli-ext' },
      }),
      MaxSessionDuration: 7200,
    }),
  );
  dir = mkdtempSync(join(tmpdir(), 'iamd-cli-'));
  writeFileSync(
    join(dir, 'credentials'),
    [
      '[alice]',
      `aws_access_key_id = ${alice.creds.accessKeyId}`,
      `aws_secret_access_key = ${alice.creds.secretAccessKey}`,
      '[root]',
      `aws_access_key_id = ${ROOT.accessKeyId}`,
      `aws_secret_access_key = ${ROOT.secretAccessKey}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'config'),
    [
      '[profile partner]',
      `role_arn = arn:aws:iam::${ACCT}:role/cli-partner`,
      'source_profile = alice',
      'external_id = cli-ext',
      'duration_seconds = 7200',
      'role_session_name = cli-session',
      '[profile as-root]',
      `role_arn = arn:aws:iam::${ACCT}:role/cli-partner`,
      'source_profile = root',
      'role_session_name = root-session',
      // README: the profile's own endpoint_url reaches the CLI's AssumeRole (v1.29+/v2.13+).
      '[profile partner-ep]',
      `role_arn = arn:aws:iam::${ACCT}:role/cli-partner`,
      'source_profile = alice',
      'external_id = cli-ext',
      'role_session_name = ep-session',
      `endpoint_url = ${server.url}`,
      // README: for older CLIs (Debian 12's v2.9.19), a credential_process that calls AssumeRole
      // with --endpoint-url, which reaches that explicit call.
      '[profile partner-proc]',
      `credential_process = ${ANY ?? 'aws'} sts assume-role --profile alice --endpoint-url ${server.url} --role-arn arn:aws:iam::${ACCT}:role/cli-partner --role-session-name proc-session --external-id cli-ext --output json --query "Credentials.{Version:\`1\`,AccessKeyId:AccessKeyId,SecretAccessKey:SecretAccessKey,SessionToken:SessionToken,Expiration:Expiration}"`,
      '',
    ].join('\n'),
  );
});

after(async () => {
  await server?.stop();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

test(
  'the CLI assumes the role of a profile and calls as the session',
  { skip: !haveCli && 'no AWS CLI that reads AWS_ENDPOINT_URL' },
  () => {
    const r = cli(['sts', 'get-caller-identity', '--profile', 'partner']);
    assert.equal(r.status, 0, r.stderr);
    const who = JSON.parse(r.stdout) as { Arn: string; Account: string; UserId: string };
    assert.equal(who.Arn, `arn:aws:sts::${ACCT}:assumed-role/cli-partner/cli-session`);
    assert.equal(who.Account, ACCT);
    assert.match(who.UserId, /^AROA[A-Z2-7]{17}:cli-session$/);
  },
);

test(
  'the CLI calls AssumeRole directly and prints the credentials',
  { skip: !haveCli && 'no AWS CLI that reads AWS_ENDPOINT_URL' },
  () => {
    const r = cli([
      'sts',
      'assume-role',
      '--profile',
      'alice',
      '--role-arn',
      `arn:aws:iam::${ACCT}:role/cli-partner`,
      '--role-session-name',
      'direct',
      '--external-id',
      'cli-ext',
      '--duration-seconds',
      '900',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      Credentials: { AccessKeyId: string; Expiration: string };
      AssumedRoleUser: { Arn: string };
    };
    assert.match(out.Credentials.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${ACCT}:assumed-role/cli-partner/direct`);
    assert.ok(Math.abs(Date.parse(out.Credentials.Expiration) - (Date.now() + 900_000)) < 5_000);
  },
);

test(
  'CLI errors carry AWS code and message',
  { skip: !haveCli && 'no AWS CLI that reads AWS_ENDPOINT_URL' },
  () => {
    const root = cli(['sts', 'get-caller-identity', '--profile', 'as-root']);
    assert.notEqual(root.status, 0);
    assert.match(
      root.stderr,
      /An error occurred \(AccessDenied\) when calling the AssumeRole operation: Roles may not be assumed by root accounts\./,
    );
    const long = cli([
      'sts',
      'assume-role',
      '--profile',
      'alice',
      '--role-arn',
      `arn:aws:iam::${ACCT}:role/cli-partner`,
      '--role-session-name',
      'too-long',
      '--external-id',
      'cli-ext',
      '--duration-seconds',
      '10800',
    ]);
    assert.notEqual(long.status, 0);
    assert.match(
      long.stderr,
      /An error occurred \(ValidationError\) when calling the AssumeRole operation: The requested DurationSeconds exceeds the MaxSessionDuration set for this role\./,
    );
  },
);

test(
  "a profile's endpoint_url reaches the role assumption without AWS_ENDPOINT_URL",
  { skip: !haveCli && 'no AWS CLI that reads endpoint_url' },
  () => {
    const r = cli(['sts', 'get-caller-identity', '--profile', 'partner-ep'], false);
    assert.equal(r.status, 0, r.stderr);
    const who = JSON.parse(r.stdout) as { Arn: string };
    assert.equal(who.Arn, `arn:aws:sts::${ACCT}:assumed-role/cli-partner/ep-session`);
  },
);

test(
  'any CLI, also one older than v1.29/v2.13: a credential_process profile assumes the role at iamd',
  { skip: ANY === undefined && 'no AWS CLI' },
  () => {
    const r = cli(
      ['sts', 'get-caller-identity', '--profile', 'partner-proc', '--endpoint-url', server.url],
      false,
      ANY,
    );
    assert.equal(r.status, 0, r.stderr);
    const who = JSON.parse(r.stdout) as { Arn: string };
    assert.equal(who.Arn, `arn:aws:sts::${ACCT}:assumed-role/cli-partner/proc-session`);
  },
);
