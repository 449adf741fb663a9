/**
 * Outbound identity federation end to end (issue #20): Enable / Disable /
 * GetOutboundWebIdentityFederationInfo and sts:GetWebIdentityToken through the real SDK v3 and the AWS
 * CLI, the issuer's discovery documents verified with `jose` (`createRemoteJWKSet`), and a token from
 * one account accepted by AssumeRoleWithWebIdentity in another account that registered the issuer.
 *
 * AWS pages: https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOutboundWebIdentityFederation.html,
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_DisableOutboundWebIdentityFederation.html,
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetWebIdentityToken.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_token_claims.html.
 * (AWS itself refuses its own outbound tokens in AssumeRoleWithWebIdentity — getting-started page —
 * but issue #20 asks iamd to accept them from an account whose issuer another account registered.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  DisableOutboundWebIdentityFederationCommand,
  EnableOutboundWebIdentityFederationCommand,
  GetOutboundWebIdentityFederationInfoCommand,
  PutRolePolicyCommand,
  TagUserCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  GetWebIdentityTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { ROOT, startIamd, type Creds, type TestServer } from './harness.js';
import {
  allow,
  createAccount,
  createUser,
  denied,
  expectAwsError,
  rootCreds,
  sessionCreds,
  startIamdOnData,
  trust,
  type CreatedAccount,
  type TestUser,
} from './accounts-helper.js';

const run = promisify(execFile);
const ACCT = ROOT.accountId;
const AUD = 'https://api.example.com';
const NS = 'https://sts.amazonaws.com/';

let dir: string;
let auditFile: string;
let server: TestServer;
let iam: IAMClient;
let other: CreatedAccount;
let worker: TestUser;
let issuer = '';
let firstToken = '';

/** AWS's documented texts (API reference, Errors of Disable; the last is iamd's, for GetInfo). */
const ALREADY_DISABLED =
  'The request failed because outbound identity federation is already disabled for your AWS account. You cannot disable the feature multiple times';
const NEVER_ENABLED =
  'The request failed because outbound identity federation has never been enabled for your AWS account, so it has no issuer URL.';
const DISABLED_MESSAGE =
  'The outbound web identity federation feature is not enabled for this account. To use this feature, you must first enable it through the AWS Management Console or API.';

function tokenRequest(extra: Record<string, unknown> = {}): GetWebIdentityTokenCommand {
  return new GetWebIdentityTokenCommand({ Audience: [AUD], SigningAlgorithm: 'RS256', ...extra });
}

function sts(creds?: Creds): STSClient {
  return server.sts(creds);
}

/** An STS client with no credentials: AssumeRoleWithWebIdentity is unsigned. */
function anonymousSts(): STSClient {
  return new STSClient({
    endpoint: server.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: async () => ({ accessKeyId: '', secretAccessKey: '' }),
  });
}

function jwks(): ReturnType<typeof createRemoteJWKSet> {
  return createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iamd-outbound-'));
  auditFile = join(dir, 'audit.jsonl');
  server = await startIamdOnData(dir, ['--oidc-allow-http-loopback', '--audit-file', auditFile]);
  iam = server.iam();
  other = createAccount(dir);
  // May mint tokens for AUD only, living at most 15 minutes (the condition keys AWS documents).
  worker = await createUser(iam, 'worker', {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'sts:GetWebIdentityToken',
        Resource: '*',
        Condition: {
          'ForAllValues:StringEquals': { 'sts:IdentityTokenAudience': AUD },
          NumericLessThanEquals: { 'sts:DurationSeconds': 900 },
        },
      },
      {
        // Tags need sts:TagGetWebIdentityToken; this one allows the `job` tag key only.
        Effect: 'Allow',
        Action: 'sts:TagGetWebIdentityToken',
        Resource: '*',
        Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': 'job' } },
      },
    ],
  });
  await iam.send(new TagUserCommand({ UserName: 'worker', Tags: [{ Key: 'team', Value: 'data' }] }));
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('before enabling: GetInfo and Disable answer FeatureDisabled, GetWebIdentityToken the disabled error', async () => {
  await expectAwsError(
    iam.send(new GetOutboundWebIdentityFederationInfoCommand({})),
    'FeatureDisabledException',
    404,
    NEVER_ENABLED,
  );
  await expectAwsError(
    iam.send(new DisableOutboundWebIdentityFederationCommand({})),
    'FeatureDisabledException',
    404,
    ALREADY_DISABLED,
  );
  await expectAwsError(
    sts().send(tokenRequest()),
    'OutboundWebIdentityFederationDisabledException',
    403,
    DISABLED_MESSAGE,
  );
});

test('Enable gives an issuer served by iamd; a second Enable is FeatureEnabled; GetInfo reports it', async () => {
  const out = await iam.send(new EnableOutboundWebIdentityFederationCommand({}));
  issuer = out.IssuerIdentifier ?? '';
  assert.match(issuer, new RegExp(`^${server.url}/outbound/${ACCT}/[0-9a-f]{32}$`));
  await expectAwsError(
    iam.send(new EnableOutboundWebIdentityFederationCommand({})),
    'FeatureEnabledException',
    409,
    'The request failed because outbound identity federation is already enabled for your AWS account. You cannot enable the feature multiple times. To fetch the current configuration (including the unique issuer URL), use the GetOutboundWebIdentityFederationInfo operation.',
  );
  const info = await iam.send(new GetOutboundWebIdentityFederationInfoCommand({}));
  assert.equal(info.IssuerIdentifier, issuer);
  assert.equal(info.JwtVendingEnabled, true);
  // Another account has its own state: nothing enabled there.
  await expectAwsError(
    server.iam(rootCreds(other)).send(new GetOutboundWebIdentityFederationInfoCommand({})),
    'FeatureDisabledException',
    404,
    NEVER_ENABLED,
  );
});

test('discovery: openid-configuration names the issuer and its JWKS; unknown issuers are 404', async () => {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`);
  assert.equal(res.status, 200);
  const doc = (await res.json()) as Record<string, unknown>;
  assert.equal(doc.issuer, issuer);
  assert.equal(doc.jwks_uri, `${issuer}/.well-known/jwks.json`);
  assert.deepEqual(doc.id_token_signing_alg_values_supported, ['RS256', 'ES384']);
  const keys = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as {
    keys: { kty: string; alg: string; kid: string; d?: string }[];
  };
  assert.deepEqual(keys.keys.map((k) => `${k.kty}/${k.alg}`).sort(), ['EC/ES384', 'RSA/RS256']);
  assert.ok(
    keys.keys.every((k) => k.d === undefined && k.kid.length > 0),
    'public halves only',
  );
  const wrongId = issuer.replace(/[0-9a-f]{32}$/, '0'.repeat(32));
  for (const url of [
    `${wrongId}/.well-known/jwks.json`,
    `${server.url}/outbound/${other.AccountId}/${'0'.repeat(32)}/.well-known/openid-configuration`,
    `${server.url}/outbound/nope/x/.well-known/jwks.json`,
  ]) {
    const r = await fetch(url);
    assert.equal(r.status, 404, url);
    assert.deepEqual(await r.json(), { statusCode: 404, message: 'not found' });
  }
});

test('GetWebIdentityToken (RS256): verifies with jose against the JWKS, with AWS claims and tags', async () => {
  const out = await sts(worker.creds).send(
    tokenRequest({ DurationSeconds: 600, Tags: [{ Key: 'job', Value: '42' }] }),
  );
  firstToken = out.WebIdentityToken ?? '';
  const { payload, protectedHeader } = await jwtVerify(firstToken, jwks(), { issuer, audience: AUD });
  assert.equal(protectedHeader.alg, 'RS256');
  assert.equal(payload.sub, worker.arn);
  assert.equal(payload.aud, AUD);
  assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 600);
  assert.equal(out.Expiration?.getTime(), (payload.exp ?? 0) * 1000);
  assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
  assert.deepEqual(payload[NS], {
    aws_account: ACCT,
    source_region: 'us-east-1',
    principal_id: worker.arn,
    principal_tags: { team: 'data' },
    request_tags: { job: '42' },
  });
});

test('GetWebIdentityToken (ES384, several audiences, default 300 s) verifies too', async () => {
  const out = await sts().send(
    new GetWebIdentityTokenCommand({ Audience: [AUD, 'urn:other'], SigningAlgorithm: 'ES384' }),
  );
  const token = out.WebIdentityToken ?? '';
  const { payload, protectedHeader } = await jwtVerify(token, jwks(), { issuer, audience: 'urn:other' });
  assert.equal(protectedHeader.alg, 'ES384');
  assert.deepEqual(payload.aud, [AUD, 'urn:other']);
  assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 300);
  assert.equal(payload.sub, `arn:aws:iam::${ACCT}:root`);
});

test('the condition keys sts:IdentityTokenAudience and sts:DurationSeconds limit what a principal may mint', async () => {
  await expectAwsError(
    sts(worker.creds).send(tokenRequest({ Audience: [AUD, 'https://evil.example'] })),
    'AccessDenied',
    403,
    denied(
      worker.arn,
      'sts:GetWebIdentityToken',
      '*',
      'because no identity-based policy allows the sts:GetWebIdentityToken action',
    ),
  );
  await expectAwsError(
    sts(worker.creds).send(tokenRequest({ DurationSeconds: 1800 })),
    'AccessDenied',
    403,
    denied(
      worker.arn,
      'sts:GetWebIdentityToken',
      '*',
      'because no identity-based policy allows the sts:GetWebIdentityToken action',
    ),
  );
});

test('tags need sts:TagGetWebIdentityToken; sts:SigningAlgorithm limits the algorithm', async () => {
  await expectAwsError(
    sts(worker.creds).send(tokenRequest({ Tags: [{ Key: 'cost', Value: '1' }] })),
    'AccessDenied',
    403,
    denied(
      worker.arn,
      'sts:TagGetWebIdentityToken',
      '*',
      'because no identity-based policy allows the sts:TagGetWebIdentityToken action',
    ),
  );
  const rsOnly = await createUser(iam, 'rs-only', {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'sts:GetWebIdentityToken',
        Resource: '*',
        Condition: { StringEquals: { 'sts:SigningAlgorithm': 'RS256' } },
      },
    ],
  });
  await sts(rsOnly.creds).send(tokenRequest());
  await expectAwsError(
    sts(rsOnly.creds).send(tokenRequest({ SigningAlgorithm: 'ES384' })),
    'AccessDenied',
    403,
    denied(
      rsOnly.arn,
      'sts:GetWebIdentityToken',
      '*',
      'because no identity-based policy allows the sts:GetWebIdentityToken action',
    ),
  );
});

test('input checks: unknown algorithm, duration out of range, duplicate tag keys', async () => {
  await expectAwsError(
    sts().send(tokenRequest({ SigningAlgorithm: 'HS256' })),
    'ValidationError',
    400,
    "1 validation error detected: Value 'HS256' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]",
  );
  await expectAwsError(
    sts().send(tokenRequest({ DurationSeconds: 3601 })),
    'ValidationError',
    400,
    "1 validation error detected: Value '3601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 3600",
  );
  await expectAwsError(
    sts().send(
      tokenRequest({
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'A', Value: '2' },
        ],
      }),
    ),
    'InvalidParameterValue',
    400,
    'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
  );
});

test('a role session may not ask for a token outliving it (SessionDurationEscalationException)', async () => {
  // The account root may not assume roles; a user does.
  const assumer = await createUser(iam, 'assumer', allow('sts:AssumeRole'));
  await iam.send(new CreateRoleCommand({ RoleName: 'minter', AssumeRolePolicyDocument: trust(assumer.arn) }));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'minter',
      PolicyName: 'mint',
      PolicyDocument: JSON.stringify(allow('sts:GetWebIdentityToken')),
    }),
  );
  const assumed = await sts(assumer.creds).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${ACCT}:role/minter`,
      RoleSessionName: 'mint',
      DurationSeconds: 900,
    }),
  );
  const session = sts(sessionCreds(assumed.Credentials));
  await expectAwsError(
    session.send(tokenRequest({ DurationSeconds: 3600 })),
    'SessionDurationEscalationException',
    403,
    'The requested token duration would extend the session beyond its original expiration time. You cannot use this operation to extend the lifetime of a session beyond what was granted when the session was originally created.',
  );
  const ok = await session.send(tokenRequest({ DurationSeconds: 600 }));
  const { payload } = await jwtVerify(ok.WebIdentityToken ?? '', jwks(), { issuer, audience: AUD });
  // A role session's token names the role (token claims page).
  assert.equal(payload.sub, `arn:aws:iam::${ACCT}:role/minter`);
});

test('another account that registered the issuer accepts the token in AssumeRoleWithWebIdentity', async () => {
  const otherIam = server.iam(rootCreds(other));
  const provider = await otherIam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: issuer,
      ClientIDList: [AUD],
      ThumbprintList: ['a'.repeat(40)],
    }),
  );
  const providerArn = provider.OpenIDConnectProviderArn ?? '';
  const host = issuer.replace(/^https?:\/\//, '');
  await otherIam.send(
    new CreateRoleCommand({
      RoleName: 'from-partner',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: providerArn },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringEquals: { [`${host}:aud`]: AUD, [`${host}:sub`]: worker.arn } },
          },
        ],
      }),
    }),
  );
  const roleArn = `arn:aws:iam::${other.AccountId}:role/from-partner`;
  const assumed = await anonymousSts().send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: roleArn,
      RoleSessionName: 'partner',
      WebIdentityToken: firstToken,
    }),
  );
  assert.equal(assumed.SubjectFromWebIdentityToken, worker.arn);
  const who = await sts(sessionCreds(assumed.Credentials)).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, `arn:aws:sts::${other.AccountId}:assumed-role/from-partner/partner`);

  // A tampered token (another subject, same signature) is refused.
  const [h, p, s] = firstToken.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  claims.sub = `arn:aws:iam::${ACCT}:user/someone-else`;
  const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
  await assert.rejects(jwtVerify(forged, jwks(), { issuer, audience: AUD }));
  await expectAwsError(
    anonymousSts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: 'forged',
        WebIdentityToken: forged,
      }),
    ),
    'InvalidIdentityTokenException',
    400,
    'The ID token signature could not be verified',
  );
});

test('AWS CLI: get-outbound-web-identity-federation-info and sts get-web-identity-token', async () => {
  // CLI v1 would otherwise fetch an `https://` parameter value as a URL (cli_follow_urlparam).
  const config = join(dir, 'cli-config');
  writeFileSync(config, '[default]\ncli_follow_urlparam = false\n');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const common = ['--endpoint-url', server.url, '--region', 'us-east-1', '--output', 'json'];
  // CLI v1 under pyenv knows these operations (botocore ≥ 1.41); Debian's CLI v2 2.9 does not.
  const info = await run('aws', ['iam', 'get-outbound-web-identity-federation-info', ...common], { env });
  assert.deepEqual(JSON.parse(info.stdout), { IssuerIdentifier: issuer, JwtVendingEnabled: true });
  const tok = await run(
    'aws',
    ['sts', 'get-web-identity-token', '--audience', AUD, '--signing-algorithm', 'ES384', ...common],
    { env },
  );
  const out = JSON.parse(tok.stdout) as { WebIdentityToken: string; Expiration: string };
  const { protectedHeader } = await jwtVerify(out.WebIdentityToken, jwks(), { issuer, audience: AUD });
  assert.equal(protectedHeader.alg, 'ES384');
});

test('the audit trail records GetWebIdentityToken without the token', async () => {
  // The audit file is appended asynchronously; wait for the event.
  let lines: string[] = [];
  for (let i = 0; i < 50; i++) {
    lines = readFileSync(auditFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"GetWebIdentityToken"'));
    if (lines.length > 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(lines.length > 0, 'GetWebIdentityToken is audited');
  const all = readFileSync(auditFile, 'utf8');
  assert.ok(!all.includes(firstToken.split('.')[2]!), 'no token signature in the audit trail');
  const ok = lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((e) => e.errorCode === undefined);
  assert.ok(ok, 'a successful call is recorded');
  assert.deepEqual((ok.requestParameters as { audience: string[] }).audience.length > 0, true);
});

test('keys rotate: after a day tokens carry a new kid and the JWKS publishes old and new keys', async () => {
  const before = decodeProtectedHeader(firstToken).kid;
  await server.advance(25 * 3600);
  const out = await sts().send(tokenRequest());
  const token = out.WebIdentityToken ?? '';
  const kid = decodeProtectedHeader(token).kid;
  assert.notEqual(kid, before);
  const doc = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
  const kids = doc.keys.map((k) => k.kid);
  assert.ok(kids.includes(String(before)) && kids.includes(String(kid)), 'old and new RS256 keys published');
  await jwtVerify(token, jwks(), {
    issuer,
    audience: AUD,
    currentDate: new Date(Date.now() + 25 * 3600_000),
  });
  // An hour later (no token signed by the old key is still valid) the old key is gone.
  await server.advance(3601);
  const later = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as {
    keys: { kid: string }[];
  };
  assert.ok(!later.keys.some((k) => k.kid === before), 'retired key dropped after a token lifetime');
  assert.ok(
    later.keys.some((k) => k.kid === kid),
    'current key still published',
  );
});

test('Disable: no new tokens, keys stay published, GetInfo says vending is off; Disable again is FeatureDisabled', async () => {
  await iam.send(new DisableOutboundWebIdentityFederationCommand({}));
  await expectAwsError(
    sts().send(tokenRequest()),
    'OutboundWebIdentityFederationDisabledException',
    403,
    DISABLED_MESSAGE,
  );
  const info = await iam.send(new GetOutboundWebIdentityFederationInfoCommand({}));
  assert.equal(info.IssuerIdentifier, issuer);
  assert.equal(info.JwtVendingEnabled, false);
  assert.equal((await fetch(`${issuer}/.well-known/jwks.json`)).status, 200);
  await expectAwsError(
    iam.send(new DisableOutboundWebIdentityFederationCommand({})),
    'FeatureDisabledException',
    404,
    ALREADY_DISABLED,
  );
  // Enabling again keeps the issuer (trust configured elsewhere keeps working).
  const again = await iam.send(new EnableOutboundWebIdentityFederationCommand({}));
  assert.equal(again.IssuerIdentifier, issuer);
});

test('--public-url: issuers are named under the public URL (behind a proxy), served at the same path', async () => {
  const proxied = await startIamd(['--public-url', 'https://iam.example.test/base/']);
  try {
    const out = await proxied.iam().send(new EnableOutboundWebIdentityFederationCommand({}));
    const id = /\/outbound\/\d{12}\/([0-9a-f]{32})$/.exec(out.IssuerIdentifier ?? '')?.[1] ?? '';
    const publicIssuer = `https://iam.example.test/base/outbound/${ACCT}/${id}`;
    assert.equal(out.IssuerIdentifier, publicIssuer);
    const res = await fetch(`${proxied.url}/outbound/${ACCT}/${id}/.well-known/openid-configuration`);
    const doc = (await res.json()) as Record<string, unknown>;
    assert.equal(doc.issuer, publicIssuer);
    assert.equal(doc.jwks_uri, `${publicIssuer}/.well-known/jwks.json`);
    const tok = await proxied.sts().send(tokenRequest());
    const claims = JSON.parse(
      Buffer.from((tok.WebIdentityToken ?? '').split('.')[1] ?? '', 'base64url').toString(),
    ) as Record<string, unknown>;
    assert.equal(claims.iss, publicIssuer);
  } finally {
    await proxied.stop();
  }
});
