/**
 * AWS Organizations through the real SDK v3 client and the AWS CLI (issue #19): an organization with a
 * development OU, a member account made by CreateAccount, OrganizationAccountAccessRole assumed from
 * the management account's administrator, an SCP on the OU that denies iam:CreateUser (the member's
 * administrator is denied with AWS's SCP message; the management account is not), an RCP that keeps
 * principals outside the organization from a member account's roles, and AWS's errors.
 *
 * Sources: Organizations API reference (each action's page), "SCP evaluation"
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html),
 * "Resource control policies" (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { signedFetch } from './signed-fetch.js';
import { join } from 'node:path';
import {
  AcceptHandshakeCommand,
  AttachPolicyCommand,
  DeclineHandshakeCommand,
  DeleteOrganizationCommand,
  LeaveOrganizationCommand,
  DeregisterDelegatedAdministratorCommand,
  InviteAccountToOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  ListHandshakesForAccountCommand,
  RegisterDelegatedAdministratorCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DeleteOrganizationalUnitCommand,
  DeletePolicyCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  EnableAWSServiceAccessCommand,
  EnablePolicyTypeCommand,
  ListAccountsCommand,
  ListChildrenCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  type OrganizationsClient,
  RemoveAccountFromOrganizationCommand,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import {
  CreateRoleCommand,
  CreateUserCommand,
  DeleteUserCommand,
  EnableOrganizationsRootSessionsCommand,
  GetUserCommand,
  ListOrganizationsFeaturesCommand,
  ListPoliciesCommand,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, AssumeRootCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ROOT, type Creds, type TestServer } from './harness.js';
import { sessionCreds, type TestUser } from './accounts-helper.js';
import { expectAwsError } from './support.js';
import {
  buildOrganization,
  expectOrgError,
  orgsClient,
  startWithAdmin,
  type BuiltOrg,
} from './organizations-support.js';

const MGMT = ROOT.accountId;
let server: TestServer;
let admin: TestUser;
let dir = '';

const orgs = (creds: Creds = ROOT): OrganizationsClient => orgsClient(server, creds);

async function assumeRole(creds: Creds, roleArn: string, session = 'admin'): Promise<Creds> {
  const r = await server
    .sts(creds)
    .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: session }));
  return sessionCreds(r.Credentials);
}

/** `GET /_iamd/explain/ID` signed (service iam) with `creds`; retried while the audit writer flushes. */
async function explainCall(creds: Creds, requestId: string): Promise<string> {
  for (let i = 0; i < 40; i++) {
    const r = await signedFetch(server.url, creds, 'iam', `/_iamd/explain/${requestId}`);
    if (r.status === 200) return r.text();
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.fail(`no explanation for ${requestId}`);
}

let org: BuiltOrg;

const POLICY_NOT_FOUND = "We can't find a policy with the PolicyId that you specified.";

/** Creates an SCP of one statement as the administrator; returns its id. */
async function createScp(name: string, statement: object, description = ''): Promise<string> {
  const created = await orgs(admin.creds).send(
    new CreatePolicyCommand({
      Name: name,
      Description: description,
      Type: 'SERVICE_CONTROL_POLICY',
      Content: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
    }),
  );
  return created.Policy?.PolicySummary?.Id ?? '';
}
/** An account created in the organization, then removed from it (the RCP test). */
let formerMember: { id: string; creds: Creds } | undefined;

before(async () => {
  // Not startOrganization(): the first test asks before the organization exists; the second builds it.
  ({ server, admin } = await startWithAdmin());
  dir = mkdtempSync(join(tmpdir(), 'iamd-orgs-'));
});

after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('not in an organization: AWSOrganizationsNotInUseException', async () => {
  await expectOrgError(
    orgs(admin.creds).send(new DescribeOrganizationCommand({})),
    'AWSOrganizationsNotInUseException',
    'Your account is not a member of an organization.',
  );
});

test('the management account administrator builds an organization with a dev OU and a member account', async () => {
  const o = orgs(admin.creds);
  // The shared builder: CreateOrganization (ALL), SCPs enabled on the root, a `dev` OU, CreateAccount
  // for dev@example.com moved into it, the member's OrganizationAccountAccessRole assumed.
  org = await buildOrganization(server, admin.creds);
  const { createOrganization: created, enablePolicyType: enabled, createAccount: car } = org.answers;
  assert.equal(created.Organization?.Id, org.orgId);
  assert.match(org.orgId, /^o-[a-z0-9]{10}$/);
  assert.equal(created.Organization?.Arn, `arn:aws:organizations::${MGMT}:organization/${org.orgId}`);
  assert.equal(created.Organization?.MasterAccountId, MGMT);
  assert.equal(created.Organization?.FeatureSet, 'ALL');
  await expectOrgError(
    o.send(new CreateOrganizationCommand({})),
    'AlreadyInOrganizationException',
    'The AWS account is already a member of an organization.',
  );

  const roots = await o.send(new ListRootsCommand({}));
  assert.equal(roots.Roots?.[0]?.Id, org.rootId);
  assert.match(org.rootId, /^r-[0-9a-z]{4}$/);
  assert.deepEqual(enabled.Root?.PolicyTypes, [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }]);
  await o.send(new EnablePolicyTypeCommand({ RootId: org.rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' }));

  assert.match(org.devOu, new RegExp(`^ou-${org.rootId.slice(2)}-[a-z0-9]{8}$`));
  await expectOrgError(
    o.send(new CreateOrganizationalUnitCommand({ ParentId: org.rootId, Name: 'dev' })),
    'DuplicateOrganizationalUnitException',
    'An OU with the same name already exists.',
  );

  assert.equal(car.CreateAccountStatus?.State, 'SUCCEEDED');
  assert.match(car.CreateAccountStatus?.Id ?? '', /^car-[a-z0-9]{32}$/);
  assert.equal(car.CreateAccountStatus?.AccountId, org.member);
  assert.match(org.member, /^\d{12}$/);
  const status = await o.send(
    new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: car.CreateAccountStatus?.Id }),
  );
  assert.equal(status.CreateAccountStatus?.AccountId, org.member);

  // The builder moved the member into the dev OU.
  const parents = await o.send(new ListParentsCommand({ ChildId: org.member }));
  assert.deepEqual(parents.Parents, [{ Id: org.devOu, Type: 'ORGANIZATIONAL_UNIT' }]);
  const children = await o.send(new ListChildrenCommand({ ParentId: org.devOu, ChildType: 'ACCOUNT' }));
  assert.deepEqual(children.Children, [{ Id: org.member, Type: 'ACCOUNT' }]);
  const account = await o.send(new DescribeAccountCommand({ AccountId: org.member }));
  assert.equal(account.Account?.Email, 'dev@example.com');
  assert.equal(account.Account?.JoinedMethod, 'CREATED');
  assert.ok(account.Account?.JoinedTimestamp instanceof Date);
  const accounts = await o.send(new ListAccountsCommand({}));
  assert.deepEqual(accounts.Accounts?.map((a) => a.Id).sort(), [MGMT, org.member].sort());
  // FullAWSAccess is attached to every new target while SCPs are enabled.
  const onOu = await o.send(
    new ListPoliciesForTargetCommand({ TargetId: org.devOu, Filter: 'SERVICE_CONTROL_POLICY' }),
  );
  assert.deepEqual(
    onOu.Policies?.map((p) => p.Id),
    ['p-FullAWSAccess'],
  );
});

test('OrganizationAccountAccessRole: the management administrator reaches the member account', async () => {
  // The builder assumed the member's OrganizationAccountAccessRole as the management administrator.
  await server.iam(org.memberAdmin).send(new CreateUserCommand({ UserName: 'before-scp' }));
  // The member account is in the organization but not its management account.
  await expectOrgError(
    orgs(org.memberAdmin).send(new ListAccountsCommand({})),
    'AccessDeniedException',
    "You don't have permissions to access this resource.",
  );
  const seen = await orgs(org.memberAdmin).send(new DescribeOrganizationCommand({}));
  assert.equal(seen.Organization?.Id, org.orgId);
});

test('an SCP on the dev OU denies iam:CreateUser to the member administrator, not to the management account', async () => {
  const o = orgs(admin.creds);
  const policy = await o.send(
    new CreatePolicyCommand({
      Name: 'DenyCreateUser',
      Description: 'no new users',
      Type: 'SERVICE_CONTROL_POLICY',
      Content: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' }],
      }),
    }),
  );
  const id = policy.Policy?.PolicySummary?.Id ?? '';
  assert.match(id, /^p-[a-z0-9]{8}$/);
  await o.send(new AttachPolicyCommand({ PolicyId: id, TargetId: org.devOu }));
  await expectOrgError(
    o.send(new AttachPolicyCommand({ PolicyId: id, TargetId: org.devOu })),
    'DuplicatePolicyAttachmentException',
    'The selected policy is already attached to the specified target.',
  );
  const memberAdmin = org.memberAdmin;
  await expectAwsError(
    server.iam(memberAdmin).send(new CreateUserCommand({ UserName: 'after-scp' })),
    'AccessDenied',
    403,
    `User: arn:aws:sts::${org.member}:assumed-role/OrganizationAccountAccessRole/admin is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${org.member}:user/after-scp with an explicit deny in a service control policy`,
  );
  // iamd explain names the SCP and the target it is attached to.
  const failed = await server
    .iam(memberAdmin)
    .send(new CreateUserCommand({ UserName: 'explained' }))
    .then(
      () => assert.fail('expected a denial'),
      (e: { $metadata?: { requestId?: string } }) => e.$metadata?.requestId ?? '',
    );
  const explained = await explainCall(memberAdmin, failed);
  assert.ok(explained.includes(`DenyCreateUser (${id}) attached to ${org.devOu}`), explained);
  assert.ok(explained.includes('service control policy'), explained);
  // Other actions still pass the SCPs.
  await server.iam(memberAdmin).send(new DeleteUserCommand({ UserName: 'before-scp' }));
  // The management account is not affected by SCPs, even one attached to the root.
  await o.send(new AttachPolicyCommand({ PolicyId: id, TargetId: org.rootId }));
  await server.iam(admin.creds).send(new CreateUserCommand({ UserName: 'mgmt-user' }));
  await o.send(new DetachPolicyCommand({ PolicyId: id, TargetId: org.rootId }));
  // The last SCP of a target cannot be detached.
  await expectOrgError(
    o.send(new DetachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: org.member })),
    'ConstraintViolationException',
    'You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.',
    'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
  );
});

test('AWS managed policies: not modifiable, RCPFullAWSAccess not detachable', async () => {
  const o = orgs(admin.creds);
  await expectOrgError(
    o.send(new UpdatePolicyCommand({ PolicyId: 'p-FullAWSAccess', Name: 'Mine' })),
    'InvalidInputException',
    'You specified a policy that is managed by AWS and cannot be modified.',
    'IMMUTABLE_POLICY',
  );
  await expectOrgError(
    o.send(new DetachPolicyCommand({ PolicyId: 'p-RCPFullAWSAccess', TargetId: org.member })),
    'InvalidInputException',
    "You can't detach this AWS Managed Policy.",
    'NON_DETACHABLE_POLICY',
  );
  await expectOrgError(
    o.send(new DescribePolicyCommand({ PolicyId: 'p-zzzzzzzz' })),
    'PolicyNotFoundException',
    "We can't find a policy with the PolicyId that you specified.",
  );
});

test('AttachPolicy and DetachPolicy: unknown policy or target, type not enabled, not attached, at most five SCPs', async () => {
  const o = orgs(admin.creds);
  const ou = await o.send(new CreateOrganizationalUnitCommand({ ParentId: org.rootId, Name: 'limits' }));
  const target = ou.OrganizationalUnit?.Id ?? '';
  const scp = (name: string) => createScp(name, { Effect: 'Allow', Action: 'iam:Get*', Resource: '*' });
  const first = await scp('limits-1');
  const targetNotFound =
    "We can't find a root, OU, account, or email address with the TargetId that you specified.";
  for (const Command of [AttachPolicyCommand, DetachPolicyCommand]) {
    // The policy is looked for before the target.
    await expectOrgError(
      o.send(new Command({ PolicyId: 'p-zzzzzzzz', TargetId: 'ou-zzzz-zzzzzzzz' })),
      'PolicyNotFoundException',
      POLICY_NOT_FOUND,
    );
    await expectOrgError(
      o.send(new Command({ PolicyId: 'p-zzzzzzzz', TargetId: target })),
      'PolicyNotFoundException',
      POLICY_NOT_FOUND,
    );
    await expectOrgError(
      o.send(new Command({ PolicyId: first, TargetId: 'ou-zzzz-zzzzzzzz' })),
      'TargetNotFoundException',
      targetNotFound,
    );
  }
  await expectOrgError(
    o.send(new DetachPolicyCommand({ PolicyId: first, TargetId: target })),
    'PolicyNotAttachedException',
    "The policy isn't attached to the specified target in the specified root.",
  );
  const tag = await o.send(
    new CreatePolicyCommand({ Name: 'tags', Description: '', Type: 'TAG_POLICY', Content: '{}' }),
  );
  await expectOrgError(
    o.send(new AttachPolicyCommand({ PolicyId: tag.Policy?.PolicySummary?.Id, TargetId: target })),
    'PolicyTypeNotEnabledException',
    "The specified policy type isn't currently enabled in this root.",
  );
  // FullAWSAccess and four more make five SCPs on the OU; a sixth is refused.
  await o.send(new AttachPolicyCommand({ PolicyId: first, TargetId: target }));
  for (const name of ['limits-2', 'limits-3', 'limits-4'])
    await o.send(new AttachPolicyCommand({ PolicyId: await scp(name), TargetId: target }));
  await expectOrgError(
    o.send(new AttachPolicyCommand({ PolicyId: await scp('limits-5'), TargetId: target })),
    'ConstraintViolationException',
    'You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.',
    'MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
  );
  await o.send(new DetachPolicyCommand({ PolicyId: first, TargetId: target }));
  const left = await o.send(
    new ListPoliciesForTargetCommand({ TargetId: target, Filter: 'SERVICE_CONTROL_POLICY' }),
  );
  assert.equal(left.Policies?.length, 4);
  assert.ok(!left.Policies?.some((p) => p.Id === first));
});

test('UpdatePolicy and DeletePolicy: unknown, AWS managed, duplicate name, in use', async () => {
  const o = orgs(admin.creds);
  const deny = { Effect: 'Deny', Action: 'iam:DeleteAccountAlias', Resource: '*' };
  const id = await createScp('changing', deny, 'before');
  await createScp('taken', deny);
  await expectOrgError(
    o.send(new UpdatePolicyCommand({ PolicyId: 'p-zzzzzzzz', Name: 'x' })),
    'PolicyNotFoundException',
    POLICY_NOT_FOUND,
  );
  await expectOrgError(
    o.send(new DeletePolicyCommand({ PolicyId: 'p-zzzzzzzz' })),
    'PolicyNotFoundException',
    POLICY_NOT_FOUND,
  );
  await expectOrgError(
    o.send(new DeletePolicyCommand({ PolicyId: 'p-FullAWSAccess' })),
    'InvalidInputException',
    'You specified a policy that is managed by AWS and cannot be modified.',
    'IMMUTABLE_POLICY',
  );
  await expectOrgError(
    o.send(new UpdatePolicyCommand({ PolicyId: id, Name: 'taken' })),
    'DuplicatePolicyException',
    'A policy with the same name already exists.',
  );
  const updated = await o.send(
    new UpdatePolicyCommand({ PolicyId: id, Name: 'changed', Description: 'after' }),
  );
  assert.equal(updated.Policy?.PolicySummary?.Name, 'changed');
  assert.equal(updated.Policy?.PolicySummary?.Description, 'after');
  await o.send(new AttachPolicyCommand({ PolicyId: id, TargetId: org.rootId }));
  await expectOrgError(
    o.send(new DeletePolicyCommand({ PolicyId: id })),
    'PolicyInUseException',
    'The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.',
  );
  await o.send(new DetachPolicyCommand({ PolicyId: id, TargetId: org.rootId }));
  await o.send(new DeletePolicyCommand({ PolicyId: id }));
  await expectOrgError(
    o.send(new DescribePolicyCommand({ PolicyId: id })),
    'PolicyNotFoundException',
    POLICY_NOT_FOUND,
  );
});

test('an SCP larger than 5,120 characters or malformed is refused', async () => {
  const o = orgs(admin.creds);
  const big = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*', Sid: 'x'.repeat(5200) }],
  });
  await expectOrgError(
    o.send(
      new CreatePolicyCommand({ Name: 'big', Description: '', Type: 'SERVICE_CONTROL_POLICY', Content: big }),
    ),
    'ConstraintViolationException',
    'You attempted to create a policy larger than the maximum size.',
    'POLICY_CONTENT_LIMIT_EXCEEDED',
  );
  await expectOrgError(
    o.send(
      new CreatePolicyCommand({
        Name: 'bad',
        Description: '',
        Type: 'SERVICE_CONTROL_POLICY',
        Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}',
      }),
    ),
    'MalformedPolicyDocumentException',
    'The provided policy document does not meet the requirements of the specified policy type.',
  );
});

test('OUs nest five levels deep below the root, no more', async () => {
  const o = orgs(admin.creds);
  let parent = org.rootId;
  const made: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const ou = await o.send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: `level-${i}` }));
    parent = ou.OrganizationalUnit?.Id ?? '';
    made.push(parent);
  }
  await expectOrgError(
    o.send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: 'level-6' })),
    'ConstraintViolationException',
    'You attempted to create an OU tree that is too many levels deep.',
    'OU_DEPTH_LIMIT_EXCEEDED',
  );
  for (const id of made.reverse())
    await o.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: id }));
});

test('input is checked against the model: InvalidInputException with its Reason', async () => {
  await expectOrgError(
    orgs(admin.creds).send(new DescribeAccountCommand({ AccountId: 'abc' })),
    'InvalidInputException',
    "You specified a value that doesn't match the required pattern for AccountId.",
    'INVALID_PATTERN',
  );
});

test('an RCP keeps principals outside the organization from the member account roles', async () => {
  const o = orgs(admin.creds);
  // An account outside the organization: created, then removed (its role still trusts the management account).
  const car = await o.send(new CreateAccountCommand({ Email: 'out@example.com', AccountName: 'outsider' }));
  const outsiderId = car.CreateAccountStatus?.AccountId ?? '';
  await o.send(new RemoveAccountFromOrganizationCommand({ AccountId: outsiderId }));
  const outsider = await assumeRole(
    admin.creds,
    `arn:aws:iam::${outsiderId}:role/OrganizationAccountAccessRole`,
  );
  formerMember = { id: outsiderId, creds: outsider };
  await expectOrgError(
    orgs(outsider).send(new DescribeOrganizationCommand({})),
    'AWSOrganizationsNotInUseException',
    'Your account is not a member of an organization.',
  );
  // A role in the member account trusting the outsider and the management account.
  await server.iam(org.memberAdmin).send(
    new CreateRoleCommand({
      RoleName: 'Shared',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: [`arn:aws:iam::${outsiderId}:root`, `arn:aws:iam::${MGMT}:root`] },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
    }),
  );
  const shared = `arn:aws:iam::${org.member}:role/Shared`;
  await assumeRole(outsider, shared);
  const rcp = await o.send(
    new CreatePolicyCommand({
      Name: 'OrgOnly',
      Description: 'only principals of the organization',
      Type: 'RESOURCE_CONTROL_POLICY',
      Content: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 'sts:AssumeRole',
            Resource: '*',
            Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': org.orgId } },
          },
        ],
      }),
    }),
  );
  await o.send(new AttachPolicyCommand({ PolicyId: rcp.Policy?.PolicySummary?.Id, TargetId: org.devOu }));
  await expectAwsError(
    server.sts(outsider).send(new AssumeRoleCommand({ RoleArn: shared, RoleSessionName: 'xx' })),
    'AccessDenied',
    403,
    `User: arn:aws:sts::${outsiderId}:assumed-role/OrganizationAccountAccessRole/admin is not authorized to perform: sts:AssumeRole on resource: ${shared}`,
  );
  // Inside the organization the same call still works.
  await assumeRole(admin.creds, shared);
});

test('an SCP with source-address and region conditions binds the member account', async () => {
  const o = orgs(admin.creds);
  const p = await o.send(
    new CreatePolicyCommand({
      Name: 'Guardrails',
      Description: 'corporate network and region',
      Type: 'SERVICE_CONTROL_POLICY',
      Content: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'CorporateNetworkOnly',
            Effect: 'Deny',
            Action: 'iam:ListRoles',
            Resource: '*',
            Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
          },
          {
            Sid: 'EuropeOnly',
            Effect: 'Deny',
            Action: 'iam:ListPolicies',
            Resource: '*',
            Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
          },
        ],
      }),
    }),
  );
  const id = p.Policy?.PolicySummary?.Id ?? '';
  await o.send(new AttachPolicyCommand({ PolicyId: id, TargetId: org.devOu }));
  const member = server.iam(org.memberAdmin);
  const who = `arn:aws:sts::${org.member}:assumed-role/OrganizationAccountAccessRole/admin`;
  await expectAwsError(
    member.send(new ListRolesCommand({})),
    'AccessDenied',
    403,
    `User: ${who} is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::${org.member}:role/ with an explicit deny in a service control policy`,
  );
  await expectAwsError(
    member.send(new ListPoliciesCommand({})),
    'AccessDenied',
    403,
    `User: ${who} is not authorized to perform: iam:ListPolicies on resource: policy path / with an explicit deny in a service control policy`,
  );
  // The management account calls from the same address and region unhindered.
  await server.iam(admin.creds).send(new ListRolesCommand({}));
  await o.send(new DetachPolicyCommand({ PolicyId: id, TargetId: org.devOu }));
  await member.send(new ListRolesCommand({}));
});

test('invitations: an existing account joins by handshake; delegated administrator for IAM', async () => {
  const o = orgs(admin.creds);
  const outsider = formerMember!;
  await expectOrgError(
    o.send(new InviteAccountToOrganizationCommand({ Target: { Id: org.member, Type: 'ACCOUNT' } })),
    'HandshakeConstraintViolationException',
    'The handshake request is invalid because the invited account is already a member of an organization.',
    'ALREADY_IN_AN_ORGANIZATION',
  );
  const invited = await o.send(
    new InviteAccountToOrganizationCommand({
      Target: { Id: outsider.id, Type: 'ACCOUNT' },
      Notes: 'welcome',
    }),
  );
  const hid = invited.Handshake?.Id ?? '';
  assert.match(hid, /^h-[0-9a-z]{10}$/);
  assert.equal(invited.Handshake?.State, 'OPEN');
  await expectOrgError(
    o.send(new InviteAccountToOrganizationCommand({ Target: { Id: outsider.id, Type: 'ACCOUNT' } })),
    'DuplicateHandshakeException',
    'A handshake with the same action and target already exists.',
  );
  const theirs = await orgs(outsider.creds).send(new ListHandshakesForAccountCommand({}));
  assert.deepEqual(
    theirs.Handshakes?.map((h) => h.Id),
    [hid],
  );
  const accepted = await orgs(outsider.creds).send(new AcceptHandshakeCommand({ HandshakeId: hid }));
  assert.equal(accepted.Handshake?.State, 'ACCEPTED');
  await expectOrgError(
    orgs(outsider.creds).send(new DeclineHandshakeCommand({ HandshakeId: hid })),
    'InvalidHandshakeTransitionException',
    "You can't perform the operation on the handshake in its current state.",
  );
  const joined = await o.send(new DescribeAccountCommand({ AccountId: outsider.id }));
  assert.equal(joined.Account?.JoinedMethod, 'INVITED');
  const parents = await o.send(new ListParentsCommand({ ChildId: outsider.id }));
  assert.deepEqual(parents.Parents, [{ Id: org.rootId, Type: 'ROOT' }]);

  // A delegated administrator for IAM may read the organization, not change it.
  await o.send(
    new RegisterDelegatedAdministratorCommand({
      AccountId: outsider.id,
      ServicePrincipal: 'iam.amazonaws.com',
    }),
  );
  await expectOrgError(
    o.send(
      new RegisterDelegatedAdministratorCommand({
        AccountId: outsider.id,
        ServicePrincipal: 'iam.amazonaws.com',
      }),
    ),
    'AccountAlreadyRegisteredException',
    'The provided account is already a delegated administrator for your organization.',
  );
  const admins = await o.send(
    new ListDelegatedAdministratorsCommand({ ServicePrincipal: 'iam.amazonaws.com' }),
  );
  assert.deepEqual(
    admins.DelegatedAdministrators?.map((a) => a.Id),
    [outsider.id],
  );
  const listed = await orgs(outsider.creds).send(new ListAccountsCommand({}));
  assert.equal(listed.Accounts?.length, 3);
  await expectOrgError(
    orgs(outsider.creds).send(new CreateOrganizationalUnitCommand({ ParentId: org.rootId, Name: 'nope' })),
    'AccessDeniedException',
    "You don't have permissions to access this resource.",
  );
  await expectOrgError(
    o.send(new RemoveAccountFromOrganizationCommand({ AccountId: outsider.id })),
    'ConstraintViolationException',
    'You cannot remove a delegated administrator account from the organization. Deregister it as a delegated administrator first.',
    'CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG',
  );
  await o.send(
    new DeregisterDelegatedAdministratorCommand({
      AccountId: outsider.id,
      ServicePrincipal: 'iam.amazonaws.com',
    }),
  );
  await expectOrgError(
    orgs(outsider.creds).send(new ListAccountsCommand({})),
    'AccessDeniedException',
    "You don't have permissions to access this resource.",
  );
});

test('centralized root access: IAM features and sts:AssumeRoot for a member account', async () => {
  const iam = server.iam(admin.creds);
  await expectAwsError(
    iam.send(new ListOrganizationsFeaturesCommand({})),
    'ServiceAccessNotEnabledException',
    400,
    'The request was rejected because trusted access is not enabled for IAM in AWS Organizations.',
  );
  const task = { arn: 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials' };
  await orgs(admin.creds).send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'iam.amazonaws.com' }));
  // Root sessions are not enabled yet.
  await expectAwsError(
    server.sts(admin.creds).send(new AssumeRootCommand({ TargetPrincipal: org.member, TaskPolicyArn: task })),
    'AccessDenied',
    403,
    `User: ${admin.arn} is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::${org.member}:root because root sessions are not enabled for the organization (iam:EnableOrganizationsRootSessions)`,
  );
  await expectAwsError(
    server.iam(org.memberAdmin).send(new EnableOrganizationsRootSessionsCommand({})),
    'CallerIsNotManagementAccountException',
    400,
    'The request was rejected because the account making the request is not the management account for the organization.',
  );
  const enabled = await iam.send(new EnableOrganizationsRootSessionsCommand({}));
  assert.deepEqual(enabled.EnabledFeatures, ['RootSessions']);
  assert.equal(enabled.OrganizationId, org.orgId);
  assert.deepEqual((await iam.send(new ListOrganizationsFeaturesCommand({}))).EnabledFeatures, [
    'RootSessions',
  ]);

  const r = await server
    .sts(admin.creds)
    .send(new AssumeRootCommand({ TargetPrincipal: org.member, TaskPolicyArn: task }));
  const expiresIn = (r.Credentials?.Expiration?.getTime() ?? 0) - Date.now();
  assert.ok(expiresIn > 0 && expiresIn <= 900_000 + 5_000, `session of ${expiresIn} ms`);
  const rootCreds = sessionCreds(r.Credentials);
  const who = await server.sts(rootCreds).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, `arn:aws:iam::${org.member}:root`);
  // The task policy allows auditing the root's credentials and nothing else.
  const user = await server.iam(rootCreds).send(new GetUserCommand({}));
  assert.equal(user.User?.Arn, `arn:aws:iam::${org.member}:root`);
  await expectAwsError(
    server.iam(rootCreds).send(new CreateRoleCommand({ RoleName: 'nope', AssumeRolePolicyDocument: '{}' })),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${org.member}:root is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::${org.member}:role/nope with an explicit deny in an identity-based policy`,
  );
  // Never for the management account itself, and only for the task policies AWS defines.
  await expectAwsError(
    server.sts(admin.creds).send(new AssumeRootCommand({ TargetPrincipal: MGMT, TaskPolicyArn: task })),
    'AccessDenied',
    403,
    `User: ${admin.arn} is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::${MGMT}:root because the target is not a member account of the organization`,
  );
});

test('requests are signed for their own service: organizations for JSON 1.1, never iam or sts', async () => {
  const signedPost = (service: string, headers: Record<string, string>, body: string) =>
    signedFetch(server.url, admin.creds, service, '/', { method: 'POST', headers, body });
  const asIam = await signedPost(
    'iam',
    {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSOrganizationsV20161128.DescribeOrganization',
    },
    '{}',
  );
  assert.equal(asIam.status, 403);
  assert.match(await asIam.text(), /Credential should be scoped to correct service: 'organizations'/);
  const queryAsOrgs = await signedPost(
    'organizations',
    { 'content-type': 'application/x-www-form-urlencoded' },
    'Action=ListUsers&Version=2010-05-08',
  );
  assert.equal(queryAsOrgs.status, 403);
  assert.match(await queryAsOrgs.text(), /Credential should be scoped to correct service/);
});

/** The aws binary to use, or undefined when none is installed. */
function findAws(): string | undefined {
  if (existsSync('/usr/bin/aws')) return '/usr/bin/aws';
  const r = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? 'aws' : undefined;
}

test(
  'the AWS CLI: aws organizations describe-organization / list-children / list-policies',
  { skip: findAws() === undefined },
  async () => {
    const cli = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          findAws()!,
          [...args, '--endpoint-url', server.url, '--output', 'json'],
          {
            env: {
              PATH: process.env.PATH ?? '/usr/bin:/bin',
              HOME: dir,
              AWS_ACCESS_KEY_ID: admin.creds.accessKeyId,
              AWS_SECRET_ACCESS_KEY: admin.creds.secretAccessKey,
              AWS_DEFAULT_REGION: 'us-east-1',
              AWS_CONFIG_FILE: join(dir, 'config'),
              AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
              AWS_PAGER: '',
            },
            timeout: 30_000,
          },
          (err, stdout, stderr) =>
            resolve({
              code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1,
              stdout,
              stderr,
            }),
        );
      });
    const described = await cli('organizations', 'describe-organization');
    assert.equal(described.code, 0, described.stderr);
    assert.equal(
      (JSON.parse(described.stdout) as { Organization: { Id: string } }).Organization.Id,
      org.orgId,
    );
    const children = await cli(
      'organizations',
      'list-children',
      '--parent-id',
      org.devOu,
      '--child-type',
      'ACCOUNT',
    );
    assert.equal(children.code, 0, children.stderr);
    assert.deepEqual((JSON.parse(children.stdout) as { Children: unknown[] }).Children, [
      { Id: org.member, Type: 'ACCOUNT' },
    ]);
    const policies = await cli('organizations', 'list-policies', '--filter', 'SERVICE_CONTROL_POLICY');
    assert.equal(policies.code, 0, policies.stderr);
    const names = (JSON.parse(policies.stdout) as { Policies: { Name: string }[] }).Policies.map(
      (p) => p.Name,
    );
    assert.ok(names.includes('FullAWSAccess') && names.includes('DenyCreateUser'), names.join(','));
    const bad = await cli('organizations', 'describe-policy', '--policy-id', 'p-zzzzzzzz');
    assert.notEqual(bad.code, 0);
    assert.match(
      bad.stderr,
      /PolicyNotFoundException.*We can't find a policy with the PolicyId that you specified\./,
    );
  },
);

test('leaving and deleting: members leave or are removed, then the organization is deleted', async () => {
  const o = orgs(admin.creds);
  await expectOrgError(
    o.send(new LeaveOrganizationCommand({})),
    'MasterCannotLeaveOrganizationException',
    "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.",
  );
  await orgs(formerMember!.creds).send(new LeaveOrganizationCommand({}));
  await expectOrgError(
    orgs(formerMember!.creds).send(new DescribeOrganizationCommand({})),
    'AWSOrganizationsNotInUseException',
    'Your account is not a member of an organization.',
  );
  await expectOrgError(
    o.send(new DeleteOrganizationCommand({})),
    'OrganizationNotEmptyException',
    'To delete an organization you must first remove all member accounts (except the management account).',
  );
  await o.send(new RemoveAccountFromOrganizationCommand({ AccountId: org.member }));
  // Out of the organization, the former member is bound by no SCP any more.
  await server.iam(org.memberAdmin).send(new CreateUserCommand({ UserName: 'free-again' }));
  await o.send(new DeleteOrganizationCommand({}));
  await expectOrgError(
    o.send(new DescribeOrganizationCommand({})),
    'AWSOrganizationsNotInUseException',
    'Your account is not a member of an organization.',
  );
});
