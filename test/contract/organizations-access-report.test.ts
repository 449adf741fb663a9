/**
 * The Organizations access report (issue #19) through the SDK: GenerateOrganizationsAccessReport for
 * the root, an OU, the management account, a member account and an SCP, computed from the audit trail
 * of the accounts each covers, and GetOrganizationsAccessReport's sorting and paging.
 *
 * Source: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateOrganizationsAccessReport.html
 * (which services and which accounts each kind of entity reports), API_GetOrganizationsAccessReport.html,
 * API_AccessDetail.html.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreatePolicyCommand,
  DetachPolicyCommand,
} from '@aws-sdk/client-organizations';
import {
  GenerateOrganizationsAccessReportCommand,
  GetOrganizationsAccessReportCommand,
  ListRolesCommand,
  ListUsersCommand,
  type AccessDetail,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ROOT, type TestServer } from './harness.js';
import { sessionCreds, type TestUser } from './accounts-helper.js';
import { expectClientError } from './support.js';
import { startOrganization, orgsClient, type BuiltOrg } from './organizations-support.js';

let server: TestServer;
let admin: TestUser;
let org: BuiltOrg;
let other = '';
let iamStsOnly = '';
const ALL = ['dynamodb', 'iam', 'organizations', 's3', 'sts'];

before(async () => {
  ({ server, admin, org } = await startOrganization());
  const o = orgsClient(server, admin.creds);
  // A second member account, under the root.
  const car = await o.send(new CreateAccountCommand({ Email: 'ops@example.com', AccountName: 'ops' }));
  other = car.CreateAccountStatus?.AccountId ?? '';
  const r = await server.sts(admin.creds).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${other}:role/OrganizationAccountAccessRole`,
      RoleSessionName: 'ops',
    }),
  );
  await server.iam(sessionCreds(r.Credentials)).send(new ListRolesCommand({}));
  // The dev OU may use IAM and STS only.
  const p = await o.send(
    new CreatePolicyCommand({
      Name: 'IamStsOnly',
      Description: '',
      Type: 'SERVICE_CONTROL_POLICY',
      Content: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['iam:*', 'sts:*'], Resource: '*' }],
      }),
    }),
  );
  iamStsOnly = p.Policy?.PolicySummary?.Id ?? '';
  await o.send(new AttachPolicyCommand({ PolicyId: iamStsOnly, TargetId: org.devOu }));
  await o.send(new DetachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: org.devOu }));
  // The dev member uses IAM, then STS (its last call).
  await server.iam(org.memberAdmin).send(new ListUsersCommand({}));
  await server.advance(60);
  await server.sts(org.memberAdmin).send(new GetCallerIdentityCommand({}));
});

after(async () => {
  await server.stop();
});

async function report(entityPath: string, policyId?: string, sortKey?: string): Promise<AccessDetail[]> {
  const iam = server.iam(admin.creds);
  const { JobId } = await iam.send(
    new GenerateOrganizationsAccessReportCommand({ EntityPath: entityPath, OrganizationsPolicyId: policyId }),
  );
  const r = await iam.send(
    new GetOrganizationsAccessReportCommand({ JobId, ...(sortKey ? { SortKey: sortKey as never } : {}) }),
  );
  assert.equal(r.JobStatus, 'COMPLETED');
  assert.ok(r.JobCreationDate instanceof Date && r.JobCompletionDate instanceof Date);
  assert.equal(r.NumberOfServicesAccessible, r.AccessDetails?.length);
  assert.equal(
    r.NumberOfServicesNotAccessed,
    r.AccessDetails?.filter((d) => d.LastAuthenticatedTime === undefined).length,
  );
  return r.AccessDetails ?? [];
}

const summary = (details: AccessDetail[]) =>
  details.map((d) => [d.ServiceNamespace, d.TotalAuthenticatedEntities, d.EntityPath ?? null]);

test('the root: every service its SCPs allow, data of every member account (not the management account)', async () => {
  const details = await report(`${org.orgId}/${org.rootId}`);
  const devPath = `${org.orgId}/${org.rootId}/${org.devOu}/${org.member}`;
  assert.deepEqual(summary(details), [
    ['dynamodb', 0, null],
    // Both members used IAM; the dev member's ListUsers came after the ops member's ListRoles.
    ['iam', 2, devPath],
    // The management account's own Organizations calls are not reported.
    ['organizations', 0, null],
    ['s3', 0, null],
    ['sts', 1, devPath],
  ]);
  const iamRow = details.find((d) => d.ServiceNamespace === 'iam');
  assert.equal(iamRow?.ServiceName, 'AWS Identity and Access Management');
  assert.equal(iamRow?.Region, 'us-east-1');
  assert.ok(iamRow?.LastAuthenticatedTime instanceof Date);
});

test('an OU: the services allowed at every level down to it, data of its accounts only', async () => {
  const details = await report(`${org.orgId}/${org.rootId}/${org.devOu}/`);
  const devPath = `${org.orgId}/${org.rootId}/${org.devOu}/${org.member}`;
  assert.deepEqual(summary(details), [
    ['iam', 1, devPath],
    ['sts', 1, devPath],
  ]);
});

test('the management account: every service, its own data only; another account: its own', async () => {
  const mgmt = await report(`${org.orgId}/${org.rootId}/${ROOT.accountId}`, iamStsOnly);
  assert.deepEqual(
    mgmt.map((d) => d.ServiceNamespace),
    ALL,
  );
  const orgsRow = mgmt.find((d) => d.ServiceNamespace === 'organizations');
  assert.equal(orgsRow?.TotalAuthenticatedEntities, 1);
  assert.equal(orgsRow?.EntityPath, `${org.orgId}/${org.rootId}/${ROOT.accountId}`);
  const ops = await report(`${org.orgId}/${org.rootId}/${other}`);
  assert.deepEqual(summary(ops), [
    ['dynamodb', 0, null],
    ['iam', 1, `${org.orgId}/${org.rootId}/${other}`],
    ['organizations', 0, null],
    ['s3', 0, null],
    ['sts', 0, null],
  ]);
});

test('an SCP: the services it allows, data of the accounts it applies to', async () => {
  const details = await report(`${org.orgId}/${org.rootId}`, iamStsOnly);
  const devPath = `${org.orgId}/${org.rootId}/${org.devOu}/${org.member}`;
  // Attached to the dev OU only: the ops account's IAM use is not counted.
  assert.deepEqual(summary(details), [
    ['iam', 1, devPath],
    ['sts', 1, devPath],
  ]);
});

test('GetOrganizationsAccessReport sorts by SortKey and pages with MaxItems/Marker', async () => {
  const byTimeDesc = await report(
    `${org.orgId}/${org.rootId}`,
    undefined,
    'LAST_AUTHENTICATED_TIME_DESCENDING',
  );
  assert.deepEqual(
    byTimeDesc.map((d) => d.ServiceNamespace),
    ['sts', 'iam', 's3', 'organizations', 'dynamodb'],
  );
  const byName = await report(`${org.orgId}/${org.rootId}`, undefined, 'SERVICE_NAMESPACE_DESCENDING');
  assert.deepEqual(
    byName.map((d) => d.ServiceNamespace),
    ['sts', 's3', 'organizations', 'iam', 'dynamodb'],
  );
  const iam = server.iam(admin.creds);
  const { JobId } = await iam.send(
    new GenerateOrganizationsAccessReportCommand({ EntityPath: `${org.orgId}/${org.rootId}` }),
  );
  const first = await iam.send(new GetOrganizationsAccessReportCommand({ JobId, MaxItems: 3 }));
  assert.equal(first.IsTruncated, true);
  const second = await iam.send(
    new GetOrganizationsAccessReportCommand({ JobId, MaxItems: 3, Marker: first.Marker }),
  );
  assert.equal(second.IsTruncated, false);
  assert.deepEqual(
    [...(first.AccessDetails ?? []), ...(second.AccessDetails ?? [])].map((d) => d.ServiceNamespace),
    ALL,
  );
});

test('errors: a member account, a path outside the organization, an unknown SCP', async () => {
  await expectClientError(
    server
      .iam(org.memberAdmin)
      .send(new GenerateOrganizationsAccessReportCommand({ EntityPath: `${org.orgId}/${org.rootId}` })),
    'AccessDenied',
    403,
    'only the management account of the organization can generate an Organizations access report',
  );
  const iam = server.iam(admin.creds);
  for (const path of [
    `o-aaaaaaaaaa/${org.rootId}`,
    `${org.orgId}/${org.rootId}/ou-zzzz-zzzzzzzz`,
    // The member is in the dev OU, not directly under the root.
    `${org.orgId}/${org.rootId}/${org.member}`,
  ])
    await expectClientError(
      iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: path })),
      'InvalidInputException',
      400,
      `entity path \`${path}\` does not name a root, OU or account of \`${org.orgId}\``,
    );
  await expectClientError(
    iam.send(
      new GenerateOrganizationsAccessReportCommand({
        EntityPath: `${org.orgId}/${org.rootId}`,
        OrganizationsPolicyId: 'p-zzzzzzzz',
      }),
    ),
    'NoSuchEntityException',
    404,
    'The service control policy p-zzzzzzzz does not exist.',
  );
});
