import { test } from 'node:test';
import assert from 'node:assert/strict';
import { organizationView, type OrgCall } from './organization.js';

/** A fake Organizations API: one OU with an account, answers split into pages of one item. */
function fakeApi(calls: string[]): OrgCall {
  const pages: Record<string, Record<string, unknown>[]> = {
    'ListOrganizationalUnitsForParent r-ab12': [{ Id: 'ou-ab12-aaaaaaaa', Name: 'Prod' }],
    'ListAccountsForParent ou-ab12-aaaaaaaa': [
      { Id: '222222222222', Name: 'app' },
      { Id: '333333333333', Name: 'data' },
    ],
    'ListPoliciesForTarget ou-ab12-aaaaaaaa SERVICE_CONTROL_POLICY': [
      { Id: 'p-aaaaaaaa', Name: 'Guard', Type: 'SERVICE_CONTROL_POLICY', AwsManaged: false },
    ],
    'ListPoliciesForTarget 333333333333 RESOURCE_CONTROL_POLICY': [
      { Id: 'p-bbbbbbbb', Name: 'Perimeter', Type: 'RESOURCE_CONTROL_POLICY', AwsManaged: false },
    ],
  };
  const member: Record<string, string> = {
    ListOrganizationalUnitsForParent: 'OrganizationalUnits',
    ListAccountsForParent: 'Accounts',
    ListPoliciesForTarget: 'Policies',
  };
  return async (action, input) => {
    calls.push(action);
    if (action === 'DescribeOrganization')
      return { status: 200, body: { Organization: { Id: 'o-abcdefghij', MasterAccountId: '111111111111' } } };
    if (action === 'ListRoots')
      return {
        status: 200,
        body: {
          Roots: [
            {
              Id: 'r-ab12',
              Name: 'Root',
              PolicyTypes: [
                { Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' },
                { Type: 'RESOURCE_CONTROL_POLICY', Status: 'ENABLED' },
                { Type: 'TAG_POLICY', Status: 'PENDING_ENABLE' },
              ],
            },
          ],
        },
      };
    const key = [action, input.ParentId ?? input.TargetId, input.Filter].filter(Boolean).join(' ');
    const items = pages[key] ?? [];
    const at = typeof input.NextToken === 'string' ? Number(input.NextToken) : 0;
    const body: Record<string, unknown> = { [member[action]!]: items.slice(at, at + 1) };
    if (at + 1 < items.length) body.NextToken = String(at + 1);
    return { status: 200, body };
  };
}

test('the tree follows every page and the applying SCPs/RCPs come per level', async () => {
  const calls: string[] = [];
  const v = await organizationView(fakeApi(calls), '333333333333');
  assert.ok(v.ok);
  assert.deepEqual(v.enabledPolicyTypes, ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY']);
  const prod = v.tree.children[0]!;
  assert.deepEqual(
    prod.children.map((c) => c.id),
    ['222222222222', '333333333333'],
  );
  assert.deepEqual(
    v.applied?.levels.map((l) => [l.level, l.path, l.policies.map((p) => p.name)]),
    [
      ['root', 'Root', []],
      ['ou', 'Root/Prod', ['Guard']],
      ['account', 'Root/Prod/data', ['Perimeter']],
    ],
  );
  assert.ok(!calls.includes('ListPoliciesForTarget TAG_POLICY'));
});

test('an API error is passed on with its code and message, and nothing else', async () => {
  const v = await organizationView(async () => ({
    status: 400,
    body: {
      __type: 'com.amazonaws#AWSOrganizationsNotInUseException',
      Message: 'Your account is not a member of an organization.',
    },
  }));
  assert.deepEqual(v, {
    ok: false,
    status: 400,
    error: {
      code: 'AWSOrganizationsNotInUseException',
      message: 'Your account is not a member of an organization.',
    },
  });
  const missing = await organizationView(fakeApi([]), '999999999999');
  assert.deepEqual(missing, {
    ok: false,
    status: 404,
    error: { code: 'AccountNotFoundException', message: 'account 999999999999 is not in this organization' },
  });
});
