/**
 * OIDC ID-token verification (src/federation/oidc.ts) without a server: the discovery document and
 * JWKS come from an in-memory fetcher, keys are made with `jose` at test time, and the clock is a
 * variable. Each refusal is asserted by code and message.
 * Rules: IAM User Guide, "OIDC federation" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc.html:
 * five-minute clock skew beyond `exp`); OpenID Connect Discovery 1.0 §4.3 (discovery `issuer` must match).
 */
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, type JsonWebKey } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT, type JWTPayload } from 'jose';
import { AwsError } from '../errors/index.js';
import { FetchFailure, type JsonFetcher } from './http.js';
import {
  NO_VERIFICATION_KEY,
  OIDC_CLOCK_SKEW_SECONDS,
  OidcKeySets,
  unverifiedIssuer,
  verifyWebIdentityToken,
  webIdentityConditionKeys,
  webIdentityTags,
  type OidcProviderRef,
} from './oidc.js';
import { makeKey, type IssuerKey } from '../../test/federation/oidc-issuer.js';

const ISS = 'https://issuer.example.com';
const DISCOVERY = `${ISS}/.well-known/openid-configuration`;
const JWKS_URI = `${ISS}/jwks`;
const AUD = 'sts.amazonaws.com';
const PROVIDER: OidcProviderRef = { url: ISS, clientIds: [AUD] };
const T0 = 1_800_000_000_000;

/** An in-memory issuer: documents by URL, and a count of fetches per URL. */
interface FakeIssuer {
  docs: Map<string, unknown>;
  fetches: Map<string, number>;
  fetcher: JsonFetcher;
}

function fakeIssuer(published: IssuerKey[]): FakeIssuer {
  const docs = new Map<string, unknown>([
    [DISCOVERY, { issuer: ISS, jwks_uri: JWKS_URI }],
    [JWKS_URI, { keys: published.map((k) => k.publicJwk) }],
  ]);
  const fetches = new Map<string, number>();
  const fetcher: JsonFetcher = async (url) => {
    fetches.set(url, (fetches.get(url) ?? 0) + 1);
    if (!docs.has(url)) throw new FetchFailure(`\`${url}\` answered HTTP 404`);
    // A deep copy, as a real fetch would give: the cache must not share objects with the issuer.
    return JSON.parse(JSON.stringify(docs.get(url))) as unknown;
  };
  return { docs, fetches, fetcher };
}

let now = T0;
let key: IssuerKey;
let idp: FakeIssuer;
let keys: OidcKeySets;

beforeEach(async () => {
  now = T0;
  key = await makeKey();
  idp = fakeIssuer([key]);
  keys = new OidcKeySets(idp.fetcher, { now: () => now, allowHttpLoopback: false });
});

const secs = (ms: number) => Math.floor(ms / 1000);

async function sign(
  claims: JWTPayload,
  options: { key?: IssuerKey; alg?: string; kid?: string | null } = {},
): Promise<string> {
  const k = options.key ?? key;
  const header: { alg: string; typ: string; kid?: string } = { alg: options.alg ?? 'RS256', typ: 'JWT' };
  if (options.kid !== null) header.kid = options.kid ?? k.kid;
  return new SignJWT({
    iss: ISS,
    sub: 'repo:octo/app:ref:refs/heads/main',
    aud: AUD,
    iat: secs(now),
    exp: secs(now) + 600,
    ...claims,
  })
    .setProtectedHeader(header)
    .sign(k.privateKey);
}

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** Asserts that `p` rejects with an AwsError of `code` and exactly `message`. */
async function rejects(p: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AwsError, `expected AwsError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    return true;
  });
}

const verify = (token: string, at = now, provider = PROVIDER) =>
  verifyWebIdentityToken(token, provider, keys, at);

test('a valid RS256 token verifies and says who it is for', async () => {
  const token = await sign({ email: 'a@example.com' });
  const v = await verify(token);
  assert.equal(v.issuer, ISS);
  assert.equal(v.subject, 'repo:octo/app:ref:refs/heads/main');
  assert.equal(v.audience, AUD);
  assert.equal(v.claims.email, 'a@example.com');
  assert.equal(idp.fetches.get(DISCOVERY), 1);
  assert.equal(idp.fetches.get(JWKS_URI), 1);
});

test('ES256 and a token without `kid` against a one-key set verify too', async () => {
  const ec = await makeKey('ES256');
  idp.docs.set(JWKS_URI, { keys: [ec.publicJwk] });
  const v = await verify(await sign({}, { key: ec, alg: 'ES256', kid: null }));
  assert.equal(v.audience, AUD);
});

test('a token whose issuer is not the provider is refused before any fetch', async () => {
  const token = await sign({ iss: 'https://evil.example.com' });
  await rejects(
    verify(token),
    'InvalidIdentityToken',
    'No OpenIDConnect provider found in your account for https://evil.example.com',
  );
  assert.equal(idp.fetches.size, 0);
});

test('a token for another audience is refused', async () => {
  await rejects(
    verify(await sign({ aud: 'someone-else' })),
    'InvalidIdentityToken',
    'Incorrect token audience',
  );
  await rejects(
    verify(await sign({ aud: ['x', 'y'], azp: 'z' })),
    'InvalidIdentityToken',
    'Incorrect token audience',
  );
});

test('`azp` among the client ids is the audience; else a matching entry of an `aud` list', async () => {
  const provider = { url: ISS, clientIds: ['web-app', AUD] };
  const viaAzp = await verify(await sign({ aud: ['api'], azp: 'web-app' }), now, provider);
  assert.equal(viaAzp.audience, 'web-app');
  const viaList = await verify(await sign({ aud: ['api', AUD] }), now, provider);
  assert.equal(viaList.audience, AUD);
});

test('`exp` is honoured with five minutes of skew, then ExpiredTokenException', async () => {
  const exp = secs(now) - 1000;
  const token = await sign({ iat: exp - 600, exp });
  // Within the skew window: still accepted.
  await verify(token, (exp + OIDC_CLOCK_SKEW_SECONDS) * 1000);
  const late = exp + OIDC_CLOCK_SKEW_SECONDS + 1;
  await rejects(
    verify(token, late * 1000),
    'ExpiredTokenException',
    `Token expired: current date/time ${late} must be before the expiration date/time ${exp}`,
  );
});

test('a token not yet valid (`nbf` beyond the skew) is refused', async () => {
  const nbf = secs(now) + OIDC_CLOCK_SKEW_SECONDS + 60;
  await rejects(
    verify(await sign({ nbf, exp: nbf + 600 })),
    'InvalidIdentityToken',
    `Token not yet valid: current date/time ${secs(now)} must be after the not-before date/time ${nbf}`,
  );
  // Inside the skew it passes.
  await verify(await sign({ nbf: secs(now) + 60 }));
});

test('a token issued in the future (`iat` beyond the skew) is refused', async () => {
  const iat = secs(now) + OIDC_CLOCK_SKEW_SECONDS + 1;
  await rejects(
    verify(await sign({ iat, exp: iat + 600 })),
    'InvalidIdentityToken',
    `Token issued in the future: current date/time ${secs(now)} is before the issued-at date/time ${iat}`,
  );
});

test('missing `exp`, `sub` or `aud` is named', async () => {
  await rejects(
    verify(await sign({ exp: undefined })),
    'InvalidIdentityToken',
    'Missing a required claim: exp',
  );
  await rejects(
    verify(await sign({ sub: undefined })),
    'InvalidIdentityToken',
    'Missing a required claim: sub',
  );
  await rejects(
    verify(await sign({ aud: undefined })),
    'InvalidIdentityToken',
    'Missing a required claim: aud',
  );
  await rejects(verify(await sign({ aud: [] })), 'InvalidIdentityToken', 'Missing a required claim: aud');
});

test('`alg: none` is refused before any key is fetched', async () => {
  const payload = { iss: ISS, sub: 's', aud: AUD, exp: secs(now) + 600 };
  const token = `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}.`;
  await rejects(
    verify(token),
    'InvalidIdentityToken',
    'The ID token is signed with an unsupported algorithm `none`',
  );
  assert.equal(idp.fetches.size, 0);
});

test('key confusion: an HS256 token "signed" with the issuer public key is refused', async () => {
  // The attack: use the public key (which anyone can fetch) as the HMAC secret.
  const pem = createPublicKey({ key: key.publicJwk as JsonWebKey, format: 'jwk' }).export({
    type: 'spki',
    format: 'pem',
  });
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: key.kid }));
  const payload = b64url(JSON.stringify({ iss: ISS, sub: 's', aud: AUD, exp: secs(now) + 600 }));
  const mac = createHmac('sha256', pem).update(`${header}.${payload}`).digest('base64url');
  await rejects(
    verify(`${header}.${payload}.${mac}`),
    'InvalidIdentityToken',
    'The ID token is signed with an unsupported algorithm `HS256`',
  );
  assert.equal(idp.fetches.size, 0);
});

test('a tampered payload fails the signature check', async () => {
  const [h, , s] = (await sign({})).split('.');
  const forged = b64url(JSON.stringify({ iss: ISS, sub: 'admin', aud: AUD, exp: secs(now) + 600 }));
  await rejects(
    verify(`${h}.${forged}.${s}`),
    'InvalidIdentityToken',
    'The ID token signature could not be verified',
  );
});

test('a token signed by another key under a published `kid` fails the signature check', async () => {
  const other = await makeKey();
  await rejects(
    verify(await sign({}, { key: other, kid: key.kid })),
    'InvalidIdentityToken',
    'The ID token signature could not be verified',
  );
});

test('an unknown `kid` is refused with AWS text once a refetch has not found it', async () => {
  // Prime the cache, then come back after the cool-down so the refresh really fetches.
  await verify(await sign({}));
  now += 2000;
  const stranger = await makeKey();
  await rejects(verify(await sign({}, { key: stranger })), 'InvalidIdentityToken', NO_VERIFICATION_KEY);
  assert.equal(idp.fetches.get(JWKS_URI), 2);
});

test('JWKS cache: a rotated key is fetched on its unknown `kid`, at most once per cool-down', async () => {
  await verify(await sign({}));
  assert.equal(idp.fetches.get(JWKS_URI), 1);
  // Known kid within max age: served from cache.
  now += 10_000;
  await verify(await sign({}));
  assert.equal(idp.fetches.get(JWKS_URI), 1);

  // The issuer rotates; the next token names the new kid: one refetch and it verifies.
  const next = await makeKey();
  idp.docs.set(JWKS_URI, { keys: [next.publicJwk] });
  key = next;
  await verify(await sign({}));
  assert.equal(idp.fetches.get(JWKS_URI), 2);

  // Unknown kids within the cool-down (default 1 s) do not make iamd hammer the issuer.
  const stranger = await makeKey();
  for (let i = 0; i < 3; i++)
    await rejects(verify(await sign({}, { key: stranger })), 'InvalidIdentityToken', NO_VERIFICATION_KEY);
  assert.equal(idp.fetches.get(JWKS_URI), 2);
  // After the cool-down one more fetch is allowed.
  now += 1000;
  await rejects(verify(await sign({}, { key: stranger })), 'InvalidIdentityToken', NO_VERIFICATION_KEY);
  assert.equal(idp.fetches.get(JWKS_URI), 3);
});

test('JWKS cache: entries older than maxAgeMs are fetched again; the cool-down is configurable', async () => {
  keys = new OidcKeySets(idp.fetcher, {
    now: () => now,
    allowHttpLoopback: false,
    maxAgeMs: 60_000,
    refetchCooldownMs: 30_000,
  });
  await keys.keySet(ISS);
  await keys.keySet(ISS, true); // within the cool-down: cached
  assert.equal(idp.fetches.get(JWKS_URI), 1);
  now += 30_000;
  await keys.keySet(ISS, true);
  assert.equal(idp.fetches.get(JWKS_URI), 2);
  now += 59_999;
  await keys.keySet(ISS);
  assert.equal(idp.fetches.get(JWKS_URI), 2);
  now += 1;
  await keys.keySet(ISS);
  assert.equal(idp.fetches.get(JWKS_URI), 3);
  // A clock that went backwards does not make a stale entry look fresh forever.
  now -= 10 * 60_000;
  await keys.keySet(ISS);
  assert.equal(idp.fetches.get(JWKS_URI), 4);
});

test('JWKS cache: concurrent lookups of one issuer share one fetch', async () => {
  await Promise.all([keys.keySet(ISS), keys.keySet(ISS), keys.keySet(ISS)]);
  assert.equal(idp.fetches.get(DISCOVERY), 1);
  assert.equal(idp.fetches.get(JWKS_URI), 1);
});

test('JWKS cache: at most maxIssuers are remembered, the oldest dropped first', async () => {
  const issuers = ['https://a.example.com', 'https://b.example.com', 'https://c.example.com'];
  for (const i of issuers) {
    idp.docs.set(`${i}/.well-known/openid-configuration`, { issuer: i, jwks_uri: `${i}/jwks` });
    idp.docs.set(`${i}/jwks`, { keys: [key.publicJwk] });
  }
  keys = new OidcKeySets(idp.fetcher, { now: () => now, allowHttpLoopback: false, maxIssuers: 2 });
  for (const i of issuers) await keys.keySet(i);
  await keys.keySet(issuers[2]!);
  await keys.keySet(issuers[1]!);
  assert.equal(idp.fetches.get(`${issuers[1]}/jwks`), 1);
  await keys.keySet(issuers[0]!); // evicted, fetched again
  assert.equal(idp.fetches.get(`${issuers[0]}/jwks`), 2);
});

test('a discovery document naming another issuer is refused (IDPCommunicationError)', async () => {
  idp.docs.set(DISCOVERY, { issuer: 'https://other.example.com', jwks_uri: JWKS_URI });
  await assert.rejects(
    keys.keySet(ISS),
    (e: unknown) =>
      e instanceof FetchFailure && e.message === 'discovery `issuer` does not match the token issuer',
  );
  await rejects(verify(await sign({})), 'IDPCommunicationError', NO_VERIFICATION_KEY);
  assert.equal(idp.fetches.get(JWKS_URI), undefined);
});

test('a trailing slash on either side of the discovery `issuer` still matches', async () => {
  idp.docs.set(DISCOVERY, { issuer: `${ISS}/`, jwks_uri: JWKS_URI });
  assert.equal((await keys.keySet(ISS)).keys.length, 1);
});

test('unusable discovery documents and key sets are FetchFailures, IDPCommunicationError to callers', async () => {
  const cases: [unknown, unknown, string][] = [
    [null, {}, 'discovery is not an object'],
    ['text', {}, 'discovery is not an object'],
    [{ jwks_uri: JWKS_URI }, {}, 'discovery `issuer` does not match the token issuer'],
    [{ issuer: ISS }, {}, 'discovery has no usable `jwks_uri`'],
    // Plain HTTP to a non-loopback host, or userinfo in the URL: never fetched.
    [{ issuer: ISS, jwks_uri: 'http://issuer.example.com/jwks' }, {}, 'discovery has no usable `jwks_uri`'],
    [
      { issuer: ISS, jwks_uri: 'https://u:p@issuer.example.com/jwks' },
      {},
      'discovery has no usable `jwks_uri`',
    ],
    [{ issuer: ISS, jwks_uri: JWKS_URI }, { keys: 'no' }, 'JWKS has no `keys` array'],
    [{ issuer: ISS, jwks_uri: JWKS_URI }, [], 'JWKS has no `keys` array'],
  ];
  for (const [discovery, jwks, message] of cases) {
    idp.docs.set(DISCOVERY, discovery);
    idp.docs.set(JWKS_URI, jwks);
    keys = new OidcKeySets(idp.fetcher, { now: () => now, allowHttpLoopback: false });
    await assert.rejects(
      keys.keySet(ISS),
      (e: unknown) => e instanceof FetchFailure && e.message === message,
    );
    await rejects(verify(await sign({})), 'IDPCommunicationError', NO_VERIFICATION_KEY);
  }
  // An unreachable issuer.
  idp.docs.delete(DISCOVERY);
  keys = new OidcKeySets(idp.fetcher, { now: () => now, allowHttpLoopback: false });
  await rejects(verify(await sign({})), 'IDPCommunicationError', NO_VERIFICATION_KEY);
});

test('non-object entries of `keys` are dropped, the rest still verify', async () => {
  idp.docs.set(JWKS_URI, { keys: [1, 'x', null, [], key.publicJwk] });
  assert.equal((await keys.keySet(ISS)).keys.length, 1);
  await verify(await sign({}));
});

test('unverifiedIssuer: malformed tokens and a missing `iss`', async () => {
  for (const t of ['', 'a.b', 'a.b.c.d', 'not a jwt', '..', `${b64url('{"alg":"RS256"}')}.e30`])
    assert.throws(
      () => unverifiedIssuer(t),
      (e: unknown) =>
        e instanceof AwsError &&
        e.code === 'InvalidIdentityToken' &&
        e.message === 'The ID token provided is not a valid JWT',
      t,
    );
  const noIss = `${b64url('{"alg":"RS256"}')}.${b64url('{"sub":"x"}')}.sig`;
  assert.throws(
    () => unverifiedIssuer(noIss),
    (e: unknown) => e instanceof AwsError && e.message === 'Missing a required claim: iss',
  );
  assert.equal(unverifiedIssuer(await sign({})), ISS);
});

test('condition keys: aud is azp when present, oaud the original aud; amr kept as strings', async () => {
  const provider = { url: ISS, clientIds: ['web-app'] };
  const v = await verify(await sign({ aud: AUD, azp: 'web-app', amr: ['pwd', 7, 'mfa'] }), now, provider);
  const c = webIdentityConditionKeys('issuer.example.com', v);
  assert.equal(Object.getPrototypeOf(c), null);
  assert.deepEqual(
    { ...c },
    {
      'issuer.example.com:aud': 'web-app',
      'issuer.example.com:oaud': AUD,
      'issuer.example.com:sub': 'repo:octo/app:ref:refs/heads/main',
      'issuer.example.com:amr': ['pwd', 'mfa'],
    },
  );
  const plain = webIdentityConditionKeys('issuer.example.com', await verify(await sign({})));
  assert.deepEqual(
    { ...plain },
    {
      'issuer.example.com:aud': AUD,
      'issuer.example.com:sub': 'repo:octo/app:ref:refs/heads/main',
    },
  );
});

test('session tags from the https://aws.amazon.com/tags claim; a non-string value is refused', () => {
  assert.deepEqual(
    webIdentityTags({
      'https://aws.amazon.com/tags': {
        principal_tags: { team: ['core'], env: 'prod' },
        transitive_tag_keys: ['team', 3],
      },
    }),
    {
      tags: [
        { key: 'team', value: 'core' },
        { key: 'env', value: 'prod' },
      ],
      transitiveTagKeys: ['team'],
    },
  );
  assert.deepEqual(webIdentityTags({}), { tags: [], transitiveTagKeys: [] });
  assert.throws(
    () => webIdentityTags({ 'https://aws.amazon.com/tags': { principal_tags: { team: [42] } } }),
    (e: unknown) =>
      e instanceof AwsError &&
      e.code === 'InvalidIdentityToken' &&
      e.message === 'The value of principal tag `team` is not a string',
  );
});

/** Whatever comes in, the only failure is an AwsError (never a TypeError, never a jose error). */
async function onlyAwsErrors(token: string): Promise<void> {
  try {
    await verify(token);
  } catch (e) {
    if (!(e instanceof AwsError))
      throw new Error(`untyped failure for ${JSON.stringify(token)}: ${String(e)}`, {
        cause: e,
      });
    assert.ok(
      ['InvalidIdentityToken', 'ExpiredTokenException', 'IDPCommunicationError'].includes(e.code),
      e.code,
    );
  }
}

test('property: arbitrary strings as tokens only ever fail with the typed error', async () => {
  await fc.assert(fc.asyncProperty(fc.string({ maxLength: 300 }), onlyAwsErrors), { numRuns: 300 });
});

test('property: arbitrary three-part JWS shapes naming the provider only fail with the typed error', async () => {
  const json = fc.jsonValue({ maxDepth: 2 });
  const header = fc.oneof(
    json,
    fc.record({
      alg: fc.constantFrom('RS256', 'ES256', 'none', 'HS256', 'EdDSA', ''),
      kid: fc.oneof(fc.string(), json),
    }),
  );
  const payload = fc.oneof(
    json,
    fc.dictionary(fc.constantFrom('sub', 'aud', 'exp', 'nbf', 'iat', 'azp', 'amr'), json).map((d) => ({
      ...d,
      iss: ISS,
    })),
  );
  await fc.assert(
    fc.asyncProperty(header, payload, fc.string({ maxLength: 60 }), async (h, p, sig) => {
      await onlyAwsErrors(`${b64url(JSON.stringify(h) ?? '')}.${b64url(JSON.stringify(p) ?? '')}.${sig}`);
    }),
    { numRuns: 300 },
  );
});

test('property: validly signed tokens with arbitrary claims only fail with the typed error', async () => {
  const json = fc.jsonValue({ maxDepth: 2 });
  const claims = fc.dictionary(fc.constantFrom('sub', 'aud', 'exp', 'nbf', 'iat', 'azp'), json);
  await fc.assert(
    fc.asyncProperty(claims, async (c) => {
      await onlyAwsErrors(await sign(c as JWTPayload));
    }),
    { numRuns: 100 },
  );
});
