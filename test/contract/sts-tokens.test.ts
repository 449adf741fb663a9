/**
 * GetSessionToken and GetFederationToken (STS API reference for each; shapes recorded against AWS in
 * shared/reference/localstack-snapshots, test_sts: test_get_session_token, test_get_federation_token;
 * texts in shared/reference/aws-errors.md).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRoleCommand, ListRolesCommand, type IAMClient } from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
} from '@aws-sdk/client-sts';
import { ROOT, startIamd, type TestServer } from './harness.js';
import { allow, createUser, denied, expectAwsError, sessionCreds, type TestUser } from './accounts-helper.js';

const ACCT = ROOT.accountId;
let server: TestServer;
let iam: IAMClient;
let alice: TestUser; // no permissions
let broker: TestUser; // may federate and list roles

const near = (d: Date | undefined, ms: number) => Math.abs((d?.getTime() ?? 0) - (Date.now() + ms)) < 5_000;

before(async () => {
  server = await startIamd();
  iam = server.iam();
  alice = await createUser(iam, 'alice');
  broker = await createUser(
    iam,
    'broker',
    allow(['sts:GetFederationToken', 'sts:TagSession', 'iam:ListRoles']),
  );
});

after(async () => {
  await server?.stop();
});

test('GetSessionToken needs no permission; 12 hours by default; root is held to one hour', async () => {
  const r = await server.sts(alice.creds).send(new GetSessionTokenCommand({}));
  assert.ok(r.Credentials?.AccessKeyId?.startsWith('ASIA'));
  assert.ok(
    near(r.Credentials?.Expiration, 43_200_000),
    `expires ${r.Credentials?.Expiration?.toISOString()}`,
  );
  const creds = sessionCreds(r.Credentials);
  const who = await server.sts(creds).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, alice.arn);
  assert.equal(who.UserId, alice.userId);
  const short = await server.sts(alice.creds).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
  assert.ok(near(short.Credentials?.Expiration, 900_000));
  const root = await server.sts(ROOT).send(new GetSessionTokenCommand({ DurationSeconds: 7200 }));
  assert.ok(near(root.Credentials?.Expiration, 3_600_000), 'root sessions default to one hour');
  const rootWho = await server.sts(sessionCreds(root.Credentials)).send(new GetCallerIdentityCommand({}));
  assert.equal(rootWho.Arn, `arn:aws:iam::${ACCT}:root`);
  // Out of the model's range (900–129600).
  await expectAwsError(
    server.sts(alice.creds).send(new GetSessionTokenCommand({ DurationSeconds: 899 })),
    'ValidationError',
    400,
    "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
  );
});

test('GetFederationToken: ids, PackedPolicySize 0 without a policy, and the needed permission', async () => {
  const r = await server.sts(broker.creds).send(new GetFederationTokenCommand({ Name: 'fed-bob' }));
  assert.equal(r.FederatedUser?.Arn, `arn:aws:sts::${ACCT}:federated-user/fed-bob`);
  assert.equal(r.FederatedUser?.FederatedUserId, `${ACCT}:fed-bob`);
  assert.equal(r.PackedPolicySize, 0);
  assert.ok(near(r.Credentials?.Expiration, 43_200_000));
  const creds = sessionCreds(r.Credentials);
  const who = await server.sts(creds).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, `arn:aws:sts::${ACCT}:federated-user/fed-bob`);
  assert.equal(who.UserId, `${ACCT}:fed-bob`);
  await expectAwsError(
    server.sts(alice.creds).send(new GetFederationTokenCommand({ Name: 'fed-alice' })),
    'AccessDenied',
    403,
    denied(
      alice.arn,
      'sts:GetFederationToken',
      `arn:aws:sts::${ACCT}:federated-user/fed-alice`,
      'because no identity-based policy allows the sts:GetFederationToken action',
    ),
  );
});

test('GetFederationToken with a session policy reports its packed size; bad policies are refused', async () => {
  const r = await server.sts(broker.creds).send(
    new GetFederationTokenCommand({
      Name: 'fed-carol',
      Policy: JSON.stringify(allow('iam:ListRoles')),
      Tags: [{ Key: 'team', Value: 'blue' }],
      DurationSeconds: 900,
    }),
  );
  assert.ok((r.PackedPolicySize ?? 0) > 0);
  assert.ok(near(r.Credentials?.Expiration, 900_000));
  await expectAwsError(
    server
      .sts(broker.creds)
      .send(new GetFederationTokenCommand({ Name: 'fed-bad', Policy: '{"Statement":' })),
    'MalformedPolicyDocumentException',
    400,
    'Syntax errors in policy.',
  );
  const long = JSON.stringify(allow('s3:GetObject', `arn:aws:s3:::${'x'.repeat(2100)}`));
  await expectAwsError(
    server.sts(broker.creds).send(new GetFederationTokenCommand({ Name: 'fed-long', Policy: long })),
    'ValidationError',
    400,
    `1 validation error detected: Value '${long}' at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048`,
  );
});

test('federation and session-token credentials are limited as AWS documents', async () => {
  const fed = sessionCreds(
    (
      await server
        .sts(broker.creds)
        .send(
          new GetFederationTokenCommand({ Name: 'fed-dave', Policy: JSON.stringify(allow('iam:ListRoles')) }),
        )
    ).Credentials,
  );
  // "You cannot call any IAM operations … You cannot call any STS operations except GetCallerIdentity."
  // (AWS's wording for this case is not recorded; iamd's authorizer names the action and the reason.)
  await expectAwsError(
    server.iam(fed).send(new ListRolesCommand({})),
    'AccessDenied',
    403,
    'Cannot call iam:ListRoles with session credentials obtained via GetFederationToken',
  );
  await expectAwsError(
    server.sts(fed).send(new GetFederationTokenCommand({ Name: 'again' })),
    'AccessDenied',
    403,
    'Cannot call GetFederationToken with session credentials',
  );
  const session = sessionCreds(
    (await server.sts(alice.creds).send(new GetSessionTokenCommand({}))).Credentials,
  );
  await expectAwsError(
    server.sts(session).send(new GetFederationTokenCommand({ Name: 'again' })),
    'AccessDenied',
    403,
    'Cannot call GetFederationToken with session credentials',
  );
  // Role sessions cannot call GetSessionToken either (AssumeRole API reference, "Permissions").
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'for-alice',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  const roleCreds = sessionCreds(
    (
      await server
        .sts(alice.creds)
        .send(
          new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCT}:role/for-alice`, RoleSessionName: 'gst' }),
        )
    ).Credentials,
  );
  await expectAwsError(
    server.sts(roleCreds).send(new GetSessionTokenCommand({})),
    'AccessDenied',
    403,
    'Cannot call GetSessionToken with session credentials',
  );
});
