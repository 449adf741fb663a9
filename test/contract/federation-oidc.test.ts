/**
 * OIDC federation end to end (issue 5): a real issuer on loopback (discovery + JWKS, jose keys,
 * rotation), IAM OIDC provider CRUD and AssumeRoleWithWebIdentity through the real SDK v3, the
 * credential providers `fromWebToken` / `fromTokenFile`, the AWS CLI, and every attack of the issue
 * refused. Error texts: shared/reference/aws-errors.md (AssumeRoleWithWebIdentity rows) and the
 * LocalStack test_iam_oidc recordings.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createHmac } from 'node:crypto';
import { exportSPKI, importJWK, type KeyObject } from 'jose';
import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  DeleteOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  ListOpenIDConnectProvidersCommand,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTokenFile, fromWebToken } from '@aws-sdk/credential-providers';
import { ROOT, startIamd, type TestServer } from './harness.js';
import { expectAwsError, sessionCreds } from './accounts-helper.js';
import { makeKey, startIssuer, type TestIssuer } from '../federation/oidc-issuer.js';

const run = promisify(execFile);
const ACCT = ROOT.accountId;
const AUD = 'sts.amazonaws.com';
let server: TestServer;
let iam: IAMClient;
let issuer: TestIssuer;
let providerArn: string;
let tmp: string;
const roleArn = (n: string) => `arn:aws:iam::${ACCT}:role/${n}`;

/** An STS client with no credentials at all: AssumeRoleWithWebIdentity is an unsigned call. */
function anonymousSts(): STSClient {
  return new STSClient({
    endpoint: server.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: async () => ({ accessKeyId: '', secretAccessKey: '' }),
  });
}

function assume(token: string, role = 'ci-deploy', extra: Record<string, unknown> = {}) {
  return anonymousSts().send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: roleArn(role),
      RoleSessionName: 'build-42',
      WebIdentityToken: token,
      ...extra,
    }),
  );
}

const repoClaims = { sub: 'repo:acme/app:ref:refs/heads/main', aud: AUD };

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'iamd-oidc-'));
  issuer = await startIssuer();
  server = await startIamd(['--oidc-allow-http-loopback']);
  iam = server.iam();
  const created = await iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: issuer.url,
      ClientIDList: [AUD],
      ThumbprintList: ['a'.repeat(40)],
      Tags: [{ Key: 'team', Value: 'ci' }],
    }),
  );
  providerArn = created.OpenIDConnectProviderArn ?? '';
  // Trust as GitHub's docs recommend: audience pinned, subject limited to one repository.
  const trust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
        Condition: {
          StringEquals: { [`${issuer.host}:aud`]: AUD },
          StringLike: { [`${issuer.host}:sub`]: 'repo:acme/app:*' },
        },
      },
    ],
  };
  await iam.send(
    new CreateRoleCommand({ RoleName: 'ci-deploy', AssumeRolePolicyDocument: JSON.stringify(trust) }),
  );
});

after(async () => {
  await server?.stop();
  await issuer?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('CreateOpenIDConnectProvider: ARN is oidc-provider/HOST; Get answers Url without scheme (recorded get-response)', async () => {
  assert.equal(providerArn, `arn:aws:iam::${ACCT}:oidc-provider/${issuer.host}`);
  const got = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn }));
  assert.equal(got.Url, issuer.host);
  assert.deepEqual(got.ClientIDList, [AUD]);
  assert.deepEqual(got.ThumbprintList, ['a'.repeat(40)]);
  assert.deepEqual(got.Tags, [{ Key: 'team', Value: 'ci' }]);
  assert.ok(got.CreateDate instanceof Date);
  const list = await iam.send(new ListOpenIDConnectProvidersCommand({}));
  assert.deepEqual(list.OpenIDConnectProviderList, [{ Arn: providerArn }]);
});

test('OIDC provider CRUD errors with AWS texts (LocalStack test_iam_oidc recordings)', async () => {
  await expectAwsError(
    iam.send(new CreateOpenIDConnectProviderCommand({ Url: issuer.url, ClientIDList: [AUD] })),
    'EntityAlreadyExistsException',
    409,
    `Provider with url ${issuer.url} already exists.`,
  );
  await expectAwsError(
    iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'http://example.com', ClientIDList: [AUD] })),
    'ValidationError',
    400,
    'Invalid Open ID Connect Provider URL',
  );
  await expectAwsError(
    iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: 'https://too-many.example.com',
        ThumbprintList: ['1', '2', '3', '4', '5', '6'].map((c) => c.repeat(40)),
      }),
    ),
    'InvalidInputException',
    400,
    'Thumbprint list must contain fewer than 5 entries.',
  );
  const missing = `arn:aws:iam::${ACCT}:oidc-provider/non-existent.example.com`;
  await expectAwsError(
    iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: missing })),
    'NoSuchEntityException',
    404,
    `OpenIDConnect Provider not found for arn ${missing}`,
  );
  await expectAwsError(
    iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: missing })),
    'NoSuchEntityException',
    404,
    `OpenId connect Provider ${missing} cannot be found.`,
  );
});

test('client ids and thumbprints: add (idempotent), remove, update; delete removes the provider', async () => {
  const c = await iam.send(
    new CreateOpenIDConnectProviderCommand({ Url: 'https://oidc.example.com/path/x' }),
  );
  const arn = c.OpenIDConnectProviderArn ?? '';
  assert.equal(arn, `arn:aws:iam::${ACCT}:oidc-provider/oidc.example.com/path/x`);
  await iam.send(
    new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'one' }),
  );
  await iam.send(
    new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'one' }),
  );
  await iam.send(
    new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'two' }),
  );
  await iam.send(
    new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'one' }),
  );
  await iam.send(
    new UpdateOpenIDConnectProviderThumbprintCommand({
      OpenIDConnectProviderArn: arn,
      ThumbprintList: ['c'.repeat(40), 'd'.repeat(40)],
    }),
  );
  const got = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
  assert.deepEqual(got.ClientIDList, ['two']);
  assert.deepEqual(got.ThumbprintList, ['c'.repeat(40), 'd'.repeat(40)]);
  await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
  const list = await iam.send(new ListOpenIDConnectProvidersCommand({}));
  assert.deepEqual(list.OpenIDConnectProviderList, [{ Arn: providerArn }]);
});

test('AssumeRoleWithWebIdentity: a trusted token gets role credentials that work', async () => {
  const token = await issuer.sign(repoClaims);
  const r = await assume(token);
  assert.equal(r.SubjectFromWebIdentityToken, repoClaims.sub);
  assert.equal(r.Provider, providerArn);
  assert.equal(r.Audience, AUD);
  assert.equal(r.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCT}:assumed-role/ci-deploy/build-42`);
  assert.match(r.AssumedRoleUser?.AssumedRoleId ?? '', /^AROA[A-Z0-9]+:build-42$/);
  assert.match(r.Credentials?.AccessKeyId ?? '', /^ASIA/);
  const who = await server.sts(sessionCreds(r.Credentials)).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, `arn:aws:sts::${ACCT}:assumed-role/ci-deploy/build-42`);
});

test('session tags from the https://aws.amazon.com/tags claim need sts:TagSession and reach the session', async () => {
  const token = await issuer.sign({
    ...repoClaims,
    'https://aws.amazon.com/tags': { principal_tags: { team: ['blue'] }, transitive_tag_keys: ['team'] },
  });
  const r = await assume(token);
  assert.ok(r.Credentials?.SessionToken);
  assert.equal(typeof r.PackedPolicySize, 'number');
});

test('attack: token signed with a key the issuer never published is refused', async () => {
  const rogue = await makeKey();
  const token = await issuer.sign(repoClaims, { key: rogue, kid: issuer.current.kid });
  await expectAwsError(
    assume(token),
    'InvalidIdentityTokenException',
    400,
    'The ID token signature could not be verified',
  );
});

test('attack: alg none is refused', async () => {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const token = `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ ...repoClaims, iss: issuer.url, iat: now, exp: now + 600 })}.`;
  await expectAwsError(
    assume(token),
    'InvalidIdentityTokenException',
    400,
    'The ID token is signed with an unsupported algorithm `none`',
  );
});

test('attack: HS256 "signed" with the issuer public key is refused', async () => {
  const pub = (await importJWK(issuer.current.publicJwk, 'RS256')) as KeyObject;
  const pem = await exportSPKI(pub);
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${enc({ alg: 'HS256', typ: 'JWT', kid: issuer.current.kid })}.${enc({ ...repoClaims, iss: issuer.url, iat: now, exp: now + 600 })}`;
  const token = `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
  await expectAwsError(
    assume(token),
    'InvalidIdentityTokenException',
    400,
    'The ID token is signed with an unsupported algorithm `HS256`',
  );
});

test('attack: expired token (beyond the 5-minute skew) is ExpiredTokenException with AWS text', async () => {
  const now = Math.floor(Date.now() / 1000);
  const exp = now - 400;
  const token = await issuer.sign({ ...repoClaims, iat: now - 1000, exp });
  await assert.rejects(
    assume(token),
    (e: { name?: string; message?: string; $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'ExpiredTokenException');
      assert.equal(e.$metadata?.httpStatusCode, 400);
      assert.match(
        e.message ?? '',
        new RegExp(`^Token expired: current date/time \\d+ must be before the expiration date/time ${exp}$`),
      );
      return true;
    },
  );
});

test('attack: token not yet valid (nbf in the future) is refused', async () => {
  const now = Math.floor(Date.now() / 1000);
  const token = await issuer.sign({ ...repoClaims, nbf: now + 3600 });
  await assert.rejects(assume(token), (e: { name?: string; message?: string }) => {
    assert.equal(e.name, 'InvalidIdentityTokenException');
    assert.match(
      e.message ?? '',
      new RegExp(
        `^Token not yet valid: current date/time \\d+ must be after the not-before date/time ${now + 3600}$`,
      ),
    );
    return true;
  });
});

test('attack: wrong audience is "Incorrect token audience"; missing aud is named', async () => {
  await expectAwsError(
    assume(await issuer.sign({ ...repoClaims, aud: 'someone-else' })),
    'InvalidIdentityTokenException',
    400,
    'Incorrect token audience',
  );
  await expectAwsError(
    assume(await issuer.sign({ sub: repoClaims.sub })),
    'InvalidIdentityTokenException',
    400,
    'Missing a required claim: aud',
  );
});

test('attack: a token from an unregistered issuer (wrong iss) is refused naming the issuer', async () => {
  const other = 'https://evil.example.com';
  const token = await issuer.sign({ ...repoClaims, iss: other });
  await expectAwsError(
    assume(token),
    'InvalidIdentityTokenException',
    400,
    `No OpenIDConnect provider found in your account for ${other}`,
  );
});

test('attack: an unregistered provider (a second real issuer) is refused', async () => {
  const second = await startIssuer();
  try {
    const token = await second.sign(repoClaims);
    await expectAwsError(
      assume(token),
      'InvalidIdentityTokenException',
      400,
      `No OpenIDConnect provider found in your account for ${second.url}`,
    );
  } finally {
    await second.close();
  }
});

test('attack: a sub from another repository fails the trust condition (AccessDenied, AWS text)', async () => {
  const token = await issuer.sign({ ...repoClaims, sub: 'repo:mallory/fork:ref:refs/heads/main' });
  await expectAwsError(
    assume(token),
    'AccessDenied',
    403,
    'Not authorized to perform sts:AssumeRoleWithWebIdentity',
  );
  // A role that does not exist reads the same (no role-name probing).
  await expectAwsError(
    assume(await issuer.sign(repoClaims), 'no-such-role'),
    'AccessDenied',
    403,
    'Not authorized to perform sts:AssumeRoleWithWebIdentity',
  );
});

test('DurationSeconds above the role maximum is refused with AWS text', async () => {
  await expectAwsError(
    assume(await issuer.sign(repoClaims), 'ci-deploy', { DurationSeconds: 7200 }),
    'ValidationError',
    400,
    'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
  );
});

test('key rotation: a token with a new kid makes iamd fetch the JWKS again', async () => {
  await assume(await issuer.sign(repoClaims));
  const before = issuer.jwksFetches;
  await issuer.rotate();
  await new Promise((r) => setTimeout(r, 1100)); // the refetch cool-down is one second
  const r = await assume(await issuer.sign(repoClaims));
  assert.ok(r.Credentials?.AccessKeyId);
  assert.equal(issuer.jwksFetches, before + 1);
});

test('SDK credential providers: fromWebToken and fromTokenFile (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN)', async () => {
  const clientConfig = { endpoint: server.url, region: 'us-east-1' };
  const token = await issuer.sign(repoClaims);
  const viaWeb = await fromWebToken({
    roleArn: roleArn('ci-deploy'),
    webIdentityToken: token,
    roleSessionName: 'from-web',
    clientConfig,
  })();
  const who = await server.sts(viaWeb).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, `arn:aws:sts::${ACCT}:assumed-role/ci-deploy/from-web`);

  const file = join(tmp, 'token');
  writeFileSync(file, token);
  const saved = {
    f: process.env.AWS_WEB_IDENTITY_TOKEN_FILE,
    r: process.env.AWS_ROLE_ARN,
    s: process.env.AWS_ROLE_SESSION_NAME,
  };
  process.env.AWS_WEB_IDENTITY_TOKEN_FILE = file;
  process.env.AWS_ROLE_ARN = roleArn('ci-deploy');
  process.env.AWS_ROLE_SESSION_NAME = 'from-file';
  try {
    const viaFile = await fromTokenFile({ clientConfig })();
    const who2 = await server.sts(viaFile).send(new GetCallerIdentityCommand({}));
    assert.equal(who2.Arn, `arn:aws:sts::${ACCT}:assumed-role/ci-deploy/from-file`);
  } finally {
    for (const [k, v] of [
      ['AWS_WEB_IDENTITY_TOKEN_FILE', saved.f],
      ['AWS_ROLE_ARN', saved.r],
      ['AWS_ROLE_SESSION_NAME', saved.s],
    ] as const)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
});

const CLI = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';

test('AWS CLI: aws sts assume-role-with-web-identity', async () => {
  const token = await issuer.sign(repoClaims);
  const { stdout } = await run(
    CLI,
    [
      'sts',
      'assume-role-with-web-identity',
      '--endpoint-url',
      server.url,
      '--region',
      'us-east-1',
      '--role-arn',
      roleArn('ci-deploy'),
      '--role-session-name',
      'cli',
      '--web-identity-token',
      token,
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
  const out = JSON.parse(stdout) as { AssumedRoleUser: { Arn: string }; Provider: string; Audience: string };
  assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${ACCT}:assumed-role/ci-deploy/cli`);
  assert.equal(out.Provider, providerArn);
  assert.equal(out.Audience, AUD);
});
