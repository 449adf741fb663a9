// The gateway in front of a DynamoDB-compatible store (dynalite), driven by unmodified
// @aws-sdk/client-dynamodb (issue #18): AccessDeniedException in DynamoDB's JSON form, a policy limited
// by dynamodb:LeadingKeys, per-table batch authorization, ExpiredTokenException after a session's end.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DynamoDBClient,
  CreateTableCommand,
  PutItemCommand,
  GetItemCommand,
  BatchWriteItemCommand,
  ListTablesCommand,
  PutResourcePolicyCommand,
  GetResourcePolicyCommand,
  DeleteResourcePolicyCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { expectAwsError } from '../contract/support.js';
import { createUser } from '../contract/accounts-helper.js';
import { ROOT, startIamd, type Creds, type TestServer } from '../contract/harness.js';
import { startDynalite, type Upstream } from './upstreams.js';

const ACCOUNT = ROOT.accountId;
let upstream: Upstream;
let server: TestServer;

function ddb(creds: Creds = ROOT): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: creds,
    maxAttempts: 1,
  });
}

const rejectsWith = (p: Promise<unknown>, name: string, message?: string) =>
  expectAwsError(p, name, 400, message);

/** A user of this account with an access key and, when given, the inline policy `policy`. */
async function newUser(name: string, policy?: object): Promise<Creds> {
  return (await createUser(server.iam(), name, policy)).creds;
}

before(async () => {
  upstream = await startDynalite();
  server = await startIamd(['--upstream', `dynamodb=${upstream.url}`]);
  for (const TableName of ['Music', 'Other'])
    await ddb().send(
      new CreateTableCommand({
        TableName,
        KeySchema: [{ AttributeName: 'Artist', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'Artist', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
});

after(async () => {
  await server?.stop();
  await upstream?.stop();
});

test('the account root writes and reads items through the gateway', async () => {
  await ddb().send(
    new PutItemCommand({ TableName: 'Music', Item: { Artist: { S: 'Acme' }, Song: { S: 'x' } } }),
  );
  const got = await ddb().send(new GetItemCommand({ TableName: 'Music', Key: { Artist: { S: 'Acme' } } }));
  assert.equal(got.Item?.['Song']?.S, 'x');
  const tables = await ddb().send(new ListTablesCommand({}));
  assert.deepEqual(tables.TableNames, ['Music', 'Other']);
});

test('a user without permission gets AccessDeniedException in DynamoDB JSON, AWS words', async () => {
  const creds = await newUser('ddb-nobody');
  await rejectsWith(
    ddb(creds).send(new PutItemCommand({ TableName: 'Music', Item: { Artist: { S: 'Mallory' } } })),
    'AccessDeniedException',
    `User: arn:aws:iam::${ACCOUNT}:user/ddb-nobody is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Music because no identity-based policy allows the dynamodb:PutItem action`,
  );
});

test('dynamodb:LeadingKeys limits a user to their own partition; batch writes are authorized per table', async () => {
  const creds = await newUser('ddb-alice', {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:BatchWriteItem'],
        Resource: `arn:aws:dynamodb:*:${ACCOUNT}:table/Music`,
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['alice'] } },
      },
    ],
  });
  await ddb(creds).send(new PutItemCommand({ TableName: 'Music', Item: { Artist: { S: 'alice' } } }));
  await rejectsWith(
    ddb(creds).send(new PutItemCommand({ TableName: 'Music', Item: { Artist: { S: 'bob' } } })),
    'AccessDeniedException',
  );
  await ddb(creds).send(
    new BatchWriteItemCommand({
      RequestItems: { Music: [{ PutRequest: { Item: { Artist: { S: 'alice' } } } }] },
    }),
  );
  await rejectsWith(
    ddb(creds).send(
      new BatchWriteItemCommand({
        RequestItems: {
          Music: [{ PutRequest: { Item: { Artist: { S: 'alice' } } } }],
          Other: [{ PutRequest: { Item: { Artist: { S: 'alice' } } } }],
        },
      }),
    ),
    'AccessDeniedException',
  );
});

test('an expired session gets ExpiredTokenException', async () => {
  const assumer = await newUser('ddb-assumer', {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
  });
  await server.iam().send(
    new CreateRoleCommand({
      RoleName: 'ddb-app',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
  await server.iam().send(
    new PutRolePolicyCommand({
      RoleName: 'ddb-app',
      PolicyName: 'p',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }],
      }),
    }),
  );
  const r = await server.sts(assumer).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/ddb-app`,
      RoleSessionName: 'app',
      DurationSeconds: 900,
    }),
  );
  const c = r.Credentials!;
  const creds = {
    accessKeyId: c.AccessKeyId!,
    secretAccessKey: c.SecretAccessKey!,
    sessionToken: c.SessionToken!,
  };
  await ddb(creds).send(new ListTablesCommand({}));
  await server.advance(3600);
  await rejectsWith(
    ddb(creds).send(new ListTablesCommand({})),
    'ExpiredTokenException',
    'The security token included in the request is expired',
  );
});

/**
 * Runs the AWS CLI (Debian's v2 when installed, else v1 on PATH) with `creds` against iamd —
 * asynchronously: dynalite runs in this process and must keep answering.
 */
function awsCli(
  creds: Creds,
  ...args: string[]
): Promise<{ status: number; stdout: string; stderr: string }> {
  const bin = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';
  return new Promise((resolve) => {
    execFile(
      bin,
      [...args, '--endpoint-url', server.url, '--output', 'json'],
      {
        timeout: 60_000,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: tmpdir(),
          AWS_ACCESS_KEY_ID: creds.accessKeyId,
          AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_PAGER: '',
          AWS_MAX_ATTEMPTS: '1',
        },
      },
      (err, stdout, stderr) =>
        resolve({ status: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }),
    );
  });
}

const noCli = !existsSync('/usr/bin/aws') && spawnSync('aws', ['--version']).status !== 0;

test(
  'aws dynamodb put-item / get-item through the gateway; denied without permission',
  { skip: noCli ? 'no aws binary' : false },
  async () => {
    const put = await awsCli(
      ROOT,
      'dynamodb',
      'put-item',
      '--table-name',
      'Music',
      '--item',
      '{"Artist":{"S":"cli"},"Song":{"S":"y"}}',
    );
    assert.equal(put.status, 0, put.stderr);
    const get = await awsCli(
      ROOT,
      'dynamodb',
      'get-item',
      '--table-name',
      'Music',
      '--key',
      '{"Artist":{"S":"cli"}}',
    );
    assert.equal(get.status, 0, get.stderr);
    assert.equal((JSON.parse(get.stdout) as { Item: { Song: { S: string } } }).Item.Song.S, 'y');
    const creds = await newUser('ddb-cli-nobody');
    const denied = await awsCli(
      creds,
      'dynamodb',
      'put-item',
      '--table-name',
      'Music',
      '--item',
      '{"Artist":{"S":"z"}}',
    );
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, /AccessDeniedException/);
    assert.match(denied.stderr, /is not authorized to perform: dynamodb:PutItem/);
  },
);

test('a table resource policy is stored and enforced by iamd: it grants, and its removal revokes', async () => {
  const creds = await newUser('ddb-guest');
  const table = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Music`;
  const get = () =>
    ddb(creds).send(new GetItemCommand({ TableName: 'Music', Key: { Artist: { S: 'Acme' } } }));
  await rejectsWith(get(), 'AccessDeniedException');
  await rejectsWith(
    ddb().send(new GetResourcePolicyCommand({ ResourceArn: table })),
    'PolicyNotFoundException',
    `Resource-based policy not found for the provided ResourceArn: ${table}`,
  );
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/ddb-guest` },
        Action: 'dynamodb:GetItem',
        Resource: table,
      },
    ],
  });
  const put = await ddb().send(new PutResourcePolicyCommand({ ResourceArn: table, Policy: policy }));
  assert.ok(put.RevisionId);
  const stored = await ddb().send(new GetResourcePolicyCommand({ ResourceArn: table }));
  assert.equal(stored.Policy, policy);
  const item = await get();
  assert.equal(item.Item?.['Song']?.S, 'x');
  await ddb().send(new DeleteResourcePolicyCommand({ ResourceArn: table }));
  await rejectsWith(get(), 'AccessDeniedException');
  await rejectsWith(
    ddb().send(new PutResourcePolicyCommand({ ResourceArn: table, Policy: '{"Statement": 1}' })),
    'ValidationException',
  );
});
