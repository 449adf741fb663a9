// An application with only the instance-metadata endpoint (issue #18's EC2 scenario): its SDK takes
// the instance profile role's credentials from iamd's IMDS (`AWS_EC2_METADATA_SERVICE_ENDPOINT`, AWS
// SDKs and Tools Reference Guide, "IMDS credential provider"), writes to its table through the gateway
// and is denied on another.
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient, PutItemCommand, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { fromInstanceMetadata } from '@aws-sdk/credential-providers';
import { ROOT, startIamd, type TestServer } from '../contract/harness.js';
import { createIdTable, dynamoDbClient } from './setup.js';
import { startDynalite, type Upstream } from './upstreams.js';

const INSTANCE = 'i-0123456789abcdef0';
const ACCOUNT = ROOT.accountId;
let upstream: Upstream;
let server: TestServer;
let imdsPort = 0;

/** A free loopback port (IMDS listens on a fixed address the test must know). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

before(async () => {
  upstream = await startDynalite();
  imdsPort = await freePort();
  server = await startIamd([
    '--upstream',
    `dynamodb=${upstream.url}`,
    '--imds',
    `127.0.0.1:${imdsPort}`,
    '--instance',
    `${INSTANCE}=app-profile`,
  ]);
  const root = dynamoDbClient(server.url);
  for (const TableName of ['AppTable', 'OtherTable']) await createIdTable(root, TableName);
  const iam = server.iam();
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'app-role',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'app-role',
      PolicyName: 'own-table',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'dynamodb:PutItem',
            Resource: `arn:aws:dynamodb:*:${ACCOUNT}:table/AppTable`,
          },
        ],
      }),
    }),
  );
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'app-profile' }));
  await iam.send(
    new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'app-profile', RoleName: 'app-role' }),
  );
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = `http://127.0.0.1:${imdsPort}/`;
});

after(async () => {
  delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
  await server?.stop();
  await upstream?.stop();
});

test('IMDS credentials write to the role’s table and are denied on another', async () => {
  const app = new DynamoDBClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: fromInstanceMetadata({ maxRetries: 0, timeout: 2000 }),
    maxAttempts: 1,
  });
  await app.send(new PutItemCommand({ TableName: 'AppTable', Item: { id: { S: '1' } } }));
  await assert.rejects(
    app.send(new PutItemCommand({ TableName: 'OtherTable', Item: { id: { S: '1' } } })),
    (e: unknown) => {
      assert.ok(e instanceof DynamoDBServiceException);
      assert.equal(e.name, 'AccessDeniedException');
      assert.equal(
        e.message,
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/app-role/${INSTANCE} is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/OtherTable because no identity-based policy allows the dynamodb:PutItem action`,
      );
      return true;
    },
  );
});
