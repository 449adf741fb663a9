/**
 * IAM contract tests through the real server with the AWS SDK v3: account alias, GetAccountSummary,
 * GetAccountAuthorizationDetails, and authorization of IAM calls made by an IAM user — implicit deny,
 * allow through an attached policy, explicit deny, and a permissions boundary that limits the user.
 *
 * Denial texts: shared/reference/aws-errors.md §1 ("IAM ops | caller lacks permission": `… because no
 * identity-based policy allows the iam:GetRole action`; "explicit deny": `… with an explicit deny`) and
 * the IAM User Guide, "Troubleshoot access denied error messages" (the reason clauses AWS appends, e.g.
 * "with an explicit deny in an identity-based policy", "because no permissions boundary allows").
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateAccountAliasCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccountAliasCommand,
  DeleteUserPermissionsBoundaryCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  GetRoleCommand,
  GetUserCommand,
  ListAccountAliasesCommand,
  ListPoliciesCommand,
  ListRolesCommand,
  ListUsersCommand,
  PutGroupPolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  AddUserToGroupCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { startIamd, ROOT, type Creds, type TestServer } from './harness.js';
import { expectClientError } from './support.js';

const A = ROOT.accountId;
const policy = (effect: 'Allow' | 'Deny', action: string | string[], resource = '*'): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: effect, Action: action, Resource: resource }],
  });

let server: TestServer;
before(async () => {
  server = await startIamd();
});
after(async () => {
  await server.stop();
});

test('account alias: create, list, duplicate, delete, not found', async () => {
  const iam = server.iam();
  await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'my-corp' }));
  assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, ['my-corp']);
  // An account has at most one alias (IAM User Guide, "Your AWS account ID and its alias"): creating its
  // own alias again succeeds, and a new alias replaces the old one.
  await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'my-corp' }));
  await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'my-corp-2' }));
  assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, ['my-corp-2']);
  await expectClientError(
    iam.send(new DeleteAccountAliasCommand({ AccountAlias: 'my-corp' })),
    'NoSuchEntityException',
    404,
    'The account alias my-corp cannot be found.',
  );
  // Model: accountAliasType pattern ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$.
  await expectClientError(
    iam.send(new CreateAccountAliasCommand({ AccountAlias: 'Bad_Alias' })),
    'ValidationError',
    400,
    "1 validation error detected: Value at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
  );
  await iam.send(new DeleteAccountAliasCommand({ AccountAlias: 'my-corp-2' }));
  assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, []);
});

test('GetAccountSummary counts entities and reports quotas', async () => {
  const iam = server.iam();
  const before1 = (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap!;
  await iam.send(new CreateUserCommand({ UserName: 'summary-user' }));
  await iam.send(new CreateGroupCommand({ GroupName: 'summary-group' }));
  const after1 = (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap!;
  assert.equal(after1.Users, (before1.Users ?? 0) + 1);
  assert.equal(after1.Groups, (before1.Groups ?? 0) + 1);
  // Default quotas (IAM User Guide, "IAM and AWS STS quotas"): 5000 users, 300 groups, 1000 roles.
  assert.equal(after1.UsersQuota, 5000);
  assert.equal(after1.GroupsQuota, 300);
  assert.equal(after1.RolesQuota, 1000);
  assert.equal(after1.AccessKeysPerUserQuota, 2);
  assert.equal(after1.PolicyVersionsInUseQuota, 10000);
});

test('GetAccountAuthorizationDetails lists users, groups, roles and policies with their documents', async () => {
  const iam = server.iam();
  await iam.send(new CreateUserCommand({ UserName: 'gaad-user' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'gaad-user',
      PolicyName: 'inl',
      PolicyDocument: policy('Allow', 's3:*'),
    }),
  );
  await iam.send(new AddUserToGroupCommand({ GroupName: 'summary-group', UserName: 'gaad-user' }));
  await iam.send(
    new CreatePolicyCommand({ PolicyName: 'gaad-pol', PolicyDocument: policy('Allow', 'sqs:*') }),
  );
  await iam.send(
    new AttachUserPolicyCommand({ UserName: 'gaad-user', PolicyArn: `arn:aws:iam::${A}:policy/gaad-pol` }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'gaad-role',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
  const out = await iam.send(new GetAccountAuthorizationDetailsCommand({}));
  const user = out.UserDetailList!.find((u) => u.UserName === 'gaad-user')!;
  assert.equal(user.Arn, `arn:aws:iam::${A}:user/gaad-user`);
  assert.deepEqual(user.GroupList, ['summary-group']);
  assert.deepEqual(
    user.UserPolicyList!.map((p) => p.PolicyName),
    ['inl'],
  );
  assert.deepEqual(
    JSON.parse(decodeURIComponent(user.UserPolicyList![0]!.PolicyDocument!)),
    JSON.parse(policy('Allow', 's3:*')),
  );
  assert.deepEqual(user.AttachedManagedPolicies, [
    { PolicyName: 'gaad-pol', PolicyArn: `arn:aws:iam::${A}:policy/gaad-pol` },
  ]);
  assert.ok(out.GroupDetailList!.some((g) => g.GroupName === 'summary-group'));
  const role = out.RoleDetailList!.find((r) => r.RoleName === 'gaad-role')!;
  assert.ok(role.AssumeRolePolicyDocument);
  const pol = out.Policies!.find((p) => p.PolicyName === 'gaad-pol')!;
  assert.equal(pol.AttachmentCount, 1);
  assert.equal(pol.PolicyVersionList!.length, 1);
  assert.equal(pol.PolicyVersionList![0]!.IsDefaultVersion, true);

  // Filter: only roles.
  const rolesOnly = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'] }));
  assert.deepEqual(rolesOnly.UserDetailList, []);
  assert.ok(rolesOnly.RoleDetailList!.some((r) => r.RoleName === 'gaad-role'));
  // Pagination.
  const page = await iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1 }));
  assert.equal(page.IsTruncated, true);
  assert.ok(page.Marker);
});

/** Creates an IAM user with an access key and returns its credentials. */
async function userWithKey(name: string): Promise<Creds> {
  const iam = server.iam();
  await iam.send(new CreateUserCommand({ UserName: name }));
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
}

test('a user with no policies is denied every IAM call with AWS message; GetCallerIdentity still works', async () => {
  const creds = await userWithKey('x');
  const x = server.iam(creds);
  const who = await server.sts(creds).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, `arn:aws:iam::${A}:user/x`);
  // aws-errors.md §1 (aws/aws-cdk#27067): `… because no identity-based policy allows the <action> action`.
  await expectClientError(
    x.send(new ListUsersCommand({})),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${A}:user/x is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${A}:user/ because no identity-based policy allows the iam:ListUsers action`,
  );
  await expectClientError(
    x.send(new GetRoleCommand({ RoleName: 'gaad-role' })),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${A}:user/x is not authorized to perform: iam:GetRole on resource: arn:aws:iam::${A}:role/gaad-role because no identity-based policy allows the iam:GetRole action`,
  );
  await expectClientError(
    x.send(new CreateUserCommand({ UserName: 'y' })),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${A}:user/x is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${A}:user/y because no identity-based policy allows the iam:CreateUser action`,
  );
  // List calls name the listed path; ListPolicies names "policy path /" (real AccessDenied texts, e.g.
  // "… iam:ListRoles on resource: arn:aws:iam::ACCOUNT:role/ because …", "… iam:ListPolicies on
  // resource: policy path / because …").
  await expectClientError(
    x.send(new ListRolesCommand({ PathPrefix: '/svc/' })),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${A}:user/x is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::${A}:role/svc/ because no identity-based policy allows the iam:ListRoles action`,
  );
  await expectClientError(
    x.send(new ListPoliciesCommand({})),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${A}:user/x is not authorized to perform: iam:ListPolicies on resource: policy path / because no identity-based policy allows the iam:ListPolicies action`,
  );
  // A denial must not depend on whether the target exists: IAM authorizes before it looks.
  await expectClientError(
    x.send(new GetUserCommand({ UserName: 'nobody' })),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${A}:user/x is not authorized to perform: iam:GetUser on resource: arn:aws:iam::${A}:user/nobody because no identity-based policy allows the iam:GetUser action`,
  );
});

test('an attached policy allows; an explicit deny wins; removing the deny restores access', async () => {
  const iam = server.iam();
  const creds = await userWithKey('allowed');
  const me = server.iam(creds);
  await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'iam-read',
      PolicyDocument: policy('Allow', ['iam:Get*', 'iam:List*']),
    }),
  );
  const arn = `arn:aws:iam::${A}:policy/iam-read`;
  await iam.send(new AttachUserPolicyCommand({ UserName: 'allowed', PolicyArn: arn }));
  const users = await me.send(new ListUsersCommand({}));
  assert.ok(users.Users!.some((u) => u.UserName === 'allowed'));
  assert.equal((await me.send(new GetRoleCommand({ RoleName: 'gaad-role' }))).Role!.RoleName, 'gaad-role');
  // Not covered by the allow: still the implicit-deny message.
  await expectClientError(
    me.send(new CreateUserCommand({ UserName: 'z' })),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${A}:user/allowed is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${A}:user/z because no identity-based policy allows the iam:CreateUser action`,
  );
  // Explicit deny in an inline policy (IAM User Guide, "Troubleshoot access denied": "with an explicit
  // deny in an identity-based policy").
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'allowed',
      PolicyName: 'no-roles',
      PolicyDocument: policy('Deny', 'iam:GetRole', `arn:aws:iam::${A}:role/*`),
    }),
  );
  await expectClientError(
    me.send(new GetRoleCommand({ RoleName: 'gaad-role' })),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${A}:user/allowed is not authorized to perform: iam:GetRole on resource: arn:aws:iam::${A}:role/gaad-role with an explicit deny in an identity-based policy`,
  );
  // Other allowed calls are unaffected by the deny.
  assert.ok((await me.send(new ListUsersCommand({}))).Users);
  await iam.send(new DeleteUserPolicyCommand({ UserName: 'allowed', PolicyName: 'no-roles' }));
  assert.equal((await me.send(new GetRoleCommand({ RoleName: 'gaad-role' }))).Role!.RoleName, 'gaad-role');
  // Group policies apply to members too (IAM User Guide, "IAM user groups").
  await iam.send(new CreateGroupCommand({ GroupName: 'deniers' }));
  await iam.send(
    new PutGroupPolicyCommand({
      GroupName: 'deniers',
      PolicyName: 'deny-list',
      PolicyDocument: policy('Deny', 'iam:ListUsers'),
    }),
  );
  await iam.send(new AddUserToGroupCommand({ GroupName: 'deniers', UserName: 'allowed' }));
  await expectClientError(
    me.send(new ListUsersCommand({})),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${A}:user/allowed is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${A}:user/ with an explicit deny in an identity-based policy`,
  );
  await iam.send(new DetachUserPolicyCommand({ UserName: 'allowed', PolicyArn: arn }));
  await expectClientError(
    me.send(new GetRoleCommand({ RoleName: 'gaad-role' })),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${A}:user/allowed is not authorized to perform: iam:GetRole on resource: arn:aws:iam::${A}:role/gaad-role because no identity-based policy allows the iam:GetRole action`,
  );
});

test('a permissions boundary limits what the identity policy allows', async () => {
  const iam = server.iam();
  const creds = await userWithKey('bounded');
  const me = server.iam(creds);
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'bounded',
      PolicyName: 'all-iam',
      PolicyDocument: policy('Allow', 'iam:*'),
    }),
  );
  await iam.send(
    new CreatePolicyCommand({ PolicyName: 'only-get-user', PolicyDocument: policy('Allow', 'iam:GetUser') }),
  );
  await iam.send(
    new PutUserPermissionsBoundaryCommand({
      UserName: 'bounded',
      PermissionsBoundary: `arn:aws:iam::${A}:policy/only-get-user`,
    }),
  );
  // Within both the identity policy and the boundary: allowed.
  assert.equal((await me.send(new GetUserCommand({ UserName: 'bounded' }))).User!.UserName, 'bounded');
  // Allowed by the identity policy but outside the boundary (IAM User Guide, "Troubleshoot access
  // denied": "because no permissions boundary allows the … action").
  await expectClientError(
    me.send(new ListUsersCommand({})),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${A}:user/bounded is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${A}:user/ because no permissions boundary allows the iam:ListUsers action`,
  );
  await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'bounded' }));
  assert.ok((await me.send(new ListUsersCommand({}))).Users);
});

test('ListUsers is authorized on the listed path: a path-scoped allow covers only that PathPrefix', async () => {
  const iam = server.iam();
  const creds = await userWithKey('path-lister');
  const me = server.iam(creds);
  await iam.send(new CreateUserCommand({ UserName: 'in-eng', Path: '/eng/' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'path-lister',
      PolicyName: 'eng-only',
      PolicyDocument: policy('Allow', 'iam:ListUsers', `arn:aws:iam::${A}:user/eng/*`),
    }),
  );
  const listed = await me.send(new ListUsersCommand({ PathPrefix: '/eng/' }));
  assert.deepEqual(
    listed.Users!.map((u) => u.UserName),
    ['in-eng'],
  );
  await expectClientError(
    me.send(new ListUsersCommand({})),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${A}:user/path-lister is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${A}:user/ because no identity-based policy allows the iam:ListUsers action`,
  );
});
