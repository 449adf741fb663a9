/**
 * The authorizer over a memory store: the decision and AWS's `AccessDenied` text for users with inline
 * policies, explicit denies, permissions boundaries, trust-policy denials (no reason clause) and the
 * credential-kind rules of GetSessionToken / GetFederationToken sessions; the policy cache follows store
 * changes. Message format: IAM User Guide, "Troubleshoot access denied error messages"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openMemoryStore } from '../store/memory/index.js';
import type { Store } from '../store/index.js';
import type { ManagedPolicyBody, UserBody } from '../domain/entities.js';
import type { Principal, SessionClaims } from '../domain/principal.js';
import { authorize, PolicyCache, type RequestFacts } from './index.js';

const A = '111122223333';
const FACTS: RequestFacts = {
  now: Date.UTC(2026, 0, 1),
  sourceIp: '192.0.2.1',
  userAgent: 'test',
  secureTransport: true,
  region: 'us-east-1',
};
const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allowListUsers = doc({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' });

async function addUser(
  store: Store,
  name: string,
  inline: Record<string, string>,
  boundary?: string,
): Promise<Principal> {
  const body: UserBody = {
    userName: name,
    userId: `AIDA${name.toUpperCase().padEnd(17, 'X')}`,
    arn: `arn:aws:iam::${A}:user/${name}`,
    path: '/',
    createDate: 0,
    tags: [],
    inlinePolicies: inline,
    attachedPolicies: [],
    groups: [],
    permissionsBoundary: boundary,
  };
  await store.transact((tx) => tx.insert(A, 'user', name.toLowerCase(), body));
  return {
    type: 'IAMUser',
    account: A,
    arn: body.arn,
    userId: body.userId,
    userName: name,
    accessKeyId: 'AKIA',
  };
}

let store: Store;
let cache: PolicyCache;
before(async () => {
  store = await openMemoryStore();
  await store.transact((tx) => tx.putAccount({ id: A, createdAt: 0 }));
  cache = new PolicyCache(store);
});
after(async () => {
  cache.close();
  await store.close();
});

test('an allowing inline policy allows; anything else is an implicit deny with AWS text', async () => {
  const alice = await addUser(store, 'alice', { read: allowListUsers });
  const ok = await authorize(cache, alice, FACTS, { action: 'iam:ListUsers', resource: '*' });
  assert.equal(ok.decision.decision, 'Allow');
  assert.equal(ok.denial, undefined);
  const no = await authorize(cache, alice, FACTS, {
    action: 'iam:CreateUser',
    resource: `arn:aws:iam::${A}:user/x`,
  });
  assert.equal(no.decision.decision, 'ImplicitDeny');
  assert.equal(no.denial?.code, 'AccessDenied');
  assert.equal(
    no.denial?.message,
    `User: arn:aws:iam::${A}:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${A}:user/x because no identity-based policy allows the iam:CreateUser action`,
  );
});

test('an explicit deny wins and is named as such', async () => {
  const bob = await addUser(store, 'bob', {
    all: doc({ Effect: 'Allow', Action: '*', Resource: '*' }),
    no: doc({ Effect: 'Deny', Action: 'iam:DeleteUser', Resource: '*' }),
  });
  const r = await authorize(cache, bob, FACTS, { action: 'iam:DeleteUser', resource: '*' });
  assert.equal(r.decision.decision, 'ExplicitDeny');
  assert.equal(
    r.denial?.message,
    `User: arn:aws:iam::${A}:user/bob is not authorized to perform: iam:DeleteUser on resource: * with an explicit deny in an identity-based policy`,
  );
});

test('a permissions boundary limits what the identity policy allows', async () => {
  const boundaryArn = `arn:aws:iam::${A}:policy/only-list`;
  await store.transact((tx) =>
    tx.insert<ManagedPolicyBody>(A, 'policy', 'only-list', {
      policyName: 'only-list',
      policyId: 'ANPAONLYLIST000000001',
      arn: boundaryArn,
      path: '/',
      defaultVersionId: 'v1',
      nextVersion: 2,
      versions: [{ versionId: 'v1', document: allowListUsers, createDate: 0 }],
      createDate: 0,
      updateDate: 0,
      attachmentCount: 1,
      permissionsBoundaryUsageCount: 1,
      tags: [],
    }),
  );
  const carol = await addUser(
    store,
    'carol',
    { all: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) },
    boundaryArn,
  );
  const list = await authorize(cache, carol, FACTS, { action: 'iam:ListUsers', resource: '*' });
  const create = await authorize(cache, carol, FACTS, { action: 'iam:CreateUser', resource: '*' });
  assert.equal(list.decision.decision, 'Allow');
  assert.equal(create.decision.decision, 'ImplicitDeny');
  assert.equal(create.decision.decidedBy, 'permissionsBoundary');
  assert.equal(
    create.denial?.message,
    `User: arn:aws:iam::${A}:user/carol is not authorized to perform: iam:CreateUser on resource: * because no permissions boundary allows the iam:CreateUser action`,
  );
});

test('a denial decided on a trust policy carries no reason clause (it would reveal whether the role exists)', async () => {
  const dave = await addUser(store, 'dave', { all: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) });
  const roleArn = `arn:aws:iam::${A}:role/r`;
  const r = await authorize(cache, dave, FACTS, {
    action: 'sts:AssumeRole',
    resource: roleArn,
    resourcePolicy: doc({
      Effect: 'Allow',
      Principal: { Service: 'ec2.amazonaws.com' },
      Action: 'sts:AssumeRole',
    }),
    resourcePolicyType: 'trust',
  });
  assert.notEqual(r.decision.decision, 'Allow');
  assert.equal(
    r.denial?.message,
    `User: arn:aws:iam::${A}:user/dave is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
  );
});

test('the cache follows store changes: a removed policy stops allowing', async () => {
  const erin = await addUser(store, 'erin', { read: allowListUsers });
  assert.equal(
    (await authorize(cache, erin, FACTS, { action: 'iam:ListUsers', resource: '*' })).decision.decision,
    'Allow',
  );
  await store.transact(async (tx) => {
    const cur = await tx.get<UserBody>(A, 'user', 'erin');
    await tx.update(A, 'user', 'erin', { ...cur!.body, inlinePolicies: {} });
  });
  const later = await authorize(cache, erin, FACTS, { action: 'iam:ListUsers', resource: '*' });
  assert.equal(later.decision.decision, 'ImplicitDeny');
});

function session(kind: SessionClaims['kind'], extra: Partial<SessionClaims> = {}): Principal {
  const claims: SessionClaims = {
    kind,
    account: A,
    accessKeyId: 'ASIAEXAMPLE000000001',
    secretAccessKey: 's',
    issuedAt: 0,
    expiresAt: FACTS.now + 3600_000,
    userName: 'alice',
    userId: 'AIDAALICEXXXXXXXXXXXXX',
    ...extra,
  } as SessionClaims;
  if (kind === 'FederatedUser')
    return {
      type: 'FederatedUser',
      account: A,
      arn: `arn:aws:sts::${A}:federated-user/f`,
      userId: `${A}:f`,
      accessKeyId: claims.accessKeyId,
      session: claims,
    };
  return {
    type: 'IAMUser',
    account: A,
    arn: `arn:aws:iam::${A}:user/alice`,
    userId: 'AIDAALICEXXXXXXXXXXXXX',
    userName: 'alice',
    accessKeyId: claims.accessKeyId,
    session: claims,
  };
}

test('GetSessionToken credentials without MFA cannot call IAM, and only AssumeRole / GetCallerIdentity on STS', async () => {
  // STS API reference, GetSessionToken: "You cannot call any IAM API operations unless MFA
  // authentication information is included in the request."
  await assert.rejects(
    authorize(cache, session('SessionToken'), FACTS, { action: 'iam:ListUsers', resource: '*' }),
    {
      code: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid',
    },
  );
  await assert.rejects(
    authorize(cache, session('SessionToken'), FACTS, { action: 'sts:GetSessionToken', resource: '*' }),
    { code: 'AccessDenied', message: 'Cannot call GetSessionToken with session credentials' },
  );
});

test('a delegated session (GetDelegatedAccessToken) of an IAM user is not bound by GetSessionToken rules', async () => {
  // The delegated permissions are its session policy; GetSessionToken's "no IAM without MFA" is for
  // GetSessionToken credentials only (src/sts/delegated-access-token.ts).
  const r = await authorize(cache, session('SessionToken', { delegated: true }), FACTS, {
    action: 'iam:ListUsers',
    resource: '*',
  });
  assert.notEqual(r.denial?.code, 'InvalidClientTokenId');
  await assert.rejects(
    authorize(cache, session('SessionToken', { delegated: false }), FACTS, {
      action: 'iam:ListUsers',
      resource: '*',
    }),
    { code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid' },
  );
});

test('GetFederationToken credentials can call no IAM operation', async () => {
  await assert.rejects(
    authorize(cache, session('FederatedUser'), FACTS, { action: 'iam:ListUsers', resource: '*' }),
    {
      code: 'AccessDenied',
      message: 'Cannot call iam:ListUsers with session credentials obtained via GetFederationToken',
    },
  );
});

test('the record lists the keys the deciding evaluation missed, not the diagnosed one', async () => {
  const tag = 's3:ExistingObjectTag/class';
  const tagReader = await addUser(store, 'tag-reader', {
    read: doc(
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: '*',
        Condition: { StringEquals: { [tag]: 'public' } },
      },
      // Never consulted for s3:GetObject (its action does not match); the diagnosed evaluation, which
      // checks every element, would look the key up.
      {
        Effect: 'Allow',
        Action: 'iam:ListUsers',
        Resource: '*',
        Condition: { StringEquals: { 'k:other': 'x' } },
      },
    ),
  });
  const denied = await authorize(cache, tagReader, FACTS, {
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::b/k',
  });
  assert.equal(denied.decision.decision, 'ImplicitDeny');
  assert.deepEqual(denied.absentKeys, ['s3:existingobjecttag/class']);
  const allowed = await authorize(cache, tagReader, FACTS, {
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::b/k',
    context: { [tag]: 'public' },
  });
  assert.equal(allowed.decision.decision, 'Allow');
  assert.equal(allowed.absentKeys, undefined);
  const list = await authorize(cache, tagReader, FACTS, { action: 'iam:ListUsers', resource: '*' });
  assert.deepEqual(list.absentKeys, ['k:other']);
});
