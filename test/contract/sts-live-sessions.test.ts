/**
 * Live sessions follow their role: a change to the role (or to a session's managed session policy)
 * applies to sessions already issued, at once, as in AWS (IAM User Guide, "Revoking IAM role temporary
 * security credentials": permissions are evaluated on every request, so "revoke active sessions" is an
 * inline deny on `aws:TokenIssueTime` that the console adds as `AWSRevokeOlderSessions`).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteAccessKeyCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  GetUserCommand,
  PutRolePolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetFederationTokenCommand,
  type AssumeRoleCommandInput,
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
import { runAwsCli } from './support.js';

const ACCT = ROOT.accountId;
let server: TestServer;
let iam: IAMClient;
let assumer: TestUser;

const roleArn = (name: string) => `arn:aws:iam::${ACCT}:role/${name}`;
const sessionArn = (role: string, session: string) => `arn:aws:sts::${ACCT}:assumed-role/${role}/${session}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  server = await startIamd();
  iam = server.iam();
  assumer = await createUser(iam, 'assumer', allow('sts:AssumeRole'));
});

after(async () => {
  await server?.stop();
});

/** Creates `name`, trusting the assumer, with an inline policy allowing iam:GetUser. */
async function readerRole(name: string): Promise<void> {
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust(assumer.arn) }));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: 'read',
      PolicyDocument: JSON.stringify(allow('iam:GetUser')),
    }),
  );
}

async function assume(input: AssumeRoleCommandInput): Promise<Creds> {
  const r = await server.sts(assumer.creds).send(new AssumeRoleCommand(input));
  return sessionCreds(r.Credentials);
}

/** The probe call: GetUser on the assumer, which every role here allows until it is changed. */
const getUser = (creds: Creds) => server.iam(creds).send(new GetUserCommand({ UserName: 'assumer' }));

test('a policy removed from the role leaves its live sessions at once', async () => {
  await readerRole('live-remove');
  const creds = await assume({ RoleArn: roleArn('live-remove'), RoleSessionName: 'live' });
  await getUser(creds);
  await iam.send(new DeleteRolePolicyCommand({ RoleName: 'live-remove', PolicyName: 'read' }));
  await expectAwsError(
    getUser(creds),
    'AccessDenied',
    403,
    denied(
      sessionArn('live-remove', 'live'),
      'iam:GetUser',
      assumer.arn,
      'because no identity-based policy allows the iam:GetUser action',
    ),
  );
});

test('revoke active sessions: a deny on aws:TokenIssueTime stops older sessions, not newer ones', async () => {
  await readerRole('live-revoke');
  const older = await assume({ RoleArn: roleArn('live-revoke'), RoleSessionName: 'older' });
  await getUser(older);
  // The console's policy names a whole second; step past the older session's issue time first.
  await sleep(1100);
  const cutoff = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'live-revoke',
      PolicyName: 'AWSRevokeOlderSessions',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Action: ['*'],
            Resource: ['*'],
            Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } },
          },
        ],
      }),
    }),
  );
  await expectAwsError(
    getUser(older),
    'AccessDenied',
    403,
    denied(
      sessionArn('live-revoke', 'older'),
      'iam:GetUser',
      assumer.arn,
      'with an explicit deny in an identity-based policy',
    ),
  );
  await sleep(1100);
  const newer = await assume({ RoleArn: roleArn('live-revoke'), RoleSessionName: 'newer' });
  await getUser(newer);
});

test('a role deleted and created again under its name does not take back the old sessions', async () => {
  await readerRole('live-recreate');
  const creds = await assume({ RoleArn: roleArn('live-recreate'), RoleSessionName: 'live' });
  await getUser(creds);
  await iam.send(new DeleteRolePolicyCommand({ RoleName: 'live-recreate', PolicyName: 'read' }));
  await iam.send(new DeleteRoleCommand({ RoleName: 'live-recreate' }));
  await readerRole('live-recreate');
  // The new role has a new id; the old session was issued for the old one.
  await expectAwsError(
    getUser(creds),
    'AccessDenied',
    403,
    denied(
      sessionArn('live-recreate', 'live'),
      'iam:GetUser',
      assumer.arn,
      'because no identity-based policy allows the iam:GetUser action',
    ),
  );
  await getUser(await assume({ RoleArn: roleArn('live-recreate'), RoleSessionName: 'live' }));
});

test('a session whose managed session policy was deleted is allowed nothing, not everything', async () => {
  await readerRole('live-session-policy');
  const policy = await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'session-read',
      PolicyDocument: JSON.stringify(allow('iam:GetUser')),
    }),
  );
  const arn = policy.Policy?.Arn ?? '';
  const creds = await assume({
    RoleArn: roleArn('live-session-policy'),
    RoleSessionName: 'live',
    PolicyArns: [{ arn }],
  });
  await getUser(creds);
  // Nothing attaches it, so AWS (and iamd) let it be deleted while the session lives.
  await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
  await expectAwsError(
    getUser(creds),
    'AccessDenied',
    403,
    denied(
      sessionArn('live-session-policy', 'live'),
      'iam:GetUser',
      assumer.arn,
      'because no session policy allows the iam:GetUser action',
    ),
  );
});

/** `aws cloudtrail lookup-events --max-results 1` with `creds`. */
const lookupEvents = (creds: Creds) =>
  runAwsCli(creds, '/nonexistent', [
    'cloudtrail',
    'lookup-events',
    '--max-results',
    '1',
    '--endpoint-url',
    server.url,
    '--region',
    'us-east-1',
  ]);

test("a federation token does not pass to a new user made under its broker's name", async () => {
  // A federated user may call CloudTrail (not IAM or STS), with its broker's permissions intersected
  // with its session policy.
  const policy = allow(['sts:GetFederationToken', 'cloudtrail:LookupEvents']);
  let broker = await createUser(iam, 'live-broker', policy);
  const federate = async () =>
    sessionCreds(
      (
        await server.sts(broker.creds).send(
          new GetFederationTokenCommand({
            Name: 'live-fed',
            Policy: JSON.stringify(allow('cloudtrail:LookupEvents')),
          }),
        )
      ).Credentials,
    );
  const old = await federate();
  assert.equal(lookupEvents(old).status, 0, lookupEvents(old).stderr);
  await iam.send(
    new DeleteAccessKeyCommand({ UserName: 'live-broker', AccessKeyId: broker.creds.accessKeyId }),
  );
  await iam.send(new DeleteUserPolicyCommand({ UserName: 'live-broker', PolicyName: 'inline' }));
  await iam.send(new DeleteUserCommand({ UserName: 'live-broker' }));
  broker = await createUser(iam, 'live-broker', policy);
  const refused = lookupEvents(old);
  assert.equal(refused.status, 254);
  assert.match(
    refused.stderr,
    /\(AccessDeniedException\) when calling the LookupEvents operation: User: arn:aws:sts::111122223333:federated-user\/live-fed is not authorized to perform: cloudtrail:LookupEvents/,
  );
  // The new user's own federation tokens work.
  const fresh = await federate();
  assert.equal(lookupEvents(fresh).status, 0);
});
