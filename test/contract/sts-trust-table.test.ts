/**
 * Every row of shared/DOMAIN.md's trust-policy table ("The trust-policy rules that surprise people"),
 * same account and cross-account. The second account is made with `iamd accounts create` next to a
 * server on a data directory (test/contract/accounts-helper.ts).
 *
 * Rules (IAM User Guide, "Cross account resource access in IAM" and "Policy evaluation logic"): a trust
 * policy naming the principal's ARN grants on its own in the same account; naming the account root only
 * delegates to that account's identity policies; across accounts both sides must allow; an explicit
 * deny always wins; PowerUserAccess allows sts:* because STS is not under iam:*.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttachUserPolicyCommand, CreateRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ROOT, type TestServer } from './harness.js';
import {
  allow,
  createAccount,
  createUser,
  denied,
  expectAwsError,
  rootCreds,
  sessionCreds,
  startIamdOnData,
  trust,
  type CreatedAccount,
  type TestUser,
} from './accounts-helper.js';

const A = ROOT.accountId;
let dir = '';
let server: TestServer;
let B: CreatedAccount;
let iamA: IAMClient;
let iamB: IAMClient;

const role = (acct: string, name: string) => `arn:aws:iam::${acct}:role/${name}`;

/** The users of a table row: one with no policy, one allowed, one with an explicit deny, one PowerUser. */
interface Users {
  readonly none: TestUser;
  readonly allowed: TestUser;
  readonly denying: TestUser;
  readonly power: TestUser;
}
let usersA: Users;

async function makeUsers(iam: IAMClient, prefix: string): Promise<Users> {
  const none = await createUser(iam, `${prefix}-none`);
  const allowed = await createUser(iam, `${prefix}-allowed`, allow('sts:AssumeRole'));
  const denying = await createUser(iam, `${prefix}-denying`, {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
      { Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' },
    ],
  });
  const power = await createUser(iam, `${prefix}-power`);
  await iam.send(
    new AttachUserPolicyCommand({
      UserName: power.name,
      PolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess',
    }),
  );
  return { none, allowed, denying, power };
}

async function assume(user: TestUser, roleArn: string) {
  return server.sts(user.creds).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'table' }));
}

async function assumed(user: TestUser, roleArn: string): Promise<void> {
  const r = await assume(user, roleArn);
  const who = await server.sts(sessionCreds(r.Credentials)).send(new GetCallerIdentityCommand({}));
  const [, , , , acct, res] = roleArn.split(':');
  assert.equal(who.Arn, `arn:aws:sts::${acct}:assumed-role/${res?.slice('role/'.length)}/table`);
}

/** Asserts `user` is refused sts:AssumeRole on `roleArn` with AWS's AccessDenied text. */
async function refused(user: TestUser, roleArn: string): Promise<void> {
  await expectAwsError(
    assume(user, roleArn),
    'AccessDenied',
    403,
    denied(user.arn, 'sts:AssumeRole', roleArn),
  );
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iamd-trust-'));
  server = await startIamdOnData(dir);
  B = createAccount(dir);
  iamA = server.iam();
  iamB = server.iam(rootCreds(B));
  usersA = await makeUsers(iamA, 'a');
  // Same-account roles: one trusting the account root, one naming each user by ARN.
  await iamA.send(
    new CreateRoleCommand({
      RoleName: 'trust-root',
      AssumeRolePolicyDocument: trust(`arn:aws:iam::${A}:root`),
    }),
  );
  await iamA.send(
    new CreateRoleCommand({
      RoleName: 'trust-users',
      AssumeRolePolicyDocument: trust([usersA.none.arn, usersA.allowed.arn, usersA.denying.arn]),
    }),
  );
  // Cross-account roles in B: trusting account A, naming A's users, and trusting only B.
  await iamB.send(new CreateRoleCommand({ RoleName: 'trust-a', AssumeRolePolicyDocument: trust(A) }));
  await iamB.send(
    new CreateRoleCommand({
      RoleName: 'trust-a-users',
      AssumeRolePolicyDocument: trust([usersA.none.arn, usersA.allowed.arn, usersA.denying.arn]),
    }),
  );
  await iamB.send(
    new CreateRoleCommand({ RoleName: 'trust-b-only', AssumeRolePolicyDocument: trust(B.AccountId) }),
  );
});

after(async () => {
  await server?.stop();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

test('the second account exists and its root works', async () => {
  const who = await server.sts(rootCreds(B)).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, `arn:aws:iam::${B.AccountId}:root`);
  assert.notEqual(B.AccountId, A);
});

test('row 1: no identity allow, trust names the account root -> denied', async () => {
  await refused(usersA.none, role(A, 'trust-root'));
});

test('row 2: identity allow, trust names the account root -> assumed', async () => {
  await assumed(usersA.allowed, role(A, 'trust-root'));
});

test('row 3: identity allow, trust names the user ARN -> assumed', async () => {
  await assumed(usersA.allowed, role(A, 'trust-users'));
});

test('row 4: no identity allow, trust names the user ARN -> assumed', async () => {
  await assumed(usersA.none, role(A, 'trust-users'));
});

test('row 5: PowerUserAccess, trust names the account root -> assumed', async () => {
  await assumed(usersA.power, role(A, 'trust-root'));
});

test('row 6: explicit deny of sts:AssumeRole, trust names the user ARN -> denied', async () => {
  await refused(usersA.denying, role(A, 'trust-users'));
});

test('same account: identity allow but a trust policy that does not name the caller -> denied', async () => {
  // Rows 2 and 3 need the trust policy: an identity policy alone never opens a role.
  await iamA.send(
    new CreateRoleCommand({ RoleName: 'trust-other-user', AssumeRolePolicyDocument: trust(usersA.none.arn) }),
  );
  await refused(usersA.allowed, role(A, 'trust-other-user'));
});

test('row 7, cross-account: both sides allow -> assumed; either side missing -> denied', async () => {
  // Both allow: A's identity policy and B's trust (naming A's account, or the user).
  await assumed(usersA.allowed, role(B.AccountId, 'trust-a'));
  await assumed(usersA.allowed, role(B.AccountId, 'trust-a-users'));
  await assumed(usersA.power, role(B.AccountId, 'trust-a'));
  // Trust names the user, but A's identity policy does not allow: cross-account needs both.
  await refused(usersA.none, role(B.AccountId, 'trust-a-users'));
  await refused(usersA.none, role(B.AccountId, 'trust-a'));
  // A allows, but B's trust does not name A.
  await refused(usersA.allowed, role(B.AccountId, 'trust-b-only'));
  // Explicit deny in A wins over B's trust naming the user.
  await refused(usersA.denying, role(B.AccountId, 'trust-a-users'));
  // A role that does not exist in B answers like a trust that does not allow.
  await refused(usersA.allowed, role(B.AccountId, 'ghost'));
});

test('cross-account in the other direction: B users into A roles', async () => {
  const bUser = await createUser(iamB, 'b-allowed', allow('sts:AssumeRole'));
  await iamA.send(
    new CreateRoleCommand({ RoleName: 'trust-b-user', AssumeRolePolicyDocument: trust(bUser.arn) }),
  );
  await assumed(bUser, role(A, 'trust-b-user'));
  // A's role trusting only A's own account root does not let B in, whatever B's policy says.
  await refused(bUser, role(A, 'trust-root'));
});
