// Inline policies, attached policies, permissions boundaries, instance profiles and
// GetAccountAuthorizationDetails. Expected shapes and messages: shared/reference/localstack-snapshots/
// pr-13720/iam/test_iam_roles, test_iam_instance_profiles, test_iam_account_authorization_details
// snapshots, and shared/reference/aws-errors.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Operation } from '../../src/api/operation.js';
import { attachedPolicyOperations } from '../../src/iam/attached-policies.js';
import { inlinePolicyOperations } from '../../src/iam/inline-policies.js';
import { permissionsBoundaryOperations } from '../../src/iam/permissions-boundaries.js';
import { instanceProfileOperations } from '../../src/iam/instance-profiles.js';
import { getAccountAuthorizationDetails } from '../../src/iam/authorization-details.js';
import { createPolicy, getPolicy } from '../../src/iam/managed-policies.js';
import { createRole, deleteRole, getRole } from '../../src/iam/roles.js';
import type { UserBody } from '../../src/domain/entities.js';
import { ACCOUNT, EC2_TRUST, S3_LIST, assertAwsError, makeHarness } from './harness-access.js';

const all: readonly Operation[] = [
  ...attachedPolicyOperations,
  ...inlinePolicyOperations,
  ...permissionsBoundaryOperations,
  ...instanceProfileOperations,
];
const op = (name: string): Operation => {
  const found = all.find((o) => o.name === name);
  assert.ok(found, name);
  return found;
};

test('inline role policies: put, get (URL-encoded), list, delete, errors', async () => {
  const h = await makeHarness();
  await h.call(createRole, { RoleName: 'r', AssumeRolePolicyDocument: EC2_TRUST });
  await h.call(op('PutRolePolicy'), { RoleName: 'r', PolicyName: 'p2', PolicyDocument: S3_LIST });
  await h.call(op('PutRolePolicy'), { RoleName: 'r', PolicyName: 'p1', PolicyDocument: S3_LIST });
  const got = await h.call(op('GetRolePolicy'), { RoleName: 'r', PolicyName: 'p1' });
  assert.deepEqual(got, { RoleName: 'r', PolicyName: 'p1', PolicyDocument: encodeURIComponent(S3_LIST) });
  const listed = await h.call(op('ListRolePolicies'), { RoleName: 'r' });
  assert.deepEqual(listed, { PolicyNames: ['p1', 'p2'], IsTruncated: false });
  assertAwsError(
    await h.fail(deleteRole, { RoleName: 'r' }),
    'DeleteConflict',
    'Cannot delete entity, must delete policies first.',
  );
  await h.call(op('DeleteRolePolicy'), { RoleName: 'r', PolicyName: 'p1' });
  assertAwsError(
    await h.fail(op('GetRolePolicy'), { RoleName: 'r', PolicyName: 'p1' }),
    'NoSuchEntity',
    'The role policy with name p1 cannot be found.',
  );
  assertAwsError(
    await h.fail(op('PutRolePolicy'), {
      RoleName: 'nonexistent-role',
      PolicyName: 'x',
      PolicyDocument: S3_LIST,
    }),
    'NoSuchEntity',
    'The role with name nonexistent-role cannot be found.',
  );
  await h.close();
});

test('inline user policies: aggregate 2048-character quota with AWS text', async () => {
  const h = await makeHarness();
  await h.addUser('alice');
  const actions = Array.from({ length: 70 }, (_, i) => `s3:Action${i}`);
  const doc = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
  });
  await h.call(op('PutUserPolicy'), { UserName: 'alice', PolicyName: 'one', PolicyDocument: doc });
  assertAwsError(
    await h.fail(op('PutUserPolicy'), { UserName: 'alice', PolicyName: 'two', PolicyDocument: doc }),
    'LimitExceeded',
    'Maximum policy size of 2048 bytes exceeded for user alice',
  );
  // Replacing the same policy does not count it twice.
  await h.call(op('PutUserPolicy'), { UserName: 'alice', PolicyName: 'one', PolicyDocument: doc });
  assertAwsError(
    await h.fail(op('GetUserPolicy'), { UserName: 'alice', PolicyName: 'constructor' }),
    'NoSuchEntity',
    'The user policy with name constructor cannot be found.',
  );
  await h.close();
});

test('attach / detach / list attached; quota of 10; errors as recorded', async () => {
  const h = await makeHarness();
  await h.call(createRole, { RoleName: 'r', AssumeRolePolicyDocument: EC2_TRUST });
  const arns: string[] = [];
  for (let i = 0; i < 11; i++) {
    await h.call(createPolicy, {
      PolicyName: `p${i}`,
      PolicyDocument: S3_LIST,
      Path: i === 0 ? '/team/' : '/',
    });
    arns.push(`arn:aws:iam::${ACCOUNT}:policy/${i === 0 ? 'team/' : ''}p${i}`);
  }
  for (const arn of arns.slice(0, 10))
    await h.call(op('AttachRolePolicy'), { RoleName: 'r', PolicyArn: arn });
  assert.deepEqual(h.authorized.at(-1)?.context?.['iam:PolicyARN'], arns[9]);
  assertAwsError(
    await h.fail(op('AttachRolePolicy'), { RoleName: 'r', PolicyArn: arns[10] }),
    'LimitExceeded',
    'Cannot exceed quota for PoliciesPerRole: 10',
  );
  const listed = (await h.call(op('ListAttachedRolePolicies'), {
    RoleName: 'r',
    PathPrefix: '/team/',
  })) as Record<string, unknown>;
  assert.deepEqual(listed, {
    AttachedPolicies: [{ PolicyName: 'p0', PolicyArn: arns[0] }],
    IsTruncated: false,
  });
  const p0 = (await h.call(getPolicy, { PolicyArn: arns[0] })) as { Policy: Record<string, unknown> };
  assert.equal(p0.Policy.AttachmentCount, 1);
  assertAwsError(
    await h.fail(deleteRole, { RoleName: 'r' }),
    'DeleteConflict',
    'Cannot delete entity, must detach all policies first.',
  );
  await h.call(op('DetachRolePolicy'), { RoleName: 'r', PolicyArn: arns[0] });
  const p0After = (await h.call(getPolicy, { PolicyArn: arns[0] })) as { Policy: Record<string, unknown> };
  assert.equal(p0After.Policy.AttachmentCount, 0);
  assertAwsError(
    await h.fail(op('DetachRolePolicy'), { RoleName: 'r', PolicyArn: arns[0] }),
    'NoSuchEntity',
    `Policy ${arns[0]} was not found.`,
  );
  assertAwsError(
    await h.fail(op('AttachRolePolicy'), { RoleName: 'r', PolicyArn: 'longpolicynamebutnoarn' }),
    'ValidationError',
    'ARN longpolicynamebutnoarn is not valid.',
  );
  const missing = `arn:aws:iam::${ACCOUNT}:policy/nonexistent-policy`;
  assertAwsError(
    await h.fail(op('AttachRolePolicy'), { RoleName: 'r', PolicyArn: missing }),
    'NoSuchEntity',
    `Policy ${missing} does not exist or is not attachable.`,
  );
  await h.close();
});

test('user permissions boundary: put, replace, delete keep usage counts', async () => {
  const h = await makeHarness();
  await h.addUser('bob');
  await h.call(createPolicy, { PolicyName: 'b1', PolicyDocument: S3_LIST });
  await h.call(createPolicy, { PolicyName: 'b2', PolicyDocument: S3_LIST });
  const b1 = `arn:aws:iam::${ACCOUNT}:policy/b1`;
  const b2 = `arn:aws:iam::${ACCOUNT}:policy/b2`;
  const count = async (arn: string): Promise<unknown> =>
    ((await h.call(getPolicy, { PolicyArn: arn })) as { Policy: Record<string, unknown> }).Policy
      .PermissionsBoundaryUsageCount;
  await h.call(op('PutUserPermissionsBoundary'), { UserName: 'bob', PermissionsBoundary: b1 });
  assert.equal(h.authorized.at(-1)?.context?.['iam:PermissionsBoundary'], b1);
  assert.equal(await count(b1), 1);
  await h.call(op('PutUserPermissionsBoundary'), { UserName: 'bob', PermissionsBoundary: b2 });
  assert.equal(await count(b1), 0);
  assert.equal(await count(b2), 1);
  const user = await h.store.get<UserBody>(ACCOUNT, 'user', 'bob');
  assert.equal(user?.body.permissionsBoundary, b2);
  await h.call(op('DeleteUserPermissionsBoundary'), { UserName: 'bob' });
  assert.equal(await count(b2), 0);
  const bad = `arn:aws:iam::${ACCOUNT}:not_a_policy/invalid`;
  assertAwsError(
    await h.fail(op('PutUserPermissionsBoundary'), { UserName: 'bob', PermissionsBoundary: bad }),
    'InvalidInput',
    `ARN ${bad} is not valid.`,
  );
  await h.call(createRole, { RoleName: 'r', AssumeRolePolicyDocument: EC2_TRUST });
  await h.call(op('PutRolePermissionsBoundary'), {
    RoleName: 'r',
    PermissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
  });
  const role = (await h.call(getRole, { RoleName: 'r' })) as { Role: Record<string, unknown> };
  assert.deepEqual(role.Role.PermissionsBoundary, {
    PermissionsBoundaryType: 'Policy',
    PermissionsBoundaryArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
  });
  await h.close();
});

test('instance profiles: lifecycle, one role, PassRole, errors as recorded', async () => {
  const h = await makeHarness();
  const created = (await h.call(op('CreateInstanceProfile'), { InstanceProfileName: 'ip', Path: '/x/' })) as {
    InstanceProfile: Record<string, unknown>;
  };
  assert.match(created.InstanceProfile.InstanceProfileId as string, /^AIPA[A-Z2-7]{17}$/);
  assert.deepEqual(created.InstanceProfile.Roles, []);
  assert.equal('Tags' in created.InstanceProfile, false);
  await h.call(createRole, { RoleName: 'r1', AssumeRolePolicyDocument: EC2_TRUST });
  await h.call(createRole, { RoleName: 'r2', AssumeRolePolicyDocument: EC2_TRUST });
  await h.call(op('AddRoleToInstanceProfile'), { InstanceProfileName: 'ip', RoleName: 'r1' });
  assert.equal(h.authorized.at(-1)?.action, 'iam:PassRole');
  assertAwsError(
    await h.fail(op('AddRoleToInstanceProfile'), { InstanceProfileName: 'ip', RoleName: 'r2' }),
    'LimitExceeded',
    'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1',
  );
  const got = (await h.call(op('GetInstanceProfile'), { InstanceProfileName: 'ip' })) as {
    InstanceProfile: Record<string, unknown>;
  };
  assert.deepEqual(got.InstanceProfile.Tags, []);
  const roles = got.InstanceProfile.Roles as Record<string, unknown>[];
  assert.deepEqual(Object.keys(roles[0] ?? {}).sort(), [
    'Arn',
    'AssumeRolePolicyDocument',
    'CreateDate',
    'Path',
    'RoleId',
    'RoleName',
  ]);
  const forRole = (await h.call(op('ListInstanceProfilesForRole'), { RoleName: 'r1' })) as Record<
    string,
    unknown[]
  >;
  assert.equal(forRole.InstanceProfiles?.length, 1);
  assertAwsError(
    await h.fail(deleteRole, { RoleName: 'r1' }),
    'DeleteConflict',
    'Cannot delete entity, must remove roles from instance profile first.',
  );
  assertAwsError(
    await h.fail(op('DeleteInstanceProfile'), { InstanceProfileName: 'ip' }),
    'DeleteConflict',
    'Cannot delete entity, must remove roles from instance profile first.',
  );
  assertAwsError(
    await h.fail(op('RemoveRoleFromInstanceProfile'), { InstanceProfileName: 'ip', RoleName: 'r2' }),
    'NoSuchEntity',
    'Role r2 in Instance Profile ip cannot be found.',
  );
  await h.call(op('RemoveRoleFromInstanceProfile'), { InstanceProfileName: 'ip', RoleName: 'r1' });
  await h.call(op('TagInstanceProfile'), { InstanceProfileName: 'ip', Tags: [{ Key: 'MyKey', Value: 'v' }] });
  const tags = await h.call(op('ListInstanceProfileTags'), { InstanceProfileName: 'ip' });
  assert.deepEqual(tags, { Tags: [{ Key: 'MyKey', Value: 'v' }], IsTruncated: false });
  await h.call(op('UntagInstanceProfile'), { InstanceProfileName: 'ip', TagKeys: ['mykey'] });
  await h.call(op('DeleteInstanceProfile'), { InstanceProfileName: 'ip' });
  assertAwsError(
    await h.fail(op('GetInstanceProfile'), { InstanceProfileName: 'ip' }),
    'NoSuchEntity',
    'Instance Profile ip cannot be found.',
  );
  await h.call(op('CreateInstanceProfile'), { InstanceProfileName: 'dup' });
  assertAwsError(
    await h.fail(op('CreateInstanceProfile'), { InstanceProfileName: 'DUP' }),
    'EntityAlreadyExists',
    'Instance Profile DUP already exists.',
  );
  await h.close();
});

test('GetAccountAuthorizationDetails: filters, shapes, AWS policies only when used', async () => {
  const h = await makeHarness();
  await h.addUser('u');
  await h.addGroup('g');
  await h.call(createRole, { RoleName: 'r', Path: '/my-path/', AssumeRolePolicyDocument: EC2_TRUST });
  await h.call(createPolicy, { PolicyName: 'p', PolicyDocument: S3_LIST });
  const arn = `arn:aws:iam::${ACCOUNT}:policy/p`;
  await h.call(op('AttachRolePolicy'), { RoleName: 'r', PolicyArn: arn });
  await h.call(op('AttachUserPolicy'), {
    UserName: 'u',
    PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
  });
  await h.call(op('PutRolePolicy'), { RoleName: 'r', PolicyName: 'inline', PolicyDocument: S3_LIST });
  await h.call(op('CreateInstanceProfile'), { InstanceProfileName: 'ip' });
  await h.call(op('AddRoleToInstanceProfile'), { InstanceProfileName: 'ip', RoleName: 'r' });

  const roleOnly = (await h.call(getAccountAuthorizationDetails, { Filter: ['Role'] })) as Record<
    string,
    Record<string, unknown>[]
  >;
  assert.deepEqual(roleOnly.UserDetailList, []);
  assert.deepEqual(roleOnly.Policies, []);
  const role = roleOnly.RoleDetailList?.[0];
  assert.ok(role);
  assert.deepEqual(role.AttachedManagedPolicies, [{ PolicyName: 'p', PolicyArn: arn }]);
  assert.deepEqual(role.RolePolicyList, [
    { PolicyName: 'inline', PolicyDocument: encodeURIComponent(S3_LIST) },
  ]);
  assert.equal((role.InstanceProfileList as unknown[]).length, 1);
  assert.deepEqual(role.Tags, []);
  assert.deepEqual(role.RoleLastUsed, {});

  const everything = (await h.call(getAccountAuthorizationDetails, {})) as Record<
    string,
    Record<string, unknown>[]
  >;
  const user = everything.UserDetailList?.[0];
  assert.ok(user);
  assert.equal('UserPolicyList' in user, false);
  assert.deepEqual(user.Tags, []);
  assert.deepEqual(everything.GroupDetailList?.[0]?.GroupPolicyList, []);
  assert.deepEqual(
    everything.Policies?.map((p) => [p.PolicyName, p.AttachmentCount]),
    [
      ['p', 1],
      ['AmazonS3FullAccess', 1],
    ],
  );
  const local = everything.Policies?.[0]?.PolicyVersionList as Record<string, unknown>[];
  assert.deepEqual(
    local.map((v) => [v.VersionId, v.IsDefaultVersion]),
    [['v1', true]],
  );

  const paged = (await h.call(getAccountAuthorizationDetails, { MaxItems: 2 })) as Record<string, unknown>;
  assert.equal(paged.IsTruncated, true);
  const rest = (await h.call(getAccountAuthorizationDetails, {
    MaxItems: 100,
    Marker: paged.Marker,
  })) as Record<string, unknown[]>;
  assert.equal(rest.Policies?.length, 2);
  await h.close();
});
