/**
 * SCP and RCP gathering (src/authz/org-policies.ts) and their effect on `authorize`, over a memory
 * store holding an organization: root r-ab12 → OU dev → member account B; management account A;
 * outsider C. AWS's rules: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
 * (management account not affected; every level must allow; service-linked roles exempt) and
 * .../orgs_manage_policies_rcps.html (RCPs bind resources of member accounts, for the services that support them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openMemoryStore } from '../../src/store/memory/index.js';
import type { Store, StoreTx } from '../../src/store/index.js';
import type { Principal } from '../../src/domain/principal.js';
import { authorize, gatherAccountOrg, PolicyCache } from '../../src/authz/index.js';
import {
  attachmentKey,
  MEMBERSHIP_KEY,
  ORG_KEY,
  type OrganizationBody,
  type OrgPolicyBody,
} from '../../src/domain/organizations.js';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const ORG = 'o-abcdefghij';
const ROOT = 'r-ab12';
const DEV = 'ou-ab12-devdevde';

const FULL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
const RCP_FULL =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}';
const DENY_CREATE_USER =
  '{"Version":"2012-10-17","Statement":[{"Sid":"NoUsers","Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}';
const DENY_OUTSIDE =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abcdefghij"}}}]}';

const facts = { now: 0, sourceIp: '10.0.0.1', userAgent: 'test', secureTransport: true, region: 'us-east-1' };

function root(account: string): Principal {
  return { type: 'Root', account, arn: `arn:aws:iam::${account}:root`, userId: account, accessKeyId: 'AKIA' };
}

async function policy(tx: StoreTx, id: string, name: string, type: OrgPolicyBody['type'], content: string) {
  const body: OrgPolicyBody = { id, arn: id, name, description: '', type, awsManaged: false, content };
  await tx.insert(A, 'orgPolicy', id, body, type);
}

async function attach(tx: StoreTx, target: string, policyId: string) {
  await tx.insert(
    A,
    'orgAttachment',
    attachmentKey(target, policyId),
    { targetId: target, policyId },
    policyId,
  );
}

async function buildOrg(store: Store, types: OrganizationBody['enabledPolicyTypes']): Promise<void> {
  await store.transact(async (tx) => {
    const org: OrganizationBody = {
      id: ORG,
      arn: `arn:aws:organizations::${A}:organization/${ORG}`,
      featureSet: 'ALL',
      managementAccount: A,
      managementAccountEmail: 'a@example.com',
      rootId: ROOT,
      rootArn: `arn:aws:organizations::${A}:root/${ORG}/${ROOT}`,
      createdAt: 0,
      enabledPolicyTypes: types,
      iamFeatures: [],
      trustedServices: [],
    };
    await tx.insert(A, 'organization', ORG_KEY, org);
    for (const acct of [A, B])
      await tx.insert(acct, 'orgMembership', MEMBERSHIP_KEY, { organizationId: ORG, managementAccount: A });
    await tx.insert(A, 'orgUnit', DEV, { id: DEV, arn: DEV, name: 'dev', parentId: ROOT }, ROOT);
    const place = { arn: '', email: '', name: '', status: 'ACTIVE', joinedMethod: 'CREATED', joinedAt: 0 };
    await tx.insert(A, 'orgAccount', A, { ...place, id: A, parentId: ROOT }, ROOT);
    await tx.insert(A, 'orgAccount', B, { ...place, id: B, parentId: DEV }, DEV);
    await policy(tx, 'p-FullAWSAccess', 'FullAWSAccess', 'SERVICE_CONTROL_POLICY', FULL);
    await policy(tx, 'p-RCPFullAWSAccess', 'RCPFullAWSAccess', 'RESOURCE_CONTROL_POLICY', RCP_FULL);
    await policy(tx, 'p-nousers1', 'DenyCreateUser', 'SERVICE_CONTROL_POLICY', DENY_CREATE_USER);
    await policy(tx, 'p-outside1', 'DenyOutside', 'RESOURCE_CONTROL_POLICY', DENY_OUTSIDE);
    for (const t of [ROOT, DEV, A, B]) {
      await attach(tx, t, 'p-FullAWSAccess');
      await attach(tx, t, 'p-RCPFullAWSAccess');
    }
    await attach(tx, DEV, 'p-nousers1');
    await attach(tx, DEV, 'p-outside1');
  });
}

test('gatherAccountOrg: member levels root → OU → account, management and outsiders bound by nothing', async () => {
  const store = await openMemoryStore();
  try {
    await buildOrg(store, ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY']);
    const member = await gatherAccountOrg(store, B);
    assert.equal(member.orgId, ORG);
    assert.equal(member.orgPath, `${ORG}/${ROOT}/${DEV}/`);
    assert.deepEqual(
      member.scps?.map((level) => level.map((p) => p.id)),
      [
        ['FullAWSAccess (p-FullAWSAccess) attached to r-ab12'],
        [
          'FullAWSAccess (p-FullAWSAccess) attached to ou-ab12-devdevde',
          'DenyCreateUser (p-nousers1) attached to ou-ab12-devdevde',
        ],
        [`FullAWSAccess (p-FullAWSAccess) attached to ${B}`],
      ],
    );
    assert.equal(member.rcps?.length, 3);
    const mgmt = await gatherAccountOrg(store, A);
    assert.deepEqual(mgmt, { orgId: ORG, orgPath: `${ORG}/${ROOT}/` });
    assert.deepEqual(await gatherAccountOrg(store, C), {});
  } finally {
    await store.close();
  }
});

test('authorize: an SCP deny on the OU binds the member account root, not the management account', async () => {
  const store = await openMemoryStore();
  const cache = new PolicyCache(store);
  try {
    await buildOrg(store, ['SERVICE_CONTROL_POLICY']);
    const req = { action: 'iam:CreateUser', resource: `arn:aws:iam::${B}:user/bob` };
    const denied = await authorize(cache, root(B), facts, req);
    assert.equal(denied.denial?.code, 'AccessDenied');
    assert.equal(
      denied.denial?.message,
      `User: arn:aws:iam::${B}:root is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${B}:user/bob with an explicit deny in a service control policy`,
    );
    assert.equal(denied.decision.decidedBy, 'scp');
    assert.ok(
      denied.decision.matched.some(
        (m) => m.policyId === 'DenyCreateUser (p-nousers1) attached to ou-ab12-devdevde',
      ),
    );
    const other = await authorize(cache, root(B), facts, { action: 'iam:ListUsers', resource: '*' });
    assert.equal(other.denial, undefined);
    const mgmt = await authorize(cache, root(A), facts, {
      action: 'iam:CreateUser',
      resource: `arn:aws:iam::${A}:user/bob`,
    });
    assert.equal(mgmt.denial, undefined, 'the management account is not affected by SCPs');
    assert.equal(mgmt.request.context['aws:PrincipalOrgID'], ORG);
    assert.deepEqual(mgmt.request.context['aws:PrincipalOrgPaths'], [`${ORG}/${ROOT}/`]);
  } finally {
    cache.close();
    await store.close();
  }
});

test('authorize: a level with no SCP that allows denies implicitly; disabled SCPs bind nothing', async () => {
  const store = await openMemoryStore();
  const cache = new PolicyCache(store);
  try {
    await buildOrg(store, ['SERVICE_CONTROL_POLICY']);
    // The account level loses FullAWSAccess: nothing there allows, so every call is denied.
    await store.transact((tx) =>
      tx.delete(A, 'orgAttachment', attachmentKey(B, 'p-FullAWSAccess')).then(() => undefined),
    );
    const r = await authorize(cache, root(B), facts, { action: 'iam:ListUsers', resource: '*' });
    assert.equal(
      r.denial?.message,
      `User: arn:aws:iam::${B}:root is not authorized to perform: iam:ListUsers on resource: * because no service control policy allows the iam:ListUsers action`,
    );
    // Disabling the type (the store change flushes the cache): SCPs no longer apply.
    await store.transact(async (tx) => {
      const org = await tx.get<OrganizationBody>(A, 'organization', ORG_KEY);
      await tx.update(A, 'organization', ORG_KEY, { ...org!.body, enabledPolicyTypes: [] });
    });
    assert.equal(
      (await authorize(cache, root(B), facts, { action: 'iam:ListUsers', resource: '*' })).denial,
      undefined,
    );
  } finally {
    cache.close();
    await store.close();
  }
});

test('authorize: RCPs bind member resources for callers outside the organization, only for RCP services', async () => {
  const store = await openMemoryStore();
  const cache = new PolicyCache(store);
  try {
    await buildOrg(store, ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY']);
    const bucket = {
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::bucket/key',
      resourceAccount: B,
      resourcePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }],
      }),
    };
    const outsider = await authorize(cache, root(C), facts, bucket);
    assert.equal(
      outsider.denial?.message,
      `User: arn:aws:iam::${C}:root is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::bucket/key with an explicit deny in a resource control policy`,
    );
    assert.equal(outsider.request.context['aws:ResourceOrgID'], ORG);
    const insider = await authorize(cache, root(A), facts, bucket);
    assert.equal(insider.denial, undefined);
    // IAM is not a service RCPs govern.
    await store.transact(async (tx) => {
      await policy(
        tx,
        'p-noiam111',
        'NoIam',
        'RESOURCE_CONTROL_POLICY',
        DENY_OUTSIDE.replace('s3:*', 'iam:*'),
      );
      await attach(tx, B, 'p-noiam111');
    });
    const iamCall = await authorize(cache, root(B), facts, { action: 'iam:ListUsers', resource: '*' });
    assert.equal(iamCall.denial, undefined);
  } finally {
    cache.close();
    await store.close();
  }
});

test('authorize: service-linked role sessions are not bound by SCPs', async () => {
  const store = await openMemoryStore();
  const cache = new PolicyCache(store);
  try {
    await buildOrg(store, ['SERVICE_CONTROL_POLICY']);
    const arn = `arn:aws:iam::${B}:role/aws-service-role/example.amazonaws.com/AWSServiceRoleForExample`;
    const slr: Principal = {
      type: 'AssumedRole',
      account: B,
      arn: `arn:aws:sts::${B}:assumed-role/AWSServiceRoleForExample/s`,
      userId: 'AROAEXAMPLE:s',
      roleArn: arn,
      roleName: 'AWSServiceRoleForExample',
      accessKeyId: 'ASIA',
      session: { kind: 'AssumedRole', roleId: 'AROAEXAMPLE', issuedAt: 0, expiresAt: 1 } as never,
    };
    const r = await authorize(cache, slr, facts, { action: 'iam:CreateUser', resource: '*' });
    // Denied by the missing role (identity), never by the SCP.
    assert.notEqual(r.decision.decidedBy, 'scp');
  } finally {
    cache.close();
    await store.close();
  }
});
