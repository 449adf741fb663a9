/**
 * Service last accessed data from the audit trail, against a real iamd with SDK v3: a user whose
 * policies allow IAM, STS and S3 uses IAM and STS; the report lists the three services the policies
 * allow, with LastAuthenticated only where used, the tracked IAM actions (ACTION_LEVEL), and per entity
 * for a group report. AWS: API_GenerateServiceLastAccessedDetails, API_GetServiceLastAccessedDetails,
 * API_GetServiceLastAccessedDetailsWithEntities
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetServiceLastAccessedDetails.html).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type TrackedActionLastAccessed,
  CreateRoleCommand,
  GenerateOrganizationsAccessReportCommand,
  GetOrganizationsAccessReportCommand,
  AddUserToGroupCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateUserCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsWithEntitiesCommand,
  GetUserCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ROOT, startIamd, type TestServer } from './harness.js';
import { expectClientError } from './support.js';

let server: TestServer;
const A = ROOT.accountId;
before(async () => {
  server = await startIamd();
});
after(async () => {
  await server.stop();
});

test('service last accessed: allowed services, used ones with time, entity and region', async () => {
  const iam = server.iam();
  await iam.send(new CreateUserCommand({ UserName: 'dave' }));
  await iam.send(new CreateUserCommand({ UserName: 'erin' }));
  await iam.send(new CreateGroupCommand({ GroupName: 'ops' }));
  await iam.send(new AddUserToGroupCommand({ GroupName: 'ops', UserName: 'dave' }));
  await iam.send(new AddUserToGroupCommand({ GroupName: 'ops', UserName: 'erin' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'dave',
      PolicyName: 'p',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListUsers', 's3:GetObject'], Resource: '*' },
        ],
      }),
    }),
  );
  await iam.send(
    new PutGroupPolicyCommand({
      GroupName: 'ops',
      PolicyName: 'g',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['iam:GetUser', 'sts:GetCallerIdentity'], Resource: '*' }],
      }),
    }),
  );
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'dave' }))).AccessKey!;
  const creds = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
  await server.iam(creds).send(new GetUserCommand({}));
  await server.sts(creds).send(new GetCallerIdentityCommand({}));
  await new Promise((r) => setTimeout(r, 300)); // audit events may be written in batches

  const { JobId } = await iam.send(
    new GenerateServiceLastAccessedDetailsCommand({
      Arn: `arn:aws:iam::${A}:user/dave`,
      Granularity: 'ACTION_LEVEL',
    }),
  );
  assert.match(JobId!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const out = await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId }));
  assert.equal(out.JobStatus, 'COMPLETED');
  assert.equal(out.JobType, 'ACTION_LEVEL');
  assert.equal(out.IsTruncated, false);
  const byNs = Object.fromEntries(out.ServicesLastAccessed!.map((s) => [s.ServiceNamespace, s]));
  assert.deepEqual(Object.keys(byNs), ['iam', 's3', 'sts']);
  const userArn = `arn:aws:iam::${A}:user/dave`;
  assert.equal(byNs.iam!.ServiceName, 'AWS Identity and Access Management');
  assert.ok(byNs.iam!.LastAuthenticated instanceof Date);
  assert.equal(byNs.iam!.LastAuthenticatedEntity, userArn);
  assert.equal(byNs.iam!.LastAuthenticatedRegion, 'us-east-1');
  assert.equal(byNs.iam!.TotalAuthenticatedEntities, 1);
  const tracked = Object.fromEntries(
    byNs.iam!.TrackedActionsLastAccessed!.map((a: TrackedActionLastAccessed) => [a.ActionName, a]),
  );
  assert.deepEqual(Object.keys(tracked), ['GetUser', 'ListUsers']);
  assert.equal(tracked.GetUser!.LastAccessedEntity, userArn);
  assert.ok(tracked.GetUser!.LastAccessedTime instanceof Date);
  assert.equal(tracked.ListUsers!.LastAccessedTime, undefined);
  assert.equal(byNs.s3!.LastAuthenticated, undefined);
  assert.equal(byNs.s3!.TotalAuthenticatedEntities, 0);
  assert.deepEqual(byNs.s3!.TrackedActionsLastAccessed, [{ ActionName: 'GetObject' }]);
  assert.ok(byNs.sts!.LastAuthenticated instanceof Date);
  assert.equal(byNs.sts!.TrackedActionsLastAccessed, undefined); // STS actions are not tracked

  // Paging by service.
  const p1 = await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId, MaxItems: 2 }));
  assert.equal(p1.IsTruncated, true);
  const p2 = await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId, Marker: p1.Marker }));
  assert.deepEqual(
    [...p1.ServicesLastAccessed!, ...p2.ServicesLastAccessed!].map((s) => s.ServiceNamespace),
    ['iam', 's3', 'sts'],
  );

  // A group report: its members, each with its own last use.
  const g = await iam.send(
    new GenerateServiceLastAccessedDetailsCommand({ Arn: `arn:aws:iam::${A}:group/ops` }),
  );
  const ge = await iam.send(
    new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId: g.JobId, ServiceNamespace: 'iam' }),
  );
  assert.deepEqual(
    ge.EntityDetailsList!.map((e) => [
      e.EntityInfo!.Name,
      e.EntityInfo!.Type,
      e.LastAuthenticated instanceof Date,
    ]),
    [
      ['dave', 'USER', true],
      ['erin', 'USER', false],
    ],
  );
  const gs = await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: g.JobId }));
  assert.deepEqual(
    gs.ServicesLastAccessed!.map((s) => s.ServiceNamespace),
    ['iam', 'sts'],
  );
  assert.equal(gs.JobType, 'SERVICE_LEVEL');
});

test('service last accessed: unknown job and entity', async () => {
  const iam = server.iam();
  const id = '00000000-0000-4000-8000-000000000000';
  await expectClientError(
    iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: id })),
    'NoSuchEntityException',
    404,
    `No such job id: ${id}`,
  );
  await expectClientError(
    iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: `arn:aws:iam::${A}:role/nope` })),
    'NoSuchEntityException',
    404,
    'The role with name nope cannot be found.',
  );
});

test('Organizations access report: this account is in no organization', async () => {
  // iamd has no Organizations data here: answered as IAM answers an account outside any organization
  // (OrganizationNotFoundException, https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateOrganizationsAccessReport.html).
  const iam = server.iam();
  await expectClientError(
    iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: 'o-a1b2c3d4e5/r-ab12' })),
    'OrganizationNotFoundException',
    400,
    'The request was rejected because no organization is associated with your account.',
  );
  const id = '00000000-0000-4000-8000-000000000001';
  await expectClientError(
    iam.send(new GetOrganizationsAccessReportCommand({ JobId: id })),
    'NoSuchEntityException',
    404,
    `No such job id: ${id}`,
  );
});

test("service last accessed for a role: its sessions' calls count for the role", async () => {
  const iam = server.iam();
  const roleArn = `arn:aws:iam::${A}:role/reader`;
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'reader',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'reader',
      PolicyName: 'r',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['sts:GetCallerIdentity', 'iam:ListRoles'], Resource: '*' }],
      }),
    }),
  );
  // Root may not assume roles (AWS): a user allowed to does.
  await iam.send(new CreateUserCommand({ UserName: 'frank' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'frank',
      PolicyName: 'assume',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn }],
      }),
    }),
  );
  const fk = (await iam.send(new CreateAccessKeyCommand({ UserName: 'frank' }))).AccessKey!;
  const c = (
    await server
      .sts({ accessKeyId: fk.AccessKeyId!, secretAccessKey: fk.SecretAccessKey! })
      .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's1' }))
  ).Credentials!;
  await server
    .sts({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken })
    .send(new GetCallerIdentityCommand({}));
  await new Promise((r) => setTimeout(r, 300));
  const { JobId } = await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: roleArn }));
  const out = await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId }));
  assert.deepEqual(
    out.ServicesLastAccessed!.map((s) => [
      s.ServiceNamespace,
      s.LastAuthenticatedEntity,
      s.TotalAuthenticatedEntities,
    ]),
    [
      ['iam', undefined, 0],
      ['sts', roleArn, 1],
    ],
  );
});
