/**
 * Accounts: one iamd holds many 12-digit accounts. Creating one makes its root principal and a root
 * access key (given from outside for deterministic tests, or generated and shown once).
 */
import type { Services } from '../api/operation.js';
import type { Store, StoreTx } from '../store/index.js';
import type { AccessKeyBody } from '../domain/entities.js';
import { makeAccessKeyId, makeSecretAccessKey } from '../credentials/ids.js';
import { KEY_ACCOUNT_META } from '../authn/resolve.js';

/** What `iamd accounts create --json` prints. */
export interface NewAccount {
  readonly AccountId: string;
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
}

/** Options for {@link createAccount}. */
export interface CreateAccountOptions {
  readonly accountId?: string | undefined;
  readonly accessKeyId?: string | undefined;
  readonly secretAccessKey?: string | undefined;
}

function randomAccountId(services: Services): string {
  const bytes = services.random(12);
  let id = '';
  for (const b of bytes) id += String(b % 10);
  return id[0] === '0' ? `1${id.slice(1)}` : id;
}

/**
 * Creates an account with its root access key. Throws when the id exists. A root key given from
 * outside (`IAMD_ROOT_ACCESS_KEY_ID`) does not encode the account, so it is indexed by a meta entry.
 */
export async function createAccount(
  store: Store,
  services: Services,
  now: number,
  options: CreateAccountOptions = {},
): Promise<NewAccount> {
  return store.transact((tx) => createAccountIn(tx, services, now, options));
}

async function createAccountIn(
  tx: StoreTx,
  services: Services,
  now: number,
  options: CreateAccountOptions,
): Promise<NewAccount> {
  let id = options.accountId;
  if (id === undefined) {
    do id = randomAccountId(services);
    while (await tx.getAccount(id));
  } else if (await tx.getAccount(id)) {
    throw new Error(`account ${id} already exists`);
  }
  await tx.putAccount({ id, createdAt: now });
  const key = await addRootKey(tx, services, id, now, options.accessKeyId, options.secretAccessKey);
  return { AccountId: id, ...key };
}

/** Adds a root access key to `account` (generated unless given). */
export async function addRootKey(
  tx: StoreTx,
  services: Services,
  account: string,
  now: number,
  accessKeyId?: string,
  secretAccessKey?: string,
): Promise<{ AccessKeyId: string; SecretAccessKey: string }> {
  const AccessKeyId = accessKeyId ?? makeAccessKeyId('AKIA', account, services.random);
  const SecretAccessKey = secretAccessKey ?? makeSecretAccessKey(services.random);
  const body: AccessKeyBody = {
    accessKeyId: AccessKeyId,
    sealedSecret: services.sealSecret(SecretAccessKey, `${account}/${AccessKeyId}`),
    status: 'Active',
    createDate: now,
  };
  await tx.insert(account, 'accessKey', AccessKeyId, body, '');
  if (accessKeyId !== undefined) await tx.putMeta(KEY_ACCOUNT_META + AccessKeyId, account);
  return { AccessKeyId, SecretAccessKey };
}

/** IAM quota "Access keys assigned to an IAM user or the root user": 2. */
const ROOT_KEYS_QUOTA = 2;

/**
 * Issues a new root access key for `account` (`iamd accounts create-root-key`), for when the first
 * start's output was missed. The root user has at most two access keys, like an IAM user
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html); a third is refused
 * with AWS's quota text. Throws when the account does not exist.
 */
export async function createRootKey(
  store: Store,
  services: Services,
  now: number,
  account: string,
): Promise<NewAccount> {
  return store.transact(async (tx) => {
    if (!(await tx.getAccount(account))) throw new Error(`no account \`${account}\``);
    const existing = await tx.list(account, 'accessKey', { index: '' });
    if (existing.length >= ROOT_KEYS_QUOTA)
      throw new Error(
        `Cannot exceed quota for AccessKeysPerUser: ${ROOT_KEYS_QUOTA} (account ${account}'s root user has ${existing.length} access keys; delete one with \`aws iam delete-access-key --access-key-id ID\` signed as the root user)`,
      );
    const key = await addRootKey(tx, services, account, now);
    return { AccountId: account, ...key };
  });
}

/**
 * On start: a new store gets its first account (from `IAMD_ACCOUNT_ID` and the root key from the
 * environment when set). Returns the new account's credentials when one was created, so the caller
 * can print them once. An environment root key missing from an existing store is added.
 */
export async function ensureFirstAccount(
  store: Store,
  services: Services,
  now: number,
  options: CreateAccountOptions,
): Promise<NewAccount | undefined> {
  // One transaction, so several nodes starting on one empty database create exactly one account.
  return store.transact(async (tx) => {
    const accounts = await tx.listAccounts();
    if (accounts.length === 0) return createAccountIn(tx, services, now, options);
    if (
      options.accessKeyId !== undefined &&
      (await tx.getMeta(KEY_ACCOUNT_META + options.accessKeyId)) === undefined
    ) {
      const account = options.accountId ?? accounts[0]!.id;
      if (!(await tx.getAccount(account))) await tx.putAccount({ id: account, createdAt: now });
      await addRootKey(tx, services, account, now, options.accessKeyId, options.secretAccessKey);
    }
    return undefined;
  });
}

/**
 * The first account: the one created first (the `iamd init` one), whatever its id. Stores list
 * accounts by id, so `accounts[0]` is only the first when ids happen to sort that way.
 */
export function firstAccount<T extends { readonly id: string; readonly createdAt: number }>(
  accounts: readonly T[],
): T | undefined {
  let first: T | undefined;
  for (const a of accounts)
    if (
      first === undefined ||
      a.createdAt < first.createdAt ||
      (a.createdAt === first.createdAt && a.id < first.id)
    )
      first = a;
  return first;
}
