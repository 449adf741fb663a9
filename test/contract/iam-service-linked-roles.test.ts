/**
 * CreateServiceLinkedRole / DeleteServiceLinkedRole / GetServiceLinkedRoleDeletionStatus through the real
 * server (SDK v3 and the AWS CLI), and the protection of such roles.
 *
 * Expected names, paths, trust policies, attached policies and errors: localstack-snapshots/pr-13720/iam/
 * test_iam `TestIAMServiceRoles` (real AWS) and aws-errors.md; behaviour:
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceLinkedRole.html and
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachRolePolicyCommand,
  CreateServiceLinkedRoleCommand,
  DeleteRoleCommand,
  DeleteServiceLinkedRoleCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetServiceLinkedRoleDeletionStatusCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleDescriptionCommand,
} from '@aws-sdk/client-iam';
import { startIamd, ROOT, type TestServer } from './harness.js';
import { expectClientError } from './support.js';

const A = ROOT.accountId;
let server: TestServer;
let iam: IAMClient;
let dir = '';

before(async () => {
  server = await startIamd();
  iam = server.iam();
  dir = mkdtempSync(join(tmpdir(), 'iamd-slr-'));
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const PROTECTED = (name: string): string =>
  `Cannot perform the operation on the protected role '${name}' - this role is only modifiable by AWS`;

test('CreateServiceLinkedRole: name, path, trust and attached policy as AWS records them', async () => {
  const role = (await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'batch.amazonaws.com' })))
    .Role!;
  assert.equal(role.RoleName, 'AWSServiceRoleForBatch');
  assert.equal(role.Path, '/aws-service-role/batch.amazonaws.com/');
  assert.equal(
    role.Arn,
    `arn:aws:iam::${A}:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch`,
  );
  const got = (await iam.send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForBatch' }))).Role!;
  assert.deepEqual(JSON.parse(decodeURIComponent(got.AssumeRolePolicyDocument!)), {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'batch.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
  assert.equal(got.MaxSessionDuration, 3600);
  const attached = await iam.send(
    new ListAttachedRolePoliciesCommand({ RoleName: 'AWSServiceRoleForBatch' }),
  );
  assert.deepEqual(attached.AttachedPolicies, [
    {
      PolicyName: 'BatchServiceRolePolicy',
      PolicyArn: 'arn:aws:iam::aws:policy/aws-service-role/BatchServiceRolePolicy',
    },
  ]);
  // Recorded `role-already-exists-error`.
  await expectClientError(
    iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'batch.amazonaws.com' })),
    'InvalidInputException',
    400,
    'Service role name AWSServiceRoleForBatch has been taken in this account, please try a different suffix.',
  );
  // Recorded for batch.amazonaws.com among 68 services.
  await expectClientError(
    iam.send(
      new CreateServiceLinkedRoleCommand({ AWSServiceName: 'batch.amazonaws.com', CustomSuffix: 'x' }),
    ),
    'InvalidInputException',
    400,
    'Custom suffix is not allowed for batch.amazonaws.com',
  );
  await expectClientError(
    iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'nothing.example.com' })),
    'InvalidInputException',
    400,
    'iamd knows no service-linked role for service `nothing.example.com`',
  );
});

test('CustomSuffix where the service allows it (autoscaling)', async () => {
  const role = (
    await iam.send(
      new CreateServiceLinkedRoleCommand({
        AWSServiceName: 'autoscaling.amazonaws.com',
        CustomSuffix: 'blue',
        Description: 'd',
      }),
    )
  ).Role!;
  assert.equal(role.RoleName, 'AWSServiceRoleForAutoScaling_blue');
  assert.equal(role.Description, 'd');
});

test('service-linked roles cannot be edited or deleted with DeleteRole; the description can', async () => {
  await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'ecs.amazonaws.com' }));
  const name = 'AWSServiceRoleForECS';
  const doc = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' }],
  });
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  });
  for (const p of [
    iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: doc })),
    iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'p', PolicyDocument: policy })),
    iam.send(
      new AttachRolePolicyCommand({
        RoleName: name,
        PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      }),
    ),
    iam.send(
      new DetachRolePolicyCommand({
        RoleName: name,
        PolicyArn: 'arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy',
      }),
    ),
    iam.send(new DeleteRoleCommand({ RoleName: name })),
  ])
    await expectClientError(p, 'UnmodifiableEntityException', 400, PROTECTED(name));
  await iam.send(new UpdateRoleDescriptionCommand({ RoleName: name, Description: 'mine' }));
  assert.equal((await iam.send(new GetRoleCommand({ RoleName: name }))).Role!.Description, 'mine');
});

test('DeleteServiceLinkedRole and GetServiceLinkedRoleDeletionStatus (recorded test_service_role_deletion)', async () => {
  await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'rds.amazonaws.com' }));
  const { DeletionTaskId } = await iam.send(
    new DeleteServiceLinkedRoleCommand({ RoleName: 'AWSServiceRoleForRDS' }),
  );
  assert.match(
    DeletionTaskId!,
    /^task\/aws-service-role\/rds\.amazonaws\.com\/AWSServiceRoleForRDS\/[0-9a-f-]{36}$/,
  );
  const status = await iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId }));
  assert.equal(status.Status, 'SUCCEEDED');
  await expectClientError(
    iam.send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForRDS' })),
    'NoSuchEntityException',
    404,
    'The role with name AWSServiceRoleForRDS cannot be found.',
  );
  await expectClientError(
    iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: 'AWSServiceRoleForRDS' })),
    'NoSuchEntityException',
    404,
    'The role with name AWSServiceRoleForRDS cannot be found.',
  );
  await expectClientError(
    iam.send(
      new GetServiceLinkedRoleDeletionStatusCommand({
        DeletionTaskId:
          'task/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS/00000000-0000-0000-0000-000000000000',
      }),
    ),
    'NoSuchEntityException',
    404,
    'Deletion task task/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS/00000000-0000-0000-0000-000000000000 cannot be found.',
  );
});

test(
  'aws iam create-service-linked-role / delete-service-linked-role (CLI)',
  { skip: !existsSync('/usr/bin/aws') && 'no /usr/bin/aws' },
  () => {
    const run = (...args: string[]) =>
      spawnSync('/usr/bin/aws', [...args, '--endpoint-url', server.url, '--output', 'json'], {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: dir,
          AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
          AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_CONFIG_FILE: join(dir, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
          AWS_PAGER: '',
        },
      });
    const created = run(
      'iam',
      'create-service-linked-role',
      '--aws-service-name',
      'elasticloadbalancing.amazonaws.com',
    );
    assert.equal(created.status, 0, created.stderr);
    const role = (JSON.parse(created.stdout) as { Role: { RoleName: string } }).Role;
    assert.equal(role.RoleName, 'AWSServiceRoleForElasticLoadBalancing');
    const deleted = run('iam', 'delete-service-linked-role', '--role-name', role.RoleName);
    assert.equal(deleted.status, 0, deleted.stderr);
    const task = (JSON.parse(deleted.stdout) as { DeletionTaskId: string }).DeletionTaskId;
    const status = run('iam', 'get-service-linked-role-deletion-status', '--deletion-task-id', task);
    assert.equal((JSON.parse(status.stdout) as { Status: string }).Status, 'SUCCEEDED');
  },
);
