/**
 * The one authentication step (src/authn/authenticate.ts) at each enforcement level, over a memory
 * store: what a good signature, a wrong secret, a missing signature, a wrong scope and an unknown key
 * give, and what the strict mode (iamd's own endpoints, reset) refuses that the levels let through.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SigningKeyCache, SIGNATURE_MISMATCH_MESSAGE } from '../sigv4/index.js';
import { authenticateRequest, authenticator } from './authenticate.js';
import {
  ACCOUNT,
  openWorld,
  ROOT,
  signedQuery,
  unsignedQuery,
  type World,
} from '../../test/support/world.js';

const GCI = { Action: 'GetCallerIdentity', Version: '2011-06-15' };
const DUMMY = { accessKeyId: 'AKIADUMMYDUMMY000001', secretAccessKey: 'testing' };

let enforce: World;
let permissive: World;
let off: World;
before(async () => {
  enforce = await openWorld('enforce');
  permissive = await openWorld('permissive');
  off = await openWorld('off');
});
after(async () => {
  await enforce.close();
  await permissive.close();
  await off.close();
});

const run = (
  world: World,
  request: ReturnType<typeof signedQuery>,
  strict = false,
  services = ['iam', 'sts'],
) =>
  authenticateRequest(
    authenticator(world.resolver, services, new SigningKeyCache(8), { strict }),
    request,
    Date.now(),
    Date.now(),
  );

/** Asserts that `p` rejects with an AwsError of `code` and `message`. */
async function rejects(p: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(p, (err: { code?: string; message?: string }) => {
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    return true;
  });
}

test('a good signature resolves to the key owner', async () => {
  const { creds, sig } = await run(enforce, signedQuery(GCI, ROOT, { service: 'sts' }));
  assert.equal(creds.principal.arn, `arn:aws:iam::${ACCOUNT}:root`);
  assert.equal(sig.service, 'sts');
});

test('a wrong secret is SignatureDoesNotMatch with AWS text that does not say which part differed', async () => {
  const request = signedQuery(GCI, { ...ROOT, secretAccessKey: 'not-the-secret' });
  await rejects(run(enforce, request), 'SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE);
});

test('a changed body breaks the signature too', async () => {
  const request = { ...signedQuery(GCI, ROOT), body: 'Action=GetCallerIdentity&Version=2011-06-15&X=1' };
  await rejects(run(enforce, request), 'SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE);
});

test('an unsigned request is MissingAuthenticationToken', async () => {
  await rejects(
    run(enforce, unsignedQuery(GCI)),
    'MissingAuthenticationToken',
    'Request is missing Authentication Token',
  );
});

test('a scope for a service the entry point does not serve is refused with AWS text', async () => {
  await rejects(
    run(enforce, signedQuery(GCI, ROOT, { service: 'cloudtrail' })),
    'SignatureDoesNotMatch',
    "Credential should be scoped to correct service: 'iam'. ",
  );
});

test('an unknown key is InvalidClientTokenId at enforce', async () => {
  await rejects(
    run(enforce, signedQuery(GCI, DUMMY)),
    'InvalidClientTokenId',
    'The security token included in the request is invalid',
  );
});

test('a request signed 20 minutes ago has expired, except at the off level', async () => {
  const old = Date.now() - 20 * 60_000;
  const request = signedQuery(GCI, ROOT, { now: old });
  await assert.rejects(run(enforce, request), (err: { code?: string; message?: string }) => {
    assert.equal(err.code, 'SignatureDoesNotMatch');
    assert.match(err.message ?? '', /^Signature expired: \d{8}T\d{6}Z is now earlier than /);
    return true;
  });
  // off (issue #21): suites freeze their clocks in the past; only the scope's form is checked.
  const { creds } = await run(off, request);
  assert.equal(creds.principal.arn, `arn:aws:iam::${ACCOUNT}:root`);
  // strict: iamd's own endpoints never take that leniency.
  await assert.rejects(run(off, request, true), { code: 'SignatureDoesNotMatch' });
});

test('permissive: an unknown key is a stand-in root whose signature is not checked — unless strict', async () => {
  const { creds } = await run(permissive, signedQuery(GCI, DUMMY));
  assert.equal(creds.unverified, true);
  assert.equal(creds.principal.arn, `arn:aws:iam::${ACCOUNT}:root`);
  await rejects(
    run(permissive, signedQuery(GCI, DUMMY), true),
    'SignatureDoesNotMatch',
    SIGNATURE_MISMATCH_MESSAGE,
  );
  // Signed with the empty secret the stand-in "has": still refused when strict.
  await rejects(
    run(permissive, signedQuery(GCI, { ...DUMMY, secretAccessKey: '' }), true),
    'SignatureDoesNotMatch',
    SIGNATURE_MISMATCH_MESSAGE,
  );
});

test('permissive and off: a key iamd knows keeps its signature check', async () => {
  const wrong = signedQuery(GCI, { ...ROOT, secretAccessKey: 'wrong' });
  await rejects(run(permissive, wrong), 'SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE);
  // off accepts every credential (issue #21) unless strict.
  assert.equal((await run(off, wrong)).creds.principal.arn, `arn:aws:iam::${ACCOUNT}:root`);
  await rejects(run(off, wrong, true), 'SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE);
});
