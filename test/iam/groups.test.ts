/**
 * Groups. Expected shapes and texts from shared/reference/localstack-snapshots/pr-13720/iam/
 * test_iam_groups.snapshot.json and test_iam_users.snapshot.json (recorded against AWS).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  addUserToGroup,
  createGroup,
  deleteGroup,
  getGroup,
  listGroups,
  listGroupsForUser,
  removeUserFromGroup,
  updateGroup,
} from '../../src/iam/groups.js';
import { createUser, updateUser } from '../../src/iam/users.js';
import { ACCOUNT, assertError, makeHarness, type Harness } from './harness-identities.js';

let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
});
afterEach(async () => {
  await h.close();
});

describe('groups', () => {
  it('creates, gets (with Users) and lists (test_get_group_with_path)', async () => {
    const g = (await h.call(createGroup, { GroupName: 'devs', Path: '/some/location/' })).Group as Record<
      string,
      unknown
    >;
    assert.equal(g.Arn, `arn:aws:iam::${ACCOUNT}:group/some/location/devs`);
    assert.match(g.GroupId as string, /^AGPA[A-Z2-7]{17}$/);
    assert.deepEqual(Object.keys(g).sort(), ['Arn', 'CreateDate', 'GroupId', 'GroupName', 'Path']);
    assert.deepEqual(await h.call(getGroup, { GroupName: 'devs' }), {
      Group: g,
      Users: [],
      IsTruncated: false,
    });
    assert.deepEqual(await h.call(listGroups, {}), { Groups: [g], IsTruncated: false });
    assertError(
      await h.fail(createGroup, { GroupName: 'DEVS' }),
      'EntityAlreadyExists',
      'Group with name DEVS already exists.',
    );
    assertError(
      await h.fail(getGroup, { GroupName: 'non-existent-group' }),
      'NoSuchEntity',
      'The group with name non-existent-group cannot be found.',
    );
  });

  it('adds and removes members; idempotent; AWS order of not-found checks', async () => {
    await h.call(createGroup, { GroupName: 'g1' });
    await h.call(createGroup, { GroupName: 'g2' });
    await h.call(createUser, { UserName: 'u' });
    await h.call(addUserToGroup, { GroupName: 'g1', UserName: 'u' });
    await h.call(addUserToGroup, { GroupName: 'g1', UserName: 'u' });
    await h.call(addUserToGroup, { GroupName: 'g2', UserName: 'u' });
    const groups = (await h.call(listGroupsForUser, { UserName: 'u' })).Groups as Record<string, unknown>[];
    assert.deepEqual(
      groups.map((g) => g.GroupName),
      ['g1', 'g2'],
    );
    const users = (await h.call(getGroup, { GroupName: 'g1' })).Users as Record<string, unknown>[];
    assert.deepEqual(
      users.map((u) => u.UserName),
      ['u'],
    );
    await h.call(removeUserFromGroup, { GroupName: 'g1', UserName: 'u' });
    // remove-nonmember-user-from-group: succeeds.
    assert.deepEqual(await h.call(removeUserFromGroup, { GroupName: 'g1', UserName: 'u' }), {});
    assert.deepEqual((await h.call(getGroup, { GroupName: 'g1' })).Users, []);
    assertError(
      await h.fail(addUserToGroup, { GroupName: 'g1', UserName: 'non-existent-user' }),
      'NoSuchEntity',
      'The user with name non-existent-user cannot be found.',
    );
    assertError(
      await h.fail(addUserToGroup, { GroupName: 'non-existent-group', UserName: 'u' }),
      'NoSuchEntity',
      'The group with name non-existent-group cannot be found.',
    );
    // remove-from-unknown-group: unknown group and user -> the user is reported.
    assertError(
      await h.fail(removeUserFromGroup, { GroupName: 'nope', UserName: 'any-user' }),
      'NoSuchEntity',
      'The user with name any-user cannot be found.',
    );
  });

  it('limits a user to 10 groups', async () => {
    await h.call(createUser, { UserName: 'u' });
    for (let i = 0; i < 11; i++) await h.call(createGroup, { GroupName: `g${i}` });
    for (let i = 0; i < 10; i++) await h.call(addUserToGroup, { GroupName: `g${i}`, UserName: 'u' });
    assertError(
      await h.fail(addUserToGroup, { GroupName: 'g10', UserName: 'u' }),
      'LimitExceeded',
      'Cannot exceed quota for GroupsPerUser: 10',
    );
  });

  it('renames a group, keeping GroupId and members (test_update_group_name)', async () => {
    const g = (await h.call(createGroup, { GroupName: 'old' })).Group as Record<string, unknown>;
    await h.call(createUser, { UserName: 'u' });
    await h.call(addUserToGroup, { GroupName: 'old', UserName: 'u' });
    await h.call(updateGroup, { GroupName: 'old', NewGroupName: 'new', NewPath: '/new-path/' });
    const got = (await h.call(getGroup, { GroupName: 'new' })) as {
      Group: Record<string, unknown>;
      Users: unknown[];
    };
    assert.equal(got.Group.GroupId, g.GroupId);
    assert.equal(got.Group.Arn, `arn:aws:iam::${ACCOUNT}:group/new-path/new`);
    assert.equal(got.Users.length, 1);
    const forUser = (await h.call(listGroupsForUser, { UserName: 'u' })).Groups as Record<string, unknown>[];
    assert.deepEqual(
      forUser.map((x) => x.GroupName),
      ['new'],
    );
    assertError(
      await h.fail(getGroup, { GroupName: 'old' }),
      'NoSuchEntity',
      'The group with name old cannot be found.',
    );
    await h.call(createGroup, { GroupName: 'other' });
    assertError(
      await h.fail(updateGroup, { GroupName: 'other', NewGroupName: 'new' }),
      'EntityAlreadyExists',
      'Group with name new already exists.',
    );
    assertError(
      await h.fail(updateGroup, { GroupName: 'nonexisting', NewGroupName: 'x' }),
      'NoSuchEntity',
      'The group with name nonexisting cannot be found.',
    );
  });

  it('a user rename preserves group membership (test_user_rename_preserves_group_membership)', async () => {
    await h.call(createGroup, { GroupName: 'g' });
    await h.call(createUser, { UserName: 'u1' });
    await h.call(addUserToGroup, { GroupName: 'g', UserName: 'u1' });
    await h.call(updateUser, { UserName: 'u1', NewUserName: 'u2' });
    const groups = (await h.call(listGroupsForUser, { UserName: 'u2' })).Groups as Record<string, unknown>[];
    assert.equal(groups.length, 1);
    assertError(
      await h.fail(listGroupsForUser, { UserName: 'u1' }),
      'NoSuchEntity',
      'The user with name u1 cannot be found.',
    );
  });

  it('refuses to delete a group with members; deletes an empty one', async () => {
    await h.call(createGroup, { GroupName: 'g' });
    await h.call(createUser, { UserName: 'u' });
    await h.call(addUserToGroup, { GroupName: 'g', UserName: 'u' });
    assertError(
      await h.fail(deleteGroup, { GroupName: 'g' }),
      'DeleteConflict',
      'Cannot delete entity, must remove users from group first.',
    );
    await h.call(removeUserFromGroup, { GroupName: 'g', UserName: 'u' });
    assert.deepEqual(await h.call(deleteGroup, { GroupName: 'g' }), {});
    assertError(
      await h.fail(deleteGroup, { GroupName: 'unknown-group' }),
      'NoSuchEntity',
      'The group with name unknown-group cannot be found.',
    );
  });
});
