/**
 * IAM users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser, TagUser, UntagUser, ListUserTags.
 * Also the user helpers the other identity handlers share (lookup, AWS's "cannot be found" text, the
 * output shapes).
 *
 * Facts: IAM API Reference for each action (https://docs.aws.amazon.com/IAM/latest/APIReference/),
 * response shapes and error texts from shared/reference/localstack-snapshots/pr-13720/iam/test_iam_users
 * (recorded against AWS) and shared/reference/aws-errors.md.
 */
import type { CallContext, ContextValue, Operation } from '../api/operation.js';
import { iamOperation, type IamOperation } from '../api/typed-operation.js';
import type { AttachedPermissionsBoundary, User } from '../protocol/shapes/iam.js';
import type { Entity, EntityKind, StoreReader, StoreTx } from '../store/index.js';
import { StoreConflict } from '../store/index.js';
import type { AwsError } from '../errors/index.js';
import { errors } from '../errors/index.js';
import { makeUniqueId } from '../credentials/ids.js';
import { awsManagedPolicyEntry, AWS_POLICY_ARN_PREFIX } from '../domain/aws-managed-catalog.js';
import {
  callerAccount,
  inputTags,
  listOnPath,
  mergeTags,
  requestTagContext,
  resourceTagContext,
} from './common.js';
import { iamArn, nameKey } from '../domain/names.js';
import type {
  AccessKeyBody,
  GroupBody,
  LoginProfileBody,
  ManagedPolicyBody,
  MfaDeviceBody,
  UserBody,
} from '../domain/entities.js';
import { CASE_INSENSITIVE_TAG_KEYS, taggingOperations } from './tagging.js';

/** IAM quota "Users per account" (IAM and AWS STS quotas page; GetAccountSummary `UsersQuota`). */
export const USERS_QUOTA = 5000;

/** AWS's text when a named user does not exist (recorded: GetUser, DeleteUser, TagUser, …). */
export function noSuchUser(userName: string): AwsError {
  return errors.noSuchEntity(`The user with name ${userName} cannot be found.`);
}

/** Reads a user by name (case-insensitive, as IAM names are). */
export async function findUser(
  reader: StoreReader,
  account: string,
  userName: string,
): Promise<Entity<UserBody> | undefined> {
  return reader.get<UserBody>(account, 'user', nameKey(userName));
}

/** Reads a user by name or throws AWS's NoSuchEntity. */
export async function requireUser(
  reader: StoreReader,
  account: string,
  userName: string,
): Promise<Entity<UserBody>> {
  const user = await findUser(reader, account, userName);
  if (user === undefined) throw noSuchUser(userName);
  return user;
}

/**
 * Authorizes `action` on the user named `userName` and returns the stored user (or undefined when it
 * does not exist, so the caller can answer NoSuchEntity only to callers allowed to ask). The resource is
 * the user's real ARN, path included (the Service Authorization Reference's `user` resource is
 * `arn:${Partition}:iam::${Account}:user/${UserNameWithPath}`), and `aws:ResourceTag/*` carries its tags
 * (IAM supports resource tags on users: "Controlling access to IAM users and roles using tags").
 */
export async function authorizeOnUser(
  ctx: CallContext,
  account: string,
  action: string,
  userName: string,
  extra?: Readonly<Record<string, ContextValue>>,
): Promise<Entity<UserBody> | undefined> {
  const user = await findUser(ctx.store, account, userName);
  const resource = user?.body.arn ?? iamArn(account, 'user', '/', userName);
  const context = { ...(user === undefined ? {} : resourceTagContext(user.body.tags)), ...extra };
  await ctx.authorize({ action, resource, context });
  return user;
}

/**
 * The user a credential-scoped call (CreateAccessKey, GetUser, …) acts on when `UserName` is omitted:
 * "If you do not specify a user name, IAM determines the user name implicitly based on the AWS access
 * key ID signing the request." Roles and federated users have no user: AWS answers ValidationError
 * `Must specify userName when calling with non-User credentials` (recorded for DeleteAccessKey).
 * Returns `{ root: true }` for the account root.
 */
export function implicitUser(
  ctx: CallContext,
): { root: true; arn: string } | { root: false; userName: string } {
  const p = ctx.principal;
  if (p.type === 'IAMUser') return { root: false, userName: p.userName };
  if (p.type === 'Root') return { root: true, arn: p.arn };
  throw errors.validation('Must specify userName when calling with non-User credentials');
}

/** Whose credentials (access keys, signing certificates, MFA devices) a call is about: a user or the root. */
export interface CredentialOwner {
  /** The store index of the owner's credentials: the user's key, `''` for the account root. */
  readonly index: string;
  /** The user name as stored; undefined for the root. */
  readonly userName: string | undefined;
  /** The user; undefined for the root. */
  readonly user: Entity<UserBody> | undefined;
}

/**
 * The owner a credential call is about: `userName` or, when omitted, the signing credentials' own user
 * or the account root ({@link implicitUser}), after authorizing `action` on it (a user's ARN, or the
 * root's). An unknown user is NoSuchEntity, answered only once authorized; a role or federated caller
 * without `userName` is ValidationError.
 */
export async function credentialOwner(
  ctx: CallContext,
  account: string,
  action: string,
  userName: string | undefined,
): Promise<CredentialOwner> {
  let name = userName;
  if (name === undefined) {
    const self = implicitUser(ctx);
    if (self.root) {
      await ctx.authorize({ action, resource: self.arn });
      return { index: '', userName: undefined, user: undefined };
    }
    name = self.userName;
  }
  const user = await authorizeOnUser(ctx, account, action, name);
  if (user === undefined) throw noSuchUser(name);
  return { index: user.key, userName: user.body.userName, user };
}

/**
 * The user a call is about: `UserName`, or the calling IAM user when it is omitted ("it defaults to the
 * principal making the request", e.g. the Create/Get/DeleteLoginProfile API references), after
 * authorizing `action` on it. The root and non-user callers must name a user (ValidationError, as
 * {@link implicitUser}); an unknown user is NoSuchEntity, answered only once authorized.
 */
export async function targetUser(
  ctx: CallContext,
  account: string,
  action: string,
  userName: string | undefined,
): Promise<Entity<UserBody>> {
  let name = userName;
  if (name === undefined) {
    const self = implicitUser(ctx);
    if (self.root) throw errors.validation('Must specify userName when calling with non-User credentials');
    name = self.userName;
  }
  const user = await authorizeOnUser(ctx, account, action, name);
  if (user === undefined) throw noSuchUser(name);
  return user;
}

/**
 * A permissions boundary as IAM outputs it (`AttachedPermissionsBoundary`). The type is `Policy`: that is
 * what real IAM sends (recorded GetRole, localstack-snapshots/pr-13720/iam/test_iam_roles.snapshot.json)
 * and what the API reference says ("can only have a value of Policy"), although the model's enum lists
 * `PermissionsBoundaryPolicy`. Roles (roles.ts) already use `Policy`; users must match.
 */
export function boundaryOutput(arn: string | undefined): AttachedPermissionsBoundary | undefined {
  return arn === undefined ? undefined : { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn };
}

/**
 * The `User` shape as list operations return it (ListUsers, GetGroup's Users, ListVirtualMFADevices'
 * User): AWS leaves out Tags and PermissionsBoundary there (ListUsers API reference: "IAM
 * resource-listing operations return a subset of the available attributes"), PasswordLastUsed only when
 * the password was used.
 */
export function userSummary(b: UserBody): User {
  return {
    Path: b.path,
    UserName: b.userName,
    UserId: b.userId,
    Arn: b.arn,
    CreateDate: b.createDate,
    ...(b.passwordLastUsed !== undefined && { PasswordLastUsed: b.passwordLastUsed }),
  };
}

/** The `User` shape of CreateUser / GetUser: the summary plus boundary and tags (Tags only when any). */
export function userDetail(b: UserBody): User {
  const boundary = boundaryOutput(b.permissionsBoundary);
  return {
    ...userSummary(b),
    ...(boundary !== undefined && { PermissionsBoundary: boundary }),
    ...(b.tags.length > 0 && { Tags: b.tags.map((t) => ({ Key: t.Key, Value: t.Value })) }),
  };
}

/** Splits an IAM policy ARN `arn:aws:iam::ACCT:policy/PATH/NAME` into account and name. */
function parsePolicyArn(arn: string): { account: string; name: string } | undefined {
  const m = /^arn:aws:iam::(\d{12}|aws):policy(\/(?:[\u0021-\u007e]*\/)?)([\w+=,.@-]+)$/.exec(arn);
  if (m === null) return undefined;
  return { account: m[1] ?? '', name: m[3] ?? '' };
}

/**
 * Checks a permissions boundary ARN the way AttachUserPolicy checks policy ARNs (recorded texts:
 * `ARN x is not valid.` for a non-ARN, `Policy ARN does not exist or is not attachable.` for an unknown
 * policy) and, for a customer managed policy, bumps its `permissionsBoundaryUsageCount` by `delta`
 * inside the caller's transaction. AWS managed policies come from the read-only catalog; their usage is
 * computed per account (aws-managed-catalog.ts).
 */
export async function adjustBoundaryUsage(
  tx: StoreTx,
  account: string,
  arn: string,
  delta: 1 | -1,
): Promise<void> {
  const parsed = parsePolicyArn(arn);
  if (parsed === undefined) throw errors.validation(`ARN ${arn} is not valid.`);
  const missing = (): AwsError => errors.noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  if (arn.startsWith(AWS_POLICY_ARN_PREFIX)) {
    const entry = awsManagedPolicyEntry(arn);
    if (delta > 0 && (entry === undefined || !entry.attachable)) throw missing();
    return;
  }
  if (parsed.account !== account) {
    if (delta > 0) throw missing();
    return;
  }
  const policy = await tx.get<ManagedPolicyBody>(account, 'policy', nameKey(parsed.name));
  if (policy === undefined || policy.body.arn !== arn) {
    if (delta > 0) throw missing();
    return;
  }
  const count = Math.max(0, policy.body.permissionsBoundaryUsageCount + delta);
  await tx.update(
    account,
    'policy',
    policy.key,
    { ...policy.body, permissionsBoundaryUsageCount: count },
    { expectedVersion: policy.version },
  );
}

/** CreateUser: a new IAM user, optionally with a path, tags and a permissions boundary. */
export const createUser = iamOperation<'CreateUser'>({
  service: 'iam',
  name: 'CreateUser',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const userName = input.UserName;
    const path = input.Path ?? '/';
    const tags = inputTags(input.Tags);
    const boundary = input.PermissionsBoundary;
    const arn = iamArn(account, 'user', path, userName);
    const context: Record<string, ContextValue> = requestTagContext(tags);
    if (boundary !== undefined) context['iam:PermissionsBoundary'] = boundary;
    await ctx.authorize({ action: 'iam:CreateUser', resource: arn, context });
    const checkedTags = mergeTags([], tags);
    return ctx.transact(async (tx) => {
      if ((await tx.count(account, 'user')) >= USERS_QUOTA)
        throw errors.limitExceeded(`Cannot exceed quota for UsersPerAccount: ${USERS_QUOTA}`);
      if (boundary !== undefined) await adjustBoundaryUsage(tx, account, boundary, 1);
      const body: UserBody = {
        userName,
        userId: makeUniqueId('AIDA', (n) => ctx.services.random(n)),
        arn,
        path,
        createDate: ctx.now,
        permissionsBoundary: boundary,
        tags: checkedTags,
        inlinePolicies: {},
        attachedPolicies: [],
        groups: [],
      };
      try {
        await tx.insert(account, 'user', nameKey(userName), body);
      } catch (e) {
        if (e instanceof StoreConflict && e.reason === 'exists')
          throw errors.alreadyExists(`User with name ${userName} already exists.`);
        throw e;
      }
      return { User: userDetail(body) };
    });
  },
});

/**
 * GetUser. Without `UserName` it describes the caller; for the account root AWS answers the root user:
 * `Arn` `arn:aws:iam::ACCT:root`, `UserId` the account id, the account's creation date, and no `Path`
 * or `UserName` (GetUser API reference: "If you do not specify a user name, IAM determines the user
 * name implicitly based on the AWS access key ID used to sign the request").
 */
export const getUser = iamOperation<'GetUser'>({
  service: 'iam',
  name: 'GetUser',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    let userName = input.UserName;
    if (userName === undefined) {
      const self = implicitUser(ctx);
      if (self.root) {
        await ctx.authorize({ action: 'iam:GetUser', resource: self.arn });
        const acct = await ctx.store.getAccount(account);
        return { User: { UserId: account, Arn: self.arn, CreateDate: acct?.createdAt ?? 0 } };
      }
      userName = self.userName;
    }
    const user = await authorizeOnUser(ctx, account, 'iam:GetUser', userName);
    if (user === undefined) throw noSuchUser(userName);
    return { User: userDetail(user.body) };
  },
});

/** ListUsers: users whose path starts with `PathPrefix`, in name order, paginated. */
export const listUsers = iamOperation<'ListUsers'>({
  service: 'iam',
  name: 'ListUsers',
  async handle(input, ctx) {
    const { page, IsTruncated, Marker } = await listOnPath<UserBody>(ctx, input, {
      action: 'iam:ListUsers',
      kind: 'user',
      arnType: 'user',
    });
    return {
      Users: page.map((e) => userSummary(e.body)),
      IsTruncated,
      ...(Marker === undefined ? {} : { Marker }),
    };
  },
});

/**
 * Entity kinds that belong to a user through `index` = lower-cased user name and carry a `userName`
 * field that a rename must follow (AWS keeps them with the user: access keys, SSH keys, signing
 * certificates, service-specific credentials and MFA devices all show the new name after UpdateUser —
 * recorded in test_iam_users `TestUserRename`).
 */
const USER_OWNED_KINDS: readonly EntityKind[] = [
  'accessKey',
  'mfaDevice',
  'sshPublicKey',
  'signingCertificate',
  'serviceCredential',
];

/**
 * UpdateUser: renames and/or moves a user. "To change a user name, the requester must have appropriate
 * permissions on both the source object and the target object" (UpdateUser API reference), so both ARNs
 * are authorized. The user keeps its UserId; group memberships, the login profile, access keys, MFA
 * devices and other credentials follow the new name.
 */
export const updateUser = iamOperation<'UpdateUser'>({
  service: 'iam',
  name: 'UpdateUser',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const userName = input.UserName;
    const newName = input.NewUserName;
    const newPath = input.NewPath;
    const user = await authorizeOnUser(ctx, account, 'iam:UpdateUser', userName);
    if (user === undefined) throw noSuchUser(userName);
    const targetName = newName ?? user.body.userName;
    const targetPath = newPath ?? user.body.path;
    const targetArn = iamArn(account, 'user', targetPath, targetName);
    if (targetArn !== user.body.arn) await ctx.authorize({ action: 'iam:UpdateUser', resource: targetArn });
    return ctx.transact(async (tx) => {
      const cur = await requireUser(tx, account, userName);
      const oldKey = cur.key;
      const newKey = nameKey(targetName);
      const body: UserBody = { ...cur.body, userName: targetName, path: targetPath, arn: targetArn };
      if (newKey === oldKey) {
        await tx.update(account, 'user', oldKey, body, { expectedVersion: cur.version });
        if (targetName !== cur.body.userName) await renameDependents(tx, account, cur.body, targetName);
        return {};
      }
      try {
        await tx.insert(account, 'user', newKey, body);
      } catch (e) {
        if (e instanceof StoreConflict && e.reason === 'exists')
          throw errors.alreadyExists(`User with name ${targetName} already exists.`);
        throw e;
      }
      await tx.delete(account, 'user', oldKey);
      await renameDependents(tx, account, cur.body, targetName);
      return {};
    });
  },
});

/** Moves everything that names the user `old` over to `newName` (inside UpdateUser's transaction). */
async function renameDependents(tx: StoreTx, account: string, old: UserBody, newName: string): Promise<void> {
  const oldKey = nameKey(old.userName);
  const newKey = nameKey(newName);
  for (const groupName of old.groups) {
    const g = await tx.get<GroupBody>(account, 'group', nameKey(groupName));
    if (g === undefined) continue;
    const members = g.body.members.map((m) => (nameKey(m) === oldKey ? newName : m));
    await tx.update(account, 'group', g.key, { ...g.body, members }, { expectedVersion: g.version });
  }
  const profile = await tx.get<LoginProfileBody>(account, 'loginProfile', oldKey);
  if (profile !== undefined) {
    const body: LoginProfileBody = { ...profile.body, userName: newName };
    if (newKey === oldKey) await tx.update(account, 'loginProfile', oldKey, body);
    else {
      await tx.delete(account, 'loginProfile', oldKey);
      await tx.insert(account, 'loginProfile', newKey, body);
    }
  }
  for (const kind of USER_OWNED_KINDS) {
    for (const e of await tx.list<Record<string, unknown>>(account, kind, { index: oldKey })) {
      const body = 'userName' in e.body ? { ...e.body, userName: newName } : e.body;
      await tx.update(account, kind, e.key, body, { index: newKey, expectedVersion: e.version });
    }
  }
}

/**
 * DeleteUser. AWS refuses while anything still hangs off the user ("Deleting an IAM user": password,
 * access keys, signing certificates, SSH keys, Git credentials, MFA devices, inline policies, attached
 * policies, group memberships), each with its own DeleteConflict text. Recorded: inline policies
 * `must delete policies first.`, attached `must detach all policies first.`, service-specific credentials
 * `must remove referenced objects first.`; the others as AWS words them in public reports.
 */
export const deleteUser = iamOperation<'DeleteUser'>({
  service: 'iam',
  name: 'DeleteUser',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const userName = input.UserName;
    const found = await authorizeOnUser(ctx, account, 'iam:DeleteUser', userName);
    if (found === undefined) throw noSuchUser(userName);
    return ctx.transact(async (tx) => {
      const user = await requireUser(tx, account, userName);
      const key = user.key;
      const conflict = (what: string): AwsError =>
        errors.deleteConflict(`Cannot delete entity, must ${what} first.`);
      if ((await tx.get<LoginProfileBody>(account, 'loginProfile', key)) !== undefined)
        throw conflict('delete login profile');
      if ((await tx.list<AccessKeyBody>(account, 'accessKey', { index: key, limit: 1 })).length > 0)
        throw conflict('delete access keys');
      if ((await tx.list(account, 'signingCertificate', { index: key, limit: 1 })).length > 0)
        throw conflict('delete signing certificates');
      if ((await tx.list(account, 'sshPublicKey', { index: key, limit: 1 })).length > 0)
        throw conflict('delete SSH public keys');
      if ((await tx.list(account, 'serviceCredential', { index: key, limit: 1 })).length > 0)
        throw conflict('remove referenced objects');
      if ((await tx.list<MfaDeviceBody>(account, 'mfaDevice', { index: key, limit: 1 })).length > 0)
        throw conflict('delete MFA device');
      if (Object.keys(user.body.inlinePolicies).length > 0) throw conflict('delete policies');
      if (user.body.attachedPolicies.length > 0) throw conflict('detach all policies');
      if (user.body.groups.length > 0) throw conflict('remove users from group');
      if (user.body.permissionsBoundary !== undefined)
        await adjustBoundaryUsage(tx, account, user.body.permissionsBoundary, -1);
      await tx.delete(account, 'user', key);
      return {};
    });
  },
});

/** TagUser, UntagUser and ListUserTags (tag keys compare case-insensitively). */
const userTagging = taggingOperations<'User', UserBody>({
  noun: 'User',
  resourceId: (input) => input.UserName,
  keys: CASE_INSENSITIVE_TAG_KEYS,
  async load(ctx, userName, action, extra) {
    const user = await authorizeOnUser(ctx, callerAccount(ctx), action, userName, extra);
    if (user === undefined) throw noSuchUser(userName);
    return user;
  },
  async writeTags(ctx, userName, _loaded, change) {
    const account = callerAccount(ctx);
    return ctx.transact(async (tx) => {
      const user = await requireUser(tx, account, userName);
      const body = { ...user.body, tags: change(user.body.tags) };
      await tx.update(account, 'user', user.key, body, { expectedVersion: user.version });
      return {};
    });
  },
});

/** TagUser: adds or overwrites tags (at most 50 per user). */
export const tagUser: IamOperation<'TagUser'> = userTagging.tag;

/** UntagUser: removes tags by key; keys that are not there are ignored, as AWS does. */
export const untagUser: IamOperation<'UntagUser'> = userTagging.untag;

/** ListUserTags: the user's tags in the order they were added, paginated. */
export const listUserTags: IamOperation<'ListUserTags'> = userTagging.list;

/** The user operations, registered in `src/iam/index.ts`. */
export const userOperations: readonly Operation[] = [
  createUser,
  getUser,
  listUsers,
  updateUser,
  deleteUser,
  tagUser,
  untagUser,
  listUserTags,
];
