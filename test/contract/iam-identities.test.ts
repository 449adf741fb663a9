/**
 * IAM contract tests through the real server with the AWS SDK v3: users, groups and membership, login
 * profiles, access keys, virtual MFA devices, user tags, pagination and PathPrefix.
 *
 * Expected outputs and errors come from the recordings in shared/reference/aws-errors.md (§2–3, IAM
 * NoSuchEntity / EntityAlreadyExists / DeleteConflict / LimitExceeded / ValidationError rows) and the
 * IAM API reference (https://docs.aws.amazon.com/IAM/latest/APIReference/).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddUserToGroupCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteGroupCommand,
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetAccessKeyLastUsedCommand,
  GetGroupCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListUserTagsCommand,
  ListUsersCommand,
  ListVirtualMFADevicesCommand,
  RemoveUserFromGroupCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateAccessKeyCommand,
  UpdateGroupCommand,
  UpdateLoginProfileCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { totpCode } from '../../src/credentials/totp.js';
import { startIamd, ROOT, type TestServer } from './harness.js';
import { expectClientError } from './support.js';

const A = ROOT.accountId;
let server: TestServer;
before(async () => {
  server = await startIamd();
});
after(async () => {
  await server.stop();
});

/** The server's current time (test clock; advancing by 0 reports it). */
async function serverNow(): Promise<number> {
  const r = await fetch(`${server.url}/_iamd/clock`, {
    method: 'POST',
    body: JSON.stringify({ advanceSeconds: 0 }),
  });
  const body = (await r.json()) as { now: string };
  return Date.parse(body.now);
}

test('users: create, get, update (rename + path), duplicate, delete, NoSuchEntity', async () => {
  const iam = server.iam();
  const out = await iam.send(
    new CreateUserCommand({ UserName: 'alice', Path: '/eng/', Tags: [{ Key: 'team', Value: 'a' }] }),
  );
  const u = out.User!;
  assert.equal(u.UserName, 'alice');
  assert.equal(u.Path, '/eng/');
  assert.equal(u.Arn, `arn:aws:iam::${A}:user/eng/alice`);
  // User ids are AIDA + 17 base32 characters (IAM identifiers, "Unique identifiers").
  assert.match(u.UserId!, /^AIDA[A-Z2-7]{17}$/);
  assert.ok(u.CreateDate instanceof Date);
  assert.deepEqual(u.Tags, [{ Key: 'team', Value: 'a' }]);

  // Recorded: `User with name <user-name> already exists.` (CreateUser create-duplicate-user-error).
  await expectClientError(
    iam.send(new CreateUserCommand({ UserName: 'alice' })),
    'EntityAlreadyExistsException',
    409,
    'User with name alice already exists.',
  );
  // User names are case-insensitively unique (IAM User Guide, "IAM identifiers": names are not
  // distinguished by case).
  await expectClientError(
    iam.send(new CreateUserCommand({ UserName: 'ALICE' })),
    'EntityAlreadyExistsException',
    409,
    'User with name ALICE already exists.',
  );

  const got = await iam.send(new GetUserCommand({ UserName: 'alice' }));
  assert.equal(got.User!.UserId, u.UserId);
  assert.equal(got.User!.Arn, u.Arn);

  await iam.send(new UpdateUserCommand({ UserName: 'alice', NewUserName: 'alice2', NewPath: '/ops/' }));
  const renamed = await iam.send(new GetUserCommand({ UserName: 'alice2' }));
  assert.equal(renamed.User!.Arn, `arn:aws:iam::${A}:user/ops/alice2`);
  assert.equal(renamed.User!.UserId, u.UserId, 'the unique id survives a rename');
  // Recorded: `The user with name nonexistent-user cannot be found.` (GetUser / UpdateUser).
  await expectClientError(
    iam.send(new GetUserCommand({ UserName: 'alice' })),
    'NoSuchEntityException',
    404,
    'The user with name alice cannot be found.',
  );
  await expectClientError(
    iam.send(new UpdateUserCommand({ UserName: 'nonexistent-user', NewUserName: 'x' })),
    'NoSuchEntityException',
    404,
    'The user with name nonexistent-user cannot be found.',
  );
  await iam.send(new DeleteUserCommand({ UserName: 'alice2' }));
  await expectClientError(
    iam.send(new DeleteUserCommand({ UserName: 'alice2' })),
    'NoSuchEntityException',
    404,
    'The user with name alice2 cannot be found.',
  );
});

test('users: a name that breaks the model pattern is a ValidationError (400)', async () => {
  // Model: UserName is [\w+=,.@-]+, 1..64 (models/latest/iam.json userNameType).
  await expectClientError(
    server.iam().send(new CreateUserCommand({ UserName: 'bad name' })),
    'ValidationError',
    400,
    // IAM does not echo the value (recorded IAM ValidationError rows: `Value at 'versionId'`).
    "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
  );
});

test('GetUser without a name answers for the caller (root: the account root)', async () => {
  // IAM API reference, GetUser: "If you do not specify a user name, IAM determines the user name
  // implicitly based on the AWS access key ID used to sign the request."
  const out = await server.iam().send(new GetUserCommand({}));
  assert.equal(out.User!.Arn, `arn:aws:iam::${A}:root`);
  assert.equal(out.User!.UserId, A);
});

test('pagination (MaxItems / Marker / IsTruncated) and PathPrefix on ListUsers', async () => {
  const iam = server.iam();
  for (let i = 0; i < 5; i++)
    await iam.send(new CreateUserCommand({ UserName: `page-${i}`, Path: i < 3 ? '/paged/' : '/other/' }));
  const seen: string[] = [];
  let marker: string | undefined;
  let pages = 0;
  do {
    const out = await iam.send(new ListUsersCommand({ PathPrefix: '/paged/', MaxItems: 2, Marker: marker }));
    pages++;
    for (const u of out.Users ?? []) seen.push(u.UserName!);
    assert.ok((out.Users ?? []).length <= 2);
    // IsTruncated and Marker go together (IAM API reference, "Using pagination").
    assert.equal(out.IsTruncated === true, out.Marker !== undefined);
    marker = out.Marker;
  } while (marker !== undefined);
  assert.equal(pages, 2);
  assert.deepEqual(seen, ['page-0', 'page-1', 'page-2']);

  const other = await iam.send(new ListUsersCommand({ PathPrefix: '/other/' }));
  assert.deepEqual(
    other.Users!.map((u) => u.UserName),
    ['page-3', 'page-4'],
  );
  assert.equal(other.IsTruncated, false);
  // MaxItems is 1..1000 (model maxItemsType).
  await expectClientError(
    iam.send(new ListUsersCommand({ MaxItems: 0 })),
    'ValidationError',
    400,
    "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
  );
  for (let i = 0; i < 5; i++) await iam.send(new DeleteUserCommand({ UserName: `page-${i}` }));
});

test('user tags: tag, list, untag; NoSuchEntity for an unknown user', async () => {
  const iam = server.iam();
  await iam.send(new CreateUserCommand({ UserName: 'tagged' }));
  await iam.send(
    new TagUserCommand({
      UserName: 'tagged',
      Tags: [
        { Key: 'b', Value: '2' },
        { Key: 'a', Value: '1' },
      ],
    }),
  );
  // Tagging an existing key overwrites its value (IAM User Guide, "Tagging IAM resources").
  await iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'a', Value: 'one' }] }));
  const listed = await iam.send(new ListUserTagsCommand({ UserName: 'tagged' }));
  const tags = Object.fromEntries(listed.Tags!.map((t) => [t.Key, t.Value]));
  assert.deepEqual(tags, { a: 'one', b: '2' });
  assert.equal(listed.IsTruncated, false);
  await iam.send(new UntagUserCommand({ UserName: 'tagged', TagKeys: ['a'] }));
  const after1 = await iam.send(new ListUserTagsCommand({ UserName: 'tagged' }));
  assert.deepEqual(after1.Tags, [{ Key: 'b', Value: '2' }]);
  // Recorded: ListUserTags / TagUser list-tags-nonexistent-user-error.
  await expectClientError(
    iam.send(new ListUserTagsCommand({ UserName: 'nonexistent-user' })),
    'NoSuchEntityException',
    404,
    'The user with name nonexistent-user cannot be found.',
  );
  await expectClientError(
    iam.send(new TagUserCommand({ UserName: 'nonexistent-user', Tags: [{ Key: 'k', Value: 'v' }] })),
    'NoSuchEntityException',
    404,
    'The user with name nonexistent-user cannot be found.',
  );
  await iam.send(new DeleteUserCommand({ UserName: 'tagged' }));
});

test('groups and membership: create, add, list both ways, rename, delete conflicts', async () => {
  const iam = server.iam();
  const g = await iam.send(new CreateGroupCommand({ GroupName: 'devs', Path: '/teams/' }));
  assert.equal(g.Group!.Arn, `arn:aws:iam::${A}:group/teams/devs`);
  assert.match(g.Group!.GroupId!, /^AGPA[A-Z2-7]{17}$/);
  await expectClientError(
    iam.send(new CreateGroupCommand({ GroupName: 'devs' })),
    'EntityAlreadyExistsException',
    409,
    'Group with name devs already exists.',
  );
  await iam.send(new CreateUserCommand({ UserName: 'member' }));
  await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'member' }));
  // Adding a member twice is a no-op (AWS answers success).
  await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'member' }));
  const got = await iam.send(new GetGroupCommand({ GroupName: 'devs' }));
  assert.deepEqual(
    got.Users!.map((u) => u.UserName),
    ['member'],
  );
  assert.equal(got.Group!.GroupName, 'devs');
  const forUser = await iam.send(new ListGroupsForUserCommand({ UserName: 'member' }));
  assert.deepEqual(
    forUser.Groups!.map((x) => x.GroupName),
    ['devs'],
  );
  const listed = await iam.send(new ListGroupsCommand({ PathPrefix: '/teams/' }));
  assert.deepEqual(
    listed.Groups!.map((x) => x.GroupName),
    ['devs'],
  );
  // Recorded messages: AddUserToGroup add-user-unknown-group / add-unknown-user.
  await expectClientError(
    iam.send(new AddUserToGroupCommand({ GroupName: 'non-existent-group', UserName: 'member' })),
    'NoSuchEntityException',
    404,
    'The group with name non-existent-group cannot be found.',
  );
  await expectClientError(
    iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'non-existent-user' })),
    'NoSuchEntityException',
    404,
    'The user with name non-existent-user cannot be found.',
  );
  // IAM API reference, DeleteGroup: "The group must not contain any users or have any attached
  // policies." A group with members: "Cannot delete entity, must remove users from group first."
  await expectClientError(
    iam.send(new DeleteGroupCommand({ GroupName: 'devs' })),
    'DeleteConflictException',
    409,
    'Cannot delete entity, must remove users from group first.',
  );
  // Rename keeps membership (recorded test_user_rename_preserves_group_membership).
  await iam.send(new UpdateGroupCommand({ GroupName: 'devs', NewGroupName: 'developers' }));
  const renamed = await iam.send(new ListGroupsForUserCommand({ UserName: 'member' }));
  assert.deepEqual(
    renamed.Groups!.map((x) => x.Arn),
    [`arn:aws:iam::${A}:group/teams/developers`],
  );
  // Recorded: UpdateGroup update-nonexistent-group.
  await expectClientError(
    iam.send(new UpdateGroupCommand({ GroupName: 'nonexisting', NewGroupName: 'x' })),
    'NoSuchEntityException',
    404,
    'The group with name nonexisting cannot be found.',
  );
  // DeleteUser with a group membership: AWS requires removing it first.
  await expectClientError(
    iam.send(new DeleteUserCommand({ UserName: 'member' })),
    'DeleteConflictException',
    409,
    'Cannot delete entity, must remove users from group first.',
  );
  await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'developers', UserName: 'member' }));
  const empty = await iam.send(new GetGroupCommand({ GroupName: 'developers' }));
  assert.deepEqual(empty.Users, []);
  await iam.send(new DeleteGroupCommand({ GroupName: 'developers' }));
  await iam.send(new DeleteUserCommand({ UserName: 'member' }));
  // Recorded: DeleteGroup delete-unknown-group.
  await expectClientError(
    iam.send(new DeleteGroupCommand({ GroupName: 'unknown-group' })),
    'NoSuchEntityException',
    404,
    'The group with name unknown-group cannot be found.',
  );
});

test('login profiles: create, get, update, duplicate, delete, not found', async () => {
  const iam = server.iam();
  await iam.send(new CreateUserCommand({ UserName: 'console' }));
  const created = await iam.send(
    new CreateLoginProfileCommand({
      UserName: 'console',
      Password: 'Correct-Horse-9-Battery',
      PasswordResetRequired: true,
    }),
  );
  assert.equal(created.LoginProfile!.UserName, 'console');
  assert.equal(created.LoginProfile!.PasswordResetRequired, true);
  // Recorded: CreateLoginProfile create-duplicate-login-profile-error.
  await expectClientError(
    iam.send(new CreateLoginProfileCommand({ UserName: 'console', Password: 'Another-Pass-123' })),
    'EntityAlreadyExistsException',
    409,
    'Login Profile for user console already exists.',
  );
  const got = await iam.send(new GetLoginProfileCommand({ UserName: 'console' }));
  assert.equal(got.LoginProfile!.UserName, 'console');
  assert.ok(got.LoginProfile!.CreateDate instanceof Date);
  await iam.send(new UpdateLoginProfileCommand({ UserName: 'console', PasswordResetRequired: false }));
  const updated = await iam.send(new GetLoginProfileCommand({ UserName: 'console' }));
  assert.equal(updated.LoginProfile!.PasswordResetRequired, false);
  // A user with a login profile cannot be deleted (IAM User Guide, "Deleting an IAM user").
  await expectClientError(
    iam.send(new DeleteUserCommand({ UserName: 'console' })),
    'DeleteConflictException',
    409,
    'Cannot delete entity, must delete login profile first.',
  );
  await iam.send(new DeleteLoginProfileCommand({ UserName: 'console' }));
  // Recorded: DeleteLoginProfile delete-nonexistent-login-profile-error / unknown user.
  await expectClientError(
    iam.send(new DeleteLoginProfileCommand({ UserName: 'console' })),
    'NoSuchEntityException',
    404,
    'Login Profile for User console cannot be found.',
  );
  await expectClientError(
    iam.send(new CreateLoginProfileCommand({ UserName: 'nonexistent-user', Password: 'Xx-123456789' })),
    'NoSuchEntityException',
    404,
    'The user with name nonexistent-user cannot be found.',
  );
  await iam.send(new DeleteUserCommand({ UserName: 'console' }));
});

test('access keys: at most 2, the new key signs, Inactive is refused, last used, delete', async () => {
  const iam = server.iam();
  await iam.send(new CreateUserCommand({ UserName: 'keyed' }));
  const k1 = (await iam.send(new CreateAccessKeyCommand({ UserName: 'keyed' }))).AccessKey!;
  assert.match(k1.AccessKeyId!, /^AKIA[A-Z2-7]{16}$/);
  assert.equal(k1.SecretAccessKey!.length, 40);
  assert.equal(k1.Status, 'Active');
  assert.equal(k1.UserName, 'keyed');
  const k2 = (await iam.send(new CreateAccessKeyCommand({ UserName: 'keyed' }))).AccessKey!;
  // Recorded: CreateAccessKey create-third-access-key-error.
  await expectClientError(
    iam.send(new CreateAccessKeyCommand({ UserName: 'keyed' })),
    'LimitExceededException',
    409,
    'Cannot exceed quota for AccessKeysPerUser: 2',
  );
  const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'keyed' }));
  assert.deepEqual(
    listed.AccessKeyMetadata!.map((m) => m.AccessKeyId).sort(),
    [k1.AccessKeyId, k2.AccessKeyId].sort(),
  );
  // The secret is returned only by CreateAccessKey (IAM API reference, AccessKeyMetadata has none).
  assert.ok(listed.AccessKeyMetadata!.every((m) => !('SecretAccessKey' in m)));

  // A never-used key: ServiceName and Region N/A (recorded get-access-key-last-used-unused).
  const unused = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k1.AccessKeyId }));
  assert.equal(unused.UserName, 'keyed');
  assert.equal(unused.AccessKeyLastUsed!.ServiceName, 'N/A');
  assert.equal(unused.AccessKeyLastUsed!.Region, 'N/A');
  assert.equal(unused.AccessKeyLastUsed!.LastUsedDate, undefined);

  // The new key works for signing: GetCallerIdentity needs no permission.
  const creds = { accessKeyId: k1.AccessKeyId!, secretAccessKey: k1.SecretAccessKey! };
  const who = await server.sts(creds).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, `arn:aws:iam::${A}:user/keyed`);
  assert.equal(who.Account, A);
  assert.match(who.UserId!, /^AIDA/);

  // Inactive keys are refused like unknown ones (IAM User Guide, "Managing access keys": an inactive
  // key cannot be used for API calls).
  await iam.send(
    new UpdateAccessKeyCommand({ UserName: 'keyed', AccessKeyId: k1.AccessKeyId, Status: 'Inactive' }),
  );
  const inactive = await iam.send(new ListAccessKeysCommand({ UserName: 'keyed' }));
  assert.equal(inactive.AccessKeyMetadata!.find((m) => m.AccessKeyId === k1.AccessKeyId)!.Status, 'Inactive');
  await expectClientError(
    server.sts(creds).send(new GetCallerIdentityCommand({})),
    'InvalidClientTokenId',
    403,
    'The security token included in the request is invalid',
  );
  await iam.send(
    new UpdateAccessKeyCommand({ UserName: 'keyed', AccessKeyId: k1.AccessKeyId, Status: 'Active' }),
  );
  const again = await server.sts(creds).send(new GetCallerIdentityCommand({}));
  assert.equal(again.Arn, `arn:aws:iam::${A}:user/keyed`);

  // Recorded: UpdateAccessKey update-nonexistent-access-key-error; GetAccessKeyLastUsed for a key not
  // in the account is AccessDenied with AWS's older wording (no colon after "perform").
  await expectClientError(
    iam.send(
      new UpdateAccessKeyCommand({
        UserName: 'keyed',
        AccessKeyId: 'AKIAIOSFODNN7EXAMPL2',
        Status: 'Inactive',
      }),
    ),
    'NoSuchEntityException',
    404,
    'The Access Key with id AKIAIOSFODNN7EXAMPL2 cannot be found.',
  );
  await expectClientError(
    iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIAZZZZZZZZZZZZZZZZ' })),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${A}:root is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key AKIAZZZZZZZZZZZZZZZZ`,
  );
  // Recorded: CreateAccessKey create-access-key-unknown-user-error.
  await expectClientError(
    iam.send(new CreateAccessKeyCommand({ UserName: 'nonexistent-user' })),
    'NoSuchEntityException',
    404,
    'The user with name nonexistent-user cannot be found.',
  );
  // A user with access keys cannot be deleted (IAM API reference, DeleteUser).
  await expectClientError(
    iam.send(new DeleteUserCommand({ UserName: 'keyed' })),
    'DeleteConflictException',
    409,
    'Cannot delete entity, must delete access keys first.',
  );
  await iam.send(new DeleteAccessKeyCommand({ UserName: 'keyed', AccessKeyId: k1.AccessKeyId }));
  await iam.send(new DeleteAccessKeyCommand({ UserName: 'keyed', AccessKeyId: k2.AccessKeyId }));
  await expectClientError(
    server.sts(creds).send(new GetCallerIdentityCommand({})),
    'InvalidClientTokenId',
    403,
    'The security token included in the request is invalid',
  );
  await iam.send(new DeleteUserCommand({ UserName: 'keyed' }));
});

test('GetAccessKeyLastUsed reports the service and region after the key signed a call', async () => {
  const iam = server.iam();
  await iam.send(new CreateUserCommand({ UserName: 'used' }));
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'used' }))).AccessKey!;
  await server
    .sts({ accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! })
    .send(new GetCallerIdentityCommand({}));
  // The use is recorded off the request path (as AWS records it asynchronously), so it may land a
  // moment after the signed call's answer: ask again for up to 2 s.
  let used = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.AccessKeyId }));
  for (let i = 0; i < 40 && used.AccessKeyLastUsed?.ServiceName === 'N/A'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    used = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.AccessKeyId }));
  }
  // IAM API reference, AccessKeyLastUsed: ServiceName is the service namespace, Region the region.
  assert.equal(used.AccessKeyLastUsed!.ServiceName, 'sts');
  assert.equal(used.AccessKeyLastUsed!.Region, 'us-east-1');
  assert.ok(used.AccessKeyLastUsed!.LastUsedDate instanceof Date);
});

test('virtual MFA: create (seed + QR), enable with two consecutive codes, list, deactivate, delete', async () => {
  const iam = server.iam();
  await iam.send(new CreateUserCommand({ UserName: 'mfa-user' }));
  const dev = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'mfa-user-dev' })))
    .VirtualMFADevice!;
  assert.equal(dev.SerialNumber, `arn:aws:iam::${A}:mfa/mfa-user-dev`);
  const seed = Buffer.from(dev.Base32StringSeed!).toString('utf8');
  assert.match(seed, /^[A-Z2-7]+=*$/);
  // QRCodePNG is a PNG image (magic bytes 89 50 4E 47).
  assert.deepEqual([...dev.QRCodePNG!.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  // Recorded: CreateVirtualMFADevice create-duplicate-error.
  await expectClientError(
    iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'mfa-user-dev' })),
    'EntityAlreadyExistsException',
    409,
    'MFA device already exists.',
  );
  const unassigned = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Unassigned' }));
  assert.ok(unassigned.VirtualMFADevices!.some((d) => d.SerialNumber === dev.SerialNumber));

  // A wrong code is InvalidAuthenticationCode (IAM API reference, EnableMFADevice errors).
  await expectClientError(
    iam.send(
      new EnableMFADeviceCommand({
        UserName: 'mfa-user',
        SerialNumber: dev.SerialNumber,
        AuthenticationCode1: '000000',
        AuthenticationCode2: '000001',
      }),
    ),
    'InvalidAuthenticationCodeException',
    403,
    'Authentication code for device is not valid.',
  );
  // EnableMFADevice takes two consecutive codes: the current step and the next one.
  const now = await serverNow();
  await iam.send(
    new EnableMFADeviceCommand({
      UserName: 'mfa-user',
      SerialNumber: dev.SerialNumber,
      AuthenticationCode1: totpCode(seed, now),
      AuthenticationCode2: totpCode(seed, now + 30_000),
    }),
  );
  const listed = await iam.send(new ListMFADevicesCommand({ UserName: 'mfa-user' }));
  assert.deepEqual(
    listed.MFADevices!.map((d) => [d.UserName, d.SerialNumber]),
    [['mfa-user', dev.SerialNumber]],
  );
  const assigned = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned' }));
  const a = assigned.VirtualMFADevices!.find((d) => d.SerialNumber === dev.SerialNumber)!;
  assert.equal(a.User!.UserName, 'mfa-user');
  assert.equal(a.Base32StringSeed, undefined, 'the seed is only returned at creation');
  // Recorded: EnableMFADevice enable-mfa-already-attached-error.
  await iam.send(new CreateUserCommand({ UserName: 'mfa-other' }));
  await expectClientError(
    iam.send(
      new EnableMFADeviceCommand({
        UserName: 'mfa-other',
        SerialNumber: dev.SerialNumber,
        AuthenticationCode1: '123456',
        AuthenticationCode2: '654321',
      }),
    ),
    'EntityAlreadyExistsException',
    409,
    'MFA Device is already in use.',
  );
  await iam.send(new DeactivateMFADeviceCommand({ UserName: 'mfa-user', SerialNumber: dev.SerialNumber }));
  // Recorded: DeactivateMFADevice deactivate-nonexistent-mfa-error.
  await expectClientError(
    iam.send(
      new DeactivateMFADeviceCommand({
        UserName: 'mfa-user',
        SerialNumber: `arn:aws:iam::${A}:mfa/nonexistent-mfa`,
      }),
    ),
    'NoSuchEntityException',
    404,
    `MFA Device with serial number arn:aws:iam::${A}:mfa/nonexistent-mfa does not exist.`,
  );
  await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: dev.SerialNumber }));
  const gone = await iam.send(new ListVirtualMFADevicesCommand({}));
  assert.ok(!gone.VirtualMFADevices!.some((d) => d.SerialNumber === dev.SerialNumber));
  await iam.send(new DeleteUserCommand({ UserName: 'mfa-user' }));
  await iam.send(new DeleteUserCommand({ UserName: 'mfa-other' }));
});
