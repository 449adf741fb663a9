/**
 * The organization's resource-based delegation policy (issue #19) through the SDK: PutResourcePolicy,
 * DescribeResourcePolicy, DeleteResourcePolicy, their errors, and the policy ENFORCED — a member account
 * principal it allows may call the delegated Organizations actions, when its own identity policies allow
 * them too, as for any cross-account call on a resource with a resource-based policy.
 *
 * Sources: https://docs.aws.amazon.com/organizations/latest/APIReference/API_PutResourcePolicy.html,
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeResourcePolicy.html,
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_DeleteResourcePolicy.html,
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs-policy-delegate.html.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAccountCommand,
  CreatePolicyCommand,
  DeleteResourcePolicyCommand,
  DescribeResourcePolicyCommand,
  ListAccountsCommand,
  ListRootsCommand,
  PutResourcePolicyCommand,
} from '@aws-sdk/client-organizations';
import { type TestServer } from './harness.js';
import { createUser, denied, expectAwsError, type TestUser } from './accounts-helper.js';
import { startOrganization, expectOrgError, orgsClient, type BuiltOrg } from './organizations-support.js';

let server: TestServer;
let admin: TestUser;
let org: BuiltOrg;

before(async () => {
  ({ server, admin, org } = await startOrganization());
});

after(async () => {
  await server.stop();
});

const DENIED = "You don't have permissions to access this resource.";

const memberAdminArn = (): string =>
  `arn:aws:sts::${org.member}:assumed-role/OrganizationAccountAccessRole/admin`;

/** The engine's denial of a cross-account call no statement of the resource policy allows. */
const noResourcePolicyAllows = (arn: string, action: string): string =>
  denied(arn, action, '*', `because no resource-based policy allows the ${action} action`);

const delegation = (principal: string, actions: string[]): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Delegate',
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: actions,
        Resource: '*',
      },
    ],
  });

test('without a delegation policy a member is refused and DescribeResourcePolicy finds none', async () => {
  await expectOrgError(
    orgsClient(server, org.memberAdmin).send(new ListRootsCommand({})),
    'AccessDeniedException',
    DENIED,
  );
  await expectOrgError(
    orgsClient(server, admin.creds).send(new DescribeResourcePolicyCommand({})),
    'ResourcePolicyNotFoundException',
    "We can't find a resource policy request with the parameter that you specified.",
  );
});

test('PutResourcePolicy validates the content as a resource policy of delegable Organizations actions', async () => {
  const o = orgsClient(server, admin.creds);
  await expectOrgError(
    o.send(new PutResourcePolicyCommand({ Content: '{"Version":"2012-10-17","Statement":[' })),
    'InvalidInputException',
    'The provided resource policy is not valid: Syntax errors in policy.',
    'INVALID_RESOURCE_POLICY_JSON',
  );
  // A resource policy names its principal: a statement without one is refused.
  const noPrincipal = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'organizations:ListRoots', Resource: '*' }],
  });
  await expectOrgError(
    o.send(new PutResourcePolicyCommand({ Content: noPrincipal })),
    'InvalidInputException',
    'The provided resource policy is not valid: Missing required field Principal',
    'INVALID_RESOURCE_POLICY_JSON',
  );
  await expectOrgError(
    o.send(
      new PutResourcePolicyCommand({
        Content: delegation(`arn:aws:iam::${org.member}:root`, ['s3:GetObject']),
      }),
    ),
    'InvalidInputException',
    'The action `s3:GetObject` is not supported in an organization resource policy',
    'UNSUPPORTED_ACTION_IN_RESOURCE_POLICY',
  );
  await expectOrgError(
    o.send(
      new PutResourcePolicyCommand({
        Content: delegation(`arn:aws:iam::${org.member}:root`, ['organizations:CreateAccount']),
      }),
    ),
    'InvalidInputException',
    'The action `organizations:CreateAccount` is not supported in an organization resource policy',
    'UNSUPPORTED_ACTION_IN_RESOURCE_POLICY',
  );
  // Only the management account writes it.
  await expectOrgError(
    orgsClient(server, org.memberAdmin).send(
      new PutResourcePolicyCommand({
        Content: delegation(`arn:aws:iam::${org.member}:root`, ['organizations:ListRoots']),
      }),
    ),
    'AccessDeniedException',
    DENIED,
  );
});

test('a member the delegation policy allows calls the delegated actions, and only those', async () => {
  const o = orgsClient(server, admin.creds);
  const member = orgsClient(server, org.memberAdmin);
  const content = delegation(`arn:aws:iam::${org.member}:root`, [
    'organizations:Describe*',
    'organizations:ListRoots',
    'organizations:CreatePolicy',
  ]);
  const put = await o.send(new PutResourcePolicyCommand({ Content: content }));
  const id = put.ResourcePolicy?.ResourcePolicySummary?.Id ?? '';
  assert.match(id, /^rp-[0-9a-z]{8}$/);
  assert.equal(
    put.ResourcePolicy?.ResourcePolicySummary?.Arn,
    `arn:aws:organizations::${admin.arn.split(':')[4]}:resourcepolicy/${org.orgId}/${id}`,
  );
  assert.equal(put.ResourcePolicy?.Content, content);

  const roots = await member.send(new ListRootsCommand({}));
  assert.deepEqual(
    roots.Roots?.map((r) => r.Id),
    [org.rootId],
  );
  const created = await member.send(
    new CreatePolicyCommand({
      Name: 'DelegatedScp',
      Description: 'made by a member',
      Type: 'SERVICE_CONTROL_POLICY',
      Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}',
    }),
  );
  assert.match(created.Policy?.PolicySummary?.Id ?? '', /^p-/);
  const described = await member.send(new DescribeResourcePolicyCommand({}));
  assert.equal(described.ResourcePolicy?.Content, content);
  // Not in the policy: still the management account's.
  // A delegable action the policy does not name: the engine's cross-account denial.
  await expectAwsError(
    member.send(new ListAccountsCommand({})),
    'AccessDeniedException',
    403,
    noResourcePolicyAllows(memberAdminArn(), 'organizations:ListAccounts'),
  );
  await expectOrgError(
    member.send(new CreateAccountCommand({ Email: 'x@example.com', AccountName: 'x' })),
    'AccessDeniedException',
    DENIED,
  );
  await expectOrgError(member.send(new DeleteResourcePolicyCommand({})), 'AccessDeniedException', DENIED);

  // Replacing the policy keeps its id.
  const again = await o.send(
    new PutResourcePolicyCommand({
      Content: delegation(`arn:aws:iam::${org.member}:root`, ['organizations:ListRoots']),
    }),
  );
  assert.equal(again.ResourcePolicy?.ResourcePolicySummary?.Id, id);
  // Describe* is no longer delegated: the member no longer reads the policy.
  await expectAwsError(
    member.send(new DescribeResourcePolicyCommand({})),
    'AccessDeniedException',
    403,
    noResourcePolicyAllows(memberAdminArn(), 'organizations:DescribeResourcePolicy'),
  );
});

test("the caller's identity policy must allow the call too (cross-account evaluation)", async () => {
  const o = orgsClient(server, admin.creds);
  await o.send(
    new PutResourcePolicyCommand({
      Content: delegation(`arn:aws:iam::${org.member}:root`, ['organizations:ListRoots']),
    }),
  );
  // A user of the member account without any permission.
  const bare = await createUser(server.iam(org.memberAdmin), 'bare');
  await expectAwsError(
    orgsClient(server, bare.creds).send(new ListRootsCommand({})),
    'AccessDeniedException',
    403,
    denied(
      bare.arn,
      'organizations:ListRoots',
      '*',
      'because no identity-based policy allows the organizations:ListRoots action',
    ),
  );
  // The same user once its identity policy allows ListRoots.
  const allowed = await createUser(server.iam(org.memberAdmin), 'lister', {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'organizations:ListRoots', Resource: '*' }],
  });
  const roots = await orgsClient(server, allowed.creds).send(new ListRootsCommand({}));
  assert.equal(roots.Roots?.[0]?.Id, org.rootId);
  // A policy that names another principal lets nobody else in.
  await o.send(
    new PutResourcePolicyCommand({
      Content: delegation(allowed.arn, ['organizations:ListRoots']),
    }),
  );
  await orgsClient(server, allowed.creds).send(new ListRootsCommand({}));
  await expectAwsError(
    orgsClient(server, org.memberAdmin).send(new ListRootsCommand({})),
    'AccessDeniedException',
    403,
    noResourcePolicyAllows(memberAdminArn(), 'organizations:ListRoots'),
  );
});

test('DeleteResourcePolicy withdraws the delegation', async () => {
  const o = orgsClient(server, admin.creds);
  await o.send(new DeleteResourcePolicyCommand({}));
  await expectOrgError(
    orgsClient(server, org.memberAdmin).send(new ListRootsCommand({})),
    'AccessDeniedException',
    DENIED,
  );
  await expectOrgError(
    o.send(new DeleteResourcePolicyCommand({})),
    'ResourcePolicyNotFoundException',
    "We can't find a resource policy request with the parameter that you specified.",
  );
});
