/**
 * SSH public keys for CodeCommit: UploadSSHPublicKey, GetSSHPublicKey, ListSSHPublicKeys,
 * UpdateSSHPublicKey, DeleteSSHPublicKey.
 *
 * Storage: `sshPublicKey` entities keyed by SSHPublicKeyId with index = lower-cased user name. Shapes
 * and texts: shared/reference/localstack-snapshots/pr-13720/iam/test_iam_ssh_public_keys; behaviour:
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSSHPublicKey.html and
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_ssh-keys.html.
 */
import type { CallContext, Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import type { Entity } from '../store/index.js';
import { AwsError, errors } from '../errors/index.js';
import { base32Encode } from '../credentials/base32.js';
import { parseSshPublicKey } from '../credentials/ssh-public-key.js';
import { callerAccount, paginate, settableStatus, writeStatus } from './common.js';
import type { UserBody } from '../domain/entities.js';
import type { SSHPublicKey } from '../protocol/shapes/iam.js';
import { requireUser, targetUser } from './users.js';

/** IAM quota "SSH public keys per IAM user": 5 (IAM and AWS STS quotas page). */
export const SSH_KEYS_PER_USER = 5;

/** `sshPublicKey` entity; key = SSHPublicKeyId, index = lower-cased user name. */
export interface SshPublicKeyBody {
  readonly sshPublicKeyId: string;
  readonly userName: string;
  /** The body as uploaded (returned by Upload, and by Get with `Encoding=SSH` when uploaded as ssh-rsa). */
  readonly body: string;
  readonly openssh: string;
  readonly pem: string;
  readonly fingerprint: string;
  readonly status: 'Active' | 'Inactive';
  readonly uploadDate: number;
}

/** A new key id, `APKA` + 16 base32 characters (20, like AWS's `APKAEIBAERJR2EXAMPLE`). */
function makeSshKeyId(random: (n: number) => Uint8Array): string {
  return 'APKA' + base32Encode(random(10)).slice(0, 16);
}

/** AWS's text for a key id the user does not have (recorded `get-not-found`, `delete-not-found`). */
function noSuchKey(id: string): AwsError {
  return errors.noSuchEntity(`The Public Key with id ${id} cannot be found.`);
}

/** Reads the key and checks that it belongs to `user`. */
async function requireOwnedKey(
  reader: CallContext['store'],
  account: string,
  user: Entity<UserBody>,
  id: string,
): Promise<Entity<SshPublicKeyBody>> {
  const key = await reader.get<SshPublicKeyBody>(account, 'sshPublicKey', id);
  if (key === undefined || key.index !== user.key) throw noSuchKey(id);
  return key;
}

/** The `SSHPublicKey` shape with the body in `body`. */
function keyOutput(b: SshPublicKeyBody, body: string): SSHPublicKey {
  return {
    UserName: b.userName,
    SSHPublicKeyId: b.sshPublicKeyId,
    Fingerprint: b.fingerprint,
    SSHPublicKeyBody: body,
    Status: b.status,
    UploadDate: b.uploadDate,
  };
}

/**
 * UploadSSHPublicKey: an RSA key of at least 2048 bits in ssh-rsa or PEM encoding. The same key twice
 * for one user is DuplicateSSHPublicKey; a sixth key is LimitExceeded.
 */
export const uploadSshPublicKey = iamOperation<'UploadSSHPublicKey'>({
  service: 'iam',
  name: 'UploadSSHPublicKey',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const user = await targetUser(ctx, account, 'iam:UploadSSHPublicKey', input.UserName);
    const body = input.SSHPublicKeyBody;
    const parsed = parseSshPublicKey(body);
    if (!parsed.ok)
      throw parsed.code === 'InvalidPublicKey'
        ? new AwsError(
            'InvalidPublicKey',
            'The request was rejected because the public key is malformed or otherwise invalid.',
          )
        : new AwsError(
            'UnrecognizedPublicKeyEncoding',
            'The request was rejected because the public key encoding format is unsupported or unrecognized.',
          );
    const key = parsed.key;
    return ctx.transact(async (tx) => {
      const cur = await requireUser(tx, account, user.body.userName);
      const existing = await tx.list<SshPublicKeyBody>(account, 'sshPublicKey', { index: cur.key });
      if (existing.some((k) => k.body.fingerprint === key.fingerprint))
        throw new AwsError(
          'DuplicateSSHPublicKey',
          'The request was rejected because the SSH public key is already associated with the specified IAM user.',
        );
      if (existing.length >= SSH_KEYS_PER_USER)
        throw errors.limitExceeded(`Cannot exceed quota for SSHPublicKeysPerUser: ${SSH_KEYS_PER_USER}`);
      const stored: SshPublicKeyBody = {
        sshPublicKeyId: makeSshKeyId((n) => ctx.services.random(n)),
        userName: cur.body.userName,
        body,
        openssh: key.openssh,
        pem: key.pem,
        fingerprint: key.fingerprint,
        status: 'Active',
        uploadDate: ctx.now,
      };
      await tx.insert(account, 'sshPublicKey', stored.sshPublicKeyId, stored, cur.key);
      return { SSHPublicKey: keyOutput(stored, body) };
    });
  },
});

/**
 * GetSSHPublicKey: `Encoding=SSH` gives the ssh-rsa form, `PEM` the PEM form (GetSSHPublicKey API
 * reference: "Use SSH to retrieve the public key in ssh-rsa format. Use PEM to retrieve the public key
 * in PEM format").
 */
export const getSshPublicKey = iamOperation<'GetSSHPublicKey'>({
  service: 'iam',
  name: 'GetSSHPublicKey',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const user = await targetUser(ctx, account, 'iam:GetSSHPublicKey', input.UserName);
    const key = await requireOwnedKey(ctx.store, account, user, input.SSHPublicKeyId);
    const b = key.body;
    const body = input.Encoding === 'PEM' ? b.pem : b.body.trim().startsWith('ssh-rsa') ? b.body : b.openssh;
    return { SSHPublicKey: keyOutput(b, body) };
  },
});

/**
 * ListSSHPublicKeys: the user's keys (metadata only). Without `UserName` it lists the calling user's
 * keys (ListSSHPublicKeys API reference).
 */
export const listSshPublicKeys = iamOperation<'ListSSHPublicKeys'>({
  service: 'iam',
  name: 'ListSSHPublicKeys',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const user = await targetUser(ctx, account, 'iam:ListSSHPublicKeys', input.UserName);
    const keys = await ctx.store.list<SshPublicKeyBody>(account, 'sshPublicKey', { index: user.key });
    const { page, IsTruncated, Marker } = paginate(keys, (k) => k.key, input, ctx.services);
    return {
      SSHPublicKeys: page.map((k) => ({
        UserName: k.body.userName,
        SSHPublicKeyId: k.body.sshPublicKeyId,
        Status: k.body.status,
        UploadDate: k.body.uploadDate,
      })),
      IsTruncated,
      ...(Marker === undefined ? {} : { Marker }),
    };
  },
});

/** UpdateSSHPublicKey: Active / Inactive (an inactive key cannot be used with CodeCommit). */
export const updateSshPublicKey = iamOperation<'UpdateSSHPublicKey'>({
  service: 'iam',
  name: 'UpdateSSHPublicKey',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const user = await targetUser(ctx, account, 'iam:UpdateSSHPublicKey', input.UserName);
    const status = settableStatus(input.Status);
    const id = input.SSHPublicKeyId;
    return ctx.transact(async (tx) => {
      await writeStatus(tx, await requireOwnedKey(tx, account, user, id), status);
      return {};
    });
  },
});

/** DeleteSSHPublicKey. */
export const deleteSshPublicKey = iamOperation<'DeleteSSHPublicKey'>({
  service: 'iam',
  name: 'DeleteSSHPublicKey',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const user = await targetUser(ctx, account, 'iam:DeleteSSHPublicKey', input.UserName);
    const id = input.SSHPublicKeyId;
    return ctx.transact(async (tx) => {
      const key = await requireOwnedKey(tx, account, user, id);
      await tx.delete(account, 'sshPublicKey', key.key);
      return {};
    });
  },
});

/** The SSH public key operations, registered in `src/iam/index.ts`. */
export const sshPublicKeyOperations: readonly Operation[] = [
  uploadSshPublicKey,
  getSshPublicKey,
  listSshPublicKeys,
  updateSshPublicKey,
  deleteSshPublicKey,
];
