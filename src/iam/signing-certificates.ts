/**
 * X.509 signing certificates: UploadSigningCertificate, ListSigningCertificates,
 * UpdateSigningCertificate, DeleteSigningCertificate
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSigningCertificate.html). Without
 * `UserName` the call is about the caller: an IAM user's own certificates, or the account root's (which
 * GetAccountSummary reports as `AccountSigningCertificatesPresent`).
 *
 * Storage: `signingCertificate` entities keyed by CertificateId, index = lower-cased user name (`''` for
 * the root). Shapes and texts: localstack-snapshots/pr-13720/iam/test_iam_signing_certificates.
 */
import type { CallContext, Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import type { Entity, StoreTx } from '../store/index.js';
import { AwsError, errors } from '../errors/index.js';
import { base32Encode } from '../credentials/base32.js';
import { parseCertificate } from '../credentials/certificate.js';
import { callerAccount, paginate, settableStatus, writeStatus } from './common.js';
import type { SigningCertificate } from '../protocol/shapes/iam.js';
import { credentialOwner, requireUser, type CredentialOwner } from './users.js';

/** IAM quota "Signing certificates assigned to an IAM user": 2 (`SigningCertificatesPerUserQuota`). */
export const SIGNING_CERTIFICATES_PER_USER = 2;

/** `signingCertificate` entity; key = CertificateId, index = lower-cased user name or `''` (root). */
export interface SigningCertificateBody {
  readonly certificateId: string;
  /** Absent for the root's certificates. */
  readonly userName?: string | undefined;
  readonly certificateBody: string;
  readonly fingerprint256: string;
  readonly status: 'Active' | 'Inactive';
  readonly uploadDate: number;
}

/** Recorded: `The Certificate with id NONEXISTENTCERTID12345678901 cannot be found.` */
function noSuchCertificate(id: string): AwsError {
  return errors.noSuchEntity(`The Certificate with id ${id} cannot be found.`);
}

/** A certificate id: 32 base32 characters (the model's `certificateIdType` is 24–128 word characters). */
function makeCertificateId(random: (n: number) => Uint8Array): string {
  return base32Encode(random(20)).slice(0, 32);
}

/** The `SigningCertificate` shape (UserName left out for the root's). */
function output(b: SigningCertificateBody): SigningCertificate {
  return {
    ...(b.userName !== undefined && { UserName: b.userName }),
    CertificateId: b.certificateId,
    CertificateBody: b.certificateBody,
    Status: b.status,
    UploadDate: b.uploadDate,
  };
}

/**
 * Update and Delete: runs `change` on `owner`'s certificate `id` in the call's transaction; a
 * certificate that does not exist or is someone else's is NoSuchEntity.
 */
async function changeOwned(
  ctx: CallContext,
  account: string,
  owner: CredentialOwner,
  id: string,
  change: (tx: StoreTx, c: Entity<SigningCertificateBody>) => Promise<unknown>,
): Promise<Record<string, never>> {
  return ctx.transact(async (tx) => {
    const c = await tx.get<SigningCertificateBody>(account, 'signingCertificate', id);
    if (c === undefined || c.index !== owner.index) throw noSuchCertificate(id);
    await change(tx, c);
    return {};
  });
}

/**
 * UploadSigningCertificate: a PEM X.509 certificate (MalformedCertificate with AWS's recorded text
 * otherwise). The same certificate twice anywhere in the account is DuplicateCertificate ("the same
 * certificate is associated with an IAM user in the account", API reference); a third for one user is
 * LimitExceeded (recorded).
 */
export const uploadSigningCertificate = iamOperation<'UploadSigningCertificate'>({
  service: 'iam',
  name: 'UploadSigningCertificate',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const owner = await credentialOwner(ctx, account, 'iam:UploadSigningCertificate', input.UserName);
    const certificateBody = input.CertificateBody;
    const cert = parseCertificate(certificateBody);
    if (cert === undefined)
      throw new AwsError('MalformedCertificate', `Certificate ${certificateBody} is malformed.`);
    return ctx.transact(async (tx) => {
      if (owner.userName !== undefined) await requireUser(tx, account, owner.userName);
      const all = await tx.list<SigningCertificateBody>(account, 'signingCertificate');
      if (all.some((c) => c.body.fingerprint256 === cert.fingerprint256))
        throw new AwsError(
          'DuplicateCertificate',
          'The request was rejected because the same certificate is associated with an IAM user in the account.',
        );
      if (all.filter((c) => c.index === owner.index).length >= SIGNING_CERTIFICATES_PER_USER)
        throw errors.limitExceeded(
          `Cannot exceed quota for CertificatesPerUser: ${SIGNING_CERTIFICATES_PER_USER}`,
        );
      const body: SigningCertificateBody = {
        certificateId: makeCertificateId((n) => ctx.services.random(n)),
        userName: owner.userName,
        certificateBody,
        fingerprint256: cert.fingerprint256,
        status: 'Active',
        uploadDate: ctx.now,
      };
      await tx.insert(account, 'signingCertificate', body.certificateId, body, owner.index);
      return { Certificate: output(body) };
    });
  },
});

/** ListSigningCertificates: the owner's certificates, with their bodies (recorded). */
export const listSigningCertificates = iamOperation<'ListSigningCertificates'>({
  service: 'iam',
  name: 'ListSigningCertificates',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const owner = await credentialOwner(ctx, account, 'iam:ListSigningCertificates', input.UserName);
    const certs = await ctx.store.list<SigningCertificateBody>(account, 'signingCertificate', {
      index: owner.index,
    });
    const { page, IsTruncated, Marker } = paginate(certs, (c) => c.key, input, ctx.services);
    return {
      Certificates: page.map((c) => output(c.body)),
      IsTruncated,
      ...(Marker === undefined ? {} : { Marker }),
    };
  },
});

/** UpdateSigningCertificate: Active / Inactive. */
export const updateSigningCertificate = iamOperation<'UpdateSigningCertificate'>({
  service: 'iam',
  name: 'UpdateSigningCertificate',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const owner = await credentialOwner(ctx, account, 'iam:UpdateSigningCertificate', input.UserName);
    const id = input.CertificateId;
    const status = settableStatus(input.Status);
    return changeOwned(ctx, account, owner, id, (tx, c) => writeStatus(tx, c, status));
  },
});

/** DeleteSigningCertificate. */
export const deleteSigningCertificate = iamOperation<'DeleteSigningCertificate'>({
  service: 'iam',
  name: 'DeleteSigningCertificate',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const owner = await credentialOwner(ctx, account, 'iam:DeleteSigningCertificate', input.UserName);
    const id = input.CertificateId;
    return changeOwned(ctx, account, owner, id, (tx) => tx.delete(account, 'signingCertificate', id));
  },
});

/** The signing-certificate operations, registered in `src/iam/index.ts`. */
export const signingCertificateOperations: readonly Operation[] = [
  uploadSigningCertificate,
  listSigningCertificates,
  updateSigningCertificate,
  deleteSigningCertificate,
];
