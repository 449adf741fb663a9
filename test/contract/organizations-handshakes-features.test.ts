/**
 * ListHandshakesForOrganization, EnableAllFeatures and CreateGovCloudAccount (issue #19) through the SDK.
 *
 * Sources: https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListHandshakesForOrganization.html
 * (filters: "You can specify only one filter parameter"), API_EnableAllFeatures.html
 * (HandshakeConstraintViolationException ORGANIZATION_ALREADY_HAS_ALL_FEATURES),
 * API_CreateGovCloudAccount.html (a management account paired with a GovCloud account is required;
 * ConstraintViolationException MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAccountCommand,
  CreateGovCloudAccountCommand,
  EnableAllFeaturesCommand,
  InviteAccountToOrganizationCommand,
  ListHandshakesForOrganizationCommand,
  RemoveAccountFromOrganizationCommand,
} from '@aws-sdk/client-organizations';
import { type TestServer } from './harness.js';
import { type TestUser } from './accounts-helper.js';
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

const DENIED = "You don't have permissions to access this resource.";

test('ListHandshakesForOrganization lists the invitations, by filter and page', async () => {
  const o = orgsClient(server, admin.creds);
  assert.deepEqual((await o.send(new ListHandshakesForOrganizationCommand({}))).Handshakes, []);
  // Two accounts outside the organization (created, then removed), both invited.
  const ids: string[] = [];
  for (const name of ['out1', 'out2']) {
    const car = await o.send(new CreateAccountCommand({ Email: `${name}@example.com`, AccountName: name }));
    const id = car.CreateAccountStatus?.AccountId ?? '';
    await o.send(new RemoveAccountFromOrganizationCommand({ AccountId: id }));
    ids.push(id);
  }
  const hids: string[] = [];
  for (const id of ids) {
    const h = await o.send(new InviteAccountToOrganizationCommand({ Target: { Id: id, Type: 'ACCOUNT' } }));
    hids.push(h.Handshake?.Id ?? '');
  }
  const all = await o.send(new ListHandshakesForOrganizationCommand({}));
  assert.deepEqual(
    all.Handshakes?.map((h) => [h.Id, h.Action, h.State]),
    hids.map((h) => [h, 'INVITE', 'OPEN']),
  );
  const first = await o.send(new ListHandshakesForOrganizationCommand({ MaxResults: 1 }));
  assert.deepEqual(
    first.Handshakes?.map((h) => h.Id),
    [hids[0]],
  );
  assert.ok(first.NextToken);
  const second = await o.send(
    new ListHandshakesForOrganizationCommand({ MaxResults: 1, NextToken: first.NextToken }),
  );
  assert.deepEqual(
    second.Handshakes?.map((h) => h.Id),
    [hids[1]],
  );
  assert.equal(second.NextToken, undefined);

  const invites = await o.send(
    new ListHandshakesForOrganizationCommand({ Filter: { ActionType: 'INVITE' } }),
  );
  assert.equal(invites.Handshakes?.length, 2);
  const other = await o.send(
    new ListHandshakesForOrganizationCommand({ Filter: { ActionType: 'ENABLE_ALL_FEATURES' } }),
  );
  assert.deepEqual(other.Handshakes, []);
  const children = await o.send(
    new ListHandshakesForOrganizationCommand({ Filter: { ParentHandshakeId: hids[0] } }),
  );
  assert.deepEqual(children.Handshakes, []);
  await expectOrgError(
    o.send(
      new ListHandshakesForOrganizationCommand({
        Filter: { ActionType: 'INVITE', ParentHandshakeId: hids[0] },
      }),
    ),
    'InvalidInputException',
    'You can specify only one filter parameter for the operation.',
    'MAX_LIMIT_EXCEEDED_FILTER',
  );
  await expectOrgError(
    o.send(new ListHandshakesForOrganizationCommand({ NextToken: 'not-a-token' })),
    'InvalidInputException',
    'You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.',
    'INVALID_NEXT_TOKEN',
  );
  // A member account that is no delegated administrator is refused.
  await expectOrgError(
    orgsClient(server, org.memberAdmin).send(new ListHandshakesForOrganizationCommand({})),
    'AccessDeniedException',
    DENIED,
  );
});

test('EnableAllFeatures: the organization already has all features', async () => {
  await expectOrgError(
    orgsClient(server, admin.creds).send(new EnableAllFeaturesCommand({})),
    'HandshakeConstraintViolationException',
    'The handshake request is invalid because the organization has already enabled all features.',
    'ORGANIZATION_ALREADY_HAS_ALL_FEATURES',
  );
  await expectOrgError(
    orgsClient(server, org.memberAdmin).send(new EnableAllFeaturesCommand({})),
    'AccessDeniedException',
    DENIED,
  );
});

test('CreateGovCloudAccount: the management account has no paired GovCloud account', async () => {
  await expectOrgError(
    orgsClient(server, admin.creds).send(
      new CreateGovCloudAccountCommand({ Email: 'gov@example.com', AccountName: 'gov' }),
    ),
    'ConstraintViolationException',
    'To complete this operation, the management account must have an associated account in the AWS GovCloud (US-West) Region.',
    'MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED',
  );
  await expectOrgError(
    orgsClient(server, org.memberAdmin).send(
      new CreateGovCloudAccountCommand({ Email: 'gov@example.com', AccountName: 'gov' }),
    ),
    'AccessDeniedException',
    DENIED,
  );
});
