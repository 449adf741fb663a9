/**
 * Seed files (issue 9): problems reported with line and column and nothing applied; idempotent
 * application; seed → export → seed into an empty store gives the same state; reset back to the seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/index.js';
import { compileServiceModel } from '../../src/protocol/index.js';
import { IAM_OPERATIONS } from '../../src/iam/index.js';
import { loadKeyring, SessionTokenSealer } from '../../src/credentials/session-token.js';
import { makeServices } from '../../src/main.js';
import { CredentialResolver } from '../../src/authn/resolve.js';
import { ensureFirstAccount } from '../../src/accounts/index.js';
import {
  applySeed,
  captureBaseline,
  exportSeed,
  formatSeed,
  makeResetHandler,
  parseSeed,
  resetStore,
  SeedError,
  type SeedDeps,
} from '../../src/devmode/index.js';
import type { Services } from '../../src/api/operation.js';

const iamModel = compileServiceModel(
  JSON.parse(readFileSync(new URL('../../../models/iam.json', import.meta.url), 'utf8')) as unknown,
);
const operations = new Map(IAM_OPERATIONS.map((o) => [o.name, o]));

interface World {
  store: Store;
  services: Services;
  masterKey: Buffer;
  deps(): SeedDeps;
}

async function world(masterKey = randomBytes(32)): Promise<World> {
  const store = await openSqliteStore({ path: ':memory:' });
  const sealer = new SessionTokenSealer(await loadKeyring(store, masterKey, Date.now()));
  const services = makeServices(masterKey, sealer);
  return { store, services, masterKey, deps: () => ({ services, iamModel, operations, now: Date.now() }) };
}

const FULL = `# a seed using every kind of entity the format knows
version: 1
accounts:
  - id: "111122223333"
    alias: seed-test
    rootAccessKeys:
      - accessKeyId: AKIAROOTSEED00000001
        secretAccessKey: root-secret-root-secret-root-01
    passwordPolicy:
      MinimumPasswordLength: 12
      RequireSymbols: true
    policies:
      - name: ReadIam
        path: /team/
        description: read IAM
        tags: {owner: platform}
        document:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action: ["iam:Get*", "iam:List*"]
              Resource: "*"
      - name: Boundary
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
    groups:
      - name: devs
        path: /eng/
        managedPolicies: [ReadIam]
        policies:
          deny-delete: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: "iam:Delete*", Resource: "*"}]}
    users:
      - name: alice
        permissionsBoundary: Boundary
        tags: [{Key: team, Value: blue}, {Key: "7", Value: seven}]
        groups: [devs]
        managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
        accessKeys:
          - accessKeyId: AKIAALICE00000000001
            secretAccessKey: alice-secret-alice-secret-0001
          - accessKeyId: AKIAALICE00000000002
            status: Inactive
        loginProfile: {password: "Correct-Horse-9!", passwordResetRequired: true}
      - name: bob
        groups: [devs]
    roles:
      - name: app
        path: /svc/
        description: the app role
        maxSessionDuration: 7200
        tags: {env: dev}
        assumeRolePolicy:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: {Service: ec2.amazonaws.com}
              Action: sts:AssumeRole
        policies:
          s3: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
        managedPolicies: [ReadIam]
    instanceProfiles:
      - name: app-profile
        roles: [app]
        tags: {env: dev}
    oidcProviders:
      - url: https://token.actions.githubusercontent.com
        clientIds: [sts.amazonaws.com]
        thumbprints: [6938fd4d98bab03faadb97b34396831e3780aea1]
        tags: {ci: github}
  - id: "444455556666"
    users:
      - name: carol
`;

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SeedError, String(err));
    return err.problems.map((p) => `${p.line}:${p.column} ${p.message}`);
  }
  assert.fail('expected a SeedError');
}

test('YAML syntax errors are reported with line and column', () => {
  const problems = problemsOf(() =>
    parseSeed('accounts:\n  - id: "111122223333"\n    users: [a, b\n', 'bad.yaml'),
  );
  assert.equal(problems.length >= 1, true);
  assert.match(problems[0] ?? '', /^4:1 /);
});

test('JSON seeds parse too, and JSON errors carry a location', () => {
  const ok = parseSeed('{"accounts": [{"id": "111122223333", "users": [{"name": "a"}]}]}', 'seed.json');
  assert.equal(ok.seed.accounts[0]?.users[0]?.name, 'a');
  const problems = problemsOf(() => parseSeed('{"accounts": [\n  {"id": "111122223333",,}\n]}', 'seed.json'));
  assert.match(problems[0] ?? '', /^2:25 /);
});

test('every shape problem is listed, each at its line and column', () => {
  const text = [
    'accounts:',
    '  - id: "12345"', // 2
    '    users:',
    '      - name: alice',
    '        colour: blue', // 5: unknown field
    '      - path: /x/', // 6: no name
    '    roles:',
    '      - name: r', // 8: no trust policy
    '        maxSessionDuration: long', // 9
  ].join('\n');
  let error: SeedError | undefined;
  try {
    parseSeed(text, 'seed.yaml');
  } catch (err) {
    error = err as SeedError;
  }
  assert.ok(error instanceof SeedError);
  assert.deepEqual(
    error.problems.map((p) => `${p.line}:${p.column} ${p.message}`),
    [
      '2:9 `12345` is not a 12-digit account id',
      '5:9 unknown field `colour` (expected one of name, path, permissionsBoundary, tags, groups, policies, managedPolicies, accessKeys, loginProfile)',
      '6:9 `name` is required',
      '8:9 `assumeRolePolicy` is required',
      '9:29 must be an integer',
    ],
  );
  assert.match(
    error.message,
    /^seed file seed\.yaml: 5 problems, nothing applied\n {2}seed\.yaml:2:9: accounts\[0\]\.id: /,
  );
});

test('an error found while applying names its place, and nothing is applied', async () => {
  const w = await world();
  const text = [
    'accounts:',
    '  - id: "111122223333"',
    '    users:',
    '      - name: fine',
    '      - name: broken',
    '        policies:',
    '          p1: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "iam:*"}]}', // 7: no Resource
  ].join('\n');
  const parsed = parseSeed(text, 'seed.yaml');
  await assert.rejects(applySeed(w.store, parsed, w.deps()), (err: unknown) => {
    assert.ok(err instanceof SeedError);
    assert.equal(err.problems.length, 1);
    const p = err.problems[0]!;
    assert.equal(`${p.line}:${p.column}`, '7:15');
    assert.match(p.message, /^PutUserPolicy: MalformedPolicyDocument: /);
    return true;
  });
  assert.deepEqual(await w.store.listAccounts(), [], 'the whole seed rolled back');
  await w.store.close();
});

test('model validation applies to seeded input, as on the wire', async () => {
  const w = await world();
  const parsed = parseSeed(
    'accounts:\n  - id: "111122223333"\n    users:\n      - name: "bad name!"\n',
    's.yaml',
  );
  await assert.rejects(applySeed(w.store, parsed, w.deps()), (err: unknown) => {
    assert.ok(err instanceof SeedError);
    assert.equal(
      err.problems[0]?.message,
      "CreateUser: ValidationError: 1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
    assert.equal(err.problems[0]?.line, 4);
    return true;
  });
  await w.store.close();
});

test('a seed applies idempotently: the second time changes nothing', async () => {
  const w = await world();
  const parsed = parseSeed(FULL, 'full.yaml');
  const first = await applySeed(w.store, parsed, w.deps());
  assert.ok(first.created > 20, `created ${first.created}`);
  const before = await exportSeed(w.store, { withSecrets: true, unsealSecret: w.services.unsealSecret });
  const second = await applySeed(w.store, parsed, w.deps());
  assert.equal(second.created, 0);
  assert.deepEqual(
    await exportSeed(w.store, { withSecrets: true, unsealSecret: w.services.unsealSecret }),
    before,
  );
  await w.store.close();
});

test('seed → export → seed into an empty store gives the same state (JSON and YAML)', async () => {
  const a = await world();
  await applySeed(a.store, parseSeed(FULL, 'full.yaml'), a.deps());
  const exported = await exportSeed(a.store, { withSecrets: true, unsealSecret: a.services.unsealSecret });
  for (const format of ['yaml', 'json'] as const) {
    const text = formatSeed(exported, format);
    const b = await world();
    await applySeed(b.store, parseSeed(text, `export.${format}`), b.deps());
    const again = await exportSeed(b.store, { withSecrets: true, unsealSecret: b.services.unsealSecret });
    assert.deepEqual(again, exported, format);
    // Keys seeded with their secrets resolve to the same principal in the new store.
    const resolver = new CredentialResolver({
      store: b.store,
      unsealSecret: b.services.unsealSecret,
      unsealSession: () => assert.fail('no sessions here'),
    });
    const alice = await resolver.resolve('AKIAALICE00000000001', undefined, Date.now());
    assert.equal(alice.principal.arn, 'arn:aws:iam::111122223333:user/alice');
    assert.equal(alice.secretAccessKey, 'alice-secret-alice-secret-0001');
    resolver.close();
    await b.store.close();
  }
  // The export is the seed format; spot-check what it says.
  const doc = parseYaml(formatSeed(exported, 'yaml')) as {
    accounts: {
      id: string;
      users?: { name: string; tags?: unknown }[];
      roles?: { maxSessionDuration?: number }[];
      oidcProviders?: unknown[];
    }[];
  };
  assert.deepEqual(
    doc.accounts.map((x) => x.id),
    ['111122223333', '444455556666'],
  );
  assert.deepEqual(doc.accounts[0]?.users?.[0]?.tags, [
    { Key: 'team', Value: 'blue' },
    { Key: '7', Value: 'seven' },
  ]);
  assert.equal(doc.accounts[0]?.roles?.[0]?.maxSessionDuration, 7200);
  assert.deepEqual(doc.accounts[0]?.oidcProviders, [
    {
      url: 'https://token.actions.githubusercontent.com',
      clientIds: ['sts.amazonaws.com'],
      thumbprints: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
      tags: { ci: 'github' },
    },
  ]);
  await a.store.close();
});

test('export without secrets leaves out secret keys and password hashes', async () => {
  const w = await world();
  await applySeed(w.store, parseSeed(FULL, 'full.yaml'), w.deps());
  const text = formatSeed(await exportSeed(w.store, { accounts: ['111122223333'] }), 'json');
  assert.doesNotMatch(text, /secret|scrypt/i);
  assert.match(text, /"accessKeyId": "AKIAALICE00000000001"/);
  await w.store.close();
});

test('reset returns to the first account plus the seed', async () => {
  const w = await world();
  const created = await ensureFirstAccount(w.store, w.services, Date.now(), {
    accountId: '999988887777',
    accessKeyId: 'AKIAFIRSTROOT0000001',
    secretAccessKey: 'first-root-secret-first-root-01',
  });
  assert.equal(created?.AccountId, '999988887777');
  const seed = parseSeed(FULL, 'full.yaml');
  await applySeed(w.store, seed, w.deps());
  const baseline = await captureBaseline(w.store, '999988887777', Date.now());
  // Without secrets: keys the seed gives no secret for get a fresh random one each time.
  const want = await exportSeed(w.store);
  // Change things: a new account, a deleted seeded entity.
  await w.store.transact(async (tx) => {
    await tx.putAccount({ id: '123456789012', createdAt: Date.now() });
    await tx.delete('111122223333', 'role', 'app');
  });
  const ms = await resetStore({ store: w.store, baseline, seed, seedDeps: w.deps });
  // Speed is the startup benchmark's (README: reset ≈ 2 ms); here only that a duration is reported.
  assert.ok(ms >= 0 && ms < 60_000, `reset took ${ms} ms`);
  assert.deepEqual(await exportSeed(w.store), want);
  const resolver = new CredentialResolver({
    store: w.store,
    unsealSecret: w.services.unsealSecret,
    unsealSession: () => assert.fail('no sessions here'),
  });
  const root = await resolver.resolve('AKIAFIRSTROOT0000001', undefined, Date.now());
  assert.equal(root.principal.arn, 'arn:aws:iam::999988887777:root');

  // The route: loopback callers may reset; others need a verified root signature.
  let resets = 0;
  const handler = makeResetHandler({ resolver, now: () => Date.now(), reset: async () => (resets++, 1) });
  const call = { method: 'POST', path: '/_iamd/reset', query: '', headers: {}, body: '' };
  assert.deepEqual(await handler({ ...call, sourceIp: '127.0.0.1' }), {
    status: 200,
    body: { status: 'ok', ms: 1 },
  });
  assert.deepEqual(await handler({ ...call, sourceIp: '::ffff:127.0.0.1' }), {
    status: 200,
    body: { status: 'ok', ms: 1 },
  });
  assert.deepEqual(await handler({ ...call, sourceIp: '10.1.2.3' }), {
    status: 403,
    body: { status: 'error', message: 'reset is allowed from a loopback address or with root credentials' },
  });
  assert.equal(resets, 2);
  resolver.close();
  await w.store.close();
});
