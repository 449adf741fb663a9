import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { SessionClaims } from '../domain/principal.js';
import { AwsError } from '../errors/index.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import {
  KEYRING_META,
  KEY_CURRENT_MS,
  KEY_RETAIN_MS,
  SessionTokenSealer,
  isExpired,
  keyIdOf,
  loadKeyring,
  type Keyring,
} from './session-token.js';

const keyring = (id: string): Keyring => {
  const key = randomBytes(32);
  return { current: { id, key }, all: new Map([[id, key]]) };
};

/** AWS's answer to a bad token (shared/reference/aws-errors.md, authentication cases). */
const invalidToken = (error: unknown): boolean => {
  assert.ok(error instanceof AwsError);
  assert.equal(error.code, 'InvalidClientTokenId');
  assert.equal(error.message, 'The security token included in the request is invalid');
  assert.equal(error.status, 403);
  return true;
};

const role: SessionClaims = {
  kind: 'AssumedRole',
  account: '111111111111',
  accessKeyId: 'ASIAQAAAAAAAAAAAAAAA',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  issuedAt: 1_700_000_000_123,
  expiresAt: 1_700_003_600_123,
  roleName: 'Admin',
  roleId: 'AROAEXAMPLEEXAMPLE123',
  rolePath: '/',
  sessionName: 'alice',
  sessionPolicies: [
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
  ],
  sessionPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
  tags: [{ key: 'team', value: 'blue' }],
  transitiveTagKeys: ['team'],
  mfaAuthenticatedAt: 1_700_000_000_000,
  sourceIdentity: 'alice@example.com',
  chained: true,
  issuerType: 'IAMUser',
  issuerArn: 'arn:aws:iam::111111111111:user/alice',
};

const claimsArbitrary: fc.Arbitrary<SessionClaims> = fc.record(
  {
    kind: fc.constantFrom('AssumedRole' as const, 'FederatedUser' as const, 'SessionToken' as const),
    account: fc.stringMatching(/^\d{12}$/),
    accessKeyId: fc.string(),
    secretAccessKey: fc.string(),
    issuedAt: fc.integer({ min: 0, max: 2 ** 45 }),
    expiresAt: fc.integer({ min: 0, max: 2 ** 45 }),
    roleName: fc.string(),
    roleId: fc.string(),
    rolePath: fc.string(),
    sessionName: fc.string(),
    userName: fc.string(),
    userId: fc.string(),
    federatedName: fc.string(),
    sessionPolicies: fc.array(fc.string({ unit: 'grapheme' })),
    sessionPolicyArns: fc.array(fc.string()),
    tags: fc.array(fc.record({ key: fc.string(), value: fc.string() }, { noNullPrototype: true })),
    transitiveTagKeys: fc.array(fc.string()),
    mfaAuthenticatedAt: fc.integer({ min: 0, max: 2 ** 45 }),
    sourceIdentity: fc.string(),
    chained: fc.boolean(),
    issuerType: fc.string(),
    issuerArn: fc.string(),
    federatedProvider: fc.string(),
    federatedSubject: fc.string(),
    // Written only when true (an sts:AssumeRoot session), like `console`.
    assumedRoot: fc.constant(true),
    // Written only when true (an sts:GetDelegatedAccessToken session).
    delegated: fc.constant(true),
  },
  {
    requiredKeys: ['kind', 'account', 'accessKeyId', 'secretAccessKey', 'issuedAt', 'expiresAt'],
    noNullPrototype: true,
  },
);

test('seal/unseal round-trips any claims (property)', () => {
  const sealer = new SessionTokenSealer(keyring('00000001'));
  fc.assert(
    fc.property(claimsArbitrary, (claims) => {
      assert.deepEqual(sealer.unseal(sealer.seal(claims)), claims);
    }),
  );
});

test('tokens are base64, randomised and reasonably small', () => {
  const sealer = new SessionTokenSealer(keyring('0a0b0c0d'));
  const token = sealer.seal(role);
  assert.match(token, /^[A-Za-z0-9+/]+=*$/);
  assert.notEqual(token, sealer.seal(role));
  assert.equal(keyIdOf(token), '0a0b0c0d');
  // A full-featured session stays well under AWS's own tokens (often 1,000+ characters).
  assert.ok(token.length < 900, `token is ${token.length} characters`);
  const minimal = sealer.seal({
    ...role,
    sessionPolicies: undefined,
    tags: undefined,
    transitiveTagKeys: undefined,
  });
  assert.ok(minimal.length < 600, `minimal token is ${minimal.length} characters`);
});

test('changing any character of a token makes it invalid (property)', () => {
  const sealer = new SessionTokenSealer(keyring('00000002'));
  const token = sealer.seal(role);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: token.length - 1 }),
      fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='),
      (at, ch) => {
        fc.pre(token.charAt(at) !== ch);
        assert.throws(() => sealer.unseal(token.slice(0, at) + ch + token.slice(at + 1)), invalidToken);
      },
    ),
  );
});

test('flipping any bit of the decoded token makes it invalid (property)', () => {
  const sealer = new SessionTokenSealer(keyring('00000003'));
  const raw = Buffer.from(sealer.seal(role), 'base64');
  fc.assert(
    fc.property(fc.integer({ min: 0, max: raw.length * 8 - 1 }), (bit) => {
      const copy = Buffer.from(raw);
      copy[bit >> 3] = (copy[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      assert.throws(() => sealer.unseal(copy.toString('base64')), invalidToken);
    }),
  );
  // Truncated or extended too.
  assert.throws(() => sealer.unseal(raw.subarray(0, raw.length - 1).toString('base64')), invalidToken);
  assert.throws(() => sealer.unseal(Buffer.concat([raw, Buffer.of(0)]).toString('base64')), invalidToken);
});

test('garbage, unknown keys and other keyrings are invalid', () => {
  const sealer = new SessionTokenSealer(keyring('00000004'));
  for (const garbage of ['', 'x', '!!!!', 'AAAA', Buffer.alloc(40).toString('base64'), 'A'.repeat(20_000)]) {
    assert.throws(() => sealer.unseal(garbage), invalidToken);
  }
  const other = new SessionTokenSealer(keyring('00000005'));
  assert.throws(() => sealer.unseal(other.seal(role)), invalidToken);
  // Same key id, different key: the tag check fails.
  const impostor = new SessionTokenSealer(keyring('00000004'));
  assert.throws(() => sealer.unseal(impostor.seal(role)), invalidToken);
});

test('setKeyring: old tokens open while their key is in the ring', () => {
  const first = keyring('00000010');
  const sealer = new SessionTokenSealer(first);
  const old = sealer.seal(role);
  const next = randomBytes(32);
  sealer.setKeyring({
    current: { id: '00000011', key: next },
    all: new Map([
      ['00000010', first.current.key],
      ['00000011', next],
    ]),
  });
  assert.deepEqual(sealer.unseal(old), role);
  assert.equal(keyIdOf(sealer.seal(role)), '00000011');
  sealer.setKeyring({ current: { id: '00000011', key: next }, all: new Map([['00000011', next]]) });
  assert.throws(() => sealer.unseal(old), invalidToken);
});

test('opened tokens are remembered, but not past a keyring change that drops their key', () => {
  const first = keyring('00000012');
  const sealer = new SessionTokenSealer(first);
  // Live by the wall clock, so the sealer keeps it after the first open.
  const live: SessionClaims = { ...role, expiresAt: Date.now() + 3_600_000 };
  const token = sealer.seal(live);
  const opened = sealer.unseal(token);
  assert.deepEqual(opened, live);
  assert.equal(sealer.unseal(token), opened);
  // A changed character is still refused while the original is remembered.
  const altered = token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);
  assert.throws(() => sealer.unseal(altered), invalidToken);
  sealer.setKeyring(keyring('00000013'));
  assert.throws(() => sealer.unseal(token), invalidToken);
  // Already expired by the wall clock: opened afresh every time, never remembered.
  const old = sealer.seal(role);
  assert.notEqual(sealer.unseal(old), sealer.unseal(old));
  assert.deepEqual(sealer.unseal(old), role);
});

test('isExpired: expired at expiresAt exactly', () => {
  assert.equal(isExpired(role, role.expiresAt - 1), false);
  assert.equal(isExpired(role, role.expiresAt), true);
});

test('loadKeyring creates, keeps, rotates after 24 h and drops keys 48 h after retirement', async () => {
  const store = await openSqliteStore({ path: ':memory:' });
  const master = randomBytes(32);
  try {
    const t0 = 1_700_000_000_000;
    const k1 = await loadKeyring(store, master, t0);
    assert.equal(k1.all.size, 1);
    assert.equal(k1.current.key.length, 32);
    const sealed = await store.getMeta(KEYRING_META);
    assert.ok(sealed?.startsWith('v1.'));
    assert.ok(!(sealed ?? '').includes(k1.current.key.toString('base64')), 'keys are sealed at rest');

    const same = await loadKeyring(store, master, t0 + KEY_CURRENT_MS - 1);
    assert.equal(same.current.id, k1.current.id);
    assert.equal(await store.getMeta(KEYRING_META), sealed, 'nothing rewritten when nothing changes');

    const t1 = t0 + KEY_CURRENT_MS;
    const k2 = await loadKeyring(store, master, t1);
    assert.notEqual(k2.current.id, k1.current.id);
    assert.deepEqual([...k2.all.keys()].sort(), [k1.current.id, k2.current.id].sort());
    // A token sealed just before rotation still opens after it.
    const token = new SessionTokenSealer(k1).seal(role);
    assert.deepEqual(new SessionTokenSealer(k2).unseal(token), role);

    const k3 = await loadKeyring(store, master, t1 + KEY_RETAIN_MS);
    assert.ok(k3.all.has(k1.current.id), 'kept for 48 h after retirement');
    const k4 = await loadKeyring(store, master, t1 + KEY_RETAIN_MS + 1);
    assert.ok(!k4.all.has(k1.current.id), 'dropped after that');
    // By then the second key was itself 48 h old, so k3 rotated again; k4 kept that key.
    assert.notEqual(k3.current.id, k2.current.id);
    assert.equal(k4.current.id, k3.current.id);
    assert.ok(k4.all.has(k2.current.id));

    await assert.rejects(loadKeyring(store, randomBytes(32), t1), {
      message: 'the session-token keyring does not open with this master key',
    });
  } finally {
    await store.close();
  }
});

test('loadKeyring: concurrent loads agree on one key', async () => {
  const store = await openSqliteStore({ path: ':memory:' });
  const master = randomBytes(32);
  try {
    const rings = await Promise.all(Array.from({ length: 5 }, () => loadKeyring(store, master, 1_000)));
    assert.equal(new Set(rings.map((r) => r.current.id)).size, 1);
    assert.equal(rings[0]?.all.size, 1);
  } finally {
    await store.close();
  }
});
