/**
 * IAM contract tests with the AWS CLI against the real server: `/usr/bin/aws` (CLI v2, Debian `awscli`)
 * when installed, else `aws` on PATH (v1). Credentials come from the environment, as the CLI docs
 * describe ("Environment variables to configure the AWS CLI"), and every call uses `--endpoint-url`.
 * Skipped only when no aws binary exists.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
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

const skip = AWS === undefined ? 'no aws binary (install Debian awscli or AWS CLI v1)' : false;

before(async () => {
  if (AWS === undefined) return;
  dir = mkdtempSync(join(tmpdir(), 'iamd-cli-'));
  server = await startIamd();
});
after(async () => {
  await server?.stop();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

test('aws sts get-caller-identity', { skip }, async () => {
  const out = await ok('sts', 'get-caller-identity');
  assert.deepEqual(out, { UserId: A, Account: A, Arn: `arn:aws:iam::${A}:root` });
});

test('aws iam create-user / get-user', { skip }, async () => {
  const created = (await ok('iam', 'create-user', '--user-name', 'cli-user', '--path', '/cli/')) as {
    User: { UserName: string; Arn: string; Path: string; UserId: string };
  };
  assert.equal(created.User.UserName, 'cli-user');
  assert.equal(created.User.Arn, `arn:aws:iam::${A}:user/cli/cli-user`);
  const got = (await ok('iam', 'get-user', '--user-name', 'cli-user')) as { User: { UserId: string } };
  assert.equal(got.User.UserId, created.User.UserId);
});

test('aws iam create-role with a file:// trust policy, get-role, list-roles', { skip }, async () => {
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
  const file = join(dir, 'trust.json');
  writeFileSync(file, JSON.stringify(trust));
  const created = (await ok(
    'iam',
    'create-role',
    '--role-name',
    'cli-role',
    '--assume-role-policy-document',
    `file://${file}`,
    '--max-session-duration',
    '7200',
  )) as { Role: { Arn: string; RoleId: string; AssumeRolePolicyDocument: unknown } };
  assert.equal(created.Role.Arn, `arn:aws:iam::${A}:role/cli-role`);
  // botocore URL-decodes and parses the policy document for display (it is a JSON structure in the
  // CLI's output), so the document comes back as the object that was sent.
  assert.deepEqual(created.Role.AssumeRolePolicyDocument, trust);
  const got = (await ok('iam', 'get-role', '--role-name', 'cli-role')) as {
    Role: { MaxSessionDuration: number; RoleId: string };
  };
  assert.equal(got.Role.MaxSessionDuration, 7200);
  assert.equal(got.Role.RoleId, created.Role.RoleId);
  const listed = (await ok('iam', 'list-roles')) as { Roles: { RoleName: string }[] };
  assert.ok(listed.Roles.some((r) => r.RoleName === 'cli-role'));
});

test('aws iam create-policy, attach-role-policy, list-attached-role-policies', { skip }, async () => {
  const doc = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
  });
  const created = (await ok(
    'iam',
    'create-policy',
    '--policy-name',
    'cli-pol',
    '--policy-document',
    doc,
  )) as {
    Policy: { Arn: string; DefaultVersionId: string; AttachmentCount: number };
  };
  assert.equal(created.Policy.Arn, `arn:aws:iam::${A}:policy/cli-pol`);
  assert.equal(created.Policy.DefaultVersionId, 'v1');
  // attach-role-policy prints nothing on success.
  const attached = await aws(
    'iam',
    'attach-role-policy',
    '--role-name',
    'cli-role',
    '--policy-arn',
    created.Policy.Arn,
  );
  assert.equal(attached.code, 0, attached.stderr);
  assert.equal(attached.stdout.trim(), '');
  const list = (await ok('iam', 'list-attached-role-policies', '--role-name', 'cli-role')) as {
    AttachedPolicies: { PolicyName: string; PolicyArn: string }[];
  };
  assert.deepEqual(list.AttachedPolicies, [{ PolicyName: 'cli-pol', PolicyArn: created.Policy.Arn }]);
});

test('an error: exit code 254 and the CLI error line on stderr (NoSuchEntity)', { skip }, async () => {
  const r = await aws('iam', 'get-role', '--role-name', 'no-such-role');
  // CLI return codes: 254 "the command was parsed and a request was made, but the service returned an
  // error" (v2, and recent v1; AWS CLI User Guide, "Return codes").
  assert.equal(r.code, 254);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /An error occurred \(NoSuchEntity\) when calling the GetRole operation: The role with name no-such-role cannot be found\./,
  );
});

test('an invalid trust policy: MalformedPolicyDocument on stderr', { skip }, async () => {
  const r = await aws(
    'iam',
    'create-role',
    '--role-name',
    'bad-role',
    '--assume-role-policy-document',
    '{nope',
  );
  assert.equal(r.code, 254);
  assert.match(
    r.stderr,
    /An error occurred \(MalformedPolicyDocument\) when calling the CreateRole operation: This policy contains invalid Json/,
  );
});
