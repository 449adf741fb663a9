/**
 * Users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser, tags. Expected shapes and texts from
 * shared/reference/localstack-snapshots/pr-13720/iam/test_iam_users.snapshot.json (recorded against AWS).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  createUser,
  deleteUser,
  getUser,
  listUserTags,
  listUsers,
  tagUser,
  untagUser,
  updateUser,
} from '../../src/iam/users.js';
import { addUserToGroup, createGroup, getGroup } from '../../src/iam/groups.js';
import { createAccessKey, listAccessKeys } from '../../src/iam/access-keys.js';
import { createLoginProfile, getLoginProfile } from '../../src/iam/login-profiles.js';
import type { UserBody } from '../../src/domain/entities.js';
import {
  ACCOUNT,
  assertError,
  makeHarness,
  rolePrincipal,
  userPrincipal,
  type Harness,
} from './harness-identities.js';

let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
});
afterEach(async () => {
  await h.close();
});

describe('CreateUser / GetUser / ListUsers', () => {
  it('creates a user with AWS shape (test_user_lifecycle[/test-lifecycle-path/])', async () => {
    const out = await h.call(createUser, { UserName: 'alice', Path: '/test-lifecycle-path/' });
    const u = out.User as Record<string, unknown>;
    assert.equal(u.Arn, `arn:aws:iam::${ACCOUNT}:user/test-lifecycle-path/alice`);
    assert.equal(u.Path, '/test-lifecycle-path/');
    assert.equal(u.UserName, 'alice');
    assert.match(u.UserId as string, /^AIDA[A-Z2-7]{17}$/);
    assert.equal(typeof u.CreateDate, 'number');
    assert.equal('Tags' in u, false, 'Tags absent when none (recorded create-user)');
    assert.equal(h.authorized.at(-1)?.resource, u.Arn);
    const got = (await h.call(getUser, { UserName: 'ALICE' })).User as Record<string, unknown>;
    assert.deepEqual(got, u);
    const list = await h.call(listUsers, { PathPrefix: '/test-lifecycle' });
    assert.deepEqual(list, { Users: [u], IsTruncated: false });
    assert.deepEqual(await h.call(listUsers, { PathPrefix: '/other/' }), { Users: [], IsTruncated: false });
  });

  it('rejects duplicates case-insensitively with AWS text (create-duplicate-user-error)', async () => {
    await h.call(createUser, { UserName: 'Bob' });
    assertError(
      await h.fail(createUser, { UserName: 'bob' }),
      'EntityAlreadyExists',
      'User with name bob already exists.',
    );
  });

  it('answers NoSuchEntity with AWS text (get-nonexistent-user-error)', async () => {
    assertError(
      await h.fail(getUser, { UserName: 'nonexistent-user' }),
      'NoSuchEntity',
      'The user with name nonexistent-user cannot be found.',
    );
  });

  it('returns tags on Create/Get but not in ListUsers (test_user_tag_lifecycle)', async () => {
    const tags = [
      { Key: 'Environment', Value: 'Test' },
      { Key: 'Team', Value: 'Platform' },
    ];
    const out = (await h.call(createUser, { UserName: 'tagged', Tags: tags })).User as Record<
      string,
      unknown
    >;
    assert.deepEqual(out.Tags, tags);
    assert.deepEqual(h.authorized.at(-1)?.context?.['aws:TagKeys'], ['Environment', 'Team']);
    const listed = ((await h.call(listUsers, {})).Users as Record<string, unknown>[])[0];
    assert.equal(listed?.Tags, undefined);
  });

  it('GetUser without UserName describes the caller: IAM user, root, role', async () => {
    await h.call(createUser, { UserName: 'me' });
    h.principal = userPrincipal('me');
    assert.equal(((await h.call(getUser, {})).User as Record<string, unknown>).UserName, 'me');
    h.principal = { ...userPrincipal('x'), type: 'Root', arn: `arn:aws:iam::${ACCOUNT}:root` } as never;
    const root = (await h.call(getUser, {})).User as Record<string, unknown>;
    assert.deepEqual(root, {
      UserId: ACCOUNT,
      Arn: `arn:aws:iam::${ACCOUNT}:root`,
      CreateDate: 1_600_000_000_000,
    });
    h.principal = rolePrincipal();
    assertError(
      await h.fail(getUser, {}),
      'ValidationError',
      'Must specify userName when calling with non-User credentials',
    );
  });

  it('paginates ListUsers with Marker', async () => {
    for (const n of ['a', 'b', 'c']) await h.call(createUser, { UserName: n });
    const p1 = await h.call(listUsers, { MaxItems: 2 });
    assert.equal(p1.IsTruncated, true);
    assert.deepEqual(
      (p1.Users as { UserName: string }[]).map((u) => u.UserName),
      ['a', 'b'],
    );
    const p2 = await h.call(listUsers, { MaxItems: 2, Marker: p1.Marker });
    assert.deepEqual(
      (p2.Users as { UserName: string }[]).map((u) => u.UserName),
      ['c'],
    );
    assert.equal(p2.IsTruncated, false);
  });

  it('refuses when authorize denies, before touching the store', async () => {
    h.denied.add('iam:CreateUser');
    const e = await h.fail(createUser, { UserName: 'x' });
    assert.equal(e.code, 'AccessDenied');
    assert.equal(await h.store.count(ACCOUNT, 'user'), 0);
  });

  it('checks a permissions boundary exists (AttachUserPolicy texts)', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/nope`;
    assertError(
      await h.fail(createUser, { UserName: 'x', PermissionsBoundary: arn }),
      'NoSuchEntity',
      `Policy ${arn} does not exist or is not attachable.`,
    );
    assertError(
      await h.fail(createUser, { UserName: 'x', PermissionsBoundary: 'notanarn' }),
      'ValidationError',
      'ARN notanarn is not valid.',
    );
  });
});

describe('UpdateUser', () => {
  it('renames and moves, keeping UserId and following groups, keys, login profile (TestUserRename)', async () => {
    const created = (await h.call(createUser, { UserName: 'old' })).User as Record<string, unknown>;
    await h.call(createGroup, { GroupName: 'g' });
    await h.call(addUserToGroup, { GroupName: 'g', UserName: 'old' });
    const key = (await h.call(createAccessKey, { UserName: 'old' })).AccessKey as Record<string, unknown>;
    await h.call(createLoginProfile, { UserName: 'old', Password: 'Str0ng-Passw0rd!' });
    await h.call(updateUser, { UserName: 'old', NewUserName: 'new', NewPath: '/p/' });
    assert.deepEqual(
      h.authorized.slice(-2).map((r) => r.resource),
      [`arn:aws:iam::${ACCOUNT}:user/old`, `arn:aws:iam::${ACCOUNT}:user/p/new`],
    );
    const got = (await h.call(getUser, { UserName: 'new' })).User as Record<string, unknown>;
    assert.equal(got.UserId, created.UserId);
    assert.equal(got.Arn, `arn:aws:iam::${ACCOUNT}:user/p/new`);
    assertError(
      await h.fail(getUser, { UserName: 'old' }),
      'NoSuchEntity',
      'The user with name old cannot be found.',
    );
    const members = (await h.call(getGroup, { GroupName: 'g' })).Users as Record<string, unknown>[];
    assert.deepEqual(
      members.map((m) => m.UserName),
      ['new'],
    );
    const keys = (await h.call(listAccessKeys, { UserName: 'new' })).AccessKeyMetadata as Record<
      string,
      unknown
    >[];
    assert.deepEqual(
      keys.map((k) => [k.AccessKeyId, k.UserName]),
      [[key.AccessKeyId, 'new']],
    );
    const lp = (await h.call(getLoginProfile, { UserName: 'new' })).LoginProfile as Record<string, unknown>;
    assert.equal(lp.UserName, 'new');
  });

  it('refuses a taken name and an unknown user', async () => {
    await h.call(createUser, { UserName: 'a' });
    await h.call(createUser, { UserName: 'b' });
    assertError(
      await h.fail(updateUser, { UserName: 'a', NewUserName: 'B' }),
      'EntityAlreadyExists',
      'User with name B already exists.',
    );
    assertError(
      await h.fail(updateUser, { UserName: 'nonexistent-user', NewPath: '/x/' }),
      'NoSuchEntity',
      'The user with name nonexistent-user cannot be found.',
    );
  });
});

describe('DeleteUser', () => {
  it('refuses while dependents exist, with AWS texts', async () => {
    await h.call(createUser, { UserName: 'd' });
    await h.call(createLoginProfile, { UserName: 'd', Password: 'Str0ng-Passw0rd!' });
    assertError(
      await h.fail(deleteUser, { UserName: 'd' }),
      'DeleteConflict',
      'Cannot delete entity, must delete login profile first.',
    );
    await h.store.transact((tx) => tx.delete(ACCOUNT, 'loginProfile', 'd'));
    await h.call(createAccessKey, { UserName: 'd' });
    assertError(
      await h.fail(deleteUser, { UserName: 'd' }),
      'DeleteConflict',
      'Cannot delete entity, must delete access keys first.',
    );
    for (const k of await h.store.list(ACCOUNT, 'accessKey'))
      await h.store.transact((tx) => tx.delete(ACCOUNT, 'accessKey', k.key));
    const u = await h.store.get<UserBody>(ACCOUNT, 'user', 'd');
    assert.ok(u);
    await h.store.transact((tx) =>
      tx.update(ACCOUNT, 'user', 'd', { ...u.body, inlinePolicies: { p: '{}' } }),
    );
    // Recorded delete-user-with-inline-policy-error.
    assertError(
      await h.fail(deleteUser, { UserName: 'd' }),
      'DeleteConflict',
      'Cannot delete entity, must delete policies first.',
    );
    await h.store.transact((tx) =>
      tx.update(ACCOUNT, 'user', 'd', {
        ...u.body,
        attachedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      }),
    );
    // Recorded delete-user-with-attached-policy-error.
    assertError(
      await h.fail(deleteUser, { UserName: 'd' }),
      'DeleteConflict',
      'Cannot delete entity, must detach all policies first.',
    );
    await h.store.transact((tx) => tx.update(ACCOUNT, 'user', 'd', u.body));
    await h.call(createGroup, { GroupName: 'g' });
    await h.call(addUserToGroup, { GroupName: 'g', UserName: 'd' });
    assertError(
      await h.fail(deleteUser, { UserName: 'd' }),
      'DeleteConflict',
      'Cannot delete entity, must remove users from group first.',
    );
  });

  it('deletes a bare user; then NoSuchEntity (get-deleted-user-error)', async () => {
    await h.call(createUser, { UserName: 'gone' });
    assert.deepEqual(await h.call(deleteUser, { UserName: 'gone' }), {});
    assertError(
      await h.fail(deleteUser, { UserName: 'gone' }),
      'NoSuchEntity',
      'The user with name gone cannot be found.',
    );
  });
});

describe('TagUser / UntagUser / ListUserTags (test_user_tag_operations)', () => {
  it('adds, lists and removes tags', async () => {
    await h.call(createUser, { UserName: 't' });
    assert.deepEqual(await h.call(listUserTags, { UserName: 't' }), { Tags: [], IsTruncated: false });
    await h.call(tagUser, {
      UserName: 't',
      Tags: [
        { Key: 'key-1', Value: 'value-1' },
        { Key: 'key-2', Value: 'value-2' },
      ],
    });
    await h.call(untagUser, { UserName: 't', TagKeys: ['key-2'] });
    assert.deepEqual(await h.call(listUserTags, { UserName: 't' }), {
      Tags: [{ Key: 'key-1', Value: 'value-1' }],
      IsTruncated: false,
    });
    assert.equal(h.authorized.at(-2)?.context?.['aws:ResourceTag/key-1'], 'value-1');
  });

  it('answers NoSuchEntity for an unknown user (tag-nonexistent-user-error)', async () => {
    const msg = 'The user with name nonexistent-user cannot be found.';
    assertError(
      await h.fail(tagUser, { UserName: 'nonexistent-user', Tags: [{ Key: 'k', Value: 'v' }] }),
      'NoSuchEntity',
      msg,
    );
    assertError(
      await h.fail(untagUser, { UserName: 'nonexistent-user', TagKeys: ['k'] }),
      'NoSuchEntity',
      msg,
    );
    assertError(await h.fail(listUserTags, { UserName: 'nonexistent-user' }), 'NoSuchEntity', msg);
  });
});
