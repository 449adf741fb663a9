/**
 * Tagging Organizations resources (issue #19) through the SDK: TagResource, UntagResource and
 * ListTagsForResource on the root, an OU, an account and a policy; `Tags` on CreateOrganizationalUnit,
 * CreatePolicy and CreateAccount; AWS's errors.
 *
 * Sources: https://docs.aws.amazon.com/organizations/latest/APIReference/API_TagResource.html,
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_tagging.html, InvalidInputException and
 * ConstraintViolationException reasons (Organizations API reference).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreatePolicyCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
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

const tagsOf = async (id: string) =>
  (await orgsClient(server, admin.creds).send(new ListTagsForResourceCommand({ ResourceId: id }))).Tags;

test('Tags given to CreateOrganizationalUnit, CreatePolicy and CreateAccount are listed', async () => {
  const o = orgsClient(server, admin.creds);
  const ou = await o.send(
    new CreateOrganizationalUnitCommand({
      ParentId: org.rootId,
      Name: 'tagged',
      Tags: [{ Key: 'team', Value: 'blue' }],
    }),
  );
  assert.deepEqual(await tagsOf(ou.OrganizationalUnit?.Id ?? ''), [{ Key: 'team', Value: 'blue' }]);
  const p = await o.send(
    new CreatePolicyCommand({
      Name: 'Tagged',
      Description: '',
      Type: 'SERVICE_CONTROL_POLICY',
      Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}',
      Tags: [{ Key: 'owner', Value: '' }],
    }),
  );
  assert.deepEqual(await tagsOf(p.Policy?.PolicySummary?.Id ?? ''), [{ Key: 'owner', Value: '' }]);
  const car = await o.send(
    new CreateAccountCommand({
      Email: 'tagged@example.com',
      AccountName: 'tagged',
      Tags: [{ Key: 'cost-center', Value: '42' }],
    }),
  );
  assert.deepEqual(await tagsOf(car.CreateAccountStatus?.AccountId ?? ''), [
    { Key: 'cost-center', Value: '42' },
  ]);
  // An untagged resource has an empty list.
  assert.deepEqual(await tagsOf(org.devOu), []);
});

test('TagResource adds and replaces, UntagResource removes, on the root, an OU and an account', async () => {
  const o = orgsClient(server, admin.creds);
  for (const id of [org.rootId, org.devOu, org.member]) {
    await o.send(
      new TagResourceCommand({
        ResourceId: id,
        Tags: [
          { Key: 'env', Value: 'dev' },
          { Key: 'tier', Value: '1' },
        ],
      }),
    );
    await o.send(new TagResourceCommand({ ResourceId: id, Tags: [{ Key: 'env', Value: 'prod' }] }));
    assert.deepEqual(await tagsOf(id), [
      { Key: 'env', Value: 'prod' },
      { Key: 'tier', Value: '1' },
    ]);
    await o.send(new UntagResourceCommand({ ResourceId: id, TagKeys: ['tier', 'absent'] }));
    assert.deepEqual(await tagsOf(id), [{ Key: 'env', Value: 'prod' }]);
  }
});

test('tagging errors: unknown resource, duplicate key, system key, more than 50 tags, bad id', async () => {
  const o = orgsClient(server, admin.creds);
  await expectOrgError(
    o.send(new TagResourceCommand({ ResourceId: 'ou-zzzz-zzzzzzzz', Tags: [{ Key: 'a', Value: 'b' }] })),
    'TargetNotFoundException',
    "We can't find a root, OU, account, or policy with the TargetId that you specified.",
  );
  await expectOrgError(
    o.send(new ListTagsForResourceCommand({ ResourceId: '999999999999' })),
    'TargetNotFoundException',
    "We can't find a root, OU, account, or policy with the TargetId that you specified.",
  );
  await expectOrgError(
    o.send(
      new TagResourceCommand({
        ResourceId: org.devOu,
        Tags: [
          { Key: 'k', Value: '1' },
          { Key: 'k', Value: '2' },
        ],
      }),
    ),
    'InvalidInputException',
    'Tag keys must be unique among the tags attached to the same entity.',
    'DUPLICATE_TAG_KEY',
  );
  await expectOrgError(
    o.send(new TagResourceCommand({ ResourceId: org.devOu, Tags: [{ Key: 'aws:x', Value: '1' }] })),
    'InvalidInputException',
    "You specified a tag key that is a system tag. You can't add, edit, or delete system tag keys because they're reserved for AWS use. System tags don't count against your tags per resource limit.",
    'INVALID_SYSTEM_TAGS_PARAMETER',
  );
  // 49 new tags next to the one already there: 50 is the limit; one more fails and changes nothing.
  const many = Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
  await o.send(new TagResourceCommand({ ResourceId: org.devOu, Tags: many }));
  assert.equal((await tagsOf(org.devOu))?.length, 50);
  await expectOrgError(
    o.send(new TagResourceCommand({ ResourceId: org.devOu, Tags: [{ Key: 'one-more', Value: 'v' }] })),
    'ConstraintViolationException',
    'You have exceeded the number of tags allowed on this resource.',
    'MAX_TAG_LIMIT_EXCEEDED',
  );
  assert.equal((await tagsOf(org.devOu))?.length, 50);
  await expectOrgError(
    o.send(new TagResourceCommand({ ResourceId: 'not-an-id', Tags: [{ Key: 'a', Value: 'b' }] })),
    'InvalidInputException',
    "You specified a value that doesn't match the required pattern for ResourceId.",
    'INVALID_PATTERN',
  );
});

test('a member account that is not a delegated administrator cannot tag', async () => {
  await expectOrgError(
    orgsClient(server, org.memberAdmin).send(
      new TagResourceCommand({ ResourceId: org.member, Tags: [{ Key: 'a', Value: 'b' }] }),
    ),
    'AccessDeniedException',
    "You don't have permissions to access this resource.",
  );
});
