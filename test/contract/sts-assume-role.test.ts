/**
 * AssumeRole through the real SDK v3 clients: the seed flows (shared/DOMAIN.md "Assuming a role"),
 * AWS's validation and messages (shared/reference/aws-errors.md §1 and the STS rows), session
 * policies, session tags, source identity, role chaining, external id and expiry.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRoleCommand,
  ListRolesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  GetUserCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  DecodeAuthorizationMessageCommand,
  GetCallerIdentityCommand,
  type AssumeRoleCommandInput,
  STSClient,
} from '@aws-sdk/client-sts';
import { ROOT, startIamd, type Creds, type TestServer } from './harness.js';
import {
  allow,
  createUser,
  denied,
  expectAwsError,
  sessionCreds,
  trust,
  type TestUser,
} from './accounts-helper.js';

const ACCT = ROOT.accountId;
const roleArn = (name: string) => `arn:aws:iam::${ACCT}:role/${name}`;
const sessionArn = (role: string, session: string) => `arn:aws:sts::${ACCT}:assumed-role/${role}/${session}`;

let server: TestServer;
let iam: IAMClient;
let alice: TestUser; // no permissions of her own
let bob: TestUser; // allowed sts:AssumeRole on everything
const roleIds: Record<string, string> = {};

async function createRole(
  name: string,
  trustPolicy: string,
  extra: { MaxSessionDuration?: number } = {},
): Promise<void> {
  const r = await iam.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy, ...extra }),
  );
  roleIds[name] = r.Role?.RoleId ?? '';
}

function assume(creds: Creds, input: Omit<AssumeRoleCommandInput, 'RoleArn'> & { RoleArn: string }) {
  return server.sts(creds).send(new AssumeRoleCommand(input));
}

/** SDK client settings for `creds` (used where the harness's clients do not fit). */
function clientConfig(creds: Creds) {
  return { endpoint: server.url, region: 'us-east-1', credentials: creds, maxAttempts: 1 };
}

function sts(creds: Creds): STSClient {
  return server.sts(creds);
}

before(async () => {
  server = await startIamd();
  iam = server.iam();
  alice = await createUser(iam, 'alice');
  bob = await createUser(iam, 'bob', allow(['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']));
  // Seed 000: a read-only role that trusts alice by ARN (DOMAIN.md row 4: no identity allow needed).
  await createRole('read-only', trust([alice.arn, bob.arn]));
  await iam.send(
    new AttachRolePolicyCommand({
      RoleName: 'read-only',
      PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    }),
  );
  // A role that trusts the account: bob's identity policy must allow (row 2).
  await createRole(
    'account-trust',
    trust(ACCT, ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']),
    {
      MaxSessionDuration: 7200,
    },
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'account-trust',
      PolicyName: 'chain',
      PolicyDocument: JSON.stringify(
        allow(['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity', 'iam:Get*']),
      ),
    }),
  );
  // A role trusting bob only with an external id (DOMAIN.md: confused deputy).
  await createRole(
    'partner',
    trust(bob.arn, 'sts:AssumeRole', { StringEquals: { 'sts:ExternalId': '12345' } }),
  );
  // AWS refuses a trust policy naming a user that does not exist ("AWS JSON policy elements:
  // Principal", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html),
  // so the user trusted here exists; it is simply neither alice nor bob.
  await createUser(iam, 'nobody-here');
  await createRole('untrusting', trust(`arn:aws:iam::${ACCT}:user/nobody-here`));
});

after(async () => {
  await server?.stop();
});

test('seed 000: a user with no permissions assumes a role that trusts her, and acts as the role only', async () => {
  const r = await assume(alice.creds, { RoleArn: roleArn('read-only'), RoleSessionName: 'alice-session' });
  assert.ok(r.Credentials?.AccessKeyId?.startsWith('ASIA'), 'temporary key ids start with ASIA');
  assert.equal(r.Credentials?.AccessKeyId?.length, 20);
  assert.equal(r.Credentials?.SecretAccessKey?.length, 40);
  assert.equal(r.AssumedRoleUser?.Arn, sessionArn('read-only', 'alice-session'));
  assert.equal(r.AssumedRoleUser?.AssumedRoleId, `${roleIds['read-only']}:alice-session`);
  assert.match(r.AssumedRoleUser?.AssumedRoleId ?? '', /^AROA[A-Z2-7]{17}:alice-session$/);
  assert.equal(r.PackedPolicySize, undefined, 'a plain AssumeRole answer has no PackedPolicySize');
  assert.equal(r.SourceIdentity, undefined);
  // Default duration one hour (AssumeRole API reference), rendered with whole seconds.
  const expires = r.Credentials?.Expiration?.getTime() ?? 0;
  assert.ok(
    Math.abs(expires - (Date.now() + 3600_000)) < 5_000,
    `expires ${r.Credentials?.Expiration?.toISOString()}`,
  );

  const creds = sessionCreds(r.Credentials);
  const who = await sts(creds).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, sessionArn('read-only', 'alice-session'));
  assert.equal(who.UserId, `${roleIds['read-only']}:alice-session`);
  assert.equal(who.Account, ACCT);

  // Reads work (ReadOnlyAccess allows iam:Get*/List*); writes are AccessDenied naming the session.
  const roles = await server.iam(creds).send(new ListRolesCommand({}));
  assert.ok(roles.Roles?.some((x) => x.RoleName === 'read-only'));
  await expectAwsError(
    server.iam(creds).send(new CreateUserCommand({ UserName: 'mallory' })),
    'AccessDenied',
    403,
    denied(
      sessionArn('read-only', 'alice-session'),
      'iam:CreateUser',
      `arn:aws:iam::${ACCT}:user/mallory`,
      'because no identity-based policy allows the iam:CreateUser action',
    ),
  );
  // Alice's own credentials still cannot read: switching to a role replaces permissions.
  await expectAwsError(
    server.iam(alice.creds).send(new ListUsersCommand({})),
    'AccessDenied',
    403,
    denied(
      alice.arn,
      'iam:ListUsers',
      `arn:aws:iam::${ACCT}:user/`,
      'because no identity-based policy allows the iam:ListUsers action',
    ),
  );
});

test('RoleLastUsed records the assumption', async () => {
  await assume(alice.creds, { RoleArn: roleArn('read-only'), RoleSessionName: 'last-used' });
  const r = await iam.send(new GetRoleCommand({ RoleName: 'read-only' }));
  assert.ok(r.Role?.RoleLastUsed?.LastUsedDate instanceof Date);
  assert.equal(r.Role?.RoleLastUsed?.Region, 'us-east-1');
});

test('the account root may not assume roles', async () => {
  await expectAwsError(
    assume(ROOT, { RoleArn: roleArn('read-only'), RoleSessionName: 'root' }),
    'AccessDenied',
    403,
    'Roles may not be assumed by root accounts.',
  );
});

test('a role that does not exist is the same AccessDenied as one that does not trust the caller', async () => {
  // AWS's plain form, without a reason clause (shared/reference/aws-errors.md §1): nothing in the answer
  // tells a missing role from one that exists.
  await expectAwsError(
    assume(bob.creds, { RoleArn: roleArn('untrusting'), RoleSessionName: 'probe' }),
    'AccessDenied',
    403,
    denied(bob.arn, 'sts:AssumeRole', roleArn('untrusting')),
  );
  await expectAwsError(
    assume(bob.creds, { RoleArn: roleArn('no-such-role'), RoleSessionName: 'probe' }),
    'AccessDenied',
    403,
    denied(bob.arn, 'sts:AssumeRole', roleArn('no-such-role')),
  );
  // Another account's role that does not exist: no NoSuchEntity either.
  await expectAwsError(
    assume(bob.creds, { RoleArn: 'arn:aws:iam::999988887777:role/ghost', RoleSessionName: 'probe' }),
    'AccessDenied',
    403,
    denied(bob.arn, 'sts:AssumeRole', 'arn:aws:iam::999988887777:role/ghost'),
  );
  // A caller with no identity allow: a role that trusts her account (denied for want of an identity
  // allow) answers exactly like a role that is not there (denied by no trust policy at all).
  for (const name of ['account-trust', 'no-such-role'])
    await expectAwsError(
      assume(alice.creds, { RoleArn: roleArn(name), RoleSessionName: 'probe' }),
      'AccessDenied',
      403,
      denied(alice.arn, 'sts:AssumeRole', roleArn(name)),
    );
});

test('malformed RoleArn and RoleSessionName are AWS ValidationErrors', async () => {
  // Recorded: test_sts_invalid_parameters malformed-arn / invalid-session-name.
  await expectAwsError(
    assume(bob.creds, { RoleArn: 'nothing-valid-in-here', RoleSessionName: 's1' }),
    'ValidationError',
    400,
    'nothing-valid-in-here is invalid',
  );
  await expectAwsError(
    assume(bob.creds, { RoleArn: roleArn('read-only'), RoleSessionName: 'Session1:2' }),
    'ValidationError',
    400,
    "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
  );
});

test('DurationSeconds: up to the role MaxSessionDuration, AWS text beyond', async () => {
  const ok = await assume(bob.creds, {
    RoleArn: roleArn('account-trust'),
    RoleSessionName: 'long',
    DurationSeconds: 7200,
  });
  const expires = ok.Credentials?.Expiration?.getTime() ?? 0;
  assert.ok(Math.abs(expires - (Date.now() + 7200_000)) < 5_000);
  await expectAwsError(
    assume(bob.creds, { RoleArn: roleArn('read-only'), RoleSessionName: 'long', DurationSeconds: 7200 }),
    'ValidationError',
    400,
    'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
  );
});

test('role chaining: at most one hour, and the chained session acts as the second role', async () => {
  const first = sessionCreds(
    (await assume(bob.creds, { RoleArn: roleArn('account-trust'), RoleSessionName: 'hop1' })).Credentials,
  );
  await expectAwsError(
    assume(first, { RoleArn: roleArn('account-trust'), RoleSessionName: 'hop2', DurationSeconds: 3601 }),
    'ValidationError',
    400,
    'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
  );
  const second = await assume(first, {
    RoleArn: roleArn('account-trust'),
    RoleSessionName: 'hop2',
    DurationSeconds: 3600,
  });
  const who = await sts(sessionCreds(second.Credentials)).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, sessionArn('account-trust', 'hop2'));
});

test('external id: none and wrong are denied, the right one is accepted', async () => {
  const message = denied(bob.arn, 'sts:AssumeRole', roleArn('partner'));
  await expectAwsError(
    assume(bob.creds, { RoleArn: roleArn('partner'), RoleSessionName: 'partner' }),
    'AccessDenied',
    403,
    message,
  );
  await expectAwsError(
    assume(bob.creds, { RoleArn: roleArn('partner'), RoleSessionName: 'partner', ExternalId: '54321' }),
    'AccessDenied',
    403,
    message,
  );
  const r = await assume(bob.creds, {
    RoleArn: roleArn('partner'),
    RoleSessionName: 'partner',
    ExternalId: '12345',
  });
  assert.equal(r.AssumedRoleUser?.Arn, sessionArn('partner', 'partner'));
});

test('session policies narrow the session; PackedPolicySize is reported', async () => {
  const policy = JSON.stringify(allow('iam:GetRole'));
  const r = await assume(alice.creds, {
    RoleArn: roleArn('read-only'),
    RoleSessionName: 'narrow',
    Policy: policy,
  });
  assert.equal(typeof r.PackedPolicySize, 'number');
  assert.ok((r.PackedPolicySize ?? 0) > 0 && (r.PackedPolicySize ?? 0) <= 100);
  const creds = sessionCreds(r.Credentials);
  const role = await server.iam(creds).send(new GetRoleCommand({ RoleName: 'read-only' }));
  assert.equal(role.Role?.RoleName, 'read-only');
  await expectAwsError(
    server.iam(creds).send(new ListRolesCommand({})),
    'AccessDenied',
    403,
    denied(
      sessionArn('read-only', 'narrow'),
      'iam:ListRoles',
      `arn:aws:iam::${ACCT}:role/`,
      'because no session policy allows the iam:ListRoles action',
    ),
  );
  // A managed policy as session policy (PolicyArns) narrows the same way.
  const p = await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'only-get-user',
      PolicyDocument: JSON.stringify(allow('iam:GetUser')),
    }),
  );
  const m = await assume(alice.creds, {
    RoleArn: roleArn('read-only'),
    RoleSessionName: 'managed',
    PolicyArns: [{ arn: p.Policy?.Arn }],
  });
  assert.equal(typeof m.PackedPolicySize, 'number');
  const mc = sessionCreds(m.Credentials);
  assert.equal(
    (await server.iam(mc).send(new GetUserCommand({ UserName: 'alice' }))).User?.UserName,
    'alice',
  );
  await expectAwsError(
    server.iam(mc).send(new GetRoleCommand({ RoleName: 'read-only' })),
    'AccessDenied',
    403,
    denied(
      sessionArn('read-only', 'managed'),
      'iam:GetRole',
      roleArn('read-only'),
      'because no session policy allows the iam:GetRole action',
    ),
  );
});

test('session policy errors: malformed document, unknown managed policy', async () => {
  await expectAwsError(
    assume(alice.creds, {
      RoleArn: roleArn('read-only'),
      RoleSessionName: 'bad',
      Policy: '{"Version":"2012-10-17"',
    }),
    'MalformedPolicyDocumentException',
    400,
    'Syntax errors in policy.',
  );
  const missing = `arn:aws:iam::${ACCT}:policy/does-not-exist`;
  await expectAwsError(
    assume(alice.creds, {
      RoleArn: roleArn('read-only'),
      RoleSessionName: 'bad',
      PolicyArns: [{ arn: missing }],
    }),
    'InvalidParameterValue',
    400,
    `Policy ${missing} does not exist or is not attachable.`,
  );
});

test('trust-policy conditions on sts:RoleSessionName, sts:SourceIdentity, aws:TagKeys, sts:TransitiveTagKeys', async () => {
  // IAM User Guide, "AWS STS condition keys": each is in the request context of AssumeRole (and of its
  // sts:TagSession / sts:SetSourceIdentity authorizations). One statement requires all four.
  await createRole(
    'conditioned',
    trust(bob.arn, ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'], {
      StringLike: { 'sts:RoleSessionName': 'ci-*' },
      StringEquals: { 'sts:SourceIdentity': 'bob-src' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'cost'], 'sts:TransitiveTagKeys': ['team'] },
    }),
  );
  const good = {
    RoleArn: roleArn('conditioned'),
    RoleSessionName: 'ci-build',
    SourceIdentity: 'bob-src',
    Tags: [
      { Key: 'team', Value: 'blue' },
      { Key: 'cost', Value: '42' },
    ],
    TransitiveTagKeys: ['team'],
  };
  const r = await assume(bob.creds, good);
  assert.equal(r.AssumedRoleUser?.Arn, sessionArn('conditioned', 'ci-build'));
  assert.equal(r.SourceIdentity, 'bob-src');
  const refused = denied(bob.arn, 'sts:AssumeRole', roleArn('conditioned'));
  const variants: [string, AssumeRoleCommandInput][] = [
    ['session name', { ...good, RoleSessionName: 'dev-build' }],
    ['source identity', { ...good, SourceIdentity: 'mallory' }],
    ['no source identity', { ...good, SourceIdentity: undefined }],
    ['tag key', { ...good, Tags: [...good.Tags, { Key: 'owner', Value: 'x' }] }],
    ['transitive key', { ...good, TransitiveTagKeys: ['team', 'cost'] }],
  ];
  for (const [what, input] of variants)
    await assert.doesNotReject(
      expectAwsError(assume(bob.creds, { ...input, RoleArn: good.RoleArn }), 'AccessDenied', 403, refused),
      what,
    );
});

test('session tags need sts:TagSession in the trust policy, and appear in conditions', async () => {
  // read-only trusts only sts:AssumeRole, so tags are refused there (aws-errors.md §1, TagSession row).
  await expectAwsError(
    assume(bob.creds, {
      RoleArn: roleArn('read-only'),
      RoleSessionName: 'tagged',
      Tags: [{ Key: 'team', Value: 'blue' }],
    }),
    'AccessDenied',
    403,
    denied(bob.arn, 'sts:TagSession', roleArn('read-only')),
  );
  // A role whose permissions depend on the session tag, and whose trust policy requires the tag.
  await createRole(
    'tagged',
    trust(bob.arn, ['sts:AssumeRole', 'sts:TagSession'], { StringEquals: { 'aws:RequestTag/team': 'blue' } }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'tagged',
      PolicyName: 'by-tag',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'iam:GetUser',
            Resource: '*',
            Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } },
          },
        ],
      }),
    }),
  );
  await expectAwsError(
    assume(bob.creds, {
      RoleArn: roleArn('tagged'),
      RoleSessionName: 'tagged',
      Tags: [{ Key: 'team', Value: 'red' }],
    }),
    'AccessDenied',
    403,
    denied(bob.arn, 'sts:AssumeRole', roleArn('tagged')),
  );
  const r = await assume(bob.creds, {
    RoleArn: roleArn('tagged'),
    RoleSessionName: 'tagged',
    Tags: [{ Key: 'team', Value: 'blue' }],
  });
  assert.equal(typeof r.PackedPolicySize, 'number');
  const got = await server.iam(sessionCreds(r.Credentials)).send(new GetUserCommand({ UserName: 'bob' }));
  assert.equal(got.User?.UserName, 'bob');
  // Tag validation (recorded against AWS).
  await expectAwsError(
    assume(bob.creds, {
      RoleArn: roleArn('tagged'),
      RoleSessionName: 'tagged',
      Tags: [
        { Key: 'team', Value: 'blue' },
        { Key: 'TEAM', Value: 'red' },
      ],
    }),
    'InvalidParameterValue',
    400,
    'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
  );
  await expectAwsError(
    assume(bob.creds, {
      RoleArn: roleArn('tagged'),
      RoleSessionName: 'tagged',
      Tags: [{ Key: 'team', Value: 'blue' }],
      TransitiveTagKeys: ['dept'],
    }),
    'InvalidParameterValue',
    400,
    'The specified transitive tag key must be included in the requested tags.',
  );
});

test('transitive tags carry through a chain and cannot be overridden there', async () => {
  const first = await assume(bob.creds, {
    RoleArn: roleArn('account-trust'),
    RoleSessionName: 'tr1',
    Tags: [
      { Key: 'team', Value: 'blue' },
      { Key: 'cost', Value: '42' },
    ],
    TransitiveTagKeys: ['team'],
  });
  const creds = sessionCreds(first.Credentials);
  await expectAwsError(
    assume(creds, {
      RoleArn: roleArn('tagged'),
      RoleSessionName: 'tr2',
      Tags: [{ Key: 'Team', Value: 'red' }],
    }),
    'InvalidParameterValue',
    400,
    "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
  );
  // `tagged` trusts bob only; a chain through account-trust reaches it when trusted by that role.
  await createRole(
    'tagged-chain',
    trust(roleArn('account-trust'), ['sts:AssumeRole', 'sts:TagSession'], {
      StringEquals: { 'aws:RequestTag/team': 'blue' },
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'tagged-chain',
      PolicyName: 'by-tag',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'iam:GetUser',
            Resource: '*',
            Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } },
          },
          {
            Effect: 'Deny',
            Action: 'iam:GetUser',
            Resource: '*',
            Condition: { Null: { 'aws:PrincipalTag/cost': 'false' } },
          },
        ],
      }),
    }),
  );
  const second = await assume(creds, { RoleArn: roleArn('tagged-chain'), RoleSessionName: 'tr2' });
  // team (transitive) carried; cost (not transitive) did not, so the Deny on its presence does not apply.
  const got = await server
    .iam(sessionCreds(second.Credentials))
    .send(new GetUserCommand({ UserName: 'bob' }));
  assert.equal(got.User?.UserName, 'bob');
});

test('source identity is set once, needs sts:SetSourceIdentity, and sticks through chains', async () => {
  await expectAwsError(
    assume(bob.creds, {
      RoleArn: roleArn('read-only'),
      RoleSessionName: 'si',
      SourceIdentity: 'bob@example.com',
    }),
    'AccessDenied',
    403,
    denied(bob.arn, 'sts:SetSourceIdentity', roleArn('read-only')),
  );
  const first = await assume(bob.creds, {
    RoleArn: roleArn('account-trust'),
    RoleSessionName: 'si1',
    SourceIdentity: 'bob@example.com',
  });
  assert.equal(first.SourceIdentity, 'bob@example.com');
  const creds = sessionCreds(first.Credentials);
  // Inherited: the chained session keeps it without passing it, and a different value is refused.
  const second = await assume(creds, { RoleArn: roleArn('account-trust'), RoleSessionName: 'si2' });
  assert.equal(second.SourceIdentity, 'bob@example.com');
  await expectAwsError(
    assume(creds, { RoleArn: roleArn('account-trust'), RoleSessionName: 'si3', SourceIdentity: 'mallory' }),
    'AccessDenied',
    403,
    denied(sessionArn('account-trust', 'si1'), 'sts:SetSourceIdentity', roleArn('account-trust')),
  );
  // Chaining into a role whose trust policy lacks sts:SetSourceIdentity fails: it is inherited.
  await createRole('no-si', trust(roleArn('account-trust')));
  await expectAwsError(
    assume(creds, { RoleArn: roleArn('no-si'), RoleSessionName: 'si4' }),
    'AccessDenied',
    403,
    denied(sessionArn('account-trust', 'si1'), 'sts:SetSourceIdentity', roleArn('no-si')),
  );
});

test('DecodeAuthorizationMessage refuses garbage', async () => {
  await expectAwsError(
    sts(ROOT).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'not-a-message' })),
    'InvalidAuthorizationMessageException',
    400,
    'the encoded authorization message is invalid',
  );
  // Needs sts:DecodeAuthorizationMessage.
  await expectAwsError(
    sts(alice.creds).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'not-a-message' })),
    'AccessDenied',
    403,
    denied(
      alice.arn,
      'sts:DecodeAuthorizationMessage',
      '*',
      'because no identity-based policy allows the sts:DecodeAuthorizationMessage action',
    ),
  );
});

// Last: it moves the server clock forward.
test('expired session credentials get ExpiredToken with AWS text', async () => {
  const r = await assume(alice.creds, {
    RoleArn: roleArn('read-only'),
    RoleSessionName: 'short',
    DurationSeconds: 900,
  });
  const creds = sessionCreds(r.Credentials);
  await sts(creds).send(new GetCallerIdentityCommand({}));
  await server.advance(901);
  // An unmodified client (its own clock): the moved clock expires sessions, not signatures (issue #16 item 8).
  const late = new STSClient(clientConfig(creds));
  await expectAwsError(
    late.send(new GetCallerIdentityCommand({})),
    'ExpiredToken',
    403,
    'The security token included in the request is expired',
  );
  await expectAwsError(
    new IAMClient(clientConfig(creds)).send(new ListRolesCommand({})),
    'ExpiredToken',
    403,
    'The security token included in the request is expired',
  );
});
