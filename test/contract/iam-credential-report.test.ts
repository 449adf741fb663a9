/**
 * Credential report against a real iamd, with SDK v3 and the AWS CLI: users, a console password, access
 * keys really used, then the report's rows and columns. AWS behaviour: "Getting credential reports for
 * your AWS account" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html),
 * API_GetCredentialReport (ReportNotPresent / ReportExpired 410), and the AWS recording
 * shared/reference/localstack-snapshots/pr-13720/iam/test_iam_credential_report.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ROOT, startIamd, type TestServer } from './harness.js';
import { expectClientError } from './support.js';

let server: TestServer;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/;

before(async () => {
  server = await startIamd();
});
after(async () => {
  await server.stop();
});

function parse(content: Uint8Array | undefined): Record<string, string>[] {
  const lines = new TextDecoder().decode(content).trimEnd().split('\n');
  const header = lines[0]!.split(',');
  return lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
}

test('credential report: not present, generated from real data, reused, expired after 4 hours', async () => {
  const iam = server.iam();
  await expectClientError(
    iam.send(new GetCredentialReportCommand({})),
    'CredentialReportNotPresentException',
    410,
    'UnknownError',
  );
  await iam.send(new CreateUserCommand({ UserName: 'alice' }));
  await iam.send(new CreateUserCommand({ UserName: 'bob' }));
  await iam.send(new CreateLoginProfileCommand({ UserName: 'alice', Password: 'Str0ng-Passw0rd!' }));
  const k1 = (await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }))).AccessKey!;
  const k2 = (await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }))).AccessKey!;
  await iam.send(
    new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: k2.AccessKeyId!, Status: 'Inactive' }),
  );
  // Use key 1 (recorded as last used: service sts, the signing region).
  await server
    .sts({ accessKeyId: k1.AccessKeyId!, secretAccessKey: k1.SecretAccessKey! })
    .send(new GetCallerIdentityCommand({}));
  await new Promise((r) => setTimeout(r, 300)); // last-used is recorded off the request path

  const gen = await iam.send(new GenerateCredentialReportCommand({}));
  assert.equal(gen.State, 'STARTED');
  assert.equal(gen.Description, 'No report exists. Starting a new report generation task');
  assert.equal((await iam.send(new GenerateCredentialReportCommand({}))).State, 'COMPLETE');

  const rep = await iam.send(new GetCredentialReportCommand({}));
  assert.equal(rep.ReportFormat, 'text/csv');
  assert.ok(rep.GeneratedTime instanceof Date);
  const rows = parse(rep.Content);
  assert.deepEqual(
    rows.map((r) => r.user),
    ['<root_account>', 'alice', 'bob'],
  );
  const [root, alice, bob] = rows as [Record<string, string>, Record<string, string>, Record<string, string>];
  assert.equal(root.arn, `arn:aws:iam::${ROOT.accountId}:root`);
  assert.equal(root.password_enabled, 'not_supported');
  // The root's own key (the harness's) signs every call above.
  assert.equal(root.access_key_1_active, 'true');
  assert.equal(alice.arn, `arn:aws:iam::${ROOT.accountId}:user/alice`);
  assert.match(alice.user_creation_time!, ISO);
  assert.equal(alice.password_enabled, 'true');
  assert.equal(alice.password_last_used, 'no_information');
  assert.match(alice.password_last_changed!, ISO);
  assert.equal(alice.password_next_rotation, 'N/A');
  assert.equal(alice.mfa_active, 'false');
  assert.equal(alice.access_key_1_active, 'true');
  assert.match(alice.access_key_1_last_used_date!, ISO);
  assert.equal(alice.access_key_1_last_used_region, 'us-east-1');
  assert.equal(alice.access_key_1_last_used_service, 'sts');
  assert.equal(alice.access_key_2_active, 'false');
  assert.match(alice.access_key_2_last_rotated!, ISO);
  assert.equal(alice.access_key_2_last_used_date, 'N/A');
  assert.equal(alice.cert_1_active, 'false');
  assert.equal(bob.password_enabled, 'false');
  assert.equal(bob.password_last_used, 'N/A');
  assert.equal(bob.access_key_1_active, 'false');
  assert.equal(bob.access_key_1_last_rotated, 'N/A');

  // Authorized like every call: alice has no policy allowing it.
  await expectClientError(
    server
      .iam({ accessKeyId: k1.AccessKeyId!, secretAccessKey: k1.SecretAccessKey! })
      .send(new GetCredentialReportCommand({})),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${ROOT.accountId}:user/alice is not authorized to perform: iam:GetCredentialReport on resource: * because no identity-based policy allows the iam:GetCredentialReport action`,
  );

  await server.advance(4 * 3600);
  await expectClientError(
    iam.send(new GetCredentialReportCommand({})),
    'CredentialReportExpiredException',
    410,
    'The request was rejected because the most recent credential report has expired. To generate a new credential report, use GenerateCredentialReport.',
  );
  assert.equal((await iam.send(new GenerateCredentialReportCommand({}))).State, 'STARTED');
  assert.equal(parse((await iam.send(new GetCredentialReportCommand({}))).Content).length, 3);
});

test('credential report with the AWS CLI', { skip: !existsSync('/usr/bin/aws') && 'no /usr/bin/aws' }, () => {
  const home = mkdtempSync(join(tmpdir(), 'iamd-cr-'));
  try {
    const run = (...args: string[]): Record<string, unknown> => {
      const r = spawnSync(
        '/usr/bin/aws',
        [...args, '--endpoint-url', server.url, '--region', 'us-east-1', '--output', 'json'],
        {
          encoding: 'utf8',
          env: {
            PATH: process.env.PATH ?? '',
            HOME: home,
            AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
            AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
            AWS_PAGER: '',
            AWS_EC2_METADATA_DISABLED: 'true',
          },
        },
      );
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    assert.match(String(run('iam', 'generate-credential-report').State), /^(STARTED|COMPLETE)$/);
    const rep = run('iam', 'get-credential-report');
    assert.equal(rep.ReportFormat, 'text/csv');
    const csv = Buffer.from(String(rep.Content), 'base64').toString('utf8');
    assert.match(csv, /^user,arn,user_creation_time,password_enabled,password_last_used,/);
    assert.match(csv, /\n<root_account>,arn:aws:iam::111122223333:root,/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
