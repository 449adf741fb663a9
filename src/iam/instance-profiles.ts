/**
 * Instance profiles: the container that carries one role to an EC2 instance (IAM User Guide, "Use
 * instance profiles"). Create/Get/Delete/List, Add/RemoveRoleToInstanceProfile,
 * ListInstanceProfilesForRole, Tag/Untag/ListInstanceProfileTags.
 *
 * Recorded facts (localstack pr-13720 test_iam_instance_profiles): one role per profile ("Cannot exceed
 * quota for InstanceSessionsPerInstanceProfile: 1"); GetInstanceProfile always has `Tags` (maybe `[]`),
 * CreateInstanceProfile only when given, listings never; embedded roles carry six basic fields.
 */
import type { CallContext, ContextValue, Operation } from '../api/operation.js';
import { iamOperation, type IamOperation } from '../api/typed-operation.js';
import type { InstanceProfile, Role } from '../protocol/shapes/iam.js';
import { type AwsError, errors } from '../errors/index.js';
import { makeUniqueId } from '../credentials/ids.js';
import type { Entity, StoreReader } from '../store/index.js';
import { StoreConflict } from '../store/index.js';
import {
  callerAccount,
  inputTags,
  listOnPath,
  mergeTags,
  paginate,
  requestTagContext,
  resourceTagContext,
} from './common.js';
import { iamArn, nameKey } from '../domain/names.js';
import type { InstanceProfileBody, RoleBody } from '../domain/entities.js';
import { holderNotFound, instanceProfilesOfRole, loadAuthorized, roleWire } from './roles.js';
import { roleForDisplay } from '../domain/trust-principals.js';
import {
  CASE_INSENSITIVE_TAG_KEYS_CHECKED,
  checkCaseInsensitiveTagDuplicates,
  taggingOperations,
} from './tagging.js';

/** `Instance Profile x cannot be found.` (recorded). */
function profileNotFound(name: string): AwsError {
  return errors.noSuchEntity(`Instance Profile ${name} cannot be found.`);
}

/** The `InstanceProfile` wire structure with its roles embedded. */
export async function instanceProfileWire(
  store: StoreReader,
  account: string,
  b: InstanceProfileBody,
  withTags: 'omit' | 'nonEmpty' | 'always',
): Promise<InstanceProfile> {
  const roles: Role[] = [];
  for (const r of b.roles) {
    const e = await store.get<RoleBody>(account, 'role', nameKey(r));
    if (e !== undefined) roles.push(roleWire(await roleForDisplay(store, e.body), 'embedded'));
  }
  return {
    Path: b.path,
    InstanceProfileName: b.instanceProfileName,
    InstanceProfileId: b.instanceProfileId,
    Arn: b.arn,
    CreateDate: b.createDate,
    Roles: roles,
    ...((withTags === 'always' || (withTags === 'nonEmpty' && b.tags.length > 0)) && {
      Tags: b.tags.map((t) => ({ ...t })),
    }),
  };
}

/** Reads a profile, authorizes `action` on its ARN, then reports it missing if it is. */
async function loadProfile(
  ctx: CallContext,
  account: string,
  name: string,
  action: string,
  extra?: Record<string, ContextValue>,
): Promise<Entity<InstanceProfileBody>> {
  const e = await ctx.store.get<InstanceProfileBody>(account, 'instanceProfile', nameKey(name));
  const arn = e?.body.arn ?? iamArn(account, 'instance-profile', '/', name);
  await ctx.authorize({
    action,
    resource: arn,
    context: { ...resourceTagContext(e?.body.tags ?? []), ...extra },
  });
  if (e === undefined) throw profileNotFound(name);
  return e;
}

async function rereadProfile(
  tx: StoreReader,
  account: string,
  name: string,
): Promise<Entity<InstanceProfileBody>> {
  const e = await tx.get<InstanceProfileBody>(account, 'instanceProfile', nameKey(name));
  if (e === undefined) throw profileNotFound(name);
  return e;
}

/** CreateInstanceProfile. */
export const createInstanceProfile = iamOperation<'CreateInstanceProfile'>({
  service: 'iam',
  name: 'CreateInstanceProfile',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const name = input.InstanceProfileName;
    const path = input.Path ?? '/';
    const tags = inputTags(input.Tags);
    const arn = iamArn(account, 'instance-profile', path, name);
    await ctx.authorize({
      action: 'iam:CreateInstanceProfile',
      resource: arn,
      context: requestTagContext(tags),
    });
    checkCaseInsensitiveTagDuplicates(tags);
    const body: InstanceProfileBody = {
      instanceProfileName: name,
      instanceProfileId: makeUniqueId('AIPA', (n) => ctx.services.random(n)),
      arn,
      path,
      createDate: ctx.now,
      roles: [],
      tags: mergeTags([], tags),
    };
    return ctx.transact(async (tx) => {
      try {
        await tx.insert(account, 'instanceProfile', nameKey(name), body);
      } catch (e) {
        if (e instanceof StoreConflict && e.reason === 'exists')
          throw errors.alreadyExists(`Instance Profile ${name} already exists.`);
        throw e;
      }
      return { InstanceProfile: await instanceProfileWire(tx, account, body, 'nonEmpty') };
    });
  },
});

/** GetInstanceProfile. */
export const getInstanceProfile = iamOperation<'GetInstanceProfile'>({
  service: 'iam',
  name: 'GetInstanceProfile',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const e = await loadProfile(ctx, account, input.InstanceProfileName, 'iam:GetInstanceProfile');
    return { InstanceProfile: await instanceProfileWire(ctx.store, account, e.body, 'always') };
  },
});

/** DeleteInstanceProfile: refused while it holds a role (recorded text). */
export const deleteInstanceProfile = iamOperation<'DeleteInstanceProfile'>({
  service: 'iam',
  name: 'DeleteInstanceProfile',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const name = input.InstanceProfileName;
    await loadProfile(ctx, account, name, 'iam:DeleteInstanceProfile');
    return ctx.transact(async (tx) => {
      const e = await rereadProfile(tx, account, name);
      if (e.body.roles.length > 0)
        throw errors.deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
      await tx.delete(account, 'instanceProfile', e.key);
      return {};
    });
  },
});

/** ListInstanceProfiles (PathPrefix, pagination in name order). */
export const listInstanceProfiles = iamOperation<'ListInstanceProfiles'>({
  service: 'iam',
  name: 'ListInstanceProfiles',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const { page, ...rest } = await listOnPath<InstanceProfileBody>(ctx, input, {
      action: 'iam:ListInstanceProfiles',
      kind: 'instanceProfile',
      arnType: 'instance-profile',
    });
    const out: Record<string, unknown>[] = [];
    for (const e of page) out.push(await instanceProfileWire(ctx.store, account, e.body, 'omit'));
    return { InstanceProfiles: out, ...rest };
  },
});

/**
 * AddRoleToInstanceProfile. AWS also requires `iam:PassRole` on the role ("The caller of this operation
 * must be granted the PassRole permission on the IAM role", AddRoleToInstanceProfile API reference);
 * the role is passed to EC2.
 */
export const addRoleToInstanceProfile = iamOperation<'AddRoleToInstanceProfile'>({
  service: 'iam',
  name: 'AddRoleToInstanceProfile',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const name = input.InstanceProfileName;
    const roleName = input.RoleName;
    await loadProfile(ctx, account, name, 'iam:AddRoleToInstanceProfile');
    await loadAuthorized(ctx, account, 'role', roleName, 'iam:PassRole', {
      'iam:PassedToService': 'ec2.amazonaws.com',
    });
    return ctx.transact(async (tx) => {
      const e = await rereadProfile(tx, account, name);
      const role = await tx.get<RoleBody>(account, 'role', nameKey(roleName));
      if (role === undefined) throw holderNotFound('role', roleName);
      if (e.body.roles.length >= 1)
        throw errors.limitExceeded('Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
      await tx.update(
        account,
        'instanceProfile',
        e.key,
        { ...e.body, roles: [role.body.roleName] },
        { expectedVersion: e.version },
      );
      return {};
    });
  },
});

/** RemoveRoleFromInstanceProfile. */
export const removeRoleFromInstanceProfile = iamOperation<'RemoveRoleFromInstanceProfile'>({
  service: 'iam',
  name: 'RemoveRoleFromInstanceProfile',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const name = input.InstanceProfileName;
    const roleName = input.RoleName;
    await loadProfile(ctx, account, name, 'iam:RemoveRoleFromInstanceProfile');
    return ctx.transact(async (tx) => {
      const e = await rereadProfile(tx, account, name);
      if ((await tx.get(account, 'role', nameKey(roleName))) === undefined)
        throw holderNotFound('role', roleName);
      const key = nameKey(roleName);
      if (!e.body.roles.some((r) => nameKey(r) === key))
        throw errors.noSuchEntity(`Role ${roleName} in Instance Profile ${name} cannot be found.`);
      await tx.update(
        account,
        'instanceProfile',
        e.key,
        { ...e.body, roles: e.body.roles.filter((r) => nameKey(r) !== key) },
        { expectedVersion: e.version },
      );
      return {};
    });
  },
});

/** ListInstanceProfilesForRole. */
export const listInstanceProfilesForRole = iamOperation<'ListInstanceProfilesForRole'>({
  service: 'iam',
  name: 'ListInstanceProfilesForRole',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const roleName = input.RoleName;
    await loadAuthorized(ctx, account, 'role', roleName, 'iam:ListInstanceProfilesForRole');
    const profiles = await instanceProfilesOfRole(ctx.store, account, roleName);
    const { page, ...rest } = paginate(profiles, (e) => e.key, input, ctx.services);
    const out: Record<string, unknown>[] = [];
    for (const e of page) out.push(await instanceProfileWire(ctx.store, account, e.body, 'omit'));
    return { InstanceProfiles: out, ...rest };
  },
});

/** TagInstanceProfile, UntagInstanceProfile and ListInstanceProfileTags (keys case-insensitive). */
const instanceProfileTagging = taggingOperations<'InstanceProfile', InstanceProfileBody>({
  noun: 'InstanceProfile',
  resourceId: (input) => input.InstanceProfileName,
  keys: CASE_INSENSITIVE_TAG_KEYS_CHECKED,
  load: (ctx, name, action, extra) => loadProfile(ctx, callerAccount(ctx), name, action, extra),
  writeTags(ctx, name, _loaded, change) {
    const account = callerAccount(ctx);
    return ctx.transact(async (tx) => {
      const e = await rereadProfile(tx, account, name);
      const body = { ...e.body, tags: change(e.body.tags) };
      await tx.update(account, 'instanceProfile', e.key, body, { expectedVersion: e.version });
      return {};
    });
  },
});

/** TagInstanceProfile. */
export const tagInstanceProfile: IamOperation<'TagInstanceProfile'> = instanceProfileTagging.tag;

/** UntagInstanceProfile. */
export const untagInstanceProfile: IamOperation<'UntagInstanceProfile'> = instanceProfileTagging.untag;

/** ListInstanceProfileTags. */
export const listInstanceProfileTags: IamOperation<'ListInstanceProfileTags'> = instanceProfileTagging.list;

/** Every instance-profile operation, for `src/iam/index.ts`. */
export const instanceProfileOperations: readonly Operation[] = [
  createInstanceProfile,
  getInstanceProfile,
  deleteInstanceProfile,
  listInstanceProfiles,
  addRoleToInstanceProfile,
  removeRoleFromInstanceProfile,
  listInstanceProfilesForRole,
  tagInstanceProfile,
  untagInstanceProfile,
  listInstanceProfileTags,
];
