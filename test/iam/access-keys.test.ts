/**
 * Access keys. Expected shapes and texts from shared/reference/localstack-snapshots/pr-13720/iam/
 * test_iam_users.snapshot.json `TestUserAccessKeys` (recorded against AWS).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  createAccessKey,
  deleteAccessKey,
  getAccessKeyLastUsed,
  listAccessKeys,
  updateAccessKey,
} from '../../src/iam/access-keys.js';
import { accessKeySecretAad, recordAccessKeyUse } from '../../src/domain/access-keys.js';
import { accountFromAccessKeyId } from '../../src/credentials/ids.js';
import { createUser } from '../../src/iam/users.js';
import type { AccessKeyBody } from '../../src/domain/entities.js';
import {
  ACCOUNT,
  assertError,
  makeHarness,
  rolePrincipal,
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

describe('access keys', () => {
  it('creates a key: AKIA id encoding the account, 40-char secret sealed at rest (create-access-key)', async () => {
    const k = (await h.call(createAccessKey, { UserName: 'u' })).AccessKey as Record<string, unknown>;
    assert.deepEqual(Object.keys(k).sort(), [
      'AccessKeyId',
      'CreateDate',
      'SecretAccessKey',
      'Status',
      'UserName',
    ]);
    assert.equal(k.Status, 'Active');
    assert.equal(k.UserName, 'u');
    assert.equal(accountFromAccessKeyId(k.AccessKeyId as string), ACCOUNT);
    assert.equal((k.SecretAccessKey as string).length, 40);
    const stored = await h.store.get<AccessKeyBody>(ACCOUNT, 'accessKey', k.AccessKeyId as string);
    assert.ok(stored);
    assert.equal(stored.index, 'u');
    assert.notEqual(stored.body.sealedSecret, k.SecretAccessKey);
    assert.equal(
      h.unseal(stored.body.sealedSecret, accessKeySecretAad(ACCOUNT, k.AccessKeyId as string)),
      k.SecretAccessKey,
    );
    const list = await h.call(listAccessKeys, { UserName: 'u' });
    assert.deepEqual(list, {
      AccessKeyMetadata: [
        { AccessKeyId: k.AccessKeyId, Status: 'Active', CreateDate: k.CreateDate, UserName: 'u' },
      ],
      IsTruncated: false,
    });
  });

  it('allows two keys per user (create-third-access-key-error)', async () => {
    await h.call(createAccessKey, { UserName: 'u' });
    await h.call(createAccessKey, { UserName: 'u' });
    assertError(
      await h.fail(createAccessKey, { UserName: 'u' }),
      'LimitExceeded',
      'Cannot exceed quota for AccessKeysPerUser: 2',
    );
  });

  it('answers NoSuchEntity for an unknown user and key (recorded texts)', async () => {
    assertError(
      await h.fail(createAccessKey, { UserName: 'nonexistent-user' }),
      'NoSuchEntity',
      'The user with name nonexistent-user cannot be found.',
    );
    assertError(
      await h.fail(updateAccessKey, {
        UserName: 'u',
        AccessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        Status: 'Inactive',
      }),
      'NoSuchEntity',
      'The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.',
    );
  });

  it('updates status and deletes (test_access_key_update_status)', async () => {
    const k = (await h.call(createAccessKey, { UserName: 'u' })).AccessKey as Record<string, unknown>;
    await h.call(updateAccessKey, { UserName: 'u', AccessKeyId: k.AccessKeyId, Status: 'Inactive' });
    const list = (await h.call(listAccessKeys, { UserName: 'u' })).AccessKeyMetadata as Record<
      string,
      unknown
    >[];
    assert.equal(list[0]?.Status, 'Inactive');
    await h.call(deleteAccessKey, { UserName: 'u', AccessKeyId: k.AccessKeyId });
    assert.deepEqual(await h.call(listAccessKeys, { UserName: 'u' }), {
      AccessKeyMetadata: [],
      IsTruncated: false,
    });
  });

  it('without UserName: the calling user, the root, or ValidationError for roles', async () => {
    h.principal = userPrincipal('u');
    const k = (await h.call(createAccessKey, {})).AccessKey as Record<string, unknown>;
    assert.equal(k.UserName, 'u');
    h.principal = {
      type: 'Root',
      account: ACCOUNT,
      arn: `arn:aws:iam::${ACCOUNT}:root`,
      userId: ACCOUNT,
      accessKeyId: 'x',
    };
    const rk = (await h.call(createAccessKey, {})).AccessKey as Record<string, unknown>;
    assert.equal(rk.UserName, undefined);
    const rootList = (await h.call(listAccessKeys, {})).AccessKeyMetadata as Record<string, unknown>[];
    assert.deepEqual(
      rootList.map((x) => x.AccessKeyId),
      [rk.AccessKeyId],
    );
    h.principal = rolePrincipal();
    assertError(
      await h.fail(deleteAccessKey, { AccessKeyId: k.AccessKeyId }),
      'ValidationError',
      'Must specify userName when calling with non-User credentials',
    );
  });

  it('reports last use: N/A until used, then date/service/region (test_access_key_last_used)', async () => {
    const k = (await h.call(createAccessKey, { UserName: 'u' })).AccessKey as Record<string, unknown>;
    const id = k.AccessKeyId as string;
    assert.deepEqual(await h.call(getAccessKeyLastUsed, { AccessKeyId: id }), {
      AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' },
      UserName: 'u',
    });
    await recordAccessKeyUse(h.store, ACCOUNT, id, 'iam', 'us-east-1', 5_000_000);
    // Throttled: same service/region within a minute is not written again.
    await recordAccessKeyUse(h.store, ACCOUNT, id, 'iam', 'us-east-1', 5_030_000);
    assert.deepEqual(await h.call(getAccessKeyLastUsed, { AccessKeyId: id }), {
      AccessKeyLastUsed: { LastUsedDate: 5_000_000, ServiceName: 'iam', Region: 'us-east-1' },
      UserName: 'u',
    });
    await recordAccessKeyUse(h.store, ACCOUNT, id, 'sts', 'us-east-1', 5_040_000);
    const after = (await h.call(getAccessKeyLastUsed, { AccessKeyId: id })).AccessKeyLastUsed as Record<
      string,
      unknown
    >;
    assert.equal(after.ServiceName, 'sts');
    // Unknown key: best effort, no throw.
    await recordAccessKeyUse(h.store, ACCOUNT, 'AKIAIOSFODNN7EXAMPLE', 'iam', 'us-east-1', 1);
  });

  it('GetAccessKeyLastUsed on an unknown key is AccessDenied (get-last-used-nonexistent-key-error)', async () => {
    assertError(
      await h.fail(getAccessKeyLastUsed, { AccessKeyId: 'AKIAIOSFODNN7EXAMPLE' }),
      'AccessDenied',
      `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key AKIAIOSFODNN7EXAMPLE`,
    );
  });
});
