/**
 * IAM SAML identity providers (IAM API reference: CreateSAMLProvider, GetSAMLProvider,
 * ListSAMLProviders, UpdateSAMLProvider, DeleteSAMLProvider, Tag/Untag/ListSAMLProviderTags; IAM User
 * Guide, "Create a SAML identity provider in IAM"). ARN `arn:aws:iam::ACCOUNT:saml-provider/NAME`.
 *
 * The metadata document is parsed when stored (entity id and signing certificates, see
 * federation/saml-metadata.ts); a document iamd cannot use is refused with IAM's InvalidInput
 * "Could not parse metadata". Not found is AWS's recorded "Manifest not found for arn A". GetSAMLProvider
 * answers `AssertionEncryptionMode` `Allowed` and an empty `PrivateKeyList` (recorded get-response);
 * encrypted assertions are not supported, so `Required` and private keys are refused. `ValidUntil` is
 * the metadata's `validUntil`, else 100 years after creation (IAM's default for metadata without one).
 */
import { randomUUID } from 'node:crypto';
import type { Operation } from '../api/operation.js';
import { iamOperation, type IamOperation } from '../api/typed-operation.js';
import { errors, type AwsError } from '../errors/index.js';
import type { Entity, StoreTx } from '../store/index.js';
import { parseSamlMetadata } from '../federation/saml-metadata.js';
import { callerAccount, inputTags, mergeTags, requestTagContext } from './common.js';
import { nameKey } from '../domain/names.js';
import type { SamlProviderBody } from '../domain/entities.js';
import {
  authorizeOnProvider,
  deleteProvider,
  insertProvider,
  providerTagging,
  updateProvider,
  type ProviderKind,
} from './identity-providers.js';
import { parseSamlProviderArn } from '../domain/identity-providers.js';

/** "SAML providers per account: 100" (IAM quotas). */
export const MAX_SAML_PROVIDERS = 100;
const HUNDRED_YEARS_MS = 100 * 365.25 * 24 * 60 * 60 * 1000;

function notFound(arn: string): AwsError {
  return errors.noSuchEntity(`Manifest not found for arn ${arn}`);
}

/** Reads a provider by ARN (undefined when absent or the ARN names another account). */
export async function loadSamlProvider(
  reader: Pick<StoreTx, 'get'>,
  account: string,
  arn: string,
): Promise<Entity<SamlProviderBody> | undefined> {
  const parts = parseSamlProviderArn(arn);
  if (parts === undefined || parts.account !== account) return undefined;
  const e = await reader.get<SamlProviderBody>(account, 'samlProvider', nameKey(parts.name));
  return e !== undefined && e.body.arn === arn ? e : undefined;
}

function checkMetadata(text: string): { validUntil: number | undefined } {
  const m = parseSamlMetadata(text);
  if (m === undefined) throw errors.invalidInput('Could not parse metadata');
  return { validUntil: m.validUntil };
}

function checkEncryption(input: {
  readonly AssertionEncryptionMode?: string | undefined;
  readonly AddPrivateKey?: string | undefined;
}): void {
  if (input.AssertionEncryptionMode === 'Required' || input.AddPrivateKey !== undefined)
    throw errors.invalidInput(
      'encrypted SAML assertions are not supported by iamd (AssertionEncryptionMode `Required`, private keys)',
    );
}

/** The SAML provider kind for the helpers shared with OIDC providers. */
const SAML: ProviderKind<SamlProviderBody> = { kind: 'samlProvider', load: loadSamlProvider, notFound };

/** CreateSAMLProvider. */
export const createSAMLProvider = iamOperation<'CreateSAMLProvider'>({
  service: 'iam',
  name: 'CreateSAMLProvider',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const name = input.Name;
    const metadata = input.SAMLMetadataDocument;
    const tags = inputTags(input.Tags);
    const arn = `arn:aws:iam::${account}:saml-provider/${name}`;
    await ctx.authorize({
      action: 'iam:CreateSAMLProvider',
      resource: arn,
      context: requestTagContext(tags),
    });
    checkEncryption(input);
    const { validUntil } = checkMetadata(metadata);
    const merged = mergeTags([], tags);
    return insertProvider(SAML, ctx, account, {
      key: nameKey(name),
      body: (): SamlProviderBody => ({
        arn,
        name,
        samlProviderUUID: `p-${randomUUID()}`,
        metadataDocument: metadata,
        createDate: ctx.now,
        validUntil: validUntil ?? ctx.now + HUNDRED_YEARS_MS,
        tags: merged,
      }),
      quota: { max: MAX_SAML_PROVIDERS, name: 'SAMLProvidersPerAccount' },
      exists: `SAMLProvider with name ${name} already exists.`,
      arnMember: 'SAMLProviderArn',
    });
  },
});

/** GetSAMLProvider. */
export const getSAMLProvider = iamOperation<'GetSAMLProvider'>({
  service: 'iam',
  name: 'GetSAMLProvider',
  async handle(input, ctx) {
    const arn = input.SAMLProviderArn;
    const { entity } = await authorizeOnProvider(SAML, ctx, 'iam:GetSAMLProvider', arn);
    if (entity === undefined) throw notFound(arn);
    const b = entity.body;
    return {
      SAMLProviderUUID: b.samlProviderUUID,
      SAMLMetadataDocument: b.metadataDocument,
      CreateDate: b.createDate,
      ...(b.validUntil !== undefined ? { ValidUntil: b.validUntil } : {}),
      Tags: [...b.tags],
      AssertionEncryptionMode: 'Allowed',
      PrivateKeyList: [],
    };
  },
});

/** ListSAMLProviders. */
export const listSAMLProviders = iamOperation<'ListSAMLProviders'>({
  service: 'iam',
  name: 'ListSAMLProviders',
  async handle(_input, ctx) {
    const account = callerAccount(ctx);
    await ctx.authorize({ action: 'iam:ListSAMLProviders', resource: '*' });
    const all = await ctx.store.list<SamlProviderBody>(account, 'samlProvider');
    return {
      SAMLProviderList: all.map((e) => ({
        Arn: e.body.arn,
        ...(e.body.validUntil !== undefined ? { ValidUntil: e.body.validUntil } : {}),
        CreateDate: e.body.createDate,
      })),
    };
  },
});

/** UpdateSAMLProvider: replaces the metadata document. */
export const updateSAMLProvider = iamOperation<'UpdateSAMLProvider'>({
  service: 'iam',
  name: 'UpdateSAMLProvider',
  async handle(input, ctx) {
    const arn = input.SAMLProviderArn;
    const { account } = await authorizeOnProvider(SAML, ctx, 'iam:UpdateSAMLProvider', arn);
    checkEncryption(input);
    if (input.RemovePrivateKey !== undefined)
      throw errors.invalidInput('the SAML provider has no private keys');
    const metadata = typeof input.SAMLMetadataDocument === 'string' ? input.SAMLMetadataDocument : undefined;
    const validUntil = metadata !== undefined ? checkMetadata(metadata).validUntil : undefined;
    return updateProvider(
      SAML,
      ctx,
      account,
      arn,
      (b) =>
        metadata === undefined
          ? b
          : { ...b, metadataDocument: metadata, validUntil: validUntil ?? b.createDate + HUNDRED_YEARS_MS },
      { SAMLProviderArn: arn },
    );
  },
});

/** DeleteSAMLProvider. */
export const deleteSAMLProvider = iamOperation<'DeleteSAMLProvider'>({
  service: 'iam',
  name: 'DeleteSAMLProvider',
  async handle(input, ctx) {
    const arn = input.SAMLProviderArn;
    const { account } = await authorizeOnProvider(SAML, ctx, 'iam:DeleteSAMLProvider', arn);
    return deleteProvider(SAML, ctx, account, arn);
  },
});

/** TagSAMLProvider, UntagSAMLProvider and ListSAMLProviderTags (keys case-insensitive). */
const samlProviderTagging = providerTagging(SAML, 'SAMLProvider', (input) => input.SAMLProviderArn);

/** TagSAMLProvider. */
export const tagSAMLProvider: IamOperation<'TagSAMLProvider'> = samlProviderTagging.tag;

/** UntagSAMLProvider. */
export const untagSAMLProvider: IamOperation<'UntagSAMLProvider'> = samlProviderTagging.untag;

/** ListSAMLProviderTags. */
export const listSAMLProviderTags: IamOperation<'ListSAMLProviderTags'> = samlProviderTagging.list;

/** Every SAML provider operation. */
export const samlProviderOperations: readonly Operation[] = [
  createSAMLProvider,
  getSAMLProvider,
  listSAMLProviders,
  updateSAMLProvider,
  deleteSAMLProvider,
  tagSAMLProvider,
  untagSAMLProvider,
  listSAMLProviderTags,
];
