/**
 * Trust policies naming IAM users and roles: a user or role ARN principal must name an existing
 * principal when the policy is saved, and is bound to that principal's unique id: a re-created
 * namesake does not match, and once the principal is deleted the policy shows its id. IAM User Guide,
 * "AWS JSON policy elements: Principal", IAM role principals
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles)
 * and "Example policies for IAM roles"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_policy-examples.html);
 * refusal text `Invalid principal in policy: "AWS":"<arn>"` (MalformedPolicyDocument, 400) as in
 * shared/reference/aws-errors.md.
 */
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import {
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteRoleCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  GetAccountAuthorizationDetailsCommand,
  GetRoleCommand,
  type IAMClient,
  ListRolesCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { ROOT, type Creds, type TestServer } from './harness.js';
import {
  allow,
  createAccount,
  createUser,
  rootCreds,
  startIamdOnData,
  type TestUser,
} from './accounts-helper.js';
import { expectClientError } from './support.js';

const A = ROOT.accountId;
const trust = (aws: string | string[]): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: aws }, Action: 'sts:AssumeRole' }],
  });

let server: TestServer;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iamd-trust-principals-'));
  server = await startIamdOnData(dir);
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('CreateRole naming a missing user or role is MalformedPolicyDocument; existing ones are accepted', async () => {
  const iam = server.iam();
  const nobody = `arn:aws:iam::${A}:user/nobody`;
  await expectClientError(
    iam.send(new CreateRoleCommand({ RoleName: 'r1', AssumeRolePolicyDocument: trust(nobody) })),
    'MalformedPolicyDocumentException',
    400,
    `Invalid principal in policy: "AWS":"${nobody}"`,
  );
  const noRole = `arn:aws:iam::${A}:role/ghost`;
  await expectClientError(
    iam.send(
      new CreateRoleCommand({
        RoleName: 'r1',
        AssumeRolePolicyDocument: trust([`arn:aws:iam::${A}:root`, noRole]),
      }),
    ),
    'MalformedPolicyDocumentException',
    400,
    `Invalid principal in policy: "AWS":"${noRole}"`,
  );
  await iam.send(new CreateUserCommand({ UserName: 'alice', Path: '/team/' }));
  // The ARN must be the user's own, path included.
  const wrongPath = `arn:aws:iam::${A}:user/alice`;
  await expectClientError(
    iam.send(new CreateRoleCommand({ RoleName: 'r1', AssumeRolePolicyDocument: trust(wrongPath) })),
    'MalformedPolicyDocumentException',
    400,
    `Invalid principal in policy: "AWS":"${wrongPath}"`,
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'r1',
      AssumeRolePolicyDocument: trust(`arn:aws:iam::${A}:user/team/alice`),
    }),
  );
  await iam.send(
    new CreateRoleCommand({ RoleName: 'r2', AssumeRolePolicyDocument: trust(`arn:aws:iam::${A}:role/r1`) }),
  );
  // Assumed-role session ARNs and account principals are not checked against entities.
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'r3',
      AssumeRolePolicyDocument: trust([`arn:aws:sts::${A}:assumed-role/gone/s`, `arn:aws:iam::${A}:root`]),
    }),
  );
});

test('UpdateAssumeRolePolicy naming a missing user is MalformedPolicyDocument', async () => {
  const iam = server.iam();
  await iam.send(
    new CreateRoleCommand({ RoleName: 'u1', AssumeRolePolicyDocument: trust(`arn:aws:iam::${A}:root`) }),
  );
  const missing = `arn:aws:iam::${A}:user/missing`;
  await expectClientError(
    iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'u1', PolicyDocument: trust(missing) })),
    'MalformedPolicyDocumentException',
    400,
    `Invalid principal in policy: "AWS":"${missing}"`,
  );
});

test('cross-account: a principal in another account iamd holds must exist; one iamd does not hold is kept', async () => {
  const other = createAccount(dir, '444455556666');
  const otherIam = server.iam(rootCreds(other));
  const missing = `arn:aws:iam::${A}:user/carol`;
  await expectClientError(
    otherIam.send(new CreateRoleCommand({ RoleName: 'x1', AssumeRolePolicyDocument: trust(missing) })),
    'MalformedPolicyDocumentException',
    400,
    `Invalid principal in policy: "AWS":"${missing}"`,
  );
  await server.iam().send(new CreateUserCommand({ UserName: 'carol' }));
  await otherIam.send(new CreateRoleCommand({ RoleName: 'x1', AssumeRolePolicyDocument: trust(missing) }));
  // 999988887777 is not an account of this iamd: nothing can be known about it, the ARN is kept.
  await otherIam.send(
    new CreateRoleCommand({
      RoleName: 'x2',
      AssumeRolePolicyDocument: trust('arn:aws:iam::999988887777:user/zed'),
    }),
  );
});

/** The AWS principals of a role's trust policy as the API shows it (the document is URL-encoded). */
function shownPrincipals(doc: string | undefined): unknown {
  const parsed = JSON.parse(decodeURIComponent(doc ?? '')) as {
    Statement: { Principal: { AWS: unknown } }[];
  };
  return parsed.Statement[0]?.Principal.AWS;
}

async function getRolePrincipals(iam: IAMClient, name: string): Promise<unknown> {
  const r = await iam.send(new GetRoleCommand({ RoleName: name }));
  return shownPrincipals(r.Role?.AssumeRolePolicyDocument);
}

/** Deletes a user made by `createUser` (its key and inline policy first, as DeleteUser requires). */
async function deleteUser(iam: IAMClient, u: TestUser, withPolicy: boolean): Promise<void> {
  await iam.send(new DeleteAccessKeyCommand({ UserName: u.name, AccessKeyId: u.creds.accessKeyId }));
  if (withPolicy) await iam.send(new DeleteUserPolicyCommand({ UserName: u.name, PolicyName: 'inline' }));
  await iam.send(new DeleteUserCommand({ UserName: u.name }));
}

const denied = (caller: string, role: string): string =>
  `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${role}`;

const assume = (creds: Creds, roleArn: string) =>
  server.sts(creds).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'sess' }));

test('a trusted user deleted and re-created under the same name no longer matches; the policy shows its id', async () => {
  const iam = server.iam();
  const x = await createUser(iam, 'xavier');
  const role = await iam.send(
    new CreateRoleCommand({ RoleName: 'trusts-xavier', AssumeRolePolicyDocument: trust(x.arn) }),
  );
  const roleArn = role.Role?.Arn ?? '';
  // While the user exists every read shows its ARN.
  assert.equal(await getRolePrincipals(iam, 'trusts-xavier'), x.arn);
  await assume(x.creds, roleArn);

  await deleteUser(iam, x, false);
  assert.match(x.userId, /^AIDA/);
  assert.equal(await getRolePrincipals(iam, 'trusts-xavier'), x.userId);

  const again = await createUser(iam, 'xavier');
  assert.equal(again.arn, x.arn);
  assert.notEqual(again.userId, x.userId);
  await expectClientError(assume(again.creds, roleArn), 'AccessDenied', 403, denied(again.arn, roleArn));
  // The namesake does not bring the ARN back: GetRole, ListRoles and GetAccountAuthorizationDetails show the old id.
  assert.equal(await getRolePrincipals(iam, 'trusts-xavier'), x.userId);
  const listed = await iam.send(new ListRolesCommand({}));
  const inList = listed.Roles?.find((r) => r.RoleName === 'trusts-xavier');
  assert.equal(shownPrincipals(inList?.AssumeRolePolicyDocument), x.userId);
  const details = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'] }));
  const detail = details.RoleDetailList?.find((r) => r.RoleName === 'trusts-xavier');
  assert.equal(shownPrincipals(detail?.AssumeRolePolicyDocument), x.userId);

  // Saving the ARN again binds it to the new user ("you must edit the role to replace the ARN").
  await iam.send(
    new UpdateAssumeRolePolicyCommand({ RoleName: 'trusts-xavier', PolicyDocument: trust(again.arn) }),
  );
  assert.equal(await getRolePrincipals(iam, 'trusts-xavier'), again.arn);
  await assume(again.creds, roleArn);
});

test('a trusted role deleted and re-created under the same name no longer matches; the policy shows its id', async () => {
  const iam = server.iam();
  const caller = await createUser(iam, 'chainer', allow('sts:AssumeRole'));
  const makeFirst = () =>
    iam.send(
      new CreateRoleCommand({ RoleName: 'first', AssumeRolePolicyDocument: trust(`arn:aws:iam::${A}:root`) }),
    );
  const first = (await makeFirst()).Role!;
  const second = (
    await iam.send(new CreateRoleCommand({ RoleName: 'second', AssumeRolePolicyDocument: trust(first.Arn!) }))
  ).Role!;
  assert.deepEqual(await getRolePrincipals(iam, 'second'), first.Arn);
  const session = async (): Promise<Creds> => {
    const c = (await assume(caller.creds, first.Arn!)).Credentials!;
    return {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
    };
  };
  await assume(await session(), second.Arn!);

  await iam.send(new DeleteRoleCommand({ RoleName: 'first' }));
  assert.match(first.RoleId!, /^AROA/);
  assert.equal(await getRolePrincipals(iam, 'second'), first.RoleId);
  const recreated = (await makeFirst()).Role!;
  assert.notEqual(recreated.RoleId, first.RoleId);
  await expectClientError(
    assume(await session(), second.Arn!),
    'AccessDenied',
    403,
    denied(`arn:aws:sts::${A}:assumed-role/first/sess`, second.Arn!),
  );
  assert.equal(await getRolePrincipals(iam, 'second'), first.RoleId);
});

test('a trusted user renamed keeps its place in the policy, which shows its new ARN', async () => {
  const iam = server.iam();
  const u = await createUser(iam, 'before-rename');
  const role = await iam.send(
    new CreateRoleCommand({ RoleName: 'trusts-renamed', AssumeRolePolicyDocument: trust(u.arn) }),
  );
  await iam.send(new UpdateUserCommand({ UserName: 'before-rename', NewUserName: 'after-rename' }));
  assert.equal(await getRolePrincipals(iam, 'trusts-renamed'), `arn:aws:iam::${A}:user/after-rename`);
  await assume(u.creds, role.Role!.Arn!);
});

test('cross-account: a trusted user of another iamd account re-created under its name no longer matches', async () => {
  const other = createAccount(dir, '777788889999');
  const otherIam = server.iam(rootCreds(other));
  const dave = await createUser(server.iam(), 'dave', allow('sts:AssumeRole'));
  const role = await otherIam.send(
    new CreateRoleCommand({ RoleName: 'trusts-dave', AssumeRolePolicyDocument: trust(dave.arn) }),
  );
  const roleArn = role.Role!.Arn!;
  assert.equal(await getRolePrincipals(otherIam, 'trusts-dave'), dave.arn);
  await assume(dave.creds, roleArn);
  await deleteUser(server.iam(), dave, true);
  const again = await createUser(server.iam(), 'dave', allow('sts:AssumeRole'));
  await expectClientError(assume(again.creds, roleArn), 'AccessDenied', 403, denied(again.arn, roleArn));
  assert.equal(await getRolePrincipals(otherIam, 'trusts-dave'), dave.userId);
});
