/**
 * Service-specific credentials: CreateServiceSpecificCredential, ListServiceSpecificCredentials,
 * ResetServiceSpecificCredential, UpdateServiceSpecificCredential, DeleteServiceSpecificCredential.
 *
 * "You can create service-specific credentials for Amazon Bedrock, Amazon CloudWatch Logs, CodeCommit and
 * Amazon Keyspaces (for Apache Cassandra)" and "a maximum of two sets of service-specific credentials for
 * each supported service per user"
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceSpecificCredential.html).
 * CodeCommit and Keyspaces get a user name `<user>-at-<account>` and a password (recorded lifecycle in
 * localstack-snapshots/pr-13720/iam/test_iam `TestIAMServiceSpecificCredentials`); Bedrock and CloudWatch
 * Logs get a long-term API key (`ServiceCredentialAlias` + `ServiceCredentialSecret`) that may expire
 * after `CredentialAgeDays`.
 *
 * Storage: `serviceCredential` entities keyed by ServiceSpecificCredentialId, index = lower-cased user
 * name. The password/secret is sealed with `services.sealSecret(secret, `${account}/${id}`)` and returned
 * only by Create and Reset.
 */
import type { CallContext, Operation } from '../api/operation.js';
import { iamOperation, type Mutable } from '../api/typed-operation.js';
import type { ServiceSpecificCredential } from '../protocol/shapes/iam.js';
import type { Entity } from '../store/index.js';
import type { AwsError } from '../errors/index.js';
import { errors } from '../errors/index.js';
import { base32Encode } from '../credentials/base32.js';
import { callerAccount, paginate, writeStatus } from './common.js';
import { iamArn } from '../domain/names.js';
import type { UserBody } from '../domain/entities.js';
import { requireUser, targetUser } from './users.js';

/** The services IAM issues credentials for, and which kind (API reference above). */
const SERVICES: Readonly<Record<string, 'password' | 'apiKey'>> = Object.assign(
  Object.create(null) as Record<string, 'password' | 'apiKey'>,
  {
    'codecommit.amazonaws.com': 'password',
    'cassandra.amazonaws.com': 'password',
    'bedrock.amazonaws.com': 'apiKey',
    'logs.amazonaws.com': 'apiKey',
  },
);

/** "a maximum of two sets of service-specific credentials for each supported service per user". */
export const SERVICE_CREDENTIALS_PER_USER_PER_SERVICE = 2;

/** `serviceCredential` entity; key = ServiceSpecificCredentialId, index = lower-cased user name. */
export interface ServiceCredentialBody {
  readonly id: string;
  readonly userName: string;
  readonly serviceName: string;
  /** `<user>-at-<account>`: ServiceUserName (password kind) or ServiceCredentialAlias (API keys). */
  readonly serviceUserName: string;
  readonly sealedSecret: string;
  readonly status: 'Active' | 'Inactive';
  readonly createDate: number;
  readonly expirationDate?: number | undefined;
}

/** The aad the sealed secret is bound to. */
function secretAad(account: string, id: string): string {
  return `${account}/service-credential/${id}`;
}

/** Recorded: `No such service lambda.amazonaws.com is supported for Service Specific Credentials`. */
function unsupported(service: string): AwsError {
  return errors.noSuchEntity(`No such service ${service} is supported for Service Specific Credentials`);
}

/** Recorded: `No such credential satisfiesregexbutstillinvalid exists`. */
function noSuchCredential(id: string): AwsError {
  return errors.noSuchEntity(`No such credential ${id} exists`);
}

/** A credential id, `ACCA` + 17 base32 characters (21, like `ACCAQFODXMPL4YFHP7DZE`). */
function makeCredentialId(random: (n: number) => Uint8Array): string {
  return 'ACCA' + base32Encode(random(11)).slice(0, 17);
}

/**
 * A new secret: for CodeCommit/Keyspaces a 44-character password (32 random bytes, base64); for API
 * keys `ABSK` + base64(`alias:secret`), the shape of Bedrock's long-term API keys.
 */
function makeSecret(kind: 'password' | 'apiKey', alias: string, random: (n: number) => Uint8Array): string {
  const raw = Buffer.from(random(32)).toString('base64');
  return kind === 'password' ? raw : 'ABSK' + Buffer.from(`${alias}:${raw}`).toString('base64');
}

/** Active/Inactive as stored, Expired once past the expiration date (the model's statusType). */
function statusAt(b: ServiceCredentialBody, now: number): string {
  return b.expirationDate !== undefined && now >= b.expirationDate ? 'Expired' : b.status;
}

/** The wire shape: password credentials name the user, API keys the alias. */
function output(b: ServiceCredentialBody, now: number, secret?: string): ServiceSpecificCredential {
  const apiKey = SERVICES[b.serviceName] === 'apiKey';
  const out: Mutable<ServiceSpecificCredential> = { CreateDate: b.createDate };
  if (b.expirationDate !== undefined) out.ExpirationDate = b.expirationDate;
  out.ServiceName = b.serviceName;
  if (apiKey) {
    out.ServiceCredentialAlias = b.serviceUserName;
    if (secret !== undefined) out.ServiceCredentialSecret = secret;
  } else {
    out.ServiceUserName = b.serviceUserName;
    if (secret !== undefined) out.ServicePassword = secret;
  }
  out.ServiceSpecificCredentialId = b.id;
  out.UserName = b.userName;
  out.Status = statusAt(b, now);
  return out;
}

/** Reads the credential and checks it belongs to `user` (else AWS's "No such credential"). */
async function requireOwned(
  reader: CallContext['store'],
  account: string,
  user: Entity<UserBody>,
  id: string,
): Promise<Entity<ServiceCredentialBody>> {
  const c = await reader.get<ServiceCredentialBody>(account, 'serviceCredential', id);
  if (c === undefined || c.index !== user.key) throw noSuchCredential(id);
  return c;
}

/** CreateServiceSpecificCredential. */
export const createServiceSpecificCredential = iamOperation<'CreateServiceSpecificCredential'>({
  service: 'iam',
  name: 'CreateServiceSpecificCredential',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const user = await targetUser(ctx, account, 'iam:CreateServiceSpecificCredential', input.UserName);
    const serviceName = input.ServiceName;
    const kind = SERVICES[serviceName];
    if (kind === undefined) throw unsupported(serviceName);
    const days = input.CredentialAgeDays;
    // CredentialAgeDays "is only valid for Bedrock and CloudWatch Logs API keys" (API reference).
    if (days !== undefined && kind !== 'apiKey')
      throw errors.invalidInput(`CredentialAgeDays is not supported for service ${serviceName}`);
    return ctx.transact(async (tx) => {
      const cur = await requireUser(tx, account, user.body.userName);
      const existing = await tx.list<ServiceCredentialBody>(account, 'serviceCredential', { index: cur.key });
      if (
        existing.filter((c) => c.body.serviceName === serviceName).length >=
        SERVICE_CREDENTIALS_PER_USER_PER_SERVICE
      )
        throw errors.limitExceeded(
          `Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: ${SERVICE_CREDENTIALS_PER_USER_PER_SERVICE}`,
        );
      const random = (n: number): Uint8Array => ctx.services.random(n);
      const id = makeCredentialId(random);
      // The user's second set for a service is told apart by `+1` before `-at-` (CodeCommit Git
      // credentials show `alice+1-at-111122223333`), so each set's user name stays unique.
      const taken = new Set(
        existing.filter((c) => c.body.serviceName === serviceName).map((c) => c.body.serviceUserName),
      );
      let alias = `${cur.body.userName}-at-${account}`;
      for (let n = 1; taken.has(alias); n++) alias = `${cur.body.userName}+${n}-at-${account}`;
      const secret = makeSecret(kind, alias, random);
      const body: ServiceCredentialBody = {
        id,
        userName: cur.body.userName,
        serviceName,
        serviceUserName: alias,
        sealedSecret: ctx.services.sealSecret(secret, secretAad(account, id)),
        status: 'Active',
        createDate: ctx.now,
        expirationDate: days === undefined ? undefined : ctx.now + days * 86_400_000,
      };
      await tx.insert(account, 'serviceCredential', id, body, cur.key);
      return { ServiceSpecificCredential: output(body, ctx.now, secret) };
    });
  },
});

/**
 * ListServiceSpecificCredentials: the user's credentials (or the caller's), optionally for one service;
 * `AllUsers` lists every user's ("This parameter cannot be specified together with UserName", API
 * reference). Never the password.
 */
export const listServiceSpecificCredentials = iamOperation<'ListServiceSpecificCredentials'>({
  service: 'iam',
  name: 'ListServiceSpecificCredentials',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const serviceName = input.ServiceName;
    let all: Entity<ServiceCredentialBody>[];
    if (input.AllUsers === true) {
      if (input.UserName !== undefined)
        throw errors.invalidInput('AllUsers cannot be specified together with UserName');
      await ctx.authorize({
        action: 'iam:ListServiceSpecificCredentials',
        resource: iamArn(account, 'user', '/', '*'),
      });
      all = await ctx.store.list<ServiceCredentialBody>(account, 'serviceCredential');
      all.sort((a, b) => (a.index ?? '').localeCompare(b.index ?? '') || (a.key < b.key ? -1 : 1));
    } else {
      const user = await targetUser(ctx, account, 'iam:ListServiceSpecificCredentials', input.UserName);
      all = await ctx.store.list<ServiceCredentialBody>(account, 'serviceCredential', { index: user.key });
    }
    if (serviceName !== undefined) {
      if (SERVICES[serviceName] === undefined) throw unsupported(serviceName);
      all = all.filter((c) => c.body.serviceName === serviceName);
    }
    const { page, IsTruncated, Marker } = paginate(
      all,
      (c) => `${c.index ?? ''}/${c.key}`,
      input,
      ctx.services,
    );
    return {
      ServiceSpecificCredentials: page.map((c) => output(c.body, ctx.now)),
      IsTruncated,
      ...(Marker === undefined ? {} : { Marker }),
    };
  },
});

/** ResetServiceSpecificCredential: a new service-generated password, returned once. */
export const resetServiceSpecificCredential = iamOperation<'ResetServiceSpecificCredential'>({
  service: 'iam',
  name: 'ResetServiceSpecificCredential',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const user = await targetUser(ctx, account, 'iam:ResetServiceSpecificCredential', input.UserName);
    const id = input.ServiceSpecificCredentialId;
    return ctx.transact(async (tx) => {
      const c = await requireOwned(tx, account, user, id);
      const kind = SERVICES[c.body.serviceName] ?? 'password';
      const secret = makeSecret(kind, c.body.serviceUserName, (n) => ctx.services.random(n));
      const body = { ...c.body, sealedSecret: ctx.services.sealSecret(secret, secretAad(account, id)) };
      await tx.update(account, 'serviceCredential', id, body, { expectedVersion: c.version });
      return { ServiceSpecificCredential: output(body, ctx.now, secret) };
    });
  },
});

/** UpdateServiceSpecificCredential: Active / Inactive. */
export const updateServiceSpecificCredential = iamOperation<'UpdateServiceSpecificCredential'>({
  service: 'iam',
  name: 'UpdateServiceSpecificCredential',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const user = await targetUser(ctx, account, 'iam:UpdateServiceSpecificCredential', input.UserName);
    const id = input.ServiceSpecificCredentialId;
    const status = input.Status;
    // Recorded `update-invalid-status`: the enum check's text (Expired is set by AWS only).
    if (status !== 'Active' && status !== 'Inactive')
      throw errors.validation(
        "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set",
      );
    return ctx.transact(async (tx) => {
      await writeStatus(tx, await requireOwned(tx, account, user, id), status);
      return {};
    });
  },
});

/** DeleteServiceSpecificCredential. */
export const deleteServiceSpecificCredential = iamOperation<'DeleteServiceSpecificCredential'>({
  service: 'iam',
  name: 'DeleteServiceSpecificCredential',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const user = await targetUser(ctx, account, 'iam:DeleteServiceSpecificCredential', input.UserName);
    const id = input.ServiceSpecificCredentialId;
    return ctx.transact(async (tx) => {
      await requireOwned(tx, account, user, id);
      await tx.delete(account, 'serviceCredential', id);
      return {};
    });
  },
});

/** The service-specific credential operations, registered in `src/iam/index.ts`. */
export const serviceCredentialOperations: readonly Operation[] = [
  createServiceSpecificCredential,
  listServiceSpecificCredentials,
  resetServiceSpecificCredential,
  updateServiceSpecificCredential,
  deleteServiceSpecificCredential,
];
