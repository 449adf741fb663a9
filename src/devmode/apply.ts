/**
 * Applies a parsed seed to a store, idempotently and all at once (issue 9):
 *
 * - Everything happens in ONE store transaction: a problem anywhere rolls back everything, so a seed
 *   file is never half-applied.
 * - Each entity goes through the same IAM operation handler (and the same model validation of its
 *   input, `protocol/decodeOperationInput`) a `CreateUser`/`PutRolePolicy`/… call over HTTP would, acting
 *   as the account root, so every rule and error text applies. Problems are reported at the seed item.
 * - Idempotent: what already exists (an entity, an inline policy of that name, an attachment, a group
 *   membership, an access key id) is left as it is, so a restart with the same file changes nothing.
 *   The seed never changes or deletes existing things; `POST /_iamd/reset` goes back to exactly the seed.
 *
 * Two things have no API that takes caller-chosen values, so they are written with the handlers'
 * storage shapes (iam/entities.ts): access keys whose id (and secret) the file fixes, and login profiles
 * restored from an exported password hash.
 */
import type { CallContext, Operation, Services } from '../api/operation.js';
import { isAwsError } from '../errors/index.js';
import type { StoreTx } from '../store/index.js';
import type { ServiceModel } from '../protocol/index.js';
import { decodeOperationInput } from '../protocol/index.js';
import { accountFromAccessKeyId, makeSecretAccessKey } from '../credentials/ids.js';
import { KEY_ACCOUNT_META } from '../authn/resolve.js';
import { nameKey } from '../domain/names.js';
import { ACCESS_KEYS_PER_USER, accessKeySecretAad } from '../domain/access-keys.js';
import { PASSWORD_POLICY_KEY } from '../domain/account.js';
import { oidcProviderKey } from '../domain/identity-providers.js';
import type {
  AccessKeyBody,
  GroupBody,
  InstanceProfileBody,
  LoginProfileBody,
  ManagedPolicyBody,
  RoleBody,
  UserBody,
} from '../domain/entities.js';
import {
  SeedError,
  type ParsedSeed,
  type SeedAccessKey,
  type SeedAccount,
  type SeedDocument,
  type SeedPath,
  type SeedTags,
} from './seed.js';
import { applyOrganization, OrgSeedProblem } from './org-seed.js';

/** What applying a seed needs. */
export interface SeedDeps {
  readonly services: Services;
  /** The compiled IAM service model (inputs are validated against it, as on the wire). */
  readonly iamModel: ServiceModel;
  /** The IAM operations by wire name. */
  readonly operations: ReadonlyMap<string, Operation>;
  /** Milliseconds since the epoch. */
  readonly now: number;
}

/** How much a seed changed (zero everywhere on a second application of the same file). */
export interface SeedSummary {
  readonly created: number;
}

/** Applies `parsed` in one transaction of `store`; throws {@link SeedError} (nothing applied) on a problem. */
export async function applySeed(
  store: { transact<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> },
  parsed: ParsedSeed,
  deps: SeedDeps,
): Promise<SeedSummary> {
  return store.transact((tx) => applySeedIn(tx, parsed, deps));
}

/** Applies `parsed` inside the caller's transaction `tx` (the caller rolls back when this throws). */
export async function applySeedIn(tx: StoreTx, parsed: ParsedSeed, deps: SeedDeps): Promise<SeedSummary> {
  const applier = new Applier(tx, parsed, deps);
  for (const [i, account] of parsed.seed.accounts.entries()) await applier.account(account, ['accounts', i]);
  let created = applier.created;
  for (const [i, org] of parsed.seed.organizations.entries()) {
    try {
      created += await applyOrganization(tx, org, ['organizations', i], {
        random: (n) => deps.services.random(n),
        now: deps.now,
      });
    } catch (err) {
      if (!(err instanceof OrgSeedProblem)) throw err;
      const { line, column } = parsed.locate(err.path);
      throw new SeedError(parsed.file, [{ path: err.path, line, column, message: err.message }]);
    }
  }
  return { created };
}

/** A seed problem raised while applying, with the path of the item. */
class ApplyProblem extends Error {
  constructor(
    readonly path: SeedPath,
    message: string,
  ) {
    super(message);
  }
}

function docText(d: SeedDocument): string {
  return typeof d === 'string' ? d : JSON.stringify(d);
}

function tagParams(tags: SeedTags): Record<string, unknown> {
  return tags.length === 0 ? {} : { Tags: tags.map((t) => ({ Key: t.Key, Value: t.Value })) };
}

/** Flattens an input object into Query form parameters (`X.member.N`, `X.Y`), as an SDK would send it. */
function flatten(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => flatten(v, `${prefix}.member.${i + 1}`, out));
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
    return;
  }
  out.set(prefix, String(value));
}

class Applier {
  created = 0;
  /** Accounts this seed made so far (their creation times step by a millisecond). */
  private accountsMade = 0;

  constructor(
    private readonly tx: StoreTx,
    private readonly parsed: ParsedSeed,
    private readonly deps: SeedDeps,
  ) {}

  /** Runs one IAM operation as `account`'s root, inside the seed's transaction. */
  private async call(
    account: string,
    name: string,
    input: Record<string, unknown>,
    path: SeedPath,
  ): Promise<void> {
    const op = this.deps.operations.get(name);
    if (!op) throw new ApplyProblem(path, `this iamd does not implement ${name} yet`);
    const params = new Map<string, string>([
      ['Action', name],
      ['Version', this.deps.iamModel.apiVersion],
    ]);
    flatten(input, '', params);
    const tx = this.tx;
    const ctx: CallContext = {
      requestId: 'iamd-seed',
      now: this.deps.now,
      principal: {
        type: 'Root',
        account,
        arn: `arn:aws:iam::${account}:root`,
        userId: account,
        accessKeyId: 'iamd-seed',
      },
      store: tx,
      services: this.deps.services,
      sourceIp: '127.0.0.1',
      userAgent: 'iamd-seed',
      secureTransport: true,
      region: 'us-east-1',
      // The seed file is the operator's own declaration, applied with root authority.
      authorize: async () => undefined,
      alsoRecordIn: () => undefined,
      // Every handler's writes join the seed's one transaction.
      transact: (fn) => fn(tx),
    };
    try {
      const decoded = decodeOperationInput(this.deps.iamModel, params);
      await op.handle(decoded.input, ctx);
    } catch (err) {
      if (isAwsError(err)) throw new ApplyProblem(path, `${name}: ${err.code}: ${err.message}`);
      throw err;
    }
    this.created++;
  }

  async account(a: SeedAccount, path: SeedPath): Promise<void> {
    const tx = this.tx;
    try {
      const existing = await tx.getAccount(a.id);
      if (!existing) {
        // A millisecond apart, in the file's order: export lists accounts by creation time, so a seed
        // made by export (where a created account may have a lower id) round-trips unchanged.
        await tx.putAccount({ id: a.id, createdAt: this.deps.now + this.accountsMade++ });
        this.created++;
      }
      for (const [i, k] of a.rootAccessKeys.entries())
        await this.accessKey(a.id, undefined, k, [...path, 'rootAccessKeys', i]);
      if (a.alias !== undefined && existing?.alias !== a.alias)
        await this.call(a.id, 'CreateAccountAlias', { AccountAlias: a.alias }, [...path, 'alias']);
      if (a.passwordPolicy !== undefined && !(await tx.get(a.id, 'setting', PASSWORD_POLICY_KEY)))
        await this.call(a.id, 'UpdateAccountPasswordPolicy', { ...a.passwordPolicy }, [
          ...path,
          'passwordPolicy',
        ]);
      for (const [i, p] of a.policies.entries()) {
        const at = [...path, 'policies', i];
        if (await tx.get(a.id, 'policy', nameKey(p.name))) continue;
        await this.call(
          a.id,
          'CreatePolicy',
          {
            PolicyName: p.name,
            Path: p.path,
            Description: p.description,
            PolicyDocument: docText(p.document),
            ...tagParams(p.tags),
          },
          at,
        );
      }
      for (const [i, g] of a.groups.entries()) {
        const at = [...path, 'groups', i];
        if (!(await tx.get(a.id, 'group', nameKey(g.name))))
          await this.call(a.id, 'CreateGroup', { GroupName: g.name, Path: g.path }, at);
        await this.policies(a.id, 'Group', 'group', g.name, g, at);
      }
      for (const [i, u] of a.users.entries()) {
        const at = [...path, 'users', i];
        if (!(await tx.get(a.id, 'user', nameKey(u.name))))
          await this.call(
            a.id,
            'CreateUser',
            {
              UserName: u.name,
              Path: u.path,
              PermissionsBoundary:
                u.permissionsBoundary === undefined
                  ? undefined
                  : await this.policyArn(a.id, u.permissionsBoundary, [...at, 'permissionsBoundary']),
              ...tagParams(u.tags),
            },
            at,
          );
        for (const [j, group] of u.groups.entries()) {
          const user = await tx.get<UserBody>(a.id, 'user', nameKey(u.name));
          if (user?.body.groups.some((g) => nameKey(g) === nameKey(group))) continue;
          await this.call(a.id, 'AddUserToGroup', { GroupName: group, UserName: u.name }, [
            ...at,
            'groups',
            j,
          ]);
        }
        await this.policies(a.id, 'User', 'user', u.name, u, at);
        for (const [j, k] of u.accessKeys.entries())
          await this.accessKey(a.id, u.name, k, [...at, 'accessKeys', j]);
        if (u.loginProfile && !(await tx.get(a.id, 'loginProfile', nameKey(u.name)))) {
          const lp = u.loginProfile;
          if (lp.password !== undefined)
            await this.call(
              a.id,
              'CreateLoginProfile',
              { UserName: u.name, Password: lp.password, PasswordResetRequired: lp.passwordResetRequired },
              [...at, 'loginProfile'],
            );
          else if (lp.passwordHash !== undefined) {
            const body: LoginProfileBody = {
              userName: u.name,
              passwordHash: lp.passwordHash,
              createDate: this.deps.now,
              passwordResetRequired: lp.passwordResetRequired,
            };
            await tx.insert(a.id, 'loginProfile', nameKey(u.name), body);
            this.created++;
          }
        }
      }
      for (const [i, r] of a.roles.entries()) {
        const at = [...path, 'roles', i];
        if (!(await tx.get(a.id, 'role', nameKey(r.name))))
          await this.call(
            a.id,
            'CreateRole',
            {
              RoleName: r.name,
              Path: r.path,
              AssumeRolePolicyDocument: docText(r.assumeRolePolicy),
              Description: r.description,
              MaxSessionDuration: r.maxSessionDuration,
              PermissionsBoundary:
                r.permissionsBoundary === undefined
                  ? undefined
                  : await this.policyArn(a.id, r.permissionsBoundary, [...at, 'permissionsBoundary']),
              ...tagParams(r.tags),
            },
            at,
          );
        await this.policies(a.id, 'Role', 'role', r.name, r, at);
      }
      for (const [i, p] of a.instanceProfiles.entries()) {
        const at = [...path, 'instanceProfiles', i];
        if (!(await tx.get(a.id, 'instanceProfile', nameKey(p.name))))
          await this.call(
            a.id,
            'CreateInstanceProfile',
            { InstanceProfileName: p.name, Path: p.path, ...tagParams(p.tags) },
            at,
          );
        for (const [j, role] of p.roles.entries()) {
          const profile = await tx.get<InstanceProfileBody>(a.id, 'instanceProfile', nameKey(p.name));
          if (profile?.body.roles.some((x) => nameKey(x) === nameKey(role))) continue;
          await this.call(a.id, 'AddRoleToInstanceProfile', { InstanceProfileName: p.name, RoleName: role }, [
            ...at,
            'roles',
            j,
          ]);
        }
      }
      for (const [i, p] of a.oidcProviders.entries()) {
        if (await tx.get(a.id, 'oidcProvider', oidcProviderKey(p.url))) continue;
        await this.call(
          a.id,
          'CreateOpenIDConnectProvider',
          { Url: p.url, ClientIDList: p.clientIds, ThumbprintList: p.thumbprints, ...tagParams(p.tags) },
          [...path, 'oidcProviders', i],
        );
      }
      for (const [i, p] of a.samlProviders.entries()) {
        if (await tx.get(a.id, 'samlProvider', nameKey(p.name))) continue;
        await this.call(
          a.id,
          'CreateSAMLProvider',
          { Name: p.name, SAMLMetadataDocument: p.metadataDocument, ...tagParams(p.tags) },
          [...path, 'samlProviders', i],
        );
      }
    } catch (err) {
      if (err instanceof ApplyProblem) {
        const { line, column } = this.parsed.locate(err.path);
        throw new SeedError(this.parsed.file, [{ path: err.path, line, column, message: err.message }]);
      }
      throw err;
    }
  }

  /** A managed policy ARN: given as an ARN, or as the name of one of this account's policies. */
  private async policyArn(account: string, ref: string, path: SeedPath): Promise<string> {
    if (ref.startsWith('arn:')) return ref;
    const p = await this.tx.get<ManagedPolicyBody>(account, 'policy', nameKey(ref));
    if (!p) throw new ApplyProblem(path, `no managed policy named \`${ref}\` in account ${account}`);
    return p.body.arn;
  }

  /** Inline policies and managed-policy attachments of a user, group or role (what is missing). */
  private async policies(
    account: string,
    type: 'User' | 'Group' | 'Role',
    kind: 'user' | 'group' | 'role',
    name: string,
    item: { policies: readonly (readonly [string, SeedDocument])[]; managedPolicies: readonly string[] },
    path: SeedPath,
  ): Promise<void> {
    const current = async () =>
      (await this.tx.get<UserBody | GroupBody | RoleBody>(account, kind, nameKey(name)))?.body;
    for (const [policyName, doc] of item.policies) {
      const body = await current();
      const text = docText(doc);
      if (body && Object.prototype.hasOwnProperty.call(body.inlinePolicies, policyName)) continue;
      await this.call(
        account,
        `Put${type}Policy`,
        { [`${type}Name`]: name, PolicyName: policyName, PolicyDocument: text },
        [...path, 'policies', policyName],
      );
    }
    for (const [i, ref] of item.managedPolicies.entries()) {
      const at = [...path, 'managedPolicies', i];
      const arn = await this.policyArn(account, ref, at);
      if ((await current())?.attachedPolicies.includes(arn)) continue;
      await this.call(account, `Attach${type}Policy`, { [`${type}Name`]: name, PolicyArn: arn }, at);
    }
  }

  /**
   * An access key with the id the file gives (no IAM call takes one): stored the way CreateAccessKey
   * stores it, with the same per-user quota, and indexed by a meta entry (a hand-written id does not
   * encode its account) as `IAMD_ROOT_ACCESS_KEY_ID` is (accounts/index.ts).
   */
  private async accessKey(
    account: string,
    userName: string | undefined,
    k: SeedAccessKey,
    path: SeedPath,
  ): Promise<void> {
    const tx = this.tx;
    const index = userName === undefined ? '' : nameKey(userName);
    const owner = userName === undefined ? 'the account root' : `user ${userName}`;
    const mapped = await tx.getMeta(KEY_ACCOUNT_META + k.accessKeyId);
    const encoded = accountFromAccessKeyId(k.accessKeyId);
    for (const other of new Set([mapped, encoded])) {
      if (other === undefined) continue;
      const found = await tx.get<AccessKeyBody>(other, 'accessKey', k.accessKeyId);
      if (!found) continue;
      if (other === account && found.index === index) return;
      throw new ApplyProblem(
        [...path, 'accessKeyId'],
        `access key ${k.accessKeyId} already belongs to another principal (account ${other})`,
      );
    }
    if (userName !== undefined) {
      if ((await tx.list(account, 'accessKey', { index })).length >= ACCESS_KEYS_PER_USER)
        throw new ApplyProblem(path, `Cannot exceed quota for AccessKeysPerUser: ${ACCESS_KEYS_PER_USER}`);
    }
    const secret = k.secretAccessKey ?? makeSecretAccessKey(this.deps.services.random);
    const body: AccessKeyBody = {
      accessKeyId: k.accessKeyId,
      userName,
      sealedSecret: this.deps.services.sealSecret(secret, accessKeySecretAad(account, k.accessKeyId)),
      status: k.status,
      createDate: this.deps.now,
    };
    try {
      await tx.insert(account, 'accessKey', k.accessKeyId, body, index);
    } catch (err) {
      throw new ApplyProblem(path, `${owner}: ${err instanceof Error ? err.message : String(err)}`);
    }
    // Always indexed, as accounts/index.ts does for every key given from outside: the start-up's
    // root-key check (ensureFirstAccount) looks for this entry.
    await tx.putMeta(KEY_ACCOUNT_META + k.accessKeyId, account);
    this.created++;
  }
}
