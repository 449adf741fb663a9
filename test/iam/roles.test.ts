// Role handlers. Expected shapes and messages: shared/reference/localstack-snapshots/pr-13720/iam/
// test_iam_roles.snapshot.json and shared/reference/aws-errors.md (IAM NoSuchEntity / DeleteConflict rows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createRole,
  deleteRole,
  getRole,
  listRoles,
  listRoleTags,
  tagRole,
  untagRole,
  updateAssumeRolePolicy,
  updateRole,
  updateRoleDescription,
} from '../../src/iam/roles.js';
import { createPolicy, getPolicy } from '../../src/iam/managed-policies.js';
import { ACCOUNT, EC2_TRUST, S3_LIST, assertAwsError, makeHarness } from './harness-access.js';

test('CreateRole / GetRole / ListRoles shapes follow the recorded answers', async () => {
  const h = await makeHarness();
  const created = (await h.call(createRole, {
    RoleName: 'app',
    Path: '/svc/',
    AssumeRolePolicyDocument: EC2_TRUST,
    Tags: [{ Key: 'team', Value: 'a' }],
  })) as { Role: Record<string, unknown> };
  const role = created.Role;
  assert.equal(role.Arn, `arn:aws:iam::${ACCOUNT}:role/svc/app`);
  assert.match(role.RoleId as string, /^AROA[A-Z2-7]{17}$/);
  assert.equal(role.AssumeRolePolicyDocument, encodeURIComponent(EC2_TRUST));
  assert.deepEqual(role.Tags, [{ Key: 'team', Value: 'a' }]);
  // test_create_role_defaults: CreateRole has no MaxSessionDuration / RoleLastUsed.
  assert.equal('MaxSessionDuration' in role, false);
  assert.equal('RoleLastUsed' in role, false);
  const request = h.authorized.at(-1);
  assert.equal(request?.action, 'iam:CreateRole');
  assert.equal(request.resource, `arn:aws:iam::${ACCOUNT}:role/svc/app`);
  assert.deepEqual({ ...request.context }, { 'aws:RequestTag/team': 'a', 'aws:TagKeys': ['team'] });

  const got = ((await h.call(getRole, { RoleName: 'APP' })) as { Role: Record<string, unknown> }).Role;
  assert.equal(got.MaxSessionDuration, 3600);
  assert.deepEqual(got.RoleLastUsed, {});
  assert.equal(got.RoleName, 'app');

  const listed = (await h.call(listRoles, { PathPrefix: '/svc/' })) as { Roles: Record<string, unknown>[] };
  assert.equal(listed.Roles.length, 1);
  assert.equal(listed.Roles[0]?.MaxSessionDuration, 3600);
  assert.equal('Tags' in (listed.Roles[0] ?? {}), false);
  assert.deepEqual(((await h.call(listRoles, { PathPrefix: '/other/' })) as { Roles: unknown[] }).Roles, []);
  await h.close();
});

test('CreateRole errors: duplicate name, duplicate tag keys, bad and unknown boundary', async () => {
  const h = await makeHarness();
  await h.call(createRole, { RoleName: 'r1', AssumeRolePolicyDocument: EC2_TRUST });
  assertAwsError(
    await h.fail(createRole, { RoleName: 'R1', AssumeRolePolicyDocument: EC2_TRUST }),
    'EntityAlreadyExists',
    'Role with name R1 already exists.',
  );
  assertAwsError(
    await h.fail(createRole, {
      RoleName: 'r2',
      AssumeRolePolicyDocument: EC2_TRUST,
      Tags: [
        { Key: 'a', Value: '1' },
        { Key: 'A', Value: '2' },
      ],
    }),
    'InvalidInput',
    'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
  );
  const bad = `arn:aws:iam::${ACCOUNT}:not_a_policy/invalid`;
  assertAwsError(
    await h.fail(createRole, {
      RoleName: 'r3',
      AssumeRolePolicyDocument: EC2_TRUST,
      PermissionsBoundary: bad,
    }),
    'InvalidInput',
    `ARN ${bad} is not valid.`,
  );
  const missing = `arn:aws:iam::${ACCOUNT}:policy/nonexistent-policy`;
  assertAwsError(
    await h.fail(createRole, {
      RoleName: 'r3',
      AssumeRolePolicyDocument: EC2_TRUST,
      PermissionsBoundary: missing,
    }),
    'NoSuchEntity',
    `Scope ARN: ${missing} does not exist or is not attachable.`,
  );
  await h.close();
});

test('CreateRole rejects a trust policy without Principal and one over 2048 characters', async () => {
  const h = await makeHarness();
  const noPrincipal = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }],
  });
  const e = await h.fail(createRole, { RoleName: 'r', AssumeRolePolicyDocument: noPrincipal });
  assert.equal(e.code, 'MalformedPolicyDocument');
  const big = JSON.stringify({
    Version: '2012-10-17',
    Statement: Array.from({ length: 40 }, (_, i) => ({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/someone-with-a-long-name-${i}` },
      Action: 'sts:AssumeRole',
    })),
  });
  assertAwsError(
    await h.fail(createRole, { RoleName: 'r', AssumeRolePolicyDocument: big }),
    'LimitExceeded',
    'Cannot exceed quota for ACLSizePerRole: 2048',
  );
  // Recorded UpdateAssumeRolePolicy `invalid-json-error`.
  await h.call(createRole, { RoleName: 'ok', AssumeRolePolicyDocument: EC2_TRUST });
  assertAwsError(
    await h.fail(updateAssumeRolePolicy, { RoleName: 'ok', PolicyDocument: '{"Version":' }),
    'MalformedPolicyDocument',
    'This policy contains invalid Json',
  );
  await h.close();
});

test('a role boundary counts as usage of the policy and is shown by GetRole', async () => {
  const h = await makeHarness();
  const p = (await h.call(createPolicy, { PolicyName: 'b', PolicyDocument: S3_LIST })) as {
    Policy: { Arn: string };
  };
  const created = (await h.call(createRole, {
    RoleName: 'r',
    AssumeRolePolicyDocument: EC2_TRUST,
    PermissionsBoundary: p.Policy.Arn,
  })) as { Role: Record<string, unknown> };
  assert.deepEqual(created.Role.PermissionsBoundary, {
    PermissionsBoundaryType: 'Policy',
    PermissionsBoundaryArn: p.Policy.Arn,
  });
  const pol = (await h.call(getPolicy, { PolicyArn: p.Policy.Arn })) as { Policy: Record<string, unknown> };
  assert.equal(pol.Policy.PermissionsBoundaryUsageCount, 1);
  await h.call(deleteRole, { RoleName: 'r' });
  const after = (await h.call(getPolicy, { PolicyArn: p.Policy.Arn })) as { Policy: Record<string, unknown> };
  assert.equal(after.Policy.PermissionsBoundaryUsageCount, 0);
  await h.close();
});

test('UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy', async () => {
  const h = await makeHarness();
  await h.call(createRole, { RoleName: 'r', AssumeRolePolicyDocument: EC2_TRUST, Description: 'initial' });
  assert.deepEqual(
    await h.call(updateRole, { RoleName: 'r', MaxSessionDuration: 7200, Description: 'updated' }),
    {},
  );
  let got = ((await h.call(getRole, { RoleName: 'r' })) as { Role: Record<string, unknown> }).Role;
  assert.equal(got.MaxSessionDuration, 7200);
  assert.equal(got.Description, 'updated');
  const described = (await h.call(updateRoleDescription, { RoleName: 'r', Description: 'via desc' })) as {
    Role: Record<string, unknown>;
  };
  assert.equal(described.Role.Description, 'via desc');
  assert.equal('MaxSessionDuration' in described.Role, false);
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  });
  await h.call(updateAssumeRolePolicy, { RoleName: 'r', PolicyDocument: trust });
  got = ((await h.call(getRole, { RoleName: 'r' })) as { Role: Record<string, unknown> }).Role;
  assert.equal(got.AssumeRolePolicyDocument, encodeURIComponent(trust));
  assertAwsError(
    await h.fail(updateRole, { RoleName: 'test-nonexistent-role' }),
    'NoSuchEntity',
    'The role with name test-nonexistent-role cannot be found.',
  );
  await h.close();
});

test('role tags: tag, replace value, untag case-insensitively, list with pagination', async () => {
  const h = await makeHarness();
  await h.call(createRole, { RoleName: 'r', AssumeRolePolicyDocument: EC2_TRUST });
  await h.call(tagRole, {
    RoleName: 'r',
    Tags: [
      { Key: 'somekey', Value: 'v1' },
      { Key: 'other', Value: 'x' },
    ],
  });
  await h.call(tagRole, { RoleName: 'r', Tags: [{ Key: 'SomeKey', Value: 'v2' }] });
  const page1 = (await h.call(listRoleTags, { RoleName: 'r', MaxItems: 1 })) as Record<string, unknown>;
  // The updated tag keeps its place (issue #21: recorded TagRole order, src/iam/tagging.test.ts).
  assert.deepEqual(page1.Tags, [{ Key: 'SomeKey', Value: 'v2' }]);
  assert.equal(page1.IsTruncated, true);
  const page2 = (await h.call(listRoleTags, { RoleName: 'r', Marker: page1.Marker })) as Record<
    string,
    unknown
  >;
  assert.deepEqual(page2.Tags, [{ Key: 'other', Value: 'x' }]);
  await h.call(untagRole, { RoleName: 'r', TagKeys: ['OTHER'] });
  const all = (await h.call(listRoleTags, { RoleName: 'r' })) as Record<string, unknown>;
  assert.deepEqual(all.Tags, [{ Key: 'SomeKey', Value: 'v2' }]);
  assertAwsError(
    await h.fail(tagRole, { RoleName: 'test-nonexistent-role', Tags: [{ Key: 'a', Value: 'b' }] }),
    'NoSuchEntity',
    'The role with name test-nonexistent-role cannot be found.',
  );
  await h.close();
});

test('authorization happens before existence is revealed', async () => {
  const h = await makeHarness();
  h.denied.add('iam:GetRole');
  const e = await h.fail(getRole, { RoleName: 'missing' });
  assert.equal(e.code, 'AccessDenied');
  assert.equal(h.authorized.at(-1)?.resource, `arn:aws:iam::${ACCOUNT}:role/missing`);
  await h.close();
});
