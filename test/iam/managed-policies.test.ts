// Managed-policy handlers and the AWS managed catalog. Expected shapes and messages:
// shared/reference/localstack-snapshots/pr-13720/iam/test_iam_policies.snapshot.json,
// test_iam_managed_policies.snapshot.json and shared/reference/aws-errors.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createPolicy,
  createPolicyVersion,
  deletePolicy,
  deletePolicyVersion,
  getPolicy,
  getPolicyVersion,
  listEntitiesForPolicy,
  listPolicies,
  listPolicyTags,
  listPolicyVersions,
  setDefaultPolicyVersion,
  tagPolicy,
  untagPolicy,
} from '../../src/iam/managed-policies.js';
import { resolveManagedPolicyDocument } from '../../src/domain/managed-policies.js';
import { getAwsManagedPolicy, listAwsManagedPolicies } from '../../src/domain/aws-managed-catalog.js';
import { attachedPolicyOperations } from '../../src/iam/attached-policies.js';
import { createRole } from '../../src/iam/roles.js';
import { ACCOUNT, EC2_TRUST, S3_LIST, assertAwsError, makeHarness } from './harness-access.js';

const op = (name: string) => {
  const found = attachedPolicyOperations.find((o) => o.name === name);
  assert.ok(found);
  return found;
};

const doc = (action: string): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

test('CreatePolicy / GetPolicy shapes; duplicate name error', async () => {
  const h = await makeHarness();
  const created = (await h.call(createPolicy, {
    PolicyName: 'p',
    Path: '/test/path/',
    PolicyDocument: S3_LIST,
    Description: 'testing',
  })) as { Policy: Record<string, unknown> };
  const arn = `arn:aws:iam::${ACCOUNT}:policy/test/path/p`;
  assert.equal(created.Policy.Arn, arn);
  assert.equal(created.Policy.DefaultVersionId, 'v1');
  assert.equal(created.Policy.AttachmentCount, 0);
  assert.equal(created.Policy.IsAttachable, true);
  assert.match(created.Policy.PolicyId as string, /^ANPA[A-Z2-7]{17}$/);
  assert.equal('Tags' in created.Policy, false); // recorded create-policy-response: no Tags when none given
  const got = (await h.call(getPolicy, { PolicyArn: arn })) as { Policy: Record<string, unknown> };
  assert.deepEqual(got.Policy.Tags, []); // recorded get-policy-response: Tags: []
  assert.equal(got.Policy.Description, 'testing');
  assertAwsError(
    await h.fail(createPolicy, { PolicyName: 'P', PolicyDocument: S3_LIST }),
    'EntityAlreadyExists',
    'A policy called P already exists. Duplicate names are not allowed.',
  );
  await h.close();
});

test('CreatePolicy enforces the 6144-character quota without counting whitespace', async () => {
  const h = await makeHarness();
  const actions = Array.from({ length: 400 }, (_, i) => `s3:GetObjectNumber${i}`);
  const big = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
  });
  assertAwsError(
    await h.fail(createPolicy, { PolicyName: 'big', PolicyDocument: big }),
    'LimitExceeded',
    'Cannot exceed quota for PolicySize: 6144',
  );
  const padded = JSON.stringify(JSON.parse(S3_LIST), null, 2) + ' '.repeat(7000);
  await h.call(createPolicy, { PolicyName: 'padded', PolicyDocument: padded });
  await h.close();
});

test('policy versions: create, limit of five, default handling, delete rules', async () => {
  const h = await makeHarness();
  await h.call(createPolicy, { PolicyName: 'p', PolicyDocument: doc('s3:ListBucket') });
  const arn = `arn:aws:iam::${ACCOUNT}:policy/p`;
  const v2 = (await h.call(createPolicyVersion, {
    PolicyArn: arn,
    PolicyDocument: doc('s3:GetObject'),
    SetAsDefault: true,
  })) as { PolicyVersion: Record<string, unknown> };
  assert.deepEqual(
    { ...v2.PolicyVersion, CreateDate: 0 },
    { VersionId: 'v2', IsDefaultVersion: true, CreateDate: 0 },
  );
  for (let i = 3; i <= 5; i++)
    await h.call(createPolicyVersion, { PolicyArn: arn, PolicyDocument: doc('s3:PutObject') });
  assertAwsError(
    await h.fail(createPolicyVersion, { PolicyArn: arn, PolicyDocument: doc('s3:PutObject') }),
    'LimitExceeded',
    'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
  );
  const list = (await h.call(listPolicyVersions, { PolicyArn: arn })) as {
    Versions: Record<string, unknown>[];
  };
  assert.deepEqual(
    list.Versions.map((v) => [v.VersionId, v.IsDefaultVersion]),
    [
      ['v5', false],
      ['v4', false],
      ['v3', false],
      ['v2', true],
      ['v1', false],
    ],
  );
  const got = (await h.call(getPolicyVersion, { PolicyArn: arn, VersionId: 'v2' })) as {
    PolicyVersion: Record<string, unknown>;
  };
  assert.equal(got.PolicyVersion.Document, encodeURIComponent(doc('s3:GetObject')));
  assertAwsError(
    await h.fail(getPolicyVersion, { PolicyArn: arn, VersionId: 'v9' }),
    'NoSuchEntity',
    `Policy ${arn} version v9 does not exist or is not attachable.`,
  );
  assertAwsError(
    await h.fail(deletePolicyVersion, { PolicyArn: arn, VersionId: 'v2' }),
    'DeleteConflict',
    'Cannot delete the default version of a policy.',
  );
  await h.call(deletePolicyVersion, { PolicyArn: arn, VersionId: 'v5' });
  const v6 = (await h.call(createPolicyVersion, { PolicyArn: arn, PolicyDocument: doc('s3:PutObject') })) as {
    PolicyVersion: Record<string, unknown>;
  };
  assert.equal(v6.PolicyVersion.VersionId, 'v6'); // recorded create-version-after-delete: ids are never reused
  await h.call(setDefaultPolicyVersion, { PolicyArn: arn, VersionId: 'v1' });
  assert.equal(await resolveManagedPolicyDocument(h.store, arn), doc('s3:ListBucket'));
  assertAwsError(
    await h.fail(deletePolicy, { PolicyArn: arn }),
    'DeleteConflict',
    "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
  );
  for (const v of ['v2', 'v3', 'v4', 'v6'])
    await h.call(deletePolicyVersion, { PolicyArn: arn, VersionId: v });
  await h.call(deletePolicy, { PolicyArn: arn });
  assertAwsError(await h.fail(getPolicy, { PolicyArn: arn }), 'NoSuchEntity', `Policy ${arn} was not found.`);
  await h.close();
});

test('DeletePolicy refuses attached policies and AWS managed ones', async () => {
  const h = await makeHarness();
  await h.call(createPolicy, { PolicyName: 'p', PolicyDocument: S3_LIST });
  await h.call(createRole, { RoleName: 'r', AssumeRolePolicyDocument: EC2_TRUST });
  const arn = `arn:aws:iam::${ACCOUNT}:policy/p`;
  await h.call(op('AttachRolePolicy'), { RoleName: 'r', PolicyArn: arn });
  assertAwsError(
    await h.fail(deletePolicy, { PolicyArn: arn }),
    'DeleteConflict',
    'Cannot delete a policy attached to entities.',
  );
  assertAwsError(
    await h.fail(deletePolicy, { PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }),
    'AccessDenied',
    'Cannot delete policies outside your own account.',
  );
  assertAwsError(
    await h.fail(setDefaultPolicyVersion, {
      PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      VersionId: 'v1',
    }),
    'AccessDenied',
    'Cannot update policies outside your own account.',
  );
  await h.close();
});

test('policy tags are case-sensitive; untag removes exact keys', async () => {
  const h = await makeHarness();
  await h.call(createPolicy, {
    PolicyName: 'p',
    PolicyDocument: S3_LIST,
    Tags: [
      { Key: 'a', Value: 'lowercase' },
      { Key: 'A', Value: 'uppercase' },
    ],
  });
  const arn = `arn:aws:iam::${ACCOUNT}:policy/p`;
  await h.call(tagPolicy, { PolicyArn: arn, Tags: [{ Key: 'a', Value: 'new' }] });
  await h.call(untagPolicy, { PolicyArn: arn, TagKeys: ['A'] });
  const tags = (await h.call(listPolicyTags, { PolicyArn: arn })) as { Tags: unknown[] };
  assert.deepEqual(tags.Tags, [{ Key: 'a', Value: 'new' }]);
  assertAwsError(
    await h.fail(tagPolicy, {
      PolicyArn: arn,
      Tags: [
        { Key: 'k', Value: '1' },
        { Key: 'k', Value: '2' },
      ],
    }),
    'InvalidInput',
    'Duplicate tag keys found.',
  );
  const missing = `arn:aws:iam::${ACCOUNT}:policy/NotAPolicy`;
  assertAwsError(
    await h.fail(tagPolicy, { PolicyArn: missing, Tags: [{ Key: 'k', Value: 'v' }] }),
    'NoSuchEntity',
    `Policy ${missing} was not found.`,
  );
  await h.close();
});

test('AWS managed catalog: lookup, GetPolicy, GetPolicyVersion, ListPolicies scopes and counts', async () => {
  const h = await makeHarness();
  const arn = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
  const entry = getAwsManagedPolicy(arn);
  assert.ok(entry);
  assert.equal(entry.policyId, 'ANPAJNCQGXC42545SKXIK'); // reference file AWSLambdaBasicExecutionRole.json
  assert.equal(entry.path, '/service-role/');
  assert.ok(listAwsManagedPolicies().length > 1500);
  // Entries whose reference PolicyId / DefaultVersionId were null get generated values.
  for (const p of listAwsManagedPolicies()) {
    assert.match(p.policyId, /^ANPA[A-Z2-7]{17}$/);
    assert.match(p.defaultVersionId, /^v\d+$/);
  }
  assert.equal(getAwsManagedPolicy('arn:aws:iam::aws:policy/Nope'), undefined);
  const got = (await h.call(getPolicy, { PolicyArn: arn })) as { Policy: Record<string, unknown> };
  assert.equal(got.Policy.AttachmentCount, 0);
  assert.deepEqual(got.Policy.Tags, []);
  const v = (await h.call(getPolicyVersion, { PolicyArn: arn, VersionId: 'v1' })) as {
    PolicyVersion: Record<string, unknown>;
  };
  assert.equal(decodeURIComponent(v.PolicyVersion.Document as string), entry.document);
  assert.equal(await resolveManagedPolicyDocument(h.store, arn), entry.document);

  await h.call(createRole, { RoleName: 'r', AssumeRolePolicyDocument: EC2_TRUST });
  await h.call(op('AttachRolePolicy'), { RoleName: 'r', PolicyArn: arn });
  const attached = (await h.call(listPolicies, { Scope: 'AWS', OnlyAttached: true })) as {
    Policies: Record<string, unknown>[];
  };
  assert.deepEqual(
    attached.Policies.map((p) => [p.Arn, p.AttachmentCount]),
    [[arn, 1]],
  );
  await h.call(createPolicy, { PolicyName: 'mine', PolicyDocument: S3_LIST });
  const local = (await h.call(listPolicies, { Scope: 'Local' })) as { Policies: Record<string, unknown>[] };
  assert.deepEqual(
    local.Policies.map((p) => p.PolicyName),
    ['mine'],
  );
  const page = (await h.call(listPolicies, { MaxItems: 2 })) as Record<string, unknown>;
  assert.equal(page.IsTruncated, true);
  assert.equal((page.Policies as unknown[]).length, 2);
  const next = (await h.call(listPolicies, { MaxItems: 2, Marker: page.Marker })) as Record<string, unknown>;
  assert.notDeepEqual(next.Policies, page.Policies);
  await h.close();
});

test('ListEntitiesForPolicy with filters', async () => {
  const h = await makeHarness();
  await h.call(createPolicy, { PolicyName: 'p', PolicyDocument: S3_LIST });
  const arn = `arn:aws:iam::${ACCOUNT}:policy/p`;
  const empty = await h.call(listEntitiesForPolicy, { PolicyArn: arn });
  assert.deepEqual(empty, { PolicyGroups: [], PolicyUsers: [], PolicyRoles: [], IsTruncated: false });
  await h.addUser('u');
  await h.addGroup('g');
  await h.call(createRole, { RoleName: 'r', AssumeRolePolicyDocument: EC2_TRUST });
  await h.call(op('AttachUserPolicy'), { UserName: 'u', PolicyArn: arn });
  await h.call(op('AttachGroupPolicy'), { GroupName: 'g', PolicyArn: arn });
  await h.call(op('AttachRolePolicy'), { RoleName: 'r', PolicyArn: arn });
  const all = (await h.call(listEntitiesForPolicy, { PolicyArn: arn })) as Record<
    string,
    Record<string, unknown>[]
  >;
  assert.deepEqual(
    all.PolicyUsers?.map((u) => u.UserName),
    ['u'],
  );
  assert.deepEqual(
    all.PolicyGroups?.map((g) => g.GroupName),
    ['g'],
  );
  assert.deepEqual(
    all.PolicyRoles?.map((r) => r.RoleName),
    ['r'],
  );
  const roles = (await h.call(listEntitiesForPolicy, { PolicyArn: arn, EntityFilter: 'Role' })) as Record<
    string,
    unknown[]
  >;
  assert.equal(roles.PolicyUsers?.length, 0);
  assert.equal(roles.PolicyRoles?.length, 1);
  const local = (await h.call(listEntitiesForPolicy, {
    PolicyArn: arn,
    EntityFilter: 'LocalManagedPolicy',
  })) as Record<string, unknown[]>;
  assert.equal(local.PolicyRoles?.length, 0);
  const pol = (await h.call(getPolicy, { PolicyArn: arn })) as { Policy: Record<string, unknown> };
  assert.equal(pol.Policy.AttachmentCount, 3);
  const missing = `arn:aws:iam::${ACCOUNT}:policy/NonExistentPolicy`;
  assertAwsError(
    await h.fail(listEntitiesForPolicy, { PolicyArn: missing }),
    'NoSuchEntity',
    `Policy ${missing} does not exist or is not attachable.`,
  );
  await h.close();
});
