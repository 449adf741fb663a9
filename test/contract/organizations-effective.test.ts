/**
 * Effective management policies (issue #19) through the SDK: DescribeEffectivePolicy merges the tag
 * policies from the root down to the account; SCPs are not management policies; the validation calls
 * list what a child policy could not change.
 *
 * Sources: https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeEffectivePolicy.html,
 * https://docs.aws.amazon.com/organizations/latest/userguide/inheritance-examples.html (Examples 2 and 4),
 * API_ListAccountsWithInvalidEffectivePolicy.html, API_ListEffectivePolicyValidationErrors.html.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DescribeEffectivePolicyCommand,
  EnablePolicyTypeCommand,
  ListAccountsWithInvalidEffectivePolicyCommand,
  ListEffectivePolicyValidationErrorsCommand,
  UpdatePolicyCommand,
  type EffectivePolicyType,
} from '@aws-sdk/client-organizations';
import { ROOT, type TestServer } from './harness.js';
import { type TestUser } from './accounts-helper.js';
import { startOrganization, expectOrgError, orgsClient, type BuiltOrg } from './organizations-support.js';

let server: TestServer;
let admin: TestUser;
let org: BuiltOrg;
let rootPolicy = '';
let ouPolicy = '';

const ROOT_TAGS = {
  tags: {
    costcenter: {
      tag_key: { '@@assign': 'CostCenter' },
      tag_value: { '@@assign': ['Development', 'Support'] },
    },
  },
};

before(async () => {
  ({ server, admin, org } = await startOrganization());
  const o = orgsClient(server, admin.creds);
  await o.send(new EnablePolicyTypeCommand({ RootId: org.rootId, PolicyType: 'TAG_POLICY' }));
  await o.send(new EnablePolicyTypeCommand({ RootId: org.rootId, PolicyType: 'AISERVICES_OPT_OUT_POLICY' }));
  const a = await o.send(
    new CreatePolicyCommand({
      Name: 'root-tags',
      Description: '',
      Type: 'TAG_POLICY',
      Content: JSON.stringify(ROOT_TAGS),
    }),
  );
  rootPolicy = a.Policy?.PolicySummary?.Id ?? '';
  const b = await o.send(
    new CreatePolicyCommand({
      Name: 'dev-tags',
      Description: '',
      Type: 'TAG_POLICY',
      Content: JSON.stringify({ tags: { costcenter: { tag_value: { '@@append': ['Sandbox'] } } } }),
    }),
  );
  ouPolicy = b.Policy?.PolicySummary?.Id ?? '';
  await o.send(new AttachPolicyCommand({ PolicyId: rootPolicy, TargetId: org.rootId }));
  await o.send(new AttachPolicyCommand({ PolicyId: ouPolicy, TargetId: org.devOu }));
});

after(async () => {
  await server.stop();
});

test('the member account inherits the root policy and the OU appends to it', async () => {
  const expected = {
    tags: { costcenter: { tag_key: 'CostCenter', tag_value: ['Development', 'Support', 'Sandbox'] } },
  };
  const fromMgmt = await orgsClient(server, admin.creds).send(
    new DescribeEffectivePolicyCommand({ PolicyType: 'TAG_POLICY', TargetId: org.member }),
  );
  assert.equal(fromMgmt.EffectivePolicy?.TargetId, org.member);
  assert.equal(fromMgmt.EffectivePolicy?.PolicyType, 'TAG_POLICY');
  assert.ok(fromMgmt.EffectivePolicy?.LastUpdatedTimestamp instanceof Date);
  assert.deepEqual(JSON.parse(fromMgmt.EffectivePolicy?.PolicyContent ?? ''), expected);
  // A member asks for its own (no TargetId).
  const own = await orgsClient(server, org.memberAdmin).send(
    new DescribeEffectivePolicyCommand({ PolicyType: 'TAG_POLICY' }),
  );
  assert.deepEqual(JSON.parse(own.EffectivePolicy?.PolicyContent ?? ''), expected);
  // The management account sits under the root only.
  const mgmt = await orgsClient(server, admin.creds).send(
    new DescribeEffectivePolicyCommand({ PolicyType: 'TAG_POLICY' }),
  );
  assert.deepEqual(JSON.parse(mgmt.EffectivePolicy?.PolicyContent ?? ''), {
    tags: { costcenter: { tag_key: 'CostCenter', tag_value: ['Development', 'Support'] } },
  });
});

test('DescribeEffectivePolicy errors', async () => {
  const o = orgsClient(server, admin.creds);
  await expectOrgError(
    o.send(new DescribeEffectivePolicyCommand({ PolicyType: 'TAG_POLICY', TargetId: org.devOu })),
    'InvalidInputException',
    "You can't perform the specified operation on that target entity.",
    'TARGET_NOT_SUPPORTED',
  );
  await expectOrgError(
    o.send(new DescribeEffectivePolicyCommand({ PolicyType: 'TAG_POLICY', TargetId: '999999999999' })),
    'TargetNotFoundException',
    "We can't find a root, OU, account, or email address with the TargetId that you specified.",
  );
  await expectOrgError(
    o.send(new DescribeEffectivePolicyCommand({ PolicyType: 'BACKUP_POLICY', TargetId: org.member })),
    'EffectivePolicyNotFoundException',
    `no effective policy of type \`BACKUP_POLICY\` applies to account \`${org.member}\``,
  );
  // Enabled, but no policy of the type attached anywhere.
  await expectOrgError(
    o.send(
      new DescribeEffectivePolicyCommand({ PolicyType: 'AISERVICES_OPT_OUT_POLICY', TargetId: org.member }),
    ),
    'EffectivePolicyNotFoundException',
    `no effective policy of type \`AISERVICES_OPT_OUT_POLICY\` applies to account \`${org.member}\``,
  );
  // SCPs are authorization policies, not management policies: not an EffectivePolicyType.
  await expectOrgError(
    o.send(
      new DescribeEffectivePolicyCommand({
        PolicyType: 'SERVICE_CONTROL_POLICY' as EffectivePolicyType,
        TargetId: org.member,
      }),
    ),
    'InvalidInputException',
    'You specified an invalid value for PolicyType. Valid values: TAG_POLICY, BACKUP_POLICY, AISERVICES_OPT_OUT_POLICY, CHATBOT_POLICY, DECLARATIVE_POLICY_EC2, SECURITYHUB_POLICY, INSPECTOR_POLICY, UPGRADE_ROLLOUT_POLICY, BEDROCK_POLICY, S3_POLICY, NETWORK_SECURITY_DIRECTOR_POLICY',
    'INVALID_ENUM',
  );
  // A member sees only its own effective policy, and cannot tell whether another account exists.
  for (const target of [ROOT.accountId, '999999999999'])
    await expectOrgError(
      orgsClient(server, org.memberAdmin).send(
        new DescribeEffectivePolicyCommand({ PolicyType: 'TAG_POLICY', TargetId: target }),
      ),
      'AccessDeniedException',
      "You don't have permissions to access this resource.",
    );
});

test('a value locked by the root cannot be changed below it: the account has an invalid effective policy', async () => {
  const o = orgsClient(server, admin.creds);
  const none = await o.send(new ListAccountsWithInvalidEffectivePolicyCommand({ PolicyType: 'TAG_POLICY' }));
  assert.deepEqual(none.Accounts, []);
  const locked = structuredClone(ROOT_TAGS) as {
    tags: { costcenter: { tag_value: Record<string, unknown> } };
  };
  locked.tags.costcenter.tag_value['@@operators_allowed_for_child_policies'] = ['@@none'];
  await o.send(new UpdatePolicyCommand({ PolicyId: rootPolicy, Content: JSON.stringify(locked) }));

  const effective = await o.send(
    new DescribeEffectivePolicyCommand({ PolicyType: 'TAG_POLICY', TargetId: org.member }),
  );
  assert.deepEqual(JSON.parse(effective.EffectivePolicy?.PolicyContent ?? ''), {
    tags: { costcenter: { tag_key: 'CostCenter', tag_value: ['Development', 'Support'] } },
  });
  const invalid = await o.send(
    new ListAccountsWithInvalidEffectivePolicyCommand({ PolicyType: 'TAG_POLICY' }),
  );
  assert.deepEqual(
    invalid.Accounts?.map((a) => a.Id),
    [org.member],
  );
  assert.equal(invalid.PolicyType, 'TAG_POLICY');
  const errors = await o.send(
    new ListEffectivePolicyValidationErrorsCommand({ AccountId: org.member, PolicyType: 'TAG_POLICY' }),
  );
  assert.equal(errors.AccountId, org.member);
  assert.equal(errors.Path, `${org.orgId}/${org.rootId}/${org.devOu}/${org.member}/`);
  assert.ok(errors.EvaluationTimestamp instanceof Date);
  assert.deepEqual(errors.EffectivePolicyValidationErrors, [
    {
      ErrorCode: 'OPERATOR_NOT_ALLOWED',
      ErrorMessage: 'a parent policy does not allow @@append on this setting',
      PathToError: 'tags/costcenter/tag_value',
      ContributingPolicies: [ouPolicy],
    },
  ]);
  // Only the management account or a delegated administrator may list them.
  await expectOrgError(
    orgsClient(server, org.memberAdmin).send(
      new ListAccountsWithInvalidEffectivePolicyCommand({ PolicyType: 'TAG_POLICY' }),
    ),
    'AccessDeniedException',
    "You don't have permissions to access this resource.",
  );
});
