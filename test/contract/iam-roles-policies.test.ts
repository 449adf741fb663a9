/**
 * IAM contract tests through the real server with the AWS SDK v3: roles (trust validation,
 * MaxSessionDuration, UpdateAssumeRolePolicy, UpdateRole, tags), managed policies and versions, the AWS
 * managed catalog, attach/detach, ListEntitiesForPolicy, inline policies, permissions boundaries and
 * instance profiles.
 *
 * Expected errors are the recorded ones in shared/reference/aws-errors.md; shapes follow the IAM API
 * reference (https://docs.aws.amazon.com/IAM/latest/APIReference/) and shared/reference/aws-managed-policies.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddRoleToInstanceProfileCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeleteInstanceProfileCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListInstanceProfilesCommand,
  ListInstanceProfilesForRoleCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  ListRolesCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
  SetDefaultPolicyVersionCommand,
  TagPolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  GetUserCommand,
  DeleteUserPermissionsBoundaryCommand,
  ListPolicyTagsCommand,
} from '@aws-sdk/client-iam';
import { startIamd, ROOT, type TestServer } from './harness.js';
import { expectClientError } from './support.js';

const A = ROOT.accountId;
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' }],
});
const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const doc = (action: string, resource = '*'): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: action, Resource: resource }],
  });

let server: TestServer;
before(async () => {
  server = await startIamd();
});
after(async () => {
  await server.stop();
});

test('roles: create, get (defaults), duplicate, list with PathPrefix, delete', async () => {
  const iam = server.iam();
  const out = await iam.send(
    new CreateRoleCommand({
      RoleName: 'app',
      Path: '/svc/',
      AssumeRolePolicyDocument: TRUST,
      Description: 'the app',
      Tags: [{ Key: 'env', Value: 'dev' }],
    }),
  );
  const r = out.Role!;
  assert.equal(r.Arn, `arn:aws:iam::${A}:role/svc/app`);
  assert.match(r.RoleId!, /^AROA[A-Z2-7]{17}$/);
  assert.equal(r.Description, 'the app');
  // The trust policy comes back URL-encoded on the wire; the SDK returns the encoded text
  // (IAM API reference, Role.AssumeRolePolicyDocument: "URL-encoded compliant with RFC 3986").
  assert.deepEqual(JSON.parse(decodeURIComponent(r.AssumeRolePolicyDocument!)), JSON.parse(TRUST));

  const got = (await iam.send(new GetRoleCommand({ RoleName: 'app' }))).Role!;
  // Recorded GetRole: MaxSessionDuration defaults to 3600 and RoleLastUsed is `{}` when never used.
  assert.equal(got.MaxSessionDuration, 3600);
  assert.deepEqual(got.RoleLastUsed, {});
  assert.deepEqual(got.Tags, [{ Key: 'env', Value: 'dev' }]);

  // Recorded: CreateRole create-role-already-exists-error.
  await expectClientError(
    iam.send(new CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: TRUST })),
    'EntityAlreadyExistsException',
    409,
    'Role with name app already exists.',
  );
  await iam.send(new CreateRoleCommand({ RoleName: 'elsewhere', AssumeRolePolicyDocument: TRUST }));
  const listed = await iam.send(new ListRolesCommand({ PathPrefix: '/svc/' }));
  assert.deepEqual(
    listed.Roles!.map((x) => x.RoleName),
    ['app'],
  );
  assert.equal(listed.Roles![0]!.MaxSessionDuration, 3600);
  const page1 = await iam.send(new ListRolesCommand({ MaxItems: 1 }));
  assert.equal(page1.Roles!.length, 1);
  assert.equal(page1.IsTruncated, true);
  const page2 = await iam.send(new ListRolesCommand({ MaxItems: 1, Marker: page1.Marker }));
  assert.equal(page2.Roles!.length, 1);
  assert.notEqual(page2.Roles![0]!.RoleName, page1.Roles![0]!.RoleName);

  await iam.send(new DeleteRoleCommand({ RoleName: 'elsewhere' }));
  // Recorded: GetRole get-role-error / DeleteRole delete-role-error.
  await expectClientError(
    iam.send(new GetRoleCommand({ RoleName: 'test-nonexistent-role' })),
    'NoSuchEntityException',
    404,
    'The role with name test-nonexistent-role cannot be found.',
  );
  await expectClientError(
    iam.send(new DeleteRoleCommand({ RoleName: 'elsewhere' })),
    'NoSuchEntityException',
    404,
    'The role with name elsewhere cannot be found.',
  );
});

test('roles: trust policy validation (invalid JSON, Resource, non-STS action)', async () => {
  const iam = server.iam();
  // Recorded: CreateRole invalid-json.
  await expectClientError(
    iam.send(new CreateRoleCommand({ RoleName: 'bad', AssumeRolePolicyDocument: '{not json' })),
    'MalformedPolicyDocumentException',
    400,
    'This policy contains invalid Json',
  );
  // Recorded: UpdateAssumeRolePolicy resource-field-error / invalid-action-error.
  const withResource = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${A}:root` },
        Action: 'sts:AssumeRole',
        Resource: '*',
      },
    ],
  });
  await expectClientError(
    iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'app', PolicyDocument: withResource })),
    'MalformedPolicyDocumentException',
    400,
    'Has prohibited field Resource',
  );
  const wrongAction = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 's3:GetObject' }],
  });
  await expectClientError(
    iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'app', PolicyDocument: wrongAction })),
    'MalformedPolicyDocumentException',
    400,
    'AssumeRole policy may only specify STS AssumeRole actions.',
  );
  // A trust policy is a resource-based policy, so it must name a Principal (IAM User Guide, "Role trust
  // policy"; AWS: "Missing required field Principal").
  const noPrincipal = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }],
  });
  await expectClientError(
    iam.send(new CreateRoleCommand({ RoleName: 'bad', AssumeRolePolicyDocument: noPrincipal })),
    'MalformedPolicyDocumentException',
    400,
    'Missing required field Principal',
  );
  await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'app', PolicyDocument: EC2_TRUST }));
  const got = (await iam.send(new GetRoleCommand({ RoleName: 'app' }))).Role!;
  assert.deepEqual(JSON.parse(decodeURIComponent(got.AssumeRolePolicyDocument!)), JSON.parse(EC2_TRUST));
});

test('roles: MaxSessionDuration bounds 3600..43200 and UpdateRole', async () => {
  const iam = server.iam();
  // Model: roleMaxSessionDurationType range 3600..43200; IAM does not echo the value.
  await expectClientError(
    iam.send(
      new CreateRoleCommand({ RoleName: 'short', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 3599 }),
    ),
    'ValidationError',
    400,
    "1 validation error detected: Value at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
  );
  await expectClientError(
    iam.send(new UpdateRoleCommand({ RoleName: 'app', MaxSessionDuration: 43201 })),
    'ValidationError',
    400,
    "1 validation error detected: Value at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200",
  );
  await iam.send(new UpdateRoleCommand({ RoleName: 'app', MaxSessionDuration: 43200, Description: 'new' }));
  const got = (await iam.send(new GetRoleCommand({ RoleName: 'app' }))).Role!;
  assert.equal(got.MaxSessionDuration, 43200);
  assert.equal(got.Description, 'new');
  // Recorded: UpdateRole update-role-error.
  await expectClientError(
    iam.send(new UpdateRoleCommand({ RoleName: 'test-nonexistent-role', Description: 'x' })),
    'NoSuchEntityException',
    404,
    'The role with name test-nonexistent-role cannot be found.',
  );
});

test('role tags: tag, list, untag, duplicate keys, unknown role', async () => {
  const iam = server.iam();
  await iam.send(new TagRoleCommand({ RoleName: 'app', Tags: [{ Key: 'owner', Value: 'me' }] }));
  const listed = await iam.send(new ListRoleTagsCommand({ RoleName: 'app' }));
  assert.deepEqual(Object.fromEntries(listed.Tags!.map((t) => [t.Key, t.Value])), {
    env: 'dev',
    owner: 'me',
  });
  await iam.send(new UntagRoleCommand({ RoleName: 'app', TagKeys: ['env'] }));
  assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: 'app' }))).Tags, [
    { Key: 'owner', Value: 'me' },
  ]);
  // Recorded: TagRole tag-role-duplicate-tags / tag-nonexistent-role-error.
  await expectClientError(
    iam.send(
      new TagRoleCommand({
        RoleName: 'app',
        Tags: [
          { Key: 'k', Value: '1' },
          { Key: 'K', Value: '2' },
        ],
      }),
    ),
    'InvalidInputException',
    400,
    'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
  );
  await expectClientError(
    iam.send(new TagRoleCommand({ RoleName: 'test-nonexistent-role', Tags: [{ Key: 'k', Value: 'v' }] })),
    'NoSuchEntityException',
    404,
    'The role with name test-nonexistent-role cannot be found.',
  );
  // Recorded: TagRole tag-role-tag-key-too-long.
  await expectClientError(
    iam.send(new TagRoleCommand({ RoleName: 'app', Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] })),
    'ValidationError',
    400,
    "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128",
  );
});

test('managed policies: create, versions (max 5, default), set default, delete version, delete', async () => {
  const iam = server.iam();
  const p = (
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'reader',
        Path: '/team/',
        PolicyDocument: doc('s3:GetObject'),
        Description: 'reads',
        Tags: [{ Key: 'a', Value: 'b' }],
      }),
    )
  ).Policy!;
  const arn = `arn:aws:iam::${A}:policy/team/reader`;
  assert.equal(p.Arn, arn);
  assert.match(p.PolicyId!, /^ANPA[A-Z2-7]{17}$/);
  assert.equal(p.DefaultVersionId, 'v1');
  assert.equal(p.AttachmentCount, 0);
  assert.equal(p.IsAttachable, true);
  // Recorded: CreatePolicy policy-already-exists.
  await expectClientError(
    iam.send(new CreatePolicyCommand({ PolicyName: 'reader', PolicyDocument: doc('s3:GetObject') })),
    'EntityAlreadyExistsException',
    409,
    'A policy called reader already exists. Duplicate names are not allowed.',
  );
  // Recorded (policy-validation-cases.json): a statement without Resource.
  await expectClientError(
    iam.send(
      new CreatePolicyCommand({
        PolicyName: 'broken',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:*' }],
        }),
      }),
    ),
    'MalformedPolicyDocumentException',
    400,
    'Policy statement must contain resources.',
  );

  for (let i = 2; i <= 5; i++) {
    const v = await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: arn,
        PolicyDocument: doc(`s3:Get${i}`),
        SetAsDefault: i === 3,
      }),
    );
    assert.equal(v.PolicyVersion!.VersionId, `v${i}`);
    assert.equal(v.PolicyVersion!.IsDefaultVersion, i === 3);
  }
  // Recorded: CreatePolicyVersion err-version-limit-exceeded.
  await expectClientError(
    iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:Get6') })),
    'LimitExceededException',
    409,
    'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
  );
  const versions = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
  assert.equal(versions.Versions!.length, 5);
  assert.deepEqual(
    versions.Versions!.filter((v) => v.IsDefaultVersion).map((v) => v.VersionId),
    ['v3'],
  );
  const v3 = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v3' })))
    .PolicyVersion!;
  assert.deepEqual(JSON.parse(decodeURIComponent(v3.Document!)), JSON.parse(doc('s3:Get3')));
  // Recorded: DeletePolicyVersion err-delete-default-version / err-delete-nonexistent-version.
  await expectClientError(
    iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v3' })),
    'DeleteConflictException',
    409,
    'Cannot delete the default version of a policy.',
  );
  await expectClientError(
    iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v9' })),
    'NoSuchEntityException',
    404,
    `Policy ${arn} version v9 does not exist or is not attachable.`,
  );
  // Recorded: GetPolicyVersion get-version-error (pattern v[1-9][0-9]*(\.[A-Za-z0-9-]*)?).
  await expectClientError(
    iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'x1' })),
    'ValidationError',
    400,
    "1 validation error detected: Value at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?",
  );
  await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v5' }));
  const after5 = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!;
  assert.equal(after5.DefaultVersionId, 'v5');
  await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
  const v6 = await iam.send(
    new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:Get6') }),
  );
  // Version ids keep counting up; a deleted id is not reused (IAM User Guide, "Versioning IAM policies").
  assert.equal(v6.PolicyVersion!.VersionId, 'v6');

  await iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: 'c', Value: 'd' }] }));
  const tags = await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }));
  assert.deepEqual(Object.fromEntries(tags.Tags!.map((t) => [t.Key, t.Value])), { a: 'b', c: 'd' });

  const local = await iam.send(new ListPoliciesCommand({ Scope: 'Local', PathPrefix: '/team/' }));
  assert.deepEqual(
    local.Policies!.map((x) => x.Arn),
    [arn],
  );
});

test('AWS managed catalog: GetPolicy ReadOnlyAccess, cannot be deleted or changed', async () => {
  const iam = server.iam();
  const arn = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
  const p = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!;
  // shared/reference/aws-managed-policies/ReadOnlyAccess.json.
  assert.equal(p.PolicyName, 'ReadOnlyAccess');
  assert.equal(p.Path, '/');
  assert.equal(p.PolicyId, 'ANPAILL3HVNFSB6DCOWYQ');
  assert.equal(p.DefaultVersionId, 'v188');
  assert.equal(p.IsAttachable, true);
  const v = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v188' })))
    .PolicyVersion!;
  const d = JSON.parse(decodeURIComponent(v.Document!)) as { Statement: { Action: string[] }[] };
  assert.ok(d.Statement[0]!.Action.includes('a4b:Get*'));
  // Recorded: DeletePolicy delete-managed-policy-error / SetDefaultPolicyVersion error.
  await expectClientError(
    iam.send(new DeletePolicyCommand({ PolicyArn: arn })),
    'AccessDenied',
    403,
    'Cannot delete policies outside your own account.',
  );
  await expectClientError(
    iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })),
    'AccessDenied',
    403,
    'Cannot update policies outside your own account.',
  );
  const aws = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', MaxItems: 5 }));
  assert.equal(aws.Policies!.length, 5);
  assert.equal(aws.IsTruncated, true);
  assert.ok(aws.Policies!.every((x) => x.Arn!.startsWith('arn:aws:iam::aws:policy/')));
});

test('attach/detach to users, groups, roles; ListEntitiesForPolicy; DeleteConflict', async () => {
  const iam = server.iam();
  const arn = `arn:aws:iam::${A}:policy/team/reader`;
  await iam.send(new CreateUserCommand({ UserName: 'att-user' }));
  await iam.send(new CreateGroupCommand({ GroupName: 'att-group' }));
  await iam.send(new AttachUserPolicyCommand({ UserName: 'att-user', PolicyArn: arn }));
  await iam.send(new AttachGroupPolicyCommand({ GroupName: 'att-group', PolicyArn: arn }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'app', PolicyArn: arn }));
  await iam.send(
    new AttachRolePolicyCommand({ RoleName: 'app', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }),
  );
  const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'app' }));
  assert.deepEqual(
    attached.AttachedPolicies!.map((x) => [x.PolicyName, x.PolicyArn]),
    [
      ['reader', arn],
      ['ReadOnlyAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
    ],
  );
  assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.AttachmentCount, 3);
  const ents = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }));
  assert.deepEqual(
    ents.PolicyUsers!.map((x) => x.UserName),
    ['att-user'],
  );
  assert.deepEqual(
    ents.PolicyGroups!.map((x) => x.GroupName),
    ['att-group'],
  );
  assert.deepEqual(
    ents.PolicyRoles!.map((x) => x.RoleName),
    ['app'],
  );
  const onlyRoles = await iam.send(
    new ListEntitiesForPolicyCommand({ PolicyArn: arn, EntityFilter: 'Role' }),
  );
  assert.deepEqual(onlyRoles.PolicyUsers, []);
  assert.equal(onlyRoles.PolicyRoles!.length, 1);
  // Recorded: ListEntitiesForPolicy err-nonexistent-policy; AttachRolePolicy attach-nonexistent-policy-error
  // and non-existent-malformed-policy-arn.
  await expectClientError(
    iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: `arn:aws:iam::${A}:policy/NonExistentPolicy` })),
    'NoSuchEntityException',
    404,
    `Policy arn:aws:iam::${A}:policy/NonExistentPolicy does not exist or is not attachable.`,
  );
  await expectClientError(
    iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'app',
        PolicyArn: `arn:aws:iam::${A}:policy/nonexistent-policy`,
      }),
    ),
    'NoSuchEntityException',
    404,
    `Policy arn:aws:iam::${A}:policy/nonexistent-policy does not exist or is not attachable.`,
  );
  await expectClientError(
    iam.send(new AttachRolePolicyCommand({ RoleName: 'app', PolicyArn: 'longpolicynamebutnoarn' })),
    'ValidationError',
    400,
    'ARN longpolicynamebutnoarn is not valid.',
  );
  // Recorded: DeletePolicy delete-attached-policy-error; DeleteRole delete-role-with-policy-error.
  await expectClientError(
    iam.send(new DeletePolicyCommand({ PolicyArn: arn })),
    'DeleteConflictException',
    409,
    'Cannot delete a policy attached to entities.',
  );
  await expectClientError(
    iam.send(new DeleteUserCommand({ UserName: 'att-user' })),
    'DeleteConflictException',
    409,
    'Cannot delete entity, must detach all policies first.',
  );
  await iam.send(new DetachUserPolicyCommand({ UserName: 'att-user', PolicyArn: arn }));
  await iam.send(new DetachGroupPolicyCommand({ GroupName: 'att-group', PolicyArn: arn }));
  await iam.send(new DetachRolePolicyCommand({ RoleName: 'app', PolicyArn: arn }));
  // Detaching what is not attached is NoSuchEntity (IAM API reference, DetachRolePolicy errors).
  await expectClientError(
    iam.send(new DetachRolePolicyCommand({ RoleName: 'app', PolicyArn: arn })),
    'NoSuchEntityException',
    404,
    `Policy ${arn} was not found.`,
  );
  assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.AttachmentCount, 0);
  await iam.send(new DeleteUserCommand({ UserName: 'att-user' }));
  await iam.send(new DeleteGroupCommand({ GroupName: 'att-group' }));
});

test('inline policies on users and roles: put, get (URL-encoded), list, delete conflicts', async () => {
  const iam = server.iam();
  await iam.send(
    new PutRolePolicyCommand({ RoleName: 'app', PolicyName: 'inline', PolicyDocument: doc('sqs:*') }),
  );
  const got = await iam.send(new GetRolePolicyCommand({ RoleName: 'app', PolicyName: 'inline' }));
  assert.equal(got.RoleName, 'app');
  assert.deepEqual(JSON.parse(decodeURIComponent(got.PolicyDocument!)), JSON.parse(doc('sqs:*')));
  assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: 'app' }))).PolicyNames, [
    'inline',
  ]);
  // Recorded: GetRolePolicy get-nonexistent-policy-error / get-policy-nonexistent-role-error.
  await expectClientError(
    iam.send(new GetRolePolicyCommand({ RoleName: 'app', PolicyName: 'non-existent-policy' })),
    'NoSuchEntityException',
    404,
    'The role policy with name non-existent-policy cannot be found.',
  );
  await expectClientError(
    iam.send(
      new PutRolePolicyCommand({
        RoleName: 'nonexistent-role',
        PolicyName: 'p',
        PolicyDocument: doc('s3:*'),
      }),
    ),
    'NoSuchEntityException',
    404,
    'The role with name nonexistent-role cannot be found.',
  );
  await iam.send(new CreateUserCommand({ UserName: 'inline-user' }));
  await iam.send(
    new PutUserPolicyCommand({ UserName: 'inline-user', PolicyName: 'u', PolicyDocument: doc('s3:*') }),
  );
  assert.equal(
    (await iam.send(new GetUserPolicyCommand({ UserName: 'inline-user', PolicyName: 'u' }))).PolicyName,
    'u',
  );
  // Recorded: DeleteUser delete-user-with-inline-policy-error.
  await expectClientError(
    iam.send(new DeleteUserCommand({ UserName: 'inline-user' })),
    'DeleteConflictException',
    409,
    'Cannot delete entity, must delete policies first.',
  );
  await iam.send(new DeleteUserPolicyCommand({ UserName: 'inline-user', PolicyName: 'u' }));
  await iam.send(new DeleteUserCommand({ UserName: 'inline-user' }));
});

test('permissions boundaries on roles and users', async () => {
  const iam = server.iam();
  const boundary = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
  await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'app', PermissionsBoundary: boundary }));
  const r = (await iam.send(new GetRoleCommand({ RoleName: 'app' }))).Role!;
  // Real IAM sends type `Policy` (recorded GetRole, test_iam_roles.snapshot.json).
  assert.deepEqual(r.PermissionsBoundary, {
    PermissionsBoundaryType: 'Policy',
    PermissionsBoundaryArn: boundary,
  });
  // Recorded: PutRolePermissionsBoundary put-nonexistent-policy-error / put-invalid-boundary-error.
  await expectClientError(
    iam.send(
      new PutRolePermissionsBoundaryCommand({
        RoleName: 'app',
        PermissionsBoundary: `arn:aws:iam::${A}:policy/nonexistent-policy`,
      }),
    ),
    'NoSuchEntityException',
    404,
    `Scope ARN: arn:aws:iam::${A}:policy/nonexistent-policy does not exist or is not attachable.`,
  );
  await expectClientError(
    iam.send(
      new PutRolePermissionsBoundaryCommand({
        RoleName: 'app',
        PermissionsBoundary: `arn:aws:iam::${A}:not_a_policy/invalid`,
      }),
    ),
    'InvalidInputException',
    400,
    `ARN arn:aws:iam::${A}:not_a_policy/invalid is not valid.`,
  );
  await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'app' }));
  assert.equal(
    (await iam.send(new GetRoleCommand({ RoleName: 'app' }))).Role!.PermissionsBoundary,
    undefined,
  );

  await iam.send(new CreateUserCommand({ UserName: 'bounded' }));
  await iam.send(
    new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary: boundary }),
  );
  const u = (await iam.send(new GetUserCommand({ UserName: 'bounded' }))).User!;
  assert.deepEqual(u.PermissionsBoundary, {
    PermissionsBoundaryType: 'Policy',
    PermissionsBoundaryArn: boundary,
  });
  await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'bounded' }));
  await iam.send(new DeleteUserCommand({ UserName: 'bounded' }));
});

test('instance profiles: one role each, list for role, delete conflicts', async () => {
  const iam = server.iam();
  const ip = (await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'web', Path: '/ec2/' })))
    .InstanceProfile!;
  assert.equal(ip.Arn, `arn:aws:iam::${A}:instance-profile/ec2/web`);
  assert.match(ip.InstanceProfileId!, /^AIPA[A-Z2-7]{17}$/);
  assert.deepEqual(ip.Roles, []);
  // Recorded: CreateInstanceProfile create-duplicate-error.
  await expectClientError(
    iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'web' })),
    'EntityAlreadyExistsException',
    409,
    'Instance Profile web already exists.',
  );
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'app' }));
  await iam.send(new CreateRoleCommand({ RoleName: 'second', AssumeRolePolicyDocument: EC2_TRUST }));
  // Recorded: AddRoleToInstanceProfile add-second-role-error.
  await expectClientError(
    iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'second' })),
    'LimitExceededException',
    409,
    'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1',
  );
  const got = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'web' })))
    .InstanceProfile!;
  assert.deepEqual(
    got.Roles!.map((x) => x.RoleName),
    ['app'],
  );
  const forRole = await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'app' }));
  assert.deepEqual(
    forRole.InstanceProfiles!.map((x) => x.InstanceProfileName),
    ['web'],
  );
  const listed = await iam.send(new ListInstanceProfilesCommand({ PathPrefix: '/ec2/' }));
  assert.equal(listed.InstanceProfiles!.length, 1);
  // Recorded: DeleteInstanceProfile delete-with-role-error; DeleteRole delete-role-with-instance-profile.
  await expectClientError(
    iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'web' })),
    'DeleteConflictException',
    409,
    'Cannot delete entity, must remove roles from instance profile first.',
  );
  await expectClientError(
    iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'second' })),
    'NoSuchEntityException',
    404,
    'Role second in Instance Profile web cannot be found.',
  );
  await iam.send(
    new DetachRolePolicyCommand({ RoleName: 'app', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }),
  );
  await iam.send(new DeleteRolePolicyCommand({ RoleName: 'app', PolicyName: 'inline' }));
  await expectClientError(
    iam.send(new DeleteRoleCommand({ RoleName: 'app' })),
    'DeleteConflictException',
    409,
    'Cannot delete entity, must remove roles from instance profile first.',
  );
  await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'app' }));
  await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'web' }));
  // Recorded: DeleteInstanceProfile delete-nonexistent-error.
  await expectClientError(
    iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'web' })),
    'NoSuchEntityException',
    404,
    'Instance Profile web cannot be found.',
  );
  await iam.send(new DeleteRoleCommand({ RoleName: 'app' }));
  await iam.send(new DeleteRoleCommand({ RoleName: 'second' }));
});
