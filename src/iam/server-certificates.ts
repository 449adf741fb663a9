/**
 * Server certificates: UploadServerCertificate, GetServerCertificate, ListServerCertificates,
 * UpdateServerCertificate, DeleteServerCertificate and TagServerCertificate / UntagServerCertificate /
 * ListServerCertificateTags (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadServerCertificate.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_server-certs.html).
 *
 * The private key is a secret: checked against the certificate (KeyPairMismatch), then stored sealed
 * with `services.sealSecret(key, `${account}/server-certificate/${id}`)`; no operation returns it and the
 * audit trail never records it (`PrivateKey` is a redacted member).
 *
 * Storage: `serverCertificate` entities keyed by the lower-cased name. Shapes and texts:
 * localstack-snapshots/pr-13720/iam/test_iam_server_certificates.
 */
import type { CallContext, ContextValue, Operation } from '../api/operation.js';
import { iamOperation, type IamOperation } from '../api/typed-operation.js';
import type { Entity, StoreReader } from '../store/index.js';
import { StoreConflict } from '../store/index.js';
import { AwsError, errors } from '../errors/index.js';
import { base32Encode } from '../credentials/base32.js';
import { checkKeyPair, parseCertificate, parseCertificateChain } from '../credentials/certificate.js';
import { callerAccount, inputTags, listOnPath, requestTagContext, resourceTagContext } from './common.js';
import { iamArn, nameKey } from '../domain/names.js';
import type { TagBody } from '../domain/entities.js';
import type { ServerCertificate, ServerCertificateMetadata } from '../protocol/shapes/iam.js';
import { CASE_INSENSITIVE_TAG_KEYS_CHECKED, taggingOperations } from './tagging.js';

/** GetAccountSummary `ServerCertificatesQuota`: 20 per account. */
export const SERVER_CERTIFICATES_PER_ACCOUNT = 20;

/** `serverCertificate` entity; key = lower-cased ServerCertificateName. */
export interface ServerCertificateBody {
  readonly serverCertificateName: string;
  readonly serverCertificateId: string;
  readonly arn: string;
  readonly path: string;
  readonly certificateBody: string;
  readonly certificateChain?: string | undefined;
  /** The private key, sealed (never returned). */
  readonly sealedPrivateKey: string;
  readonly expiration: number;
  readonly uploadDate: number;
  readonly tags: readonly TagBody[];
}

/** Recorded: `The Server Certificate with name nonexistent-certificate cannot be found.` */
function notFound(name: string): AwsError {
  return errors.noSuchEntity(`The Server Certificate with name ${name} cannot be found.`);
}

/** Recorded: `The Server Certificate with name x already exists.` */
function exists(name: string): AwsError {
  return errors.alreadyExists(`The Server Certificate with name ${name} already exists.`);
}

/** `ASCA` + 17 base32 characters, like AWS's server certificate ids. */
function makeServerCertificateId(random: (n: number) => Uint8Array): string {
  return 'ASCA' + base32Encode(random(11)).slice(0, 17);
}

/** The `ServerCertificateMetadata` shape. */
function metadata(b: ServerCertificateBody): ServerCertificateMetadata {
  return {
    Path: b.path,
    ServerCertificateName: b.serverCertificateName,
    ServerCertificateId: b.serverCertificateId,
    Arn: b.arn,
    UploadDate: b.uploadDate,
    Expiration: b.expiration,
  };
}

/** Loads by name after authorizing `action` on the certificate's ARN (NoSuchEntity after authorization). */
async function load(
  ctx: CallContext,
  name: string,
  action: string,
  extra?: Record<string, ContextValue>,
): Promise<Entity<ServerCertificateBody>> {
  const account = callerAccount(ctx);
  const e = await ctx.store.get<ServerCertificateBody>(account, 'serverCertificate', nameKey(name));
  const resource = e?.body.arn ?? iamArn(account, 'server-certificate', '/', name);
  await ctx.authorize({
    action,
    resource,
    context: { ...(e === undefined ? {} : resourceTagContext(e.body.tags)), ...extra },
  });
  if (e === undefined) throw notFound(name);
  return e;
}

/** Re-reads inside a transaction. */
async function reread(
  tx: StoreReader,
  account: string,
  name: string,
): Promise<Entity<ServerCertificateBody>> {
  const e = await tx.get<ServerCertificateBody>(account, 'serverCertificate', nameKey(name));
  if (e === undefined) throw notFound(name);
  return e;
}

const MALFORMED_KEY = 'The private key is malformed or is not in PEM format.';

/**
 * UploadServerCertificate: body, private key and optional chain, all PEM. A body or chain that does not
 * parse is MalformedCertificate; a key that does not parse is MalformedCertificate; a key that is not
 * the certificate's is KeyPairMismatch ("the public key certificate and the private key do not match",
 * API reference).
 */
export const uploadServerCertificate = iamOperation<'UploadServerCertificate'>({
  service: 'iam',
  name: 'UploadServerCertificate',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const name = input.ServerCertificateName;
    const path = input.Path ?? '/';
    const tags = inputTags(input.Tags);
    const arn = iamArn(account, 'server-certificate', path, name);
    await ctx.authorize({
      action: 'iam:UploadServerCertificate',
      resource: arn,
      context: requestTagContext(tags),
    });
    CASE_INSENSITIVE_TAG_KEYS_CHECKED.checkAdded?.(tags);
    const certificateBody = input.CertificateBody;
    const cert = parseCertificate(certificateBody);
    if (cert === undefined)
      throw new AwsError('MalformedCertificate', `Certificate ${certificateBody} is malformed.`);
    const chain = input.CertificateChain;
    if (chain !== undefined && parseCertificateChain(chain) === undefined)
      throw new AwsError('MalformedCertificate', 'The certificate chain is malformed.');
    const privateKey = input.PrivateKey;
    const pair = checkKeyPair(cert, privateKey);
    if (pair === 'malformed') throw new AwsError('MalformedCertificate', MALFORMED_KEY);
    if (pair === 'mismatch')
      throw new AwsError(
        'KeyPairMismatch',
        'The request was rejected because the public key certificate and the private key do not match.',
      );
    return ctx.transact(async (tx) => {
      if ((await tx.count(account, 'serverCertificate')) >= SERVER_CERTIFICATES_PER_ACCOUNT)
        throw errors.limitExceeded(
          `Cannot exceed quota for ServerCertificatesPerAccount: ${SERVER_CERTIFICATES_PER_ACCOUNT}`,
        );
      const id = makeServerCertificateId((n) => ctx.services.random(n));
      const body: ServerCertificateBody = {
        serverCertificateName: name,
        serverCertificateId: id,
        arn,
        path,
        certificateBody,
        certificateChain: chain,
        sealedPrivateKey: ctx.services.sealSecret(privateKey, `${account}/server-certificate/${id}`),
        expiration: cert.notAfter,
        uploadDate: ctx.now,
        tags,
      };
      try {
        await tx.insert(account, 'serverCertificate', nameKey(name), body);
      } catch (e) {
        if (e instanceof StoreConflict && e.reason === 'exists') throw exists(name);
        throw e;
      }
      return { ServerCertificateMetadata: metadata(body), ...(tags.length > 0 && { Tags: tags }) };
    });
  },
});

/** GetServerCertificate: metadata, body, chain and tags — never the private key. */
export const getServerCertificate = iamOperation<'GetServerCertificate'>({
  service: 'iam',
  name: 'GetServerCertificate',
  async handle(input, ctx) {
    const e = await load(ctx, input.ServerCertificateName, 'iam:GetServerCertificate');
    const b = e.body;
    const out: ServerCertificate = {
      ServerCertificateMetadata: metadata(b),
      CertificateBody: b.certificateBody,
      ...(b.certificateChain !== undefined && { CertificateChain: b.certificateChain }),
      Tags: b.tags,
    };
    return { ServerCertificate: out };
  },
});

/** ListServerCertificates: by PathPrefix, in name order, paginated. */
export const listServerCertificates = iamOperation<'ListServerCertificates'>({
  service: 'iam',
  name: 'ListServerCertificates',
  async handle(input, ctx) {
    const { page, IsTruncated, Marker } = await listOnPath<ServerCertificateBody>(ctx, input, {
      action: 'iam:ListServerCertificates',
      kind: 'serverCertificate',
      arnType: 'server-certificate',
    });
    return {
      ServerCertificateMetadataList: page.map((e) => metadata(e.body)),
      IsTruncated,
      ...(Marker === undefined ? {} : { Marker }),
    };
  },
});

/**
 * UpdateServerCertificate: renames and/or moves. As for UpdateUser, "the requester must have appropriate
 * permissions on both the source object and the target object" (UpdateServerCertificate API reference),
 * so both ARNs are authorized.
 */
export const updateServerCertificate = iamOperation<'UpdateServerCertificate'>({
  service: 'iam',
  name: 'UpdateServerCertificate',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const name = input.ServerCertificateName;
    const found = await load(ctx, name, 'iam:UpdateServerCertificate');
    const newName = input.NewServerCertificateName ?? found.body.serverCertificateName;
    const newPath = input.NewPath ?? found.body.path;
    const newArn = iamArn(account, 'server-certificate', newPath, newName);
    if (newArn !== found.body.arn)
      await ctx.authorize({ action: 'iam:UpdateServerCertificate', resource: newArn });
    return ctx.transact(async (tx) => {
      const e = await reread(tx, account, name);
      const body: ServerCertificateBody = {
        ...e.body,
        serverCertificateName: newName,
        path: newPath,
        arn: newArn,
      };
      if (nameKey(newName) === e.key) {
        await tx.update(account, 'serverCertificate', e.key, body, { expectedVersion: e.version });
      } else {
        try {
          await tx.insert(account, 'serverCertificate', nameKey(newName), body);
        } catch (err) {
          if (err instanceof StoreConflict && err.reason === 'exists') throw exists(newName);
          throw err;
        }
        await tx.delete(account, 'serverCertificate', e.key);
      }
      return {};
    });
  },
});

/** DeleteServerCertificate. */
export const deleteServerCertificate = iamOperation<'DeleteServerCertificate'>({
  service: 'iam',
  name: 'DeleteServerCertificate',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const name = input.ServerCertificateName;
    await load(ctx, name, 'iam:DeleteServerCertificate');
    return ctx.transact(async (tx) => {
      const e = await reread(tx, account, name);
      await tx.delete(account, 'serverCertificate', e.key);
      return {};
    });
  },
});

const serverCertificateTagging = taggingOperations<'ServerCertificate', ServerCertificateBody>({
  noun: 'ServerCertificate',
  resourceId: (input) => input.ServerCertificateName,
  keys: CASE_INSENSITIVE_TAG_KEYS_CHECKED,
  load: (ctx, name, action, extra) => load(ctx, name, action, extra),
  writeTags(ctx, name, _loaded, change) {
    const account = callerAccount(ctx);
    return ctx.transact(async (tx) => {
      const e = await reread(tx, account, name);
      await tx.update(
        account,
        'serverCertificate',
        e.key,
        { ...e.body, tags: change(e.body.tags) },
        { expectedVersion: e.version },
      );
      return {};
    });
  },
});

/** TagServerCertificate. */
export const tagServerCertificate: IamOperation<'TagServerCertificate'> = serverCertificateTagging.tag;

/** UntagServerCertificate. */
export const untagServerCertificate: IamOperation<'UntagServerCertificate'> = serverCertificateTagging.untag;

/** ListServerCertificateTags. */
export const listServerCertificateTags: IamOperation<'ListServerCertificateTags'> =
  serverCertificateTagging.list;

/** The server-certificate operations, registered in `src/iam/index.ts`. */
export const serverCertificateOperations: readonly Operation[] = [
  uploadServerCertificate,
  getServerCertificate,
  listServerCertificates,
  updateServerCertificate,
  deleteServerCertificate,
  tagServerCertificate,
  untagServerCertificate,
  listServerCertificateTags,
];
