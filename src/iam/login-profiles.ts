/**
 * Console passwords: CreateLoginProfile, GetLoginProfile, UpdateLoginProfile, DeleteLoginProfile and
 * ChangePassword. Passwords are stored only as scrypt hashes (credentials/password.ts).
 *
 * Storage: `loginProfile` entities keyed by the lower-cased user name. Shapes and texts:
 * shared/reference/localstack-snapshots/pr-13720/iam/test_iam_users `TestUserLoginProfile`.
 */
import type { Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import type { LoginProfile } from '../protocol/shapes/iam.js';
import { StoreConflict } from '../store/index.js';
import { AwsError, errors } from '../errors/index.js';
import { hashPassword, verifyPassword } from '../credentials/password.js';
import { callerAccount } from './common.js';
import type { LoginProfileBody, PasswordPolicyBody } from '../domain/entities.js';
import { checkPasswordAgainstPolicy, getPasswordPolicy, PASSWORD_POLICY_VIOLATION } from './account.js';
import { requireUser, targetUser } from './users.js';

/** AWS's text when the user has no console password (recorded: GetLoginProfile, DeleteLoginProfile). */
function noSuchProfile(userName: string): AwsError {
  return errors.noSuchEntity(`Login Profile for User ${userName} cannot be found.`);
}

/** The `LoginProfile` shape of Create/GetLoginProfile. */
function profileOutput(b: LoginProfileBody): LoginProfile {
  return { UserName: b.userName, CreateDate: b.createDate, PasswordResetRequired: b.passwordResetRequired };
}

/**
 * Refuses a password the policy forbids reusing: `PasswordReusePrevention` = n forbids the current and
 * the n-1 earlier passwords ("Set an account password policy": "prevents IAM users from reusing a
 * specified number of previous passwords").
 */
function checkReuse(
  policy: PasswordPolicyBody | undefined,
  profile: LoginProfileBody,
  password: string,
): void {
  const n = policy?.PasswordReusePrevention;
  if (n === undefined) return;
  const recent = [profile.passwordHash, ...(profile.passwordHistory ?? [])].slice(0, n);
  if (recent.some((h) => verifyPassword(password, h)))
    throw new AwsError('PasswordPolicyViolation', PASSWORD_POLICY_VIOLATION);
}

/** The profile after a password change: new hash, the old one pushed onto the history (bounded). */
function withNewPassword(
  profile: LoginProfileBody,
  policy: PasswordPolicyBody | undefined,
  hash: string,
  now: number,
): LoginProfileBody {
  const keep = Math.max(0, (policy?.PasswordReusePrevention ?? 0) - 1);
  const history = [profile.passwordHash, ...(profile.passwordHistory ?? [])].slice(0, keep);
  return {
    ...profile,
    passwordHash: hash,
    passwordLastChanged: now,
    passwordHistory: history.length > 0 ? history : undefined,
  };
}

/** CreateLoginProfile: gives a user a console password (checked against the password policy). */
export const createLoginProfile = iamOperation<'CreateLoginProfile'>({
  service: 'iam',
  name: 'CreateLoginProfile',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const user = await targetUser(ctx, account, 'iam:CreateLoginProfile', input.UserName);
    const password = input.Password;
    // CreateLoginProfile API reference: Password "is required in all other cases" than an AssumeRoot
    // session; the model marks it optional for that one case.
    if (password === undefined)
      throw errors.validation(
        "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null",
      );
    checkPasswordAgainstPolicy(await getPasswordPolicy(ctx.store, account), password);
    const hash = hashPassword(password, (n) => ctx.services.random(n));
    return ctx.transact(async (tx) => {
      const cur = await requireUser(tx, account, user.body.userName);
      const body: LoginProfileBody = {
        userName: cur.body.userName,
        passwordHash: hash,
        createDate: ctx.now,
        passwordResetRequired: input.PasswordResetRequired === true,
      };
      try {
        await tx.insert(account, 'loginProfile', cur.key, body);
      } catch (e) {
        if (e instanceof StoreConflict && e.reason === 'exists')
          throw errors.alreadyExists(`Login Profile for user ${cur.body.userName} already exists.`);
        throw e;
      }
      return { LoginProfile: profileOutput(body) };
    });
  },
});

/** GetLoginProfile: whether the user has a console password (never the password). */
export const getLoginProfile = iamOperation<'GetLoginProfile'>({
  service: 'iam',
  name: 'GetLoginProfile',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const user = await targetUser(ctx, account, 'iam:GetLoginProfile', input.UserName);
    const profile = await ctx.store.get<LoginProfileBody>(account, 'loginProfile', user.key);
    if (profile === undefined) throw noSuchProfile(user.body.userName);
    return { LoginProfile: profileOutput(profile.body) };
  },
});

/** UpdateLoginProfile: an administrator sets a new password and/or the reset-required flag. */
export const updateLoginProfile = iamOperation<'UpdateLoginProfile'>({
  service: 'iam',
  name: 'UpdateLoginProfile',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const user = await targetUser(ctx, account, 'iam:UpdateLoginProfile', input.UserName);
    const password = input.Password;
    const policy = await getPasswordPolicy(ctx.store, account);
    if (password !== undefined) checkPasswordAgainstPolicy(policy, password);
    const hash = password === undefined ? undefined : hashPassword(password, (n) => ctx.services.random(n));
    return ctx.transact(async (tx) => {
      const profile = await tx.get<LoginProfileBody>(account, 'loginProfile', user.key);
      if (profile === undefined) throw noSuchProfile(user.body.userName);
      let body = profile.body;
      if (password !== undefined && hash !== undefined) {
        checkReuse(policy, body, password);
        body = withNewPassword(body, policy, hash, ctx.now);
      }
      if (typeof input.PasswordResetRequired === 'boolean')
        body = { ...body, passwordResetRequired: input.PasswordResetRequired };
      await tx.update(account, 'loginProfile', profile.key, body, { expectedVersion: profile.version });
      return {};
    });
  },
});

/** DeleteLoginProfile: removes the console password (access keys are unaffected). */
export const deleteLoginProfile = iamOperation<'DeleteLoginProfile'>({
  service: 'iam',
  name: 'DeleteLoginProfile',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const user = await targetUser(ctx, account, 'iam:DeleteLoginProfile', input.UserName);
    return ctx.transact(async (tx) => {
      if (!(await tx.delete(account, 'loginProfile', user.key))) throw noSuchProfile(user.body.userName);
      return {};
    });
  },
});

/**
 * ChangePassword: an IAM user changes its own password. Only IAM users may call it (InvalidUserType,
 * the model's text, for the root and role sessions). The old password must match; the new one must
 * satisfy the password policy and clears PasswordResetRequired. When the account policy sets
 * `AllowUsersToChangePassword`, IAM lets every user change its own password without an identity policy
 * ("Set an account password policy": "Allow users to change their own password"), so a denial from the
 * policy engine is then overridden for this one action.
 */
export const changePassword = iamOperation<'ChangePassword'>({
  service: 'iam',
  name: 'ChangePassword',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const p = ctx.principal;
    if (p.type !== 'IAMUser')
      throw new AwsError(
        'InvalidUserType',
        'The request was rejected because the type of user for the transaction was incorrect.',
      );
    const policy = await getPasswordPolicy(ctx.store, account);
    try {
      await ctx.authorize({ action: 'iam:ChangePassword', resource: p.arn });
    } catch (e) {
      if (!(
        e instanceof AwsError &&
        e.code === 'AccessDenied' &&
        policy?.AllowUsersToChangePassword === true
      ))
        throw e;
    }
    const oldPassword = input.OldPassword;
    const newPassword = input.NewPassword;
    const user = await requireUser(ctx.store, account, p.userName);
    const profile = await ctx.store.get<LoginProfileBody>(account, 'loginProfile', user.key);
    if (profile === undefined) throw noSuchProfile(user.body.userName);
    if (!verifyPassword(oldPassword, profile.body.passwordHash))
      throw errors.accessDenied('The old password is incorrect.');
    checkPasswordAgainstPolicy(policy, newPassword);
    checkReuse(policy, profile.body, newPassword);
    const hash = hashPassword(newPassword, (n) => ctx.services.random(n));
    return ctx.transact(async (tx) => {
      const cur = await tx.get<LoginProfileBody>(account, 'loginProfile', user.key);
      if (cur === undefined) throw noSuchProfile(user.body.userName);
      const body = { ...withNewPassword(cur.body, policy, hash, ctx.now), passwordResetRequired: false };
      await tx.update(account, 'loginProfile', cur.key, body, { expectedVersion: cur.version });
      return {};
    });
  },
});

/** The login-profile operations, registered in `src/iam/index.ts`. */
export const loginProfileOperations: readonly Operation[] = [
  createLoginProfile,
  getLoginProfile,
  updateLoginProfile,
  deleteLoginProfile,
  changePassword,
];
