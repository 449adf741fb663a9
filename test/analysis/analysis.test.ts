/**
 * who-can-assume / reach over a store: same-account rules of shared/DOMAIN.md's trust table, role
 * chains, services, federated providers, other accounts, conditions reported as still applying, and
 * the time for an account with 5,000 roles.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openMemoryStore } from '../../src/store/memory/index.js';
import type { Store } from '../../src/store/index.js';
import type { RoleBody, UserBody } from '../../src/domain/entities.js';
import { loadAccessModel, reach, whoCanAssume, type Reach } from '../../src/analysis/index.js';

const A = '111122223333';
const user = (n: string) => `arn:aws:iam::${A}:user/${n}`;
const role = (n: string) => `arn:aws:iam::${A}:role/${n}`;
const allowAssume = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
});
const denyAssume = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: '*', Resource: '*' },
    { Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' },
  ],
});
function trustDoc(principal: object, condition?: object, action = 'sts:AssumeRole'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: principal,
        Action: action,
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  });
}

async function addUser(store: Store, name: string, policy?: string): Promise<void> {
  const body: UserBody = {
    userName: name,
    userId: `AIDA${name.toUpperCase().padEnd(17, 'X')}`,
    arn: user(name),
    path: '/',
    createDate: 0,
    tags: [],
    inlinePolicies: policy ? { p: policy } : {},
    attachedPolicies: [],
    groups: [],
  };
  await store.transact((tx) => tx.insert(A, 'user', name.toLowerCase(), body));
}

async function addRole(store: Store, name: string, trust: string, policy?: string): Promise<void> {
  const body: RoleBody = {
    roleName: name,
    roleId: `AROA${name
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '')
      .padEnd(17, 'X')}`,
    arn: role(name),
    path: '/',
    createDate: 0,
    assumeRolePolicyDocument: trust,
    maxSessionDuration: 3600,
    tags: [],
    inlinePolicies: policy ? { p: policy } : {},
    attachedPolicies: [],
  };
  await store.transact((tx) => tx.insert(A, 'role', name.toLowerCase(), body));
}

function ids(list: readonly Reach[]): string[] {
  return list.map((r) => `${r.principal.kind} ${r.principal.id} (${r.path.length})`);
}

let store: Store;

before(async () => {
  store = await openMemoryStore();
  await store.transact((tx) => tx.putAccount({ id: A, createdAt: 0 }));
  await addUser(store, 'alice', allowAssume);
  await addUser(store, 'bob');
  await addUser(store, 'eve', denyAssume);
  await addRole(store, 'dev', trustDoc({ AWS: `arn:aws:iam::${A}:root` }), allowAssume);
  await addRole(store, 'ops', trustDoc({ AWS: role('dev') }));
  await addRole(
    store,
    'bobs',
    trustDoc({ AWS: user('bob') }, { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }),
  );
  await addRole(store, 'ec2', trustDoc({ Service: 'ec2.amazonaws.com' }));
  await addRole(
    store,
    'ci',
    trustDoc(
      { Federated: `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com` },
      { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } },
      'sts:AssumeRoleWithWebIdentity',
    ),
  );
  await addRole(
    store,
    'partner',
    trustDoc({ AWS: '999988887777' }, { StringEquals: { 'sts:ExternalId': '12345' } }),
  );
});

after(async () => {
  await store?.close();
});

test('who-can-assume: identity allow + account trust, chains, and no edge for a missing allow or an explicit deny', async () => {
  const model = await loadAccessModel(store);
  assert.deepEqual(ids(whoCanAssume(model, role('dev'))), [`user ${user('alice')} (1)`]);
  // ops trusts the dev role: dev's sessions directly, alice through dev (role chaining).
  const ops = whoCanAssume(model, role('ops'));
  assert.deepEqual(ids(ops), [`role ${role('dev')} (1)`, `user ${user('alice')} (2)`]);
  const viaDev = ops[1]!;
  assert.deepEqual(
    viaDev.path.map((e) => `${e.from.id} -> ${e.role}`),
    [`${user('alice')} -> ${role('dev')}`, `${role('dev')} -> ${role('ops')}`],
  );
  assert.deepEqual(viaDev.path[0]!.statements.map((s) => s.policy).sort(), ['identity', 'trust']);
});

test('conditions that still apply: MFA, external id, token audience; services and federated providers', async () => {
  const model = await loadAccessModel(store);
  const bobs = whoCanAssume(model, role('bobs'));
  assert.deepEqual(ids(bobs), [`user ${user('bob')} (1)`]);
  assert.deepEqual(
    bobs[0]!.path[0]!.conditions.map((c) => [c.policy, c.operator, c.key, c.values]),
    [['trust', 'Bool', 'aws:MultiFactorAuthPresent', ['true']]],
  );
  assert.deepEqual(ids(whoCanAssume(model, role('ec2'))), ['service ec2.amazonaws.com (1)']);
  const ci = whoCanAssume(model, role('ci'));
  assert.equal(ci[0]?.path[0]?.action, 'sts:AssumeRoleWithWebIdentity');
  assert.equal(ci[0]?.path[0]?.conditions[0]?.key, 'token.actions.githubusercontent.com:aud');
  const partner = whoCanAssume(model, role('partner'));
  assert.deepEqual(ids(partner), ['account arn:aws:iam::999988887777:root (1)']);
  assert.equal(partner[0]?.path[0]?.conditions[0]?.key, 'sts:ExternalId');
});

test('reach: alice reaches dev and, through it, ops; bob only his MFA role; eve nothing', async () => {
  const model = await loadAccessModel(store);
  assert.deepEqual(ids(reach(model, user('alice'))), [`role ${role('dev')} (1)`, `role ${role('ops')} (2)`]);
  assert.deepEqual(ids(reach(model, user('bob'))), [`role ${role('bobs')} (1)`]);
  assert.deepEqual(reach(model, user('eve')), []);
  assert.deepEqual(ids(reach(model, 'arn:aws:iam::999988887777:root')), [`role ${role('partner')} (1)`]);
});

test('5,000 roles: load, who-can-assume and reach stay fast', async () => {
  const big = await openMemoryStore();
  try {
    await big.transact(async (tx) => {
      await tx.putAccount({ id: A, createdAt: 0 });
      for (let i = 0; i < 200; i++) {
        const name = `u${i}`;
        const body: UserBody = {
          userName: name,
          userId: `AIDA${String(i).padStart(17, '0')}`,
          arn: user(name),
          path: '/',
          createDate: 0,
          tags: [],
          inlinePolicies: i % 10 === 0 ? { p: allowAssume } : {},
          attachedPolicies: [],
          groups: [],
        };
        await tx.insert(A, 'user', name, body);
      }
      for (let i = 0; i < 5000; i++) {
        const name = `r${i}`;
        // Most roles trust the account; some trust one user; every 50th role may chain onwards.
        const trust =
          i % 7 === 0 ? trustDoc({ AWS: user(`u${i % 200}`) }) : trustDoc({ AWS: `arn:aws:iam::${A}:root` });
        const body: RoleBody = {
          roleName: name,
          roleId: `AROA${String(i).padStart(17, '0')}`,
          arn: role(name),
          path: '/',
          createDate: 0,
          assumeRolePolicyDocument: trust,
          maxSessionDuration: 3600,
          tags: [],
          inlinePolicies: i % 50 === 0 ? { p: allowAssume } : {},
          attachedPolicies: [],
        };
        await tx.insert(A, 'role', name, body);
      }
    });
    let t = performance.now();
    const model = await loadAccessModel(big);
    const loadMs = performance.now() - t;
    t = performance.now();
    const who = whoCanAssume(model, role('r1'));
    const whoMs = performance.now() - t;
    t = performance.now();
    const reached = reach(model, user('u3'));
    const reachMs = performance.now() - t;
    // The dense case: u0 may assume every role that trusts the account, and 100 of them chain on.
    t = performance.now();
    const dense = reach(model, user('u0'));
    const denseMs = performance.now() - t;
    assert.ok(dense.length > 4000);
    // u0, u10, … (20 users) may assume r1 directly; 100 chaining roles too.
    assert.equal(who.filter((r) => r.principal.kind === 'user').length, 20);
    assert.equal(who.filter((r) => r.principal.kind === 'role').length, 100);
    // u3 has no identity allow: only roles naming u3 (r3·7k where i % 200 = 3 and i % 7 = 0 … ) and their chains.
    assert.ok(reached.every((r) => r.path[0]!.from.id === user('u3')));
    console.log(
      `# 5,000 roles / 200 users: load ${loadMs.toFixed(0)} ms, who-can-assume ${whoMs.toFixed(0)} ms, reach ${reachMs.toFixed(0)} ms, dense reach ${denseMs.toFixed(0)} ms`,
    );
    // Timings are printed, not asserted tightly (speed is for benchmarks); only a runaway fails.
    assert.ok(whoMs < 60_000 && reachMs < 60_000 && denseMs < 120_000);
  } finally {
    await big.close();
  }
});

test('who-can-assume and reach: a user or role bound by unique id at save time (as CreateRole stores it)', async () => {
  const s = await openMemoryStore();
  await s.transact((tx) => tx.putAccount({ id: A, createdAt: 0 }));
  await addUser(s, 'carol', allowAssume);
  await addRole(s, 'hop', trustDoc({ AWS: `arn:aws:iam::${A}:root` }), allowAssume);
  const bound = (name: string, principal: string, id: string): RoleBody => ({
    roleName: name,
    roleId: `AROA${name.toUpperCase().padEnd(17, 'X')}`,
    arn: role(name),
    path: '/',
    createDate: 0,
    assumeRolePolicyDocument: trustDoc({ AWS: principal }),
    trustPrincipalIds: { [principal]: id },
    maxSessionDuration: 3600,
    tags: [],
    inlinePolicies: {},
    attachedPolicies: [],
  });
  await s.transact((tx) =>
    tx.insert(A, 'role', 'bycarol', bound('bycarol', user('carol'), 'AIDACAROLXXXXXXXXXXXX')),
  );
  await s.transact((tx) =>
    tx.insert(A, 'role', 'byhop', bound('byhop', role('hop'), 'AROAHOPXXXXXXXXXXXXXX')),
  );
  const model = await loadAccessModel(s);
  assert.deepEqual(ids(whoCanAssume(model, role('bycarol'))), [`user ${user('carol')} (1)`]);
  assert.deepEqual(ids(whoCanAssume(model, role('byhop'))), [
    `role ${role('hop')} (1)`,
    `user ${user('carol')} (2)`,
  ]);
  assert.ok(ids(reach(model, user('carol'))).includes(`role ${role('bycarol')} (1)`));
  await s.close();
});
