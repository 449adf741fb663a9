// DynamoDB tables have owners (issue #18): a table named by name is the account's that created it
// through iamd (else the default account's), so a caller from another account needs the table's
// resource policy, as on AWS, where another account's table is reached by its ARN and governed by the
// resource policy (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-cross-account-access.html).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DeleteTableCommand,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  PutResourcePolicyCommand,
} from '@aws-sdk/client-dynamodb';
import { ROOT, type Creds, type TestServer } from '../contract/harness.js';
import { createUser, rootCreds, type CreatedAccount } from '../contract/accounts-helper.js';
import { createIdTable, dynamoDbClient, startTwoAccountGateway, type TwoAccountGateway } from './setup.js';

let gateway: TwoAccountGateway;
let server: TestServer;
let other: CreatedAccount;

const ddb = (creds: Creds = ROOT) => dynamoDbClient(server.url, creds);
const createTable = (creds: Creds, TableName: string) => createIdTable(ddb(creds), TableName);

async function denied(p: Promise<unknown>, resource: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DynamoDBServiceException, String(e));
    assert.equal(e.name, 'AccessDeniedException');
    assert.equal(e.$metadata.httpStatusCode, 400);
    assert.ok(e.message.includes(resource), e.message);
    return true;
  });
}

before(async () => {
  gateway = await startTwoAccountGateway('dynamodb');
  ({ server, other } = gateway);
  await createTable(ROOT, 'Shared');
  await ddb().send(new PutItemCommand({ TableName: 'Shared', Item: { id: { S: '1' }, v: { S: 'shared' } } }));
});

after(() => gateway?.stop());

test("another account's user naming a table by name reaches the owner's table: the resource policy decides", async () => {
  const reader = await createUser(server.iam(rootCreds(other)), 'ddb-reader', {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' }],
  });
  const sharedArn = `arn:aws:dynamodb:us-east-1:${ROOT.accountId}:table/Shared`;
  const get = () =>
    ddb(reader.creds).send(new GetItemCommand({ TableName: 'Shared', Key: { id: { S: '1' } } }));
  // Its own account's allow is not enough: the table is the first account's.
  await denied(get(), sharedArn);
  await ddb().send(
    new PutResourcePolicyCommand({
      ResourceArn: sharedArn,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${other.AccountId}:root` },
            Action: 'dynamodb:GetItem',
            Resource: sharedArn,
          },
        ],
      }),
    }),
  );
  const item = await get();
  assert.equal(item.Item?.['v']?.S, 'shared');
});

test('a table created through iamd is its creator account’s; deleting it forgets the owner', async () => {
  await createTable(rootCreds(other), 'Mine');
  await ddb(rootCreds(other)).send(new PutItemCommand({ TableName: 'Mine', Item: { id: { S: 'b' } } }));
  const mineArn = `arn:aws:dynamodb:us-east-1:${other.AccountId}:table/Mine`;
  // The first account's root has no grant on the other account's table.
  await denied(ddb().send(new GetItemCommand({ TableName: 'Mine', Key: { id: { S: 'b' } } })), mineArn);
  await ddb(rootCreds(other)).send(new DeleteTableCommand({ TableName: 'Mine' }));
  // Re-created by the first account, the name is now the first account's table.
  await createTable(ROOT, 'Mine');
  await ddb().send(new PutItemCommand({ TableName: 'Mine', Item: { id: { S: 'a' } } }));
  await denied(
    ddb(rootCreds(other)).send(new GetItemCommand({ TableName: 'Mine', Key: { id: { S: 'a' } } })),
    `arn:aws:dynamodb:us-east-1:${ROOT.accountId}:table/Mine`,
  );
});
