/**
 * IAM OpenID Connect identity providers (IAM API reference: CreateOpenIDConnectProvider …
 * UntagOpenIDConnectProvider; IAM User Guide, "Create an OpenID Connect (OIDC) identity provider in
 * IAM"). ARN `arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`; the store key is the URL without its scheme.
 *
 * Texts are AWS's, recorded in shared/reference (aws-errors.md, localstack-snapshots test_iam_oidc):
 * "Provider with url U already exists.", "OpenIDConnect Provider not found for arn A",
 * "OpenId connect Provider A cannot be found." (delete), "Invalid Open ID Connect Provider URL",
 * "Thumbprint list must contain fewer than 5 entries.", "Cannot exceed quota for
 * ClientIdsPerOpenIdConnectProvider: 100". `GetOpenIDConnectProvider` answers `Url` without the
 * scheme and always lists `ClientIDList`, `ThumbprintList` and `Tags` (recorded get-response).
 */
import type { Operation } from '../api/operation.js';
import { iamOperation, type IamOperation } from '../api/typed-operation.js';
import { errors, type AwsError } from '../errors/index.js';
import type { Entity, StoreTx } from '../store/index.js';
import { isLoopbackHost } from '../federation/http.js';
import { callerAccount, inputTags, mergeTags, requestTagContext } from './common.js';
import type { OidcProviderBody } from '../domain/entities.js';
import {
  authorizeOnProvider,
  deleteProvider,
  insertProvider,
  providerTagging,
  updateProvider,
  type ProviderKind,
} from './identity-providers.js';
import { oidcProviderKey } from '../domain/identity-providers.js';

/** "Maximum number of client IDs (audiences) per OIDC provider: 100" (IAM quotas). */
export const MAX_CLIENT_IDS = 100;
/** At most 5 thumbprints per provider (IAM API reference, ThumbprintList). */
export const MAX_THUMBPRINTS = 5;
/** "OpenID Connect providers per account: 100" (IAM quotas). */
export const MAX_OIDC_PROVIDERS = 100;

/** `arn:aws:iam::ACCOUNT:oidc-provider/KEY`. */
export function oidcProviderArn(account: string, key: string): string {
  return `arn:aws:iam::${account}:oidc-provider/${key}`;
}

/**
 * Checks a provider URL: `https://` (or `http://` to a loopback host with `--oidc-allow-http-loopback`),
 * a host, an optional path, no query, fragment or user info (IAM User Guide: "The URL must begin with
 * https:// … A path component is allowed but query parameters are not").
 */
export function checkOidcUrl(url: string, allowHttpLoopback: boolean): void {
  const bad = (): AwsError => errors.validation('Invalid Open ID Connect Provider URL');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad();
  }
  if (!/^https?:\/\/[^/?#@]+(\/[^?#]*)?$/i.test(url)) throw bad();
  if (u.protocol === 'http:' && !(allowHttpLoopback && isLoopbackHost(u.hostname))) throw bad();
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw bad();
}

function notFound(arn: string): AwsError {
  return errors.noSuchEntity(`OpenIDConnect Provider not found for arn ${arn}`);
}

function keyFromArn(account: string, arn: string): string | undefined {
  const prefix = `arn:aws:iam::${account}:oidc-provider/`;
  return arn.startsWith(prefix) && arn.length > prefix.length ? arn.slice(prefix.length) : undefined;
}

/** Reads a provider of the caller's account by ARN (undefined when absent). */
async function loadProvider(
  reader: Pick<StoreTx, 'get'>,
  account: string,
  arn: string,
): Promise<Entity<OidcProviderBody> | undefined> {
  const key = keyFromArn(account, arn);
  if (key === undefined) return undefined;
  const e = await reader.get<OidcProviderBody>(account, 'oidcProvider', key);
  return e !== undefined && e.body.arn === arn ? e : undefined;
}

/** The OIDC provider kind for the helpers shared with SAML providers. */
const OIDC: ProviderKind<OidcProviderBody> = { kind: 'oidcProvider', load: loadProvider, notFound };

function checkThumbprints(list: readonly string[]): void {
  if (list.length > MAX_THUMBPRINTS)
    throw errors.invalidInput('Thumbprint list must contain fewer than 5 entries.');
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => String(x)) : [];
}

/** CreateOpenIDConnectProvider. */
export const createOpenIDConnectProvider = iamOperation<'CreateOpenIDConnectProvider'>({
  service: 'iam',
  name: 'CreateOpenIDConnectProvider',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const url = input.Url;
    const tags = inputTags(input.Tags);
    const clientIds = [...new Set(stringList(input.ClientIDList))];
    const thumbprints = stringList(input.ThumbprintList).map((t) => t.toLowerCase());
    const allowHttp = ctx.services.federation?.oidcAllowHttpLoopback ?? false;
    checkOidcUrl(url, allowHttp);
    const key = oidcProviderKey(url);
    const arn = oidcProviderArn(account, key);
    await ctx.authorize({
      action: 'iam:CreateOpenIDConnectProvider',
      resource: arn,
      context: requestTagContext(tags),
    });
    checkThumbprints(thumbprints);
    if (clientIds.length > MAX_CLIENT_IDS)
      throw errors.limitExceeded(
        `Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS}`,
      );
    const merged = mergeTags([], tags);
    return insertProvider(OIDC, ctx, account, {
      key,
      body: (): OidcProviderBody => ({
        arn,
        url,
        clientIds,
        thumbprints,
        createDate: ctx.now,
        tags: merged,
      }),
      quota: { max: MAX_OIDC_PROVIDERS, name: 'OpenIdConnectProvidersPerAccount' },
      exists: `Provider with url ${url} already exists.`,
      arnMember: 'OpenIDConnectProviderArn',
    });
  },
});

/** GetOpenIDConnectProvider. */
export const getOpenIDConnectProvider = iamOperation<'GetOpenIDConnectProvider'>({
  service: 'iam',
  name: 'GetOpenIDConnectProvider',
  async handle(input, ctx) {
    const arn = input.OpenIDConnectProviderArn;
    const { entity } = await authorizeOnProvider(OIDC, ctx, 'iam:GetOpenIDConnectProvider', arn);
    if (entity === undefined) throw notFound(arn);
    const b = entity.body;
    return {
      Url: oidcProviderKey(b.url),
      ClientIDList: [...b.clientIds],
      ThumbprintList: [...b.thumbprints],
      CreateDate: b.createDate,
      Tags: [...b.tags],
    };
  },
});

/** ListOpenIDConnectProviders. */
export const listOpenIDConnectProviders = iamOperation<'ListOpenIDConnectProviders'>({
  service: 'iam',
  name: 'ListOpenIDConnectProviders',
  async handle(_input, ctx) {
    const account = callerAccount(ctx);
    await ctx.authorize({ action: 'iam:ListOpenIDConnectProviders', resource: '*' });
    const all = await ctx.store.list<OidcProviderBody>(account, 'oidcProvider');
    return { OpenIDConnectProviderList: all.map((e) => ({ Arn: e.body.arn })) };
  },
});

/** DeleteOpenIDConnectProvider. */
export const deleteOpenIDConnectProvider = iamOperation<'DeleteOpenIDConnectProvider'>({
  service: 'iam',
  name: 'DeleteOpenIDConnectProvider',
  async handle(input, ctx) {
    const arn = input.OpenIDConnectProviderArn;
    const { account } = await authorizeOnProvider(OIDC, ctx, 'iam:DeleteOpenIDConnectProvider', arn);
    // The delete form of the message differs from Get's (recorded deletion-not-found-error).
    return deleteProvider(OIDC, ctx, account, arn, (a) =>
      errors.noSuchEntity(`OpenId connect Provider ${a} cannot be found.`),
    );
  },
});

/** AddClientIDToOpenIDConnectProvider: adding a client id already listed succeeds (idempotent, API reference). */
export const addClientIDToOpenIDConnectProvider = iamOperation<'AddClientIDToOpenIDConnectProvider'>({
  service: 'iam',
  name: 'AddClientIDToOpenIDConnectProvider',
  async handle(input, ctx) {
    const arn = input.OpenIDConnectProviderArn;
    const clientId = input.ClientID;
    const { account } = await authorizeOnProvider(OIDC, ctx, 'iam:AddClientIDToOpenIDConnectProvider', arn);
    return updateProvider(OIDC, ctx, account, arn, (b) => {
      if (b.clientIds.includes(clientId)) return b;
      if (b.clientIds.length >= MAX_CLIENT_IDS)
        throw errors.limitExceeded(
          `Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS}`,
        );
      return { ...b, clientIds: [...b.clientIds, clientId] };
    });
  },
});

/** RemoveClientIDFromOpenIDConnectProvider: removing an absent client id succeeds (idempotent, API reference). */
export const removeClientIDFromOpenIDConnectProvider =
  iamOperation<'RemoveClientIDFromOpenIDConnectProvider'>({
    service: 'iam',
    name: 'RemoveClientIDFromOpenIDConnectProvider',
    async handle(input, ctx) {
      const arn = input.OpenIDConnectProviderArn;
      const clientId = input.ClientID;
      const { account } = await authorizeOnProvider(
        OIDC,
        ctx,
        'iam:RemoveClientIDFromOpenIDConnectProvider',
        arn,
      );
      return updateProvider(OIDC, ctx, account, arn, (b) => ({
        ...b,
        clientIds: b.clientIds.filter((c) => c !== clientId),
      }));
    },
  });

/** UpdateOpenIDConnectProviderThumbprint: replaces the whole list. */
export const updateOpenIDConnectProviderThumbprint = iamOperation<'UpdateOpenIDConnectProviderThumbprint'>({
  service: 'iam',
  name: 'UpdateOpenIDConnectProviderThumbprint',
  async handle(input, ctx) {
    const arn = input.OpenIDConnectProviderArn;
    const thumbprints = stringList(input.ThumbprintList).map((t) => t.toLowerCase());
    const { account } = await authorizeOnProvider(
      OIDC,
      ctx,
      'iam:UpdateOpenIDConnectProviderThumbprint',
      arn,
    );
    checkThumbprints(thumbprints);
    return updateProvider(OIDC, ctx, account, arn, (b) => ({ ...b, thumbprints }));
  },
});

/** Tag/Untag/ListOpenIDConnectProviderTags (keys case-insensitive). */
const oidcProviderTagging = providerTagging(
  OIDC,
  'OpenIDConnectProvider',
  (input) => input.OpenIDConnectProviderArn,
);

/** TagOpenIDConnectProvider. */
export const tagOpenIDConnectProvider: IamOperation<'TagOpenIDConnectProvider'> = oidcProviderTagging.tag;

/** UntagOpenIDConnectProvider. */
export const untagOpenIDConnectProvider: IamOperation<'UntagOpenIDConnectProvider'> =
  oidcProviderTagging.untag;

/** ListOpenIDConnectProviderTags. */
export const listOpenIDConnectProviderTags: IamOperation<'ListOpenIDConnectProviderTags'> =
  oidcProviderTagging.list;

/** Every OIDC provider operation. */
export const oidcProviderOperations: readonly Operation[] = [
  createOpenIDConnectProvider,
  getOpenIDConnectProvider,
  listOpenIDConnectProviders,
  deleteOpenIDConnectProvider,
  addClientIDToOpenIDConnectProvider,
  removeClientIDFromOpenIDConnectProvider,
  updateOpenIDConnectProviderThumbprint,
  tagOpenIDConnectProvider,
  untagOpenIDConnectProvider,
  listOpenIDConnectProviderTags,
];
