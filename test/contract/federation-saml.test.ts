/**
 * SAML 2.0 federation end to end (issue 5): IAM SAML provider CRUD, AssumeRoleWithSAML with assertions
 * signed in the test by a generated certificate, through the SDK v3 and the AWS CLI; every attack of
 * the issue refused (signature wrapping, wrong key, expired, another role, trust condition, DTD,
 * NameID comments, replay with one-time use); and the console federation endpoint. Texts: IAM User
 * Guide "Troubleshoot SAML 2.0 federation", aws-errors.md (AssumeRoleWithSAML rows), LocalStack
 * test_iam_saml_providers recordings.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import {
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  DeleteSAMLProviderCommand,
  GetSAMLProviderCommand,
  ListSAMLProvidersCommand,
  UpdateSAMLProviderCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { AssumeRoleWithSAMLCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ROOT, startIamd, type TestServer } from './harness.js';
import { expectAwsError, sessionCreds } from './accounts-helper.js';
import {
  assertionXml,
  makeCert,
  metadataFor,
  responseXml,
  signAssertion,
  signedResponse,
  type AssertionSpec,
  type TestCert,
} from '../federation/saml-idp.js';

const run = promisify(execFile);
const ACCT = ROOT.accountId;
const ENTITY = 'https://idp.example.com/saml';
const roleArn = (n: string) => `arn:aws:iam::${ACCT}:role/${n}`;
let server: TestServer;
let iam: IAMClient;
let cert: TestCert;
let providerArn: string;
let tmp: string;

function anonymousSts(url = server.url): STSClient {
  return new STSClient({
    endpoint: url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: async () => ({ accessKeyId: '', secretAccessKey: '' }),
  });
}

function spec(extra: Partial<AssertionSpec> = {}): AssertionSpec {
  return {
    issuer: ENTITY,
    nameId: 'alice@example.com',
    roles: [`${roleArn('saml-admin')},${providerArn}`],
    sessionName: 'alice',
    ...extra,
  };
}

function assume(assertion: string, role = 'saml-admin', url?: string) {
  return anonymousSts(url).send(
    new AssumeRoleWithSAMLCommand({
      RoleArn: roleArn(role),
      PrincipalArn: providerArn,
      SAMLAssertion: assertion,
    }),
  );
}

const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'iamd-saml-'));
  cert = makeCert();
  server = await startIamd();
  iam = server.iam();
  const c = await iam.send(
    new CreateSAMLProviderCommand({ Name: 'corp-idp', SAMLMetadataDocument: metadataFor(ENTITY, cert) }),
  );
  providerArn = c.SAMLProviderArn ?? '';
  const trust = (cond: object) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: providerArn },
          Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
          Condition: cond,
        },
      ],
    });
  // The trust policy AWS's console writes for SAML federation (SAML:aud is the sign-in endpoint).
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'saml-admin',
      AssumeRolePolicyDocument: trust({ StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } }),
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'saml-finance',
      AssumeRolePolicyDocument: trust({ StringEquals: { 'saml:sub': 'bob@example.com' } }),
    }),
  );
});

after(async () => {
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('SAML provider CRUD: create, get (recorded shape), list, update, delete; not found is AWS text', async () => {
  assert.equal(providerArn, `arn:aws:iam::${ACCT}:saml-provider/corp-idp`);
  const got = await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: providerArn }));
  assert.equal(got.SAMLMetadataDocument, metadataFor(ENTITY, cert));
  assert.equal(got.AssertionEncryptionMode, 'Allowed');
  assert.deepEqual(got.PrivateKeyList, []);
  assert.deepEqual(got.Tags, []);
  assert.ok(got.ValidUntil instanceof Date && got.CreateDate instanceof Date);
  assert.ok(got.SAMLProviderUUID);
  const list = await iam.send(new ListSAMLProvidersCommand({}));
  assert.equal(list.SAMLProviderList?.[0]?.Arn, providerArn);
  const other = await iam.send(
    new CreateSAMLProviderCommand({
      Name: 'temp',
      SAMLMetadataDocument: metadataFor('https://t.example.com', cert),
    }),
  );
  const up = await iam.send(
    new UpdateSAMLProviderCommand({
      SAMLProviderArn: other.SAMLProviderArn,
      SAMLMetadataDocument: metadataFor('https://u.example.com', cert),
    }),
  );
  assert.equal(up.SAMLProviderArn, other.SAMLProviderArn);
  await iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: other.SAMLProviderArn }));
  await expectAwsError(
    iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: other.SAMLProviderArn })),
    'NoSuchEntityException',
    404,
    `Manifest not found for arn ${other.SAMLProviderArn}`,
  );
  await expectAwsError(
    iam.send(
      new CreateSAMLProviderCommand({ Name: 'bad', SAMLMetadataDocument: `<x>${' '.repeat(1000)}</x>` }),
    ),
    'InvalidInputException',
    400,
    'Could not parse metadata',
  );
});

test('AssumeRoleWithSAML: a signed assertion gets role credentials; response fields as AWS documents', async () => {
  const r = await assume(signedResponse(spec(), cert));
  assert.equal(r.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCT}:assumed-role/saml-admin/alice`);
  assert.equal(r.Subject, 'alice@example.com');
  assert.equal(r.SubjectType, 'persistent');
  assert.equal(r.Issuer, ENTITY);
  assert.equal(r.Audience, 'https://signin.aws.amazon.com/saml');
  // NameQualifier = BASE64(SHA1(Issuer + AccountId + "/" + ProviderName)) (STS API reference).
  assert.equal(r.NameQualifier, createHash('sha1').update(`${ENTITY}${ACCT}/corp-idp`).digest('base64'));
  const who = await server.sts(sessionCreds(r.Credentials)).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, r.AssumedRoleUser?.Arn);
});

test('AWS accepts the same assertion again while it is valid; so does iamd by default', async () => {
  const a = signedResponse(spec(), cert);
  await assume(a);
  const again = await assume(a);
  assert.ok(again.Credentials?.AccessKeyId);
});

test('attack: signature wrapping (signed assertion moved, forged one read) is refused', async () => {
  const signed = signAssertion(responseXml(assertionXml(spec()), ENTITY), cert);
  const forged = assertionXml(
    spec({ nameId: 'mallory@example.com', roles: [`${roleArn('saml-finance')},${providerArn}`] }),
  );
  // Classic XSW: the original signed assertion hidden in Extensions, a forged one where it is read.
  const wrapped = signed
    .replace(
      /(<samlp:Status>)/,
      `<samlp:Extensions>${/<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(signed)?.[0] ?? ''}</samlp:Extensions>$1`,
    )
    .replace(/(<\/samlp:Status>)<saml:Assertion[\s\S]*<\/saml:Assertion>/, `$1${forged}`);
  await expectAwsError(
    assume(b64(wrapped), 'saml-finance'),
    'InvalidIdentityTokenException',
    400,
    'Invalid SAML response: the response must contain exactly one Assertion',
  );
  // Tampering with the signed assertion breaks the signature.
  const tampered = signed.replace('alice@example.com', 'bob@example.com');
  await expectAwsError(
    assume(b64(tampered), 'saml-finance'),
    'InvalidIdentityTokenException',
    400,
    'Response signature invalid',
  );
  // Unsigned assertion.
  await expectAwsError(
    assume(b64(responseXml(assertionXml(spec()), ENTITY))),
    'InvalidIdentityTokenException',
    400,
    'Response signature invalid',
  );
});

test('attack: assertion signed by a key not in the metadata is refused', async () => {
  const rogue = makeCert('rogue.example.com');
  await expectAwsError(
    assume(signedResponse(spec(), rogue)),
    'InvalidIdentityTokenException',
    400,
    'Response signature invalid',
  );
});

test('attack: expired assertion is ExpiredTokenException', async () => {
  const old = signedResponse(spec({ now: Date.now() - 3 * 3600 * 1000 }), cert);
  await expectAwsError(
    assume(old),
    'ExpiredTokenException',
    400,
    'The SAML assertion has expired: SubjectConfirmationData NotOnOrAfter has passed',
  );
});

test('attack: an assertion for another role (not in its Role attribute) is refused', async () => {
  await expectAwsError(
    assume(signedResponse(spec(), cert), 'saml-finance'),
    'AccessDenied',
    403,
    'Not authorized to perform sts:AssumeRoleWithSAML',
  );
});

test('attack: a subject that fails the trust condition is refused', async () => {
  const a = signedResponse(spec({ roles: [`${roleArn('saml-finance')},${providerArn}`] }), cert);
  await expectAwsError(
    assume(a, 'saml-finance'),
    'AccessDenied',
    403,
    'Not authorized to perform sts:AssumeRoleWithSAML',
  );
  const ok = await assume(
    signedResponse(
      spec({
        nameId: 'bob@example.com',
        roles: [`${roleArn('saml-finance')},${providerArn}`],
        sessionName: 'bob',
      }),
      cert,
    ),
    'saml-finance',
  );
  assert.equal(ok.Subject, 'bob@example.com');
});

test('attack: a comment inside NameID cannot truncate the subject', async () => {
  // The IdP signed "bob@example.com.evil.com"; a comment after "bob@example.com" must not shorten it.
  const a = signedResponse(
    spec({
      nameId: '',
      nameIdXml: 'bob@example.com<!---->.evil.com',
      roles: [`${roleArn('saml-finance')},${providerArn}`],
    }),
    cert,
  );
  await expectAwsError(
    assume(a, 'saml-finance'),
    'AccessDenied',
    403,
    'Not authorized to perform sts:AssumeRoleWithSAML',
  );
  const r = await assume(
    signedResponse(spec({ nameId: '', nameIdXml: 'alice@example.com<!---->.evil.com' }), cert),
  );
  assert.equal(r.Subject, 'alice@example.com.evil.com');
});

test('attack: a DTD (entity expansion / XXE) is refused before parsing', async () => {
  const signed = signAssertion(responseXml(assertionXml(spec()), ENTITY), cert);
  const withDtd = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${signed}`;
  await expectAwsError(
    assume(b64(withDtd)),
    'InvalidIdentityTokenException',
    400,
    'Invalid SAML response: the document could not be parsed',
  );
});

test('a missing RoleSessionName attribute is AWS text', async () => {
  await expectAwsError(
    assume(signedResponse(spec({ sessionName: undefined }), cert)),
    'InvalidIdentityTokenException',
    400,
    'RoleSessionName is required in AuthnResponse',
  );
});

test('attack: a replayed assertion is refused when one-time use is on', async () => {
  const strict = await startIamd(['--saml-one-time-use']);
  try {
    const siam = strict.iam();
    await siam.send(
      new CreateSAMLProviderCommand({ Name: 'corp-idp', SAMLMetadataDocument: metadataFor(ENTITY, cert) }),
    );
    await siam.send(
      new CreateRoleCommand({
        RoleName: 'saml-admin',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Federated: providerArn }, Action: 'sts:AssumeRoleWithSAML' },
          ],
        }),
      }),
    );
    const a = signedResponse(spec({ id: '_replay-me' }), cert);
    const first = await assume(a, 'saml-admin', strict.url);
    assert.ok(first.Credentials?.AccessKeyId);
    await expectAwsError(
      assume(a, 'saml-admin', strict.url),
      'InvalidIdentityTokenException',
      400,
      'The SAML assertion `_replay-me` has already been used (one-time use is on)',
    );
  } finally {
    await strict.stop();
  }
});

const CLI = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';

test('AWS CLI: aws sts assume-role-with-saml', async () => {
  const { stdout } = await run(
    CLI,
    [
      'sts',
      'assume-role-with-saml',
      '--endpoint-url',
      server.url,
      '--region',
      'us-east-1',
      '--role-arn',
      roleArn('saml-admin'),
      '--principal-arn',
      providerArn,
      '--saml-assertion',
      signedResponse(spec({ sessionName: 'alice-cli' }), cert),
      '--output',
      'json',
    ],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: tmp,
        AWS_CONFIG_FILE: join(tmp, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'none'),
      },
    },
  );
  const out = JSON.parse(stdout) as { AssumedRoleUser: { Arn: string }; Subject: string };
  assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${ACCT}:assumed-role/saml-admin/alice-cli`);
  assert.equal(out.Subject, 'alice@example.com');
});

test('console federation endpoint: getSigninToken then login (IAM User Guide, custom identity broker)', async () => {
  const r = await assume(signedResponse(spec(), cert));
  const session = JSON.stringify({
    sessionId: r.Credentials?.AccessKeyId,
    sessionKey: r.Credentials?.SecretAccessKey,
    sessionToken: r.Credentials?.SessionToken,
  });
  const res = await fetch(
    `${server.url}/federation?Action=getSigninToken&SessionDuration=1800&Session=${encodeURIComponent(session)}`,
  );
  assert.equal(res.status, 200);
  const { SigninToken } = (await res.json()) as { SigninToken: string };
  assert.ok(SigninToken.length > 20);
  const login = await fetch(
    `${server.url}/federation?Action=login&Issuer=${encodeURIComponent('https://broker.example.com')}&Destination=${encodeURIComponent('https://console.aws.amazon.com/')}&SigninToken=${SigninToken}`,
    { redirect: 'manual' },
  );
  assert.equal(login.status, 302, await login.clone().text());
  assert.equal(login.headers.get('location'), '/console/');
  assert.match(login.headers.get('set-cookie') ?? '', /^iamd-console=/);
  // A wrong secret gets no token; a forged token no login.
  const bad = JSON.stringify({ ...JSON.parse(session), sessionKey: 'x'.repeat(40) });
  const denied = await fetch(
    `${server.url}/federation?Action=getSigninToken&Session=${encodeURIComponent(bad)}`,
  );
  assert.equal(denied.status, 403);
  assert.equal(await denied.text(), 'The session credentials are not valid');
  const forged = await fetch(`${server.url}/federation?Action=login&Destination=x&SigninToken=AAAA`, {
    redirect: 'manual',
  });
  assert.equal(forged.status, 400);
  assert.equal(await forged.text(), 'The sign-in token is not valid');
  // Sign-in tokens last 15 minutes.
  await server.advance(16 * 60);
  const late = await fetch(`${server.url}/federation?Action=login&Destination=x&SigninToken=${SigninToken}`, {
    redirect: 'manual',
  });
  assert.equal(late.status, 400);
  assert.equal(await late.text(), 'The sign-in token has expired');
});
