/**
 * Long-term access keys: CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey,
 * GetAccessKeyLastUsed, and {@link recordAccessKeyUse} for the server.
 *
 * Storage: `accessKey` entities keyed by AccessKeyId with index = lower-cased user name (`''` for the
 * account root's own keys). The secret is sealed with `services.sealSecret(secret, aad)` where
 * aad = `${account}/${accessKeyId}`, so a sealed secret cannot be moved to another key or account.
 * Shapes and texts: shared/reference/localstack-snapshots/pr-13720/iam/test_iam_users `TestUserAccessKeys`.
 */
import type { CallContext, Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import type { AccessKeyMetadata } from '../protocol/shapes/iam.js';
import type { Entity } from '../store/index.js';
import { errors } from '../errors/index.js';
import { makeAccessKeyId, makeSecretAccessKey } from '../credentials/ids.js';
import { callerAccount, paginate, settableStatus, writeStatus } from './common.js';
import { nameKey } from '../domain/names.js';
import type { AccessKeyBody, UserBody } from '../domain/entities.js';
import { credentialOwner, requireUser, type CredentialOwner } from './users.js';
import { ACCESS_KEYS_PER_USER, accessKeySecretAad } from '../domain/access-keys.js';

/** AWS's text for an access key that does not exist for that owner (recorded for UpdateAccessKey). */
function noSuchKey(accessKeyId: string): Error {
  return errors.noSuchEntity(`The Access Key with id ${accessKeyId} cannot be found.`);
}

/** The `AccessKeyMetadata` element of ListAccessKeys (UserName left out for the root's keys). */
function keyMetadata(b: AccessKeyBody): AccessKeyMetadata {
  return {
    AccessKeyId: b.accessKeyId,
    Status: b.status,
    CreateDate: b.createDate,
    ...(b.userName !== undefined && { UserName: b.userName }),
  };
}

/**
 * CreateAccessKey: a new active key pair; the secret is returned once and stored sealed. At most two
 * keys per user: `Cannot exceed quota for AccessKeysPerUser: 2` (recorded).
 */
export const createAccessKey = iamOperation<'CreateAccessKey'>({
  service: 'iam',
  name: 'CreateAccessKey',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const owner = await credentialOwner(ctx, account, 'iam:CreateAccessKey', input.UserName);
    return ctx.transact(async (tx) => {
      if (owner.user !== undefined) await requireUser(tx, account, owner.user.body.userName);
      const existing = await tx.list<AccessKeyBody>(account, 'accessKey', { index: owner.index });
      if (existing.length >= ACCESS_KEYS_PER_USER)
        throw errors.limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${ACCESS_KEYS_PER_USER}`);
      const random = (n: number): Uint8Array => ctx.services.random(n);
      const accessKeyId = makeAccessKeyId('AKIA', account, random);
      const secret = makeSecretAccessKey(random);
      const body: AccessKeyBody = {
        accessKeyId,
        userName: owner.userName,
        sealedSecret: ctx.services.sealSecret(secret, accessKeySecretAad(account, accessKeyId)),
        status: 'Active',
        createDate: ctx.now,
      };
      await tx.insert(account, 'accessKey', accessKeyId, body, owner.index);
      return {
        AccessKey: {
          AccessKeyId: accessKeyId,
          Status: 'Active',
          SecretAccessKey: secret,
          CreateDate: ctx.now,
          ...(owner.userName !== undefined && { UserName: owner.userName }),
        },
      };
    });
  },
});

/** ListAccessKeys: the owner's keys (metadata only, never the secret). */
export const listAccessKeys = iamOperation<'ListAccessKeys'>({
  service: 'iam',
  name: 'ListAccessKeys',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const owner = await credentialOwner(ctx, account, 'iam:ListAccessKeys', input.UserName);
    const keys = await ctx.store.list<AccessKeyBody>(account, 'accessKey', { index: owner.index });
    const { page, IsTruncated, Marker } = paginate(keys, (k) => k.key, input, ctx.services);
    return {
      AccessKeyMetadata: page.map((k) => keyMetadata(k.body)),
      IsTruncated,
      ...(Marker === undefined ? {} : { Marker }),
    };
  },
});

/** Reads the key and checks it belongs to the owner; otherwise AWS's "cannot be found". */
async function requireOwnedKey(
  reader: CallContext['store'],
  account: string,
  owner: CredentialOwner,
  accessKeyId: string,
): Promise<Entity<AccessKeyBody>> {
  const key = await reader.get<AccessKeyBody>(account, 'accessKey', accessKeyId);
  if (key === undefined || key.index !== owner.index) throw noSuchKey(accessKeyId);
  return key;
}

/** UpdateAccessKey: sets Active / Inactive (an inactive key fails authentication). */
export const updateAccessKey = iamOperation<'UpdateAccessKey'>({
  service: 'iam',
  name: 'UpdateAccessKey',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const accessKeyId = input.AccessKeyId;
    const owner = await credentialOwner(ctx, account, 'iam:UpdateAccessKey', input.UserName);
    const status = settableStatus(input.Status);
    return ctx.transact(async (tx) => {
      await writeStatus(tx, await requireOwnedKey(tx, account, owner, accessKeyId), status);
      return {};
    });
  },
});

/** DeleteAccessKey: removes the key for good. */
export const deleteAccessKey = iamOperation<'DeleteAccessKey'>({
  service: 'iam',
  name: 'DeleteAccessKey',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const accessKeyId = input.AccessKeyId;
    const owner = await credentialOwner(ctx, account, 'iam:DeleteAccessKey', input.UserName);
    return ctx.transact(async (tx) => {
      const key = await requireOwnedKey(tx, account, owner, accessKeyId);
      await tx.delete(account, 'accessKey', key.key);
      return {};
    });
  },
});

/**
 * GetAccessKeyLastUsed. For a key that is not in the caller's account AWS does not say "not found": it
 * answers AccessDenied `User: <caller> is not authorized to perform iam:GetAccessKeyLastUsed on
 * resource: access key <id>` (recorded). A never-used key reports ServiceName and Region `N/A` and no
 * LastUsedDate (recorded `get-access-key-last-used-unused`).
 */
export const getAccessKeyLastUsed = iamOperation<'GetAccessKeyLastUsed'>({
  service: 'iam',
  name: 'GetAccessKeyLastUsed',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const accessKeyId = input.AccessKeyId;
    const key = await ctx.store.get<AccessKeyBody>(account, 'accessKey', accessKeyId);
    const callerArn = ctx.principal.type === 'Anonymous' ? '' : ctx.principal.arn;
    if (key === undefined)
      throw errors.accessDenied(
        `User: ${callerArn} is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key ${accessKeyId}`,
      );
    let resource = `arn:aws:iam::${account}:root`;
    if (key.body.userName !== undefined) {
      const user = await ctx.store.get<UserBody>(account, 'user', nameKey(key.body.userName));
      resource = user?.body.arn ?? `arn:aws:iam::${account}:user/${key.body.userName}`;
    }
    await ctx.authorize({ action: 'iam:GetAccessKeyLastUsed', resource });
    const used = key.body.lastUsed;
    const out: Record<string, unknown> = {
      AccessKeyLastUsed:
        used === undefined
          ? { ServiceName: 'N/A', Region: 'N/A' }
          : { LastUsedDate: used.date, ServiceName: used.serviceName, Region: used.region },
    };
    if (key.body.userName !== undefined) out.UserName = key.body.userName;
    return out;
  },
});

/** The access-key operations, registered in `src/iam/index.ts`. */
export const accessKeyOperations: readonly Operation[] = [
  createAccessKey,
  listAccessKeys,
  updateAccessKey,
  deleteAccessKey,
  getAccessKeyLastUsed,
];
