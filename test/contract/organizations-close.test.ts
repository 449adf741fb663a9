/**
 * CloseAccount (issue #19) through the SDK: a member account goes PENDING_CLOSURE, then SUSPENDED a few
 * minutes later; from the call on its principals are refused everything and nobody can assume its
 * roles; the management account cannot be closed, an account cannot be closed twice.
 *
 * Source: https://docs.aws.amazon.com/organizations/latest/APIReference/API_CloseAccount.html ("While
 * the close account request is in progress, Account status will indicate PENDING_CLOSURE. When the close
 * account request completes, the status will change to SUSPENDED."; "the resources won't be available").
 * The quota (250 or 20% of the members in 30 days) is unit-tested in src/organizations/closing.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloseAccountCommand,
  DescribeAccountCommand,
  ListAccountsCommand,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { ListUsersCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ROOT, type TestServer } from './harness.js';
import { type TestUser } from './accounts-helper.js';
import { expectAwsError } from './support.js';
import { startOrganization, expectOrgError, orgsClient, type BuiltOrg } from './organizations-support.js';

let server: TestServer;
let admin: TestUser;
let org: BuiltOrg;

before(async () => {
  ({ server, admin, org } = await startOrganization());
});

after(async () => {
  await server.stop();
});

test('a closed account is PENDING_CLOSURE, then SUSPENDED, and its credentials stop working', async () => {
  const o = orgsClient(server, admin.creds);
  const roleArn = `arn:aws:iam::${org.member}:role/OrganizationAccountAccessRole`;
  await server.iam(org.memberAdmin).send(new ListUsersCommand({}));

  await o.send(new CloseAccountCommand({ AccountId: org.member }));
  const pending = await o.send(new DescribeAccountCommand({ AccountId: org.member }));
  assert.equal(pending.Account?.Status, 'PENDING_CLOSURE');
  assert.equal(pending.Account?.State, 'PENDING_CLOSURE');

  // The member's principals are refused every call.
  await expectAwsError(
    server.iam(org.memberAdmin).send(new ListUsersCommand({})),
    'AccessDenied',
    403,
    `User: arn:aws:sts::${org.member}:assumed-role/OrganizationAccountAccessRole/admin is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${org.member}:user/ with an explicit deny in a service control policy`,
  );
  // And nobody can reach it through its roles (the RCP level of the closed account; STS words an
  // AssumeRole denial without its reason, as AWS does).
  await expectAwsError(
    server.sts(admin.creds).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'again' })),
    'AccessDenied',
    403,
    `User: ${admin.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
  );
  // The management account itself is unaffected.
  await server.sts(admin.creds).send(new GetCallerIdentityCommand({}));

  await server.advance(5 * 60);
  const suspended = await o.send(new ListAccountsCommand({}));
  const entry = suspended.Accounts?.find((a) => a.Id === org.member);
  assert.equal(entry?.Status, 'SUSPENDED');
  assert.equal(entry?.State, 'SUSPENDED');
});

test('close errors: twice, the management account, an account not in the organization; a closed account cannot be a delegated administrator', async () => {
  const o = orgsClient(server, admin.creds);
  await expectOrgError(
    o.send(new CloseAccountCommand({ AccountId: org.member })),
    'AccountAlreadyClosedException',
    'You attempted to close an account that is already closed.',
  );
  await expectOrgError(
    o.send(new CloseAccountCommand({ AccountId: ROOT.accountId })),
    'ConstraintViolationException',
    'You attempted to close the management account. To close the management account for the organization, you must first either remove or close all member accounts in the organization. Follow standard account closure process using root credentials.',
    'CANNOT_CLOSE_MANAGEMENT_ACCOUNT',
  );
  await expectOrgError(
    o.send(
      new RegisterDelegatedAdministratorCommand({
        AccountId: org.member,
        ServicePrincipal: 'iam.amazonaws.com',
      }),
    ),
    'ConstraintViolationException',
    'You cannot register a suspended account as a delegated administrator.',
    'CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR',
  );
  await expectOrgError(
    o.send(new CloseAccountCommand({ AccountId: '999999999999' })),
    'AccountNotFoundException',
    "We can't find an AWS account with the AccountId that you specified.",
  );
});
