/**
 * `--test-clock` (issue #16 item 8): `POST /_iamd/clock` expires sessions, not signatures. The real
 * AWS CLI signs with the machine's clock; after the server clock moves past a session's expiry, that
 * session gets ExpiredToken with STS's and IAM's wording ("The security token included in the request
 * is expired", HTTP 403 — shared/reference/aws-errors.md, prowler-cloud/prowler#789), while long-term
 * keys and sessions issued after the move keep working (no "Signature expired").
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { startIamd, type Creds, type TestServer } from './harness.js';
import { createUser, sessionCreds, type TestUser } from './accounts-helper.js';
import { runAwsCli } from './support.js';

let server: TestServer;
let user: TestUser;

before(async () => {
  server = await startIamd();
  user = await createUser(server.iam(), 'clock-user');
});

after(async () => {
  await server?.stop();
});

const cli = (creds: Creds, ...args: string[]) =>
  runAwsCli(creds, '/nonexistent', [...args, '--endpoint-url', server.url, '--region', 'us-east-1']);

const session = async (): Promise<Creds> =>
  sessionCreds(
    (await server.sts(user.creds).send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials,
  );

test('advancing the test clock expires a session for the AWS CLI; fresh credentials keep working', async () => {
  const old = await session();
  const before = cli(old, 'sts', 'get-caller-identity');
  assert.equal(before.status, 0, before.stderr);
  assert.equal(JSON.parse(before.stdout).Arn, user.arn);

  await server.advance(901);

  const sts = cli(old, 'sts', 'get-caller-identity');
  assert.equal(sts.status, 254, sts.stderr);
  assert.match(
    sts.stderr,
    /An error occurred \(ExpiredToken\) when calling the GetCallerIdentity operation: The security token included in the request is expired$/m,
  );
  const iam = cli(old, 'iam', 'get-user');
  assert.equal(iam.status, 254, iam.stderr);
  assert.match(
    iam.stderr,
    /An error occurred \(ExpiredToken\) when calling the GetUser operation: The security token included in the request is expired$/m,
  );

  // Signatures are checked against real time: the long-term key and a new session still work.
  const longTerm = cli(user.creds, 'sts', 'get-caller-identity');
  assert.equal(longTerm.status, 0, longTerm.stderr);
  assert.equal(JSON.parse(longTerm.stdout).Arn, user.arn);
  const fresh = cli(await session(), 'sts', 'get-caller-identity');
  assert.equal(fresh.status, 0, fresh.stderr);
  assert.equal(JSON.parse(fresh.stdout).Arn, user.arn);
});
