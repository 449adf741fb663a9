/**
 * MFA-protected roles and GetSessionToken with MFA (shared/DOMAIN.md "MFA-protected roles"; IAM User
 * Guide "Configuring MFA-protected API access"). Texts: shared/reference/aws-errors.md §1. Codes are
 * computed with src/credentials/totp.ts against the server's clock (which these tests move forward).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateRoleCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetUserCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { totpCode } from '../../src/credentials/totp.js';
import { ROOT, startIamd, type Creds, type TestServer } from './harness.js';
import { createUser, denied, expectAwsError, sessionCreds, trust, type TestUser } from './accounts-helper.js';

const ACCT = ROOT.accountId;
const MFA_ROLE = `arn:aws:iam::${ACCT}:role/mfa-role`;
const INVALID_CODE = 'MultiFactorAuthentication failed with invalid MFA one time pass code.';
const UNKNOWN_DEVICE =
  'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.';

let server: TestServer;
let alice: TestUser;
let carol: TestUser;
let aliceSerial = '';
let aliceSeed = '';
let carolSerial = '';
/**
 * How far the server clock has been moved (ms), for TOTP codes of the server's time. Clients sign with
 * their own clock: the test clock moves session and MFA time, not signatures (issue #16 item 8).
 */
let offsetMs = 0;

const config = (creds: Creds) => ({
  endpoint: server.url,
  region: 'us-east-1',
  credentials: creds,
  maxAttempts: 1,
});
const sts = (creds: Creds) => new STSClient(config(creds));
const iam = (creds: Creds = ROOT) => new IAMClient(config(creds));
/** The code for the server's current time step plus `steps`. */
const code = (seed: string, steps = 0) => totpCode(seed, Date.now() + offsetMs + steps * 30_000);

/** Moves the server to the start of a fresh TOTP step, so the window's three steps are unused. */
async function nextWindow(): Promise<void> {
  await server.advance(90);
  offsetMs += 90_000;
}

async function enableDevice(user: TestUser, name: string): Promise<{ serial: string; seed: string }> {
  const d = await iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name }));
  const serial = d.VirtualMFADevice?.SerialNumber ?? '';
  const seed = Buffer.from(d.VirtualMFADevice?.Base32StringSeed ?? new Uint8Array()).toString('utf8');
  await iam().send(
    new EnableMFADeviceCommand({
      UserName: user.name,
      SerialNumber: serial,
      AuthenticationCode1: code(seed, -1),
      AuthenticationCode2: code(seed, 0),
    }),
  );
  return { serial, seed };
}

before(async () => {
  server = await startIamd();
  alice = await createUser(iam(), 'alice', {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'iam:GetUser',
        Resource: '*',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      },
    ],
  });
  carol = await createUser(iam(), 'carol');
  ({ serial: aliceSerial, seed: aliceSeed } = await enableDevice(alice, 'alice-phone'));
  ({ serial: carolSerial } = await enableDevice(carol, 'carol-phone'));
  await iam().send(
    new CreateRoleCommand({
      RoleName: 'mfa-role',
      // aws:MultiFactorAuthAge in the trust policy too: a missing key fails NumericLessThan, so the
      // calls with MFA below prove the trust policy sees the age (0: proven in the request itself).
      AssumeRolePolicyDocument: trust(alice.arn, 'sts:AssumeRole', {
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
        NumericLessThan: { 'aws:MultiFactorAuthAge': '300' },
      }),
    }),
  );
  await iam().send(
    new PutRolePolicyCommand({
      RoleName: 'mfa-role',
      PolicyName: 'mfa-only',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'iam:GetUser',
            Resource: '*',
            Condition: {
              Bool: { 'aws:MultiFactorAuthPresent': 'true' },
              NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
            },
          },
        ],
      }),
    }),
  );
  await nextWindow();
});

after(async () => {
  await server?.stop();
});

test("MFA-protected role: without MFA, with half of it, with a wrong code, another user's device", async () => {
  await expectAwsError(
    sts(alice.creds).send(new AssumeRoleCommand({ RoleArn: MFA_ROLE, RoleSessionName: 'no-mfa' })),
    'AccessDenied',
    403,
    // The trust policy names alice but its MFA condition fails: no resource-based policy allows.
    denied(alice.arn, 'sts:AssumeRole', MFA_ROLE),
  );
  await expectAwsError(
    sts(alice.creds).send(
      new AssumeRoleCommand({ RoleArn: MFA_ROLE, RoleSessionName: 'half', SerialNumber: aliceSerial }),
    ),
    'AccessDenied',
    403,
    'MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.',
  );
  const wrong = code(aliceSeed) === '000000' ? '111111' : '000000';
  await expectAwsError(
    sts(alice.creds).send(
      new AssumeRoleCommand({
        RoleArn: MFA_ROLE,
        RoleSessionName: 'wrong',
        SerialNumber: aliceSerial,
        TokenCode: wrong,
      }),
    ),
    'AccessDenied',
    403,
    INVALID_CODE,
  );
  await expectAwsError(
    sts(alice.creds).send(
      new AssumeRoleCommand({
        RoleArn: MFA_ROLE,
        RoleSessionName: 'not-mine',
        SerialNumber: carolSerial,
        TokenCode: code(aliceSeed),
      }),
    ),
    'AccessDenied',
    403,
    UNKNOWN_DEVICE,
  );
});

test('MFA-protected role: the right code works once; the session carries MFA', async () => {
  const token = code(aliceSeed);
  const r = await sts(alice.creds).send(
    new AssumeRoleCommand({
      RoleArn: MFA_ROLE,
      RoleSessionName: 'with-mfa',
      SerialNumber: aliceSerial,
      TokenCode: token,
    }),
  );
  const creds = sessionCreds(r.Credentials);
  // The role's policy requires aws:MultiFactorAuthPresent and a recent aws:MultiFactorAuthAge.
  const u = await iam(creds).send(new GetUserCommand({ UserName: 'alice' }));
  assert.equal(u.User?.UserName, 'alice');
  // The same code again (RFC 6238 §5.2; AWS answers with the invalid-code text).
  await expectAwsError(
    sts(alice.creds).send(
      new AssumeRoleCommand({
        RoleArn: MFA_ROLE,
        RoleSessionName: 'replay',
        SerialNumber: aliceSerial,
        TokenCode: token,
      }),
    ),
    'AccessDenied',
    403,
    INVALID_CODE,
  );
});

test('a failed AssumeRole does not use up the code', async () => {
  await nextWindow();
  const token = code(aliceSeed);
  // The role does not exist: the call fails after the code verified…
  await expectAwsError(
    sts(alice.creds).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${ACCT}:role/does-not-exist`,
        RoleSessionName: 'denied',
        SerialNumber: aliceSerial,
        TokenCode: token,
      }),
    ),
    'AccessDenied',
    403,
    denied(alice.arn, 'sts:AssumeRole', `arn:aws:iam::${ACCT}:role/does-not-exist`),
  );
  // …so the same code still works for a call that succeeds.
  const r = await sts(alice.creds).send(
    new AssumeRoleCommand({
      RoleArn: MFA_ROLE,
      RoleSessionName: 'after-denial',
      SerialNumber: aliceSerial,
      TokenCode: token,
    }),
  );
  assert.ok(r.Credentials?.AccessKeyId?.startsWith('ASIA'));
});

test('GetSessionToken: without MFA IAM refuses the token; with MFA it works and carries into AssumeRole', async () => {
  const plain = sessionCreds(
    (await sts(alice.creds).send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials,
  );
  await expectAwsError(
    iam(plain).send(new GetUserCommand({ UserName: 'alice' })),
    'InvalidClientTokenId',
    403,
    'The security token included in the request is invalid',
  );
  await nextWindow();
  const withMfa = await sts(alice.creds).send(
    new GetSessionTokenCommand({ SerialNumber: aliceSerial, TokenCode: code(aliceSeed) }),
  );
  const creds = sessionCreds(withMfa.Credentials);
  const who = await sts(creds).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, alice.arn);
  // alice's own policy needs aws:MultiFactorAuthPresent: true in this session.
  assert.equal((await iam(creds).send(new GetUserCommand({ UserName: 'alice' }))).User?.UserName, 'alice');
  // The MFA-authenticated session may assume the MFA-protected role without a new code.
  const r = await sts(creds).send(
    new AssumeRoleCommand({ RoleArn: MFA_ROLE, RoleSessionName: 'from-session' }),
  );
  assert.equal(r.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCT}:assumed-role/mfa-role/from-session`);
  await expectAwsError(
    sts(creds).send(new GetSessionTokenCommand({})),
    'AccessDenied',
    403,
    'Cannot call GetSessionToken with session credentials',
  );
  // A wrong code and someone else's device (aws-errors.md §1, GetSessionToken rows).
  await expectAwsError(
    sts(alice.creds).send(
      new GetSessionTokenCommand({ SerialNumber: carolSerial, TokenCode: code(aliceSeed) }),
    ),
    'AccessDenied',
    403,
    UNKNOWN_DEVICE,
  );
  const wrong = code(aliceSeed) === '000000' ? '111111' : '000000';
  await expectAwsError(
    sts(alice.creds).send(new GetSessionTokenCommand({ SerialNumber: aliceSerial, TokenCode: wrong })),
    'AccessDenied',
    403,
    INVALID_CODE,
  );
});
