/**
 * Account-level IAM settings: account aliases, GetAccountSummary, and the account password policy
 * (UpdateAccountPasswordPolicy, GetAccountPasswordPolicy, DeleteAccountPasswordPolicy), plus the
 * password check the login-profile handlers use.
 *
 * Shapes and texts: shared/reference/localstack-snapshots/pr-13720/iam/test_iam_account_aliases,
 * test_iam_account_password_policy, test_iam_account_summary (recorded against AWS).
 */
import type { Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import type { StoreReader } from '../store/index.js';
import { AwsError, errors } from '../errors/index.js';
import { callerAccount, paginate } from './common.js';
import type {
  AccessKeyBody,
  ManagedPolicyBody,
  MfaDeviceBody,
  PasswordPolicyBody,
} from '../domain/entities.js';
import { PASSWORD_POLICY_KEY } from '../domain/account.js';
import { globalEndpointTokenVersion } from './sts-preferences.js';

/** Reads the account password policy, if one was set. */
export async function getPasswordPolicy(
  reader: StoreReader,
  account: string,
): Promise<PasswordPolicyBody | undefined> {
  return (await reader.get<PasswordPolicyBody>(account, 'setting', PASSWORD_POLICY_KEY))?.body;
}

/**
 * The characters IAM counts as symbols for `RequireSymbols` ("Set an account password policy for IAM
 * users": `! @ # $ % ^ & * ( ) _ + - = [ ] { } | '`).
 */
const SYMBOLS = "!@#$%^&*()_+-=[]{}|'";

/** AWS's PasswordPolicyViolation text. */
export const PASSWORD_POLICY_VIOLATION = 'Password does not conform to the account password policy.';

/**
 * Checks a new console password against the account policy, or — when the account has none — against
 * AWS's default policy ("If you do not set a custom password policy, IAM user passwords must meet the
 * default AWS password policy": at least 8 characters and at least three of uppercase, lowercase,
 * numbers and non-alphanumeric characters). Throws PasswordPolicyViolation.
 */
export function checkPasswordAgainstPolicy(policy: PasswordPolicyBody | undefined, password: string): void {
  const upper = /[A-Z]/.test(password);
  const lower = /[a-z]/.test(password);
  const digit = /[0-9]/.test(password);
  const violation = (): AwsError => new AwsError('PasswordPolicyViolation', PASSWORD_POLICY_VIOLATION);
  if (policy === undefined) {
    const other = /[^A-Za-z0-9]/.test(password);
    const kinds = [upper, lower, digit, other].filter(Boolean).length;
    if (password.length < 8 || kinds < 3) throw violation();
    return;
  }
  if (password.length < policy.MinimumPasswordLength) throw violation();
  if (policy.RequireUppercaseCharacters && !upper) throw violation();
  if (policy.RequireLowercaseCharacters && !lower) throw violation();
  if (policy.RequireNumbers && !digit) throw violation();
  if (policy.RequireSymbols && ![...password].some((c) => SYMBOLS.includes(c))) throw violation();
}

/** CreateAccountAlias. An account has one alias; a new one replaces it. Aliases are unique across iamd. */
export const createAccountAlias = iamOperation<'CreateAccountAlias'>({
  service: 'iam',
  name: 'CreateAccountAlias',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const alias = input.AccountAlias;
    await ctx.authorize({ action: 'iam:CreateAccountAlias', resource: '*' });
    return ctx.transact(async (tx) => {
      const owner = await tx.getAccountByAlias(alias);
      if (owner !== undefined && owner.id !== account)
        throw errors.alreadyExists(`The account alias ${alias} already exists.`);
      const acct = await tx.getAccount(account);
      await tx.putAccount({ ...(acct ?? { id: account, createdAt: ctx.now }), alias });
      return {};
    });
  },
});

/** DeleteAccountAlias: only the account's current alias can be deleted. */
export const deleteAccountAlias = iamOperation<'DeleteAccountAlias'>({
  service: 'iam',
  name: 'DeleteAccountAlias',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const alias = input.AccountAlias;
    await ctx.authorize({ action: 'iam:DeleteAccountAlias', resource: '*' });
    return ctx.transact(async (tx) => {
      const acct = await tx.getAccount(account);
      if (acct === undefined || acct.alias !== alias)
        throw errors.noSuchEntity(`The account alias ${alias} cannot be found.`);
      await tx.putAccount({ ...acct, alias: undefined });
      return {};
    });
  },
});

/** ListAccountAliases: zero or one alias. */
export const listAccountAliases = iamOperation<'ListAccountAliases'>({
  service: 'iam',
  name: 'ListAccountAliases',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    await ctx.authorize({ action: 'iam:ListAccountAliases', resource: '*' });
    const acct = await ctx.store.getAccount(account);
    const aliases = acct?.alias === undefined ? [] : [acct.alias];
    const { page, IsTruncated, Marker } = paginate(aliases, (a) => a, input, ctx.services);
    return { AccountAliases: page, IsTruncated, ...(Marker === undefined ? {} : { Marker }) };
  },
});

/**
 * The fixed quotas GetAccountSummary reports, exactly as AWS returned them (recorded
 * `transformed-summary`; IAM and AWS STS quotas page).
 */
export const ACCOUNT_QUOTAS: Readonly<Record<string, number>> = {
  AccessKeysPerUserQuota: 2,
  AssumeRolePolicySizeQuota: 2048,
  AttachedPoliciesPerGroupQuota: 10,
  AttachedPoliciesPerRoleQuota: 10,
  AttachedPoliciesPerUserQuota: 10,
  GlobalEndpointTokenVersion: 1,
  GroupPolicySizeQuota: 5120,
  GroupsPerUserQuota: 10,
  GroupsQuota: 300,
  InstanceProfilesQuota: 1000,
  PoliciesQuota: 1500,
  PolicySizeQuota: 6144,
  PolicyVersionsInUseQuota: 10000,
  RolePolicySizeQuota: 10240,
  RolesQuota: 1000,
  ServerCertificatesQuota: 20,
  SigningCertificatesPerUserQuota: 2,
  UserPolicySizeQuota: 2048,
  UsersQuota: 5000,
  VersionsPerPolicyQuota: 5,
};

/**
 * GetAccountSummary: every key of the model's `summaryKeyType`, the quotas as AWS reports them and real
 * counts for the rest. Root-only flags: AccountMFAEnabled (the root has an enabled MFA device — a
 * device enabled with no user), AccountAccessKeysPresent (root access keys), AccountPasswordPresent
 * (a root console password), AccountSigningCertificatesPresent (root signing certificates).
 * PolicyVersionsInUse counts the versions of the account's customer managed policies.
 */
export const getAccountSummary = iamOperation<'GetAccountSummary'>({
  service: 'iam',
  name: 'GetAccountSummary',
  async handle(_input, ctx) {
    const account = callerAccount(ctx);
    await ctx.authorize({ action: 'iam:GetAccountSummary', resource: '*' });
    const s = ctx.store;
    const mfa = await s.list<MfaDeviceBody>(account, 'mfaDevice');
    const enabled = mfa.filter((d) => d.body.enableDate !== undefined);
    const policies = await s.list<ManagedPolicyBody>(account, 'policy');
    const rootKeys = await s.list<AccessKeyBody>(account, 'accessKey', { index: '', limit: 1 });
    const rootCerts = await s.list(account, 'signingCertificate', { index: '', limit: 1 });
    const acct = await s.getAccount(account);
    const map: Record<string, number> = {
      ...ACCOUNT_QUOTAS,
      AccountAccessKeysPresent: rootKeys.length > 0 ? 1 : 0,
      AccountMFAEnabled: enabled.some((d) => d.body.userName === undefined) ? 1 : 0,
      AccountPasswordPresent: acct?.rootPasswordHash !== undefined ? 1 : 0,
      AccountSigningCertificatesPresent: rootCerts.length > 0 ? 1 : 0,
      GlobalEndpointTokenVersion: await globalEndpointTokenVersion(s, account),
      Groups: await s.count(account, 'group'),
      InstanceProfiles: await s.count(account, 'instanceProfile'),
      MFADevices: mfa.length,
      MFADevicesInUse: enabled.length,
      Policies: policies.length,
      PolicyVersionsInUse: policies.reduce((n, p) => n + p.body.versions.length, 0),
      Providers: (await s.count(account, 'oidcProvider')) + (await s.count(account, 'samlProvider')),
      Roles: await s.count(account, 'role'),
      ServerCertificates: await s.count(account, 'serverCertificate'),
      Users: await s.count(account, 'user'),
    };
    const sorted: Record<string, number> = {};
    for (const k of Object.keys(map).sort()) sorted[k] = map[k] ?? 0;
    return { SummaryMap: sorted };
  },
});

/**
 * UpdateAccountPasswordPolicy. Omitted members take AWS's defaults (recorded `password-policy-defaults`:
 * length 6, every flag false, no MaxPasswordAge / PasswordReusePrevention / HardExpiry);
 * `ExpirePasswords` is derived: true exactly when MaxPasswordAge is set above 0. Ranges are checked by
 * protocol/ against the model (6–128, 1–1095, 1–24).
 */
export const updateAccountPasswordPolicy = iamOperation<'UpdateAccountPasswordPolicy'>({
  service: 'iam',
  name: 'UpdateAccountPasswordPolicy',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    await ctx.authorize({ action: 'iam:UpdateAccountPasswordPolicy', resource: '*' });
    const flag = (
      k:
        | 'RequireSymbols'
        | 'RequireNumbers'
        | 'RequireUppercaseCharacters'
        | 'RequireLowercaseCharacters'
        | 'AllowUsersToChangePassword',
    ): boolean => input[k] === true;
    const maxAge =
      input.MaxPasswordAge !== undefined && input.MaxPasswordAge > 0 ? input.MaxPasswordAge : undefined;
    const body: PasswordPolicyBody = {
      MinimumPasswordLength: input.MinimumPasswordLength ?? 6,
      RequireSymbols: flag('RequireSymbols'),
      RequireNumbers: flag('RequireNumbers'),
      RequireUppercaseCharacters: flag('RequireUppercaseCharacters'),
      RequireLowercaseCharacters: flag('RequireLowercaseCharacters'),
      AllowUsersToChangePassword: flag('AllowUsersToChangePassword'),
      ExpirePasswords: maxAge !== undefined,
      MaxPasswordAge: maxAge,
      PasswordReusePrevention: input.PasswordReusePrevention,
      HardExpiry: input.HardExpiry,
    };
    return ctx.transact(async (tx) => {
      const cur = await tx.get<PasswordPolicyBody>(account, 'setting', PASSWORD_POLICY_KEY);
      if (cur === undefined) await tx.insert(account, 'setting', PASSWORD_POLICY_KEY, body);
      else await tx.update(account, 'setting', PASSWORD_POLICY_KEY, body, { expectedVersion: cur.version });
      return {};
    });
  },
});

/** GetAccountPasswordPolicy. AWS's text when none is set is recorded (`policy-not-found`). */
export const getAccountPasswordPolicy = iamOperation<'GetAccountPasswordPolicy'>({
  service: 'iam',
  name: 'GetAccountPasswordPolicy',
  async handle(_input, ctx) {
    const account = callerAccount(ctx);
    await ctx.authorize({ action: 'iam:GetAccountPasswordPolicy', resource: '*' });
    const p = await getPasswordPolicy(ctx.store, account);
    if (p === undefined)
      throw errors.noSuchEntity(`The Password Policy with domain name ${account} cannot be found.`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p)) if (v !== undefined) out[k] = v;
    return { PasswordPolicy: out };
  },
});

/** DeleteAccountPasswordPolicy. Note AWS's different wording here (recorded `delete-not-found`). */
export const deleteAccountPasswordPolicy = iamOperation<'DeleteAccountPasswordPolicy'>({
  service: 'iam',
  name: 'DeleteAccountPasswordPolicy',
  async handle(_input, ctx) {
    const account = callerAccount(ctx);
    await ctx.authorize({ action: 'iam:DeleteAccountPasswordPolicy', resource: '*' });
    return ctx.transact(async (tx) => {
      if (!(await tx.delete(account, 'setting', PASSWORD_POLICY_KEY)))
        throw errors.noSuchEntity('The account policy with name PasswordPolicy cannot be found.');
      return {};
    });
  },
});

/** The account operations, registered in `src/iam/index.ts`. */
export const accountOperations: readonly Operation[] = [
  createAccountAlias,
  deleteAccountAlias,
  listAccountAliases,
  getAccountSummary,
  updateAccountPasswordPolicy,
  getAccountPasswordPolicy,
  deleteAccountPasswordPolicy,
];
