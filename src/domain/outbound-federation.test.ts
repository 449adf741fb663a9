import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SignJWT, createLocalJWKSet, jwtVerify } from 'jose';
import {
  KEY_ROTATION_MS,
  MAX_TOKEN_LIFETIME_MS,
  currentKey,
  issuerUrl,
  jwksDocument,
  keyAad,
  needsRotation,
  newSigningKey,
  openIdConfiguration,
  privateKeyOf,
  publishedKeys,
  withKey,
  type OutboundState,
} from './outbound-federation.js';

/** A sealer that only wraps (the tests check the aad is passed through, not the cipher). */
const maker = {
  random: (n: number) => new Uint8Array(randomBytes(n)),
  sealSecret: (plain: string, aad: string) => JSON.stringify({ plain, aad }),
};
const unseal = (sealed: string, aad: string): string => {
  const o = JSON.parse(sealed) as { plain: string; aad: string };
  if (o.aad !== aad) throw new Error('aad mismatch');
  return o.plain;
};

const ACCT = '111122223333';
const empty: OutboundState = { issuerId: 'a'.repeat(32), enabled: true, keys: [] };

test('issuerUrl: base URL (trailing slashes dropped) + /outbound/ACCOUNT/ID', () => {
  assert.equal(issuerUrl('http://127.0.0.1:9000/', ACCT, 'ab'), `http://127.0.0.1:9000/outbound/${ACCT}/ab`);
});

test('newSigningKey: RSA for RS256, P-384 for ES384; the private key sealed with its own aad', () => {
  const rsa = newSigningKey(ACCT, 'RS256', 0, maker);
  const ec = newSigningKey(ACCT, 'ES384', 0, maker);
  assert.equal(rsa.publicJwk.kty, 'RSA');
  assert.equal(ec.publicJwk.kty, 'EC');
  assert.equal(ec.publicJwk.crv, 'P-384');
  assert.equal(rsa.publicJwk.d, undefined, 'no private member in the public JWK');
  assert.equal((JSON.parse(rsa.sealedPrivateKey) as { aad: string }).aad, keyAad(ACCT, rsa.kid));
  assert.notEqual(rsa.kid, ec.kid);
  assert.throws(() => privateKeyOf('999988887777', rsa, unseal), /aad mismatch/);
});

test('a signed token verifies against jwksDocument', async () => {
  const state = withKey(empty, newSigningKey(ACCT, 'ES384', 1000, maker), 1000);
  const key = currentKey(state, 'ES384');
  assert.ok(key);
  const jwt = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES384', kid: key.kid })
    .setIssuer('i')
    .sign(privateKeyOf(ACCT, key, unseal));
  const set = createLocalJWKSet(jwksDocument(state, 1000) as Parameters<typeof createLocalJWKSet>[0]);
  const { payload } = await jwtVerify(jwt, set, { issuer: 'i' });
  assert.equal(payload.iss, 'i');
});

test('rotation: a new key retires the previous one of its algorithm only; retired keys stay a token lifetime', () => {
  const t0 = 0;
  let state = withKey(empty, newSigningKey(ACCT, 'RS256', t0, maker), t0);
  state = withKey(state, newSigningKey(ACCT, 'ES384', t0, maker), t0);
  const oldRsa = currentKey(state, 'RS256');
  assert.ok(oldRsa);
  assert.equal(needsRotation(state, 'RS256', t0 + KEY_ROTATION_MS - 1), false);
  assert.equal(needsRotation(state, 'RS256', t0 + KEY_ROTATION_MS), true);
  const t1 = t0 + KEY_ROTATION_MS;
  state = withKey(state, newSigningKey(ACCT, 'RS256', t1, maker), t1);
  const newRsa = currentKey(state, 'RS256');
  assert.notEqual(newRsa?.kid, oldRsa.kid);
  assert.equal(state.keys.find((k) => k.kid === oldRsa.kid)?.retiredAt, t1);
  assert.equal(currentKey(state, 'ES384')?.retiredAt, undefined, 'ES384 key untouched');
  const kids = (now: number) => publishedKeys(state, now).map((k) => k.kid);
  assert.ok(kids(t1 + MAX_TOKEN_LIFETIME_MS - 1).includes(oldRsa.kid), 'published while its tokens live');
  assert.ok(!kids(t1 + MAX_TOKEN_LIFETIME_MS).includes(oldRsa.kid), 'dropped after a token lifetime');
  // The next rotation after that prunes it from the stored state too.
  const t2 = t1 + KEY_ROTATION_MS;
  state = withKey(state, newSigningKey(ACCT, 'RS256', t2, maker), t2);
  assert.ok(!state.keys.some((k) => k.kid === oldRsa.kid));
  assert.equal(state.keys.filter((k) => k.alg === 'RS256').length, 2);
});

test('needsRotation: an algorithm without a key needs one', () => {
  assert.equal(needsRotation(empty, 'ES384', 0), true);
});

test('openIdConfiguration: issuer, jwks_uri beneath it, both algorithms', () => {
  const doc = openIdConfiguration('http://h/outbound/1/x');
  assert.equal(doc.issuer, 'http://h/outbound/1/x');
  assert.equal(doc.jwks_uri, 'http://h/outbound/1/x/.well-known/jwks.json');
  assert.deepEqual(doc.id_token_signing_alg_values_supported, ['RS256', 'ES384']);
});
