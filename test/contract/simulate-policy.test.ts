/**
 * The policy simulator against AWS's documented examples (AWS CLI examples
 * `iam/simulate-principal-policy.rst`: user alejandro allowed codecommit:ListRepositories by the
 * policy `Grant-Access-To-CodeCommit-ListRepo`; dynamodb:CreateBackup with an aws:CurrentTime before
 * the policy's date is an implicitDeny), driven by SDK v3 and by `/usr/bin/aws iam
 * simulate-principal-policy`; SimulateCustomPolicy with boundaries, organizations, explicit denies
 * and missing context; and the `iamd simulate` / `iamd policy` command lines with their exit codes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateUserCommand,
  PutUserPolicyCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { ROOT, startIamd, type TestServer } from './harness.js';

const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));
const ACCT = ROOT.accountId;
const ALEJANDRO = `arn:aws:iam::${ACCT}:user/alejandro`;

/** Laid out so the statement starts where the documented example says (Line 3, Column 19). */
const CODECOMMIT_POLICY = [
  '{',
  '    "Version": "2012-10-17",',
  '    "Statement": [{',
  '            "Effect": "Allow",',
  '            "Action": "codecommit:ListRepositories",',
  '            "Resource": "*"',
  '        },',
  '        {',
  '            "Effect": "Allow",',
  '            "Action": "dynamodb:CreateBackup",',
  '            "Resource": "*",',
  '            "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2018-08-16T12:00:00Z"}}',
  '        }',
  '    ]',
  '}',
].join('\n');

let server: TestServer;
let iam: IAMClient;
let tmp: string;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'iamd-sim-'));
  server = await startIamd();
  iam = server.iam();
  await iam.send(new CreateUserCommand({ UserName: 'alejandro' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'alejandro',
      PolicyName: 'Grant-Access-To-CodeCommit-ListRepo',
      PolicyDocument: CODECOMMIT_POLICY,
    }),
  );
});

after(async () => {
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('documented example 1: codecommit:ListRepositories is allowed, with the matched statement and its position', async () => {
  const r = await iam.send(
    new SimulatePrincipalPolicyCommand({
      PolicySourceArn: ALEJANDRO,
      ActionNames: ['codecommit:ListRepositories'],
    }),
  );
  assert.equal(r.IsTruncated, false);
  assert.deepEqual(r.EvaluationResults, [
    {
      EvalActionName: 'codecommit:ListRepositories',
      EvalResourceName: '*',
      EvalDecision: 'allowed',
      MatchedStatements: [
        {
          SourcePolicyId: 'Grant-Access-To-CodeCommit-ListRepo',
          SourcePolicyType: 'user',
          StartPosition: { Line: 3, Column: 19 },
          EndPosition: { Line: 7, Column: 9 },
        },
      ],
      MissingContextValues: [],
    },
  ]);
});

test('documented example 2 via /usr/bin/aws: an aws:CurrentTime before the condition date is an implicitDeny', () => {
  const r = spawnSync(
    '/usr/bin/aws',
    [
      'iam',
      'simulate-principal-policy',
      '--endpoint-url',
      server.url,
      '--region',
      'us-east-1',
      '--output',
      'json',
      '--policy-source-arn',
      ALEJANDRO,
      '--action-names',
      'dynamodb:CreateBackup',
      '--context-entries',
      "ContextKeyName='aws:CurrentTime',ContextKeyValues='2018-04-25T11:00:00Z',ContextKeyType=date",
    ],
    {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: tmp,
        AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
        AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
        AWS_PAGER: '',
      },
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    EvaluationResults: [
      {
        EvalActionName: 'dynamodb:CreateBackup',
        EvalResourceName: '*',
        EvalDecision: 'implicitDeny',
        MatchedStatements: [],
        MissingContextValues: [],
      },
    ],
  });
});

test('a condition key that was not passed is reported in MissingContextValues', async () => {
  const r = await iam.send(
    new SimulatePrincipalPolicyCommand({
      PolicySourceArn: ALEJANDRO,
      ActionNames: ['dynamodb:CreateBackup'],
    }),
  );
  assert.equal(r.EvaluationResults?.[0]?.EvalDecision, 'implicitDeny');
  assert.deepEqual(r.EvaluationResults?.[0]?.MissingContextValues, ['aws:CurrentTime']);
});

test('SimulateCustomPolicy: explicit deny, boundary and organization details, resource-specific results, paging', async () => {
  const identity = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:*', 'ec2:*'], Resource: '*' },
      { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' },
    ],
  });
  const boundary = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
  });
  const r = await iam.send(
    new SimulateCustomPolicyCommand({
      PolicyInputList: [identity],
      PermissionsBoundaryPolicyInputList: [boundary],
      ActionNames: ['s3:GetObject', 's3:DeleteBucket', 'ec2:RunInstances'],
      ResourceArns: ['arn:aws:s3:::bucket'],
      MaxItems: 2,
    }),
  );
  assert.equal(r.IsTruncated, true);
  const [get, del] = r.EvaluationResults ?? [];
  assert.equal(get?.EvalDecision, 'allowed');
  assert.deepEqual(get?.PermissionsBoundaryDecisionDetail, { AllowedByPermissionsBoundary: true });
  assert.equal(get?.MatchedStatements?.length, 2);
  assert.deepEqual(get?.ResourceSpecificResults?.[0]?.EvalResourceName, 'arn:aws:s3:::bucket');
  assert.equal(del?.EvalDecision, 'explicitDeny');
  assert.deepEqual(del?.MatchedStatements, [
    {
      SourcePolicyId: 'PolicyInputList.1',
      SourcePolicyType: 'none',
      StartPosition: { Line: 1, Column: 98 },
      EndPosition: { Line: 1, Column: 156 },
    },
  ]);
  const next = await iam.send(
    new SimulateCustomPolicyCommand({
      PolicyInputList: [identity],
      PermissionsBoundaryPolicyInputList: [boundary],
      ActionNames: ['s3:GetObject', 's3:DeleteBucket', 'ec2:RunInstances'],
      ResourceArns: ['arn:aws:s3:::bucket'],
      MaxItems: 2,
      Marker: r.Marker,
    }),
  );
  assert.equal(next.IsTruncated, false);
  assert.equal(next.EvaluationResults?.[0]?.EvalActionName, 'ec2:RunInstances');
  assert.equal(next.EvaluationResults?.[0]?.EvalDecision, 'implicitDeny');
  assert.deepEqual(next.EvaluationResults?.[0]?.PermissionsBoundaryDecisionDetail, {
    AllowedByPermissionsBoundary: false,
  });
});

test('errors: unknown principal and invalid policy input', async () => {
  await assert.rejects(
    iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: `arn:aws:iam::${ACCT}:user/nobody`,
        ActionNames: ['s3:GetObject'],
      }),
    ),
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'NoSuchEntityException');
      assert.equal(e.message, 'The user with name nobody cannot be found.');
      assert.equal(e.$metadata?.httpStatusCode, 404);
      return true;
    },
  );
  await assert.rejects(
    iam.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: ['{"Version":"2012-10-17"}'],
        ActionNames: ['s3:GetObject'],
      }),
    ),
    (e: Error) => {
      assert.equal(e.name, 'InvalidInputException');
      assert.match(e.message, /^PolicyInputList\.1: /);
      return true;
    },
  );
});

test('iamd simulate and iamd policy: output and exit codes', () => {
  const policy = join(tmp, 'p.json');
  writeFileSync(policy, CODECOMMIT_POLICY);
  const ok = spawnSync(
    process.execPath,
    [BIN, 'simulate', '--policy', policy, '--action', 'codecommit:ListRepositories'],
    { encoding: 'utf8' },
  );
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), `allowed      codecommit:ListRepositories on *  [${policy}:3:19]`);
  // An SCP level without an Allow for the action denies (OrganizationsDecisionDetail in --json).
  const scp = join(tmp, 'scp.json');
  writeFileSync(
    scp,
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }],
    }),
  );
  const org = spawnSync(
    process.execPath,
    [BIN, 'simulate', '--policy', policy, '--scp', scp, '--action', 'codecommit:ListRepositories', '--json'],
    { encoding: 'utf8' },
  );
  assert.equal(org.status, 1);
  const orgResult = (JSON.parse(org.stdout) as { EvaluationResults: Record<string, unknown>[] })
    .EvaluationResults[0];
  assert.equal(orgResult?.EvalDecision, 'implicitDeny');
  assert.deepEqual(orgResult?.OrganizationsDecisionDetail, { AllowedByOrganizations: false });
  const no = spawnSync(
    process.execPath,
    [
      BIN,
      'simulate',
      '--policy',
      policy,
      '--action',
      'dynamodb:CreateBackup',
      '--context',
      'aws:CurrentTime=date:2019-01-01T00:00:00Z',
      '--action',
      's3:GetObject',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(no.status, 1);
  assert.match(no.stdout, /^allowed {6}dynamodb:CreateBackup on \* /m);
  assert.match(no.stdout, /^implicitDeny s3:GetObject on \*$/m);
  // iamd policy validate: 0 valid, 1 invalid; eval: 0 Allow, 1 deny, 2 invalid; --batch: 2 if any case invalid.
  const bad = join(tmp, 'bad.json');
  writeFileSync(bad, '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}');
  assert.equal(spawnSync(process.execPath, [BIN, 'policy', 'validate', policy]).status, 0);
  assert.equal(spawnSync(process.execPath, [BIN, 'policy', 'validate', bad]).status, 1);
  const allowCase = JSON.stringify({
    request: { principal: ALEJANDRO, action: 'codecommit:ListRepositories', resource: '*' },
    policies: { identity: [JSON.parse(CODECOMMIT_POLICY) as object] },
  });
  const denyCase = JSON.stringify({
    request: { principal: ALEJANDRO, action: 's3:GetObject', resource: '*' },
    policies: { identity: [] },
  });
  assert.equal(spawnSync(process.execPath, [BIN, 'policy', 'eval'], { input: allowCase }).status, 0);
  assert.equal(spawnSync(process.execPath, [BIN, 'policy', 'eval'], { input: denyCase }).status, 1);
  assert.equal(spawnSync(process.execPath, [BIN, 'policy', 'eval'], { input: '{not json' }).status, 2);
  const batch = spawnSync(process.execPath, [BIN, 'policy', 'eval', '--batch', '-'], {
    input: `${allowCase}\n${denyCase}\n`,
    encoding: 'utf8',
  });
  assert.equal(batch.status, 0);
  assert.deepEqual(
    batch.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { decision: string }).decision),
    ['Allow', 'ImplicitDeny'],
  );
  const batchBad = spawnSync(process.execPath, [BIN, 'policy', 'eval', '--batch', '-'], {
    input: `${allowCase}\n{oops\n`,
    encoding: 'utf8',
  });
  assert.equal(batchBad.status, 2);
});
