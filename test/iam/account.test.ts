/**
 * Login profiles, ChangePassword and account settings (aliases, summary, password policy). Expected
 * shapes and texts from shared/reference/localstack-snapshots/pr-13720/iam/test_iam_users,
 * test_iam_account_password_policy, test_iam_account_summary and test_iam_account_aliases.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  changePassword,
  createLoginProfile,
  deleteLoginProfile,
  getLoginProfile,
  updateLoginProfile,
} from '../../src/iam/login-profiles.js';
import {
  ACCOUNT_QUOTAS,
  createAccountAlias,
  deleteAccountAlias,
  deleteAccountPasswordPolicy,
  getAccountPasswordPolicy,
  getAccountSummary,
  listAccountAliases,
  updateAccountPasswordPolicy,
} from '../../src/iam/account.js';
import { createUser } from '../../src/iam/users.js';
import { createGroup } from '../../src/iam/groups.js';
import { createAccessKey } from '../../src/iam/access-keys.js';
import {
  ACCOUNT,
  OTHER_ACCOUNT,
  assertError,
  makeHarness,
  rootPrincipal,
  userPrincipal,
  type Harness,
} from './harness-identities.js';

let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
  await h.call(createUser, { UserName: 'u' });
});
afterEach(async () => {
  await h.close();
});

const VIOLATION = 'Password does not conform to the account password policy.';

describe('login profiles', () => {
  it('create / get / update / delete (test_login_profile_lifecycle)', async () => {
    const out = await h.call(createLoginProfile, { UserName: 'u', Password: 'Str0ng-Passw0rd!' });
    const lp = out.LoginProfile as Record<string, unknown>;
    assert.deepEqual(Object.keys(lp).sort(), ['CreateDate', 'PasswordResetRequired', 'UserName']);
    assert.equal(lp.PasswordResetRequired, false);
    assert.deepEqual(await h.call(getLoginProfile, { UserName: 'u' }), out);
    await h.call(updateLoginProfile, { UserName: 'u', PasswordResetRequired: true });
    assert.equal(
      ((await h.call(getLoginProfile, { UserName: 'u' })).LoginProfile as Record<string, unknown>)
        .PasswordResetRequired,
      true,
    );
    assertError(
      await h.fail(createLoginProfile, { UserName: 'u', Password: 'Str0ng-Passw0rd!' }),
      'EntityAlreadyExists',
      'Login Profile for user u already exists.',
    );
    await h.call(deleteLoginProfile, { UserName: 'u' });
    assertError(
      await h.fail(getLoginProfile, { UserName: 'u' }),
      'NoSuchEntity',
      'Login Profile for User u cannot be found.',
    );
    assertError(
      await h.fail(deleteLoginProfile, { UserName: 'u' }),
      'NoSuchEntity',
      'Login Profile for User u cannot be found.',
    );
    assertError(
      await h.fail(createLoginProfile, { UserName: 'nonexistent-user', Password: 'Str0ng-Passw0rd!' }),
      'NoSuchEntity',
      'The user with name nonexistent-user cannot be found.',
    );
  });

  it('checks the AWS default policy, then the account policy', async () => {
    assertError(
      await h.fail(createLoginProfile, { UserName: 'u', Password: 'short1A' }),
      'PasswordPolicyViolation',
      VIOLATION,
    );
    assertError(
      await h.fail(createLoginProfile, { UserName: 'u', Password: 'alllowercase' }),
      'PasswordPolicyViolation',
      VIOLATION,
    );
    await h.call(updateAccountPasswordPolicy, { MinimumPasswordLength: 10, RequireSymbols: true });
    assertError(
      await h.fail(createLoginProfile, { UserName: 'u', Password: 'abcdefghij' }),
      'PasswordPolicyViolation',
      VIOLATION,
    );
    await h.call(createLoginProfile, { UserName: 'u', Password: 'abcdefghi!' });
  });

  it('ChangePassword: own password, old must match, reuse prevention, InvalidUserType for root', async () => {
    await h.call(updateAccountPasswordPolicy, {
      PasswordReusePrevention: 2,
      AllowUsersToChangePassword: true,
    });
    await h.call(createLoginProfile, { UserName: 'u', Password: 'first-Pass1', PasswordResetRequired: true });
    h.principal = userPrincipal('u');
    assertError(
      await h.fail(changePassword, { OldPassword: 'wrong', NewPassword: 'second-Pass2' }),
      'AccessDenied',
      'The old password is incorrect.',
    );
    assertError(
      await h.fail(changePassword, { OldPassword: 'first-Pass1', NewPassword: 'first-Pass1' }),
      'PasswordPolicyViolation',
      VIOLATION,
    );
    // AllowUsersToChangePassword overrides a policy-engine denial for this one action.
    h.denied.add('iam:ChangePassword');
    await h.call(changePassword, { OldPassword: 'first-Pass1', NewPassword: 'second-Pass2' });
    h.principal = rootPrincipal();
    const lp = (await h.call(getLoginProfile, { UserName: 'u' })).LoginProfile as Record<string, unknown>;
    assert.equal(lp.PasswordResetRequired, false);
    assertError(
      await h.fail(changePassword, { OldPassword: 'second-Pass2', NewPassword: 'third-Pass3' }),
      'InvalidUserType',
      'The request was rejected because the type of user for the transaction was incorrect.',
    );
  });
});

describe('account password policy (test_iam_account_password_policy)', () => {
  it('defaults, custom values, not found texts', async () => {
    assertError(
      await h.fail(getAccountPasswordPolicy, {}),
      'NoSuchEntity',
      `The Password Policy with domain name ${ACCOUNT} cannot be found.`,
    );
    await h.call(updateAccountPasswordPolicy, {});
    assert.deepEqual(await h.call(getAccountPasswordPolicy, {}), {
      PasswordPolicy: {
        AllowUsersToChangePassword: false,
        ExpirePasswords: false,
        MinimumPasswordLength: 6,
        RequireLowercaseCharacters: false,
        RequireNumbers: false,
        RequireSymbols: false,
        RequireUppercaseCharacters: false,
      },
    });
    await h.call(updateAccountPasswordPolicy, {
      AllowUsersToChangePassword: true,
      HardExpiry: true,
      MaxPasswordAge: 60,
      MinimumPasswordLength: 10,
      PasswordReusePrevention: 3,
      RequireLowercaseCharacters: true,
      RequireNumbers: true,
      RequireSymbols: true,
      RequireUppercaseCharacters: true,
    });
    const p = (await h.call(getAccountPasswordPolicy, {})).PasswordPolicy as Record<string, unknown>;
    assert.equal(p.ExpirePasswords, true);
    assert.equal(p.MaxPasswordAge, 60);
    assert.equal(p.HardExpiry, true);
    assert.equal(p.PasswordReusePrevention, 3);
    await h.call(deleteAccountPasswordPolicy, {});
    assertError(
      await h.fail(deleteAccountPasswordPolicy, {}),
      'NoSuchEntity',
      'The account policy with name PasswordPolicy cannot be found.',
    );
  });
});

describe('account aliases', () => {
  it('creates, lists, replaces, deletes; unique across accounts', async () => {
    assert.deepEqual(await h.call(listAccountAliases, {}), { AccountAliases: [], IsTruncated: false });
    await h.call(createAccountAlias, { AccountAlias: 'my-corp' });
    assert.deepEqual(await h.call(listAccountAliases, {}), {
      AccountAliases: ['my-corp'],
      IsTruncated: false,
    });
    h.principal = rootPrincipal(OTHER_ACCOUNT);
    assertError(
      await h.fail(createAccountAlias, { AccountAlias: 'my-corp' }),
      'EntityAlreadyExists',
      'The account alias my-corp already exists.',
    );
    h.principal = rootPrincipal();
    await h.call(createAccountAlias, { AccountAlias: 'my-corp-2' });
    assert.deepEqual((await h.call(listAccountAliases, {})).AccountAliases, ['my-corp-2']);
    assertError(
      await h.fail(deleteAccountAlias, { AccountAlias: 'my-corp' }),
      'NoSuchEntity',
      'The account alias my-corp cannot be found.',
    );
    await h.call(deleteAccountAlias, { AccountAlias: 'my-corp-2' });
    assert.deepEqual((await h.call(listAccountAliases, {})).AccountAliases, []);
  });
});

describe('GetAccountSummary (test_get_account_summary_format)', () => {
  it('has every AWS key, quotas as recorded and real counts', async () => {
    await h.call(createGroup, { GroupName: 'g' });
    await h.call(createAccessKey, {});
    const map = (await h.call(getAccountSummary, {})).SummaryMap as Record<string, number>;
    assert.equal(Object.keys(map).length, 34, 'all 34 keys of summaryKeyType');
    for (const [k, v] of Object.entries(ACCOUNT_QUOTAS)) assert.equal(map[k], v, k);
    assert.equal(map.UsersQuota, 5000);
    assert.equal(map.Users, 1);
    assert.equal(map.Groups, 1);
    assert.equal(map.AccountAccessKeysPresent, 1);
    assert.equal(map.AccountMFAEnabled, 0);
    assert.equal(map.Roles, 0);
  });
});
