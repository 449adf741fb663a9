/**
 * IAM groups: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup, AddUserToGroup,
 * RemoveUserFromGroup, ListGroupsForUser.
 *
 * Membership is stored on both sides (GroupBody.members and UserBody.groups) and both are changed in the
 * same transaction. Response shapes and error texts: shared/reference/localstack-snapshots/pr-13720/iam/
 * test_iam_groups and test_iam_users (recorded against AWS).
 */
import type { CallContext, Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import type { Group } from '../protocol/shapes/iam.js';
import type { Entity, StoreReader } from '../store/index.js';
import { StoreConflict } from '../store/index.js';
import type { AwsError } from '../errors/index.js';
import { errors } from '../errors/index.js';
import { makeUniqueId } from '../credentials/ids.js';
import { callerAccount, listOnPath, paginate } from './common.js';
import { iamArn, nameKey } from '../domain/names.js';
import type { GroupBody, UserBody } from '../domain/entities.js';
import { authorizeOnUser, noSuchUser, requireUser, userSummary } from './users.js';

/** IAM quota "Groups per account" (GetAccountSummary `GroupsQuota`: 300). */
export const GROUPS_QUOTA = 300;

/** IAM quota "IAM groups an IAM user can be a member of" (GetAccountSummary `GroupsPerUserQuota`: 10). */
export const GROUPS_PER_USER_QUOTA = 10;

/** AWS's text when a named group does not exist (recorded: GetGroup, DeleteGroup, UpdateGroup, …). */
export function noSuchGroup(groupName: string): AwsError {
  return errors.noSuchEntity(`The group with name ${groupName} cannot be found.`);
}

/** Reads a group by name (case-insensitive). */
export async function findGroup(
  reader: StoreReader,
  account: string,
  groupName: string,
): Promise<Entity<GroupBody> | undefined> {
  return reader.get<GroupBody>(account, 'group', nameKey(groupName));
}

async function requireGroup(
  reader: StoreReader,
  account: string,
  groupName: string,
): Promise<Entity<GroupBody>> {
  const g = await findGroup(reader, account, groupName);
  if (g === undefined) throw noSuchGroup(groupName);
  return g;
}

/** Authorizes `action` on the group's real ARN (path included) and returns it, if it exists. */
async function authorizeOnGroup(
  ctx: CallContext,
  account: string,
  action: string,
  groupName: string,
): Promise<Entity<GroupBody> | undefined> {
  const group = await findGroup(ctx.store, account, groupName);
  await ctx.authorize({ action, resource: group?.body.arn ?? iamArn(account, 'group', '/', groupName) });
  return group;
}

/** The `Group` shape IAM returns (CreateGroup, GetGroup, ListGroups, ListGroupsForUser). */
export function groupOutput(b: GroupBody): Group {
  return { Path: b.path, GroupName: b.groupName, GroupId: b.groupId, Arn: b.arn, CreateDate: b.createDate };
}

/** CreateGroup. */
export const createGroup = iamOperation<'CreateGroup'>({
  service: 'iam',
  name: 'CreateGroup',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const groupName = input.GroupName;
    const path = input.Path ?? '/';
    const arn = iamArn(account, 'group', path, groupName);
    await ctx.authorize({ action: 'iam:CreateGroup', resource: arn });
    return ctx.transact(async (tx) => {
      if ((await tx.count(account, 'group')) >= GROUPS_QUOTA)
        throw errors.limitExceeded(`Cannot exceed quota for GroupsPerAccount: ${GROUPS_QUOTA}`);
      const body: GroupBody = {
        groupName,
        groupId: makeUniqueId('AGPA', (n) => ctx.services.random(n)),
        arn,
        path,
        createDate: ctx.now,
        inlinePolicies: {},
        attachedPolicies: [],
        members: [],
      };
      try {
        await tx.insert(account, 'group', nameKey(groupName), body);
      } catch (e) {
        if (e instanceof StoreConflict && e.reason === 'exists')
          throw errors.alreadyExists(`Group with name ${groupName} already exists.`);
        throw e;
      }
      return { Group: groupOutput(body) };
    });
  },
});

/** GetGroup: the group and its users (paginated over the users, in name order). */
export const getGroup = iamOperation<'GetGroup'>({
  service: 'iam',
  name: 'GetGroup',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const groupName = input.GroupName;
    const group = await authorizeOnGroup(ctx, account, 'iam:GetGroup', groupName);
    if (group === undefined) throw noSuchGroup(groupName);
    const users: Entity<UserBody>[] = [];
    for (const m of group.body.members) {
      const u = await ctx.store.get<UserBody>(account, 'user', nameKey(m));
      if (u !== undefined) users.push(u);
    }
    users.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const { page, IsTruncated, Marker } = paginate(users, (u) => u.key, input, ctx.services);
    return {
      Group: groupOutput(group.body),
      Users: page.map((u) => userSummary(u.body)),
      IsTruncated,
      ...(Marker === undefined ? {} : { Marker }),
    };
  },
});

/** ListGroups: groups whose path starts with `PathPrefix`, in name order. */
export const listGroups = iamOperation<'ListGroups'>({
  service: 'iam',
  name: 'ListGroups',
  async handle(input, ctx) {
    const { page, IsTruncated, Marker } = await listOnPath<GroupBody>(ctx, input, {
      action: 'iam:ListGroups',
      kind: 'group',
      arnType: 'group',
    });
    return {
      Groups: page.map((e) => groupOutput(e.body)),
      IsTruncated,
      ...(Marker === undefined ? {} : { Marker }),
    };
  },
});

/**
 * UpdateGroup: rename and/or move. As with UpdateUser, the caller needs permission on both the old and
 * the new ARN (UpdateGroup API reference). The GroupId stays; member users follow the new name.
 */
export const updateGroup = iamOperation<'UpdateGroup'>({
  service: 'iam',
  name: 'UpdateGroup',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const groupName = input.GroupName;
    const group = await authorizeOnGroup(ctx, account, 'iam:UpdateGroup', groupName);
    if (group === undefined) throw noSuchGroup(groupName);
    const targetName = input.NewGroupName ?? group.body.groupName;
    const targetPath = input.NewPath ?? group.body.path;
    const targetArn = iamArn(account, 'group', targetPath, targetName);
    if (targetArn !== group.body.arn) await ctx.authorize({ action: 'iam:UpdateGroup', resource: targetArn });
    return ctx.transact(async (tx) => {
      const cur = await requireGroup(tx, account, groupName);
      const body: GroupBody = { ...cur.body, groupName: targetName, path: targetPath, arn: targetArn };
      const newKey = nameKey(targetName);
      if (newKey === cur.key) {
        await tx.update(account, 'group', cur.key, body, { expectedVersion: cur.version });
      } else {
        try {
          await tx.insert(account, 'group', newKey, body);
        } catch (e) {
          if (e instanceof StoreConflict && e.reason === 'exists')
            throw errors.alreadyExists(`Group with name ${targetName} already exists.`);
          throw e;
        }
        await tx.delete(account, 'group', cur.key);
      }
      if (targetName !== cur.body.groupName) {
        for (const m of cur.body.members) {
          const u = await tx.get<UserBody>(account, 'user', nameKey(m));
          if (u === undefined) continue;
          const groups = u.body.groups.map((g) => (nameKey(g) === cur.key ? targetName : g));
          await tx.update(account, 'user', u.key, { ...u.body, groups }, { expectedVersion: u.version });
        }
      }
      return {};
    });
  },
});

/**
 * DeleteGroup: refused while the group has members, inline policies or attached policies ("Deleting an
 * IAM group"), with the same DeleteConflict texts DeleteUser uses.
 */
export const deleteGroup = iamOperation<'DeleteGroup'>({
  service: 'iam',
  name: 'DeleteGroup',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const groupName = input.GroupName;
    const found = await authorizeOnGroup(ctx, account, 'iam:DeleteGroup', groupName);
    if (found === undefined) throw noSuchGroup(groupName);
    return ctx.transact(async (tx) => {
      const g = await requireGroup(tx, account, groupName);
      if (g.body.members.length > 0)
        throw errors.deleteConflict('Cannot delete entity, must remove users from group first.');
      if (Object.keys(g.body.inlinePolicies).length > 0)
        throw errors.deleteConflict('Cannot delete entity, must delete policies first.');
      if (g.body.attachedPolicies.length > 0)
        throw errors.deleteConflict('Cannot delete entity, must detach all policies first.');
      await tx.delete(account, 'group', g.key);
      return {};
    });
  },
});

/**
 * AddUserToGroup. The user is checked before the group (AWS answers "The user with name any-user cannot
 * be found." for RemoveUserFromGroup on an unknown group and an unknown user — recorded). Adding a
 * member twice is a no-op; a user may be in at most 10 groups.
 */
export const addUserToGroup = iamOperation<'AddUserToGroup'>({
  service: 'iam',
  name: 'AddUserToGroup',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const groupName = input.GroupName;
    const userName = input.UserName;
    await authorizeOnGroup(ctx, account, 'iam:AddUserToGroup', groupName);
    return ctx.transact(async (tx) => {
      const user = await requireUser(tx, account, userName);
      const group = await requireGroup(tx, account, groupName);
      if (user.body.groups.some((g) => nameKey(g) === group.key)) return {};
      if (user.body.groups.length >= GROUPS_PER_USER_QUOTA)
        throw errors.limitExceeded(`Cannot exceed quota for GroupsPerUser: ${GROUPS_PER_USER_QUOTA}`);
      await tx.update(
        account,
        'user',
        user.key,
        { ...user.body, groups: [...user.body.groups, group.body.groupName] },
        { expectedVersion: user.version },
      );
      const members = group.body.members.filter((m) => nameKey(m) !== user.key);
      members.push(user.body.userName);
      await tx.update(
        account,
        'group',
        group.key,
        { ...group.body, members },
        { expectedVersion: group.version },
      );
      return {};
    });
  },
});

/** RemoveUserFromGroup. Removing a user that is not a member succeeds (recorded `remove-nonmember-user-from-group`). */
export const removeUserFromGroup = iamOperation<'RemoveUserFromGroup'>({
  service: 'iam',
  name: 'RemoveUserFromGroup',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const groupName = input.GroupName;
    const userName = input.UserName;
    await authorizeOnGroup(ctx, account, 'iam:RemoveUserFromGroup', groupName);
    return ctx.transact(async (tx) => {
      const user = await requireUser(tx, account, userName);
      const group = await requireGroup(tx, account, groupName);
      const groups = user.body.groups.filter((g) => nameKey(g) !== group.key);
      if (groups.length !== user.body.groups.length)
        await tx.update(
          account,
          'user',
          user.key,
          { ...user.body, groups },
          { expectedVersion: user.version },
        );
      const members = group.body.members.filter((m) => nameKey(m) !== user.key);
      if (members.length !== group.body.members.length)
        await tx.update(
          account,
          'group',
          group.key,
          { ...group.body, members },
          { expectedVersion: group.version },
        );
      return {};
    });
  },
});

/** ListGroupsForUser: the user's groups in name order, paginated. */
export const listGroupsForUser = iamOperation<'ListGroupsForUser'>({
  service: 'iam',
  name: 'ListGroupsForUser',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const userName = input.UserName;
    const user = await authorizeOnUser(ctx, account, 'iam:ListGroupsForUser', userName);
    if (user === undefined) throw noSuchUser(userName);
    const groups: Entity<GroupBody>[] = [];
    for (const name of user.body.groups) {
      const g = await findGroup(ctx.store, account, name);
      if (g !== undefined) groups.push(g);
    }
    groups.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const { page, IsTruncated, Marker } = paginate(groups, (g) => g.key, input, ctx.services);
    return {
      Groups: page.map((g) => groupOutput(g.body)),
      IsTruncated,
      ...(Marker === undefined ? {} : { Marker }),
    };
  },
});

/** The group operations, registered in `src/iam/index.ts`. */
export const groupOperations: readonly Operation[] = [
  createGroup,
  getGroup,
  listGroups,
  updateGroup,
  deleteGroup,
  addUserToGroup,
  removeUserFromGroup,
  listGroupsForUser,
];
