/**
 * What the OIDC and SAML identity-provider handlers share (IAM API reference: the
 * …OpenIDConnectProvider… and …SAMLProvider… actions). Both are account resources addressed by ARN,
 * authorized on that ARN with their tags as `aws:ResourceTag/*` whether or not they exist (so a caller
 * without permission learns nothing about existence), counted against a per-account quota on create,
 * and changed by read-modify-write in the call's single transaction.
 */
import type { CallContext, ContextValue } from '../api/operation.js';
import { errors, type AwsError } from '../errors/index.js';
import { StoreConflict, type Entity, type StoreTx } from '../store/index.js';
import { callerAccount, resourceTagContext } from './common.js';
import type { TagBody } from '../domain/entities.js';
import {
  CASE_INSENSITIVE_TAG_KEYS,
  taggingOperations,
  type TaggableResource,
  type TaggingOperations,
} from './tagging.js';

/** The fields every identity-provider body has. */
export interface ProviderBody {
  readonly arn: string;
  readonly tags: readonly TagBody[];
}

/** One kind of identity provider: how it is stored, read by ARN and reported missing. */
export interface ProviderKind<B extends ProviderBody> {
  /** The store entity kind. */
  readonly kind: 'oidcProvider' | 'samlProvider';
  /** Reads a provider of `account` by ARN (undefined when absent or the ARN names another account). */
  readonly load: (
    reader: Pick<StoreTx, 'get'>,
    account: string,
    arn: string,
  ) => Promise<Entity<B> | undefined>;
  /** AWS's not-found error for the provider `arn` (the kinds word it differently). */
  readonly notFound: (arn: string) => AwsError;
}

/** Reads the provider (may be absent) and authorizes `action` on its ARN, its tags as `aws:ResourceTag/*`. */
export async function authorizeOnProvider<B extends ProviderBody>(
  provider: ProviderKind<B>,
  ctx: CallContext,
  action: string,
  arn: string,
  extra: Record<string, ContextValue> = {},
): Promise<{ account: string; entity: Entity<B> | undefined }> {
  const account = callerAccount(ctx);
  const entity = await provider.load(ctx.store, account, arn);
  await ctx.authorize({
    action,
    resource: arn,
    context: { ...resourceTagContext(entity?.body.tags ?? []), ...extra },
  });
  return { account, entity };
}

/** Read-modify-write of one provider inside the call's transaction; answers `output`. */
export async function updateProvider<
  B extends ProviderBody,
  O extends Record<string, unknown> = Readonly<Record<string, never>>,
>(
  provider: ProviderKind<B>,
  ctx: CallContext,
  account: string,
  arn: string,
  change: (b: B) => B,
  output?: O,
): Promise<O | Readonly<Record<string, never>>> {
  return ctx.transact(async (tx) => {
    const fresh = await provider.load(tx, account, arn);
    if (fresh === undefined) throw provider.notFound(arn);
    await tx.update(account, provider.kind, fresh.key, change(fresh.body), {
      expectedVersion: fresh.version,
    });
    return output ?? {};
  });
}

/** Deletes the provider `arn` of `account` in the call's transaction; `missing` when it is gone. */
export async function deleteProvider<B extends ProviderBody>(
  provider: ProviderKind<B>,
  ctx: CallContext,
  account: string,
  arn: string,
  missing: (arn: string) => AwsError = provider.notFound,
): Promise<Readonly<Record<string, never>>> {
  return ctx.transact(async (tx) => {
    const fresh = await provider.load(tx, account, arn);
    if (fresh === undefined) throw missing(arn);
    await tx.delete(account, provider.kind, fresh.key);
    return {};
  });
}

/** What {@link insertProvider} needs besides the provider kind. */
export interface NewProvider<B extends ProviderBody> {
  /** The store key of the new provider. */
  readonly key: string;
  /** Builds the body (inside the transaction, which may run more than once). */
  readonly body: () => B;
  /** The per-account quota and its name in AWS's "Cannot exceed quota for NAME: MAX" text. */
  readonly quota: { readonly max: number; readonly name: string };
  /** AWS's EntityAlreadyExists text for this provider. */
  readonly exists: string;
  /** The output member carrying the new ARN (`OpenIDConnectProviderArn`, `SAMLProviderArn`). */
  readonly arnMember: string;
}

/**
 * Inserts a new provider in the call's transaction, enforcing the per-account quota, and answers the
 * Create output: the ARN, and `Tags` when the provider has any (recorded create responses).
 */
export async function insertProvider<B extends ProviderBody>(
  provider: ProviderKind<B>,
  ctx: CallContext,
  account: string,
  created: NewProvider<B>,
): Promise<Record<string, unknown>> {
  return ctx.transact(async (tx) => {
    if ((await tx.count(account, provider.kind)) >= created.quota.max)
      throw errors.limitExceeded(`Cannot exceed quota for ${created.quota.name}: ${created.quota.max}`);
    const body = created.body();
    try {
      await tx.insert(account, provider.kind, created.key, body);
    } catch (e) {
      if (e instanceof StoreConflict && e.reason === 'exists') throw errors.alreadyExists(created.exists);
      throw e;
    }
    return { [created.arnMember]: body.arn, ...(body.tags.length > 0 ? { Tags: body.tags } : {}) };
  });
}

/**
 * `Tag<Noun>`, `Untag<Noun>` and `List<Noun>Tags` of a provider kind; tag keys compare
 * case-insensitively, and a missing provider is reported after authorization.
 */
export function providerTagging<N extends 'SAMLProvider' | 'OpenIDConnectProvider', B extends ProviderBody>(
  provider: ProviderKind<B>,
  noun: N,
  resourceId: TaggableResource<N, B>['resourceId'],
): TaggingOperations<N> {
  return taggingOperations<N, B>({
    noun,
    resourceId,
    keys: CASE_INSENSITIVE_TAG_KEYS,
    async load(ctx, arn, action, extra) {
      const { entity } = await authorizeOnProvider(provider, ctx, action, arn, extra);
      if (entity === undefined) throw provider.notFound(arn);
      return entity;
    },
    writeTags: (ctx, arn, _loaded, change) =>
      updateProvider(provider, ctx, callerAccount(ctx), arn, (b) => ({ ...b, tags: change(b.tags) })),
  });
}
