// dynamodb:FullTableScan through the DynamoDB gateway, in front of a real dynalite, driven by the real SDK
// v3 DynamoDB client (issue #18).
// - The policy is the developer guide's "Allow select statements and deny full table scan statements"
//   ("IAM security policies with PartiQL for DynamoDB",
//   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html): PartiQLSelect allowed,
//   denied where `Bool dynamodb:FullTableScan true`.
// - What a full scan is: "PartiQL select statements for DynamoDB"
//   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.select.html): a SELECT
//   whose WHERE clause gives the partition key (of the table, or of the index it reads) no equality or IN.
// dynalite implements no PartiQL (it answers ExecuteStatement with its UnknownOperationException), so an
// allowed statement is proven by reaching the upstream: its answer is dynalite's, never iamd's denial.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchExecuteStatementCommand,
  CreateTableCommand,
  DynamoDBServiceException,
  ExecuteStatementCommand,
  ExecuteTransactionCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { ROOT, startIamd, type Creds, type TestServer } from '../contract/harness.js';
import { dynamoDbClient, startRecordingProxy, type RecordingProxy } from './setup.js';
import { startDynalite, type Upstream } from './upstreams.js';

const ACCOUNT = ROOT.accountId;
const REGION = 'us-east-1';
const TABLE = 'Orders';
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${TABLE}`;
let upstream: Upstream;
let proxy: RecordingProxy;
let server: TestServer;
let noScans: Creds;
let keyedOnly: Creds;

const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

async function newUser(name: string, policy: string): Promise<Creds> {
  await server.iam().send(new CreateUserCommand({ UserName: name }));
  await server
    .iam()
    .send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));
  const key = await server.iam().send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
}

/** DynamoDB's explicit-deny text for `user` on `resource`. */
const explicitDeny = (user: string, resource = TABLE_ARN) =>
  `User: arn:aws:iam::${ACCOUNT}:user/${user} is not authorized to perform: dynamodb:PartiQLSelect on resource: ${resource} with an explicit deny in an identity-based policy`;

/** The DynamoDB operations (X-Amz-Target without its prefix) the upstream received since `from`. */
const targets = (from: number): string[] =>
  proxy.seen
    .slice(from)
    .map((r) => String(r.headers['x-amz-target'] ?? '').replace(/^DynamoDB_20120810\./, ''));

/** Asserts `p` fails with iamd's AccessDeniedException (400) carrying `message`. */
async function denied(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DynamoDBServiceException, String(e));
    assert.equal(e.name, 'AccessDeniedException');
    assert.equal(e.$metadata.httpStatusCode, 400);
    assert.equal(e.message, message);
    return true;
  });
}

/**
 * Asserts `p` got past iamd: the statement reached the upstream, whose own answer (dynalite:
 * UnknownOperationException) comes back — not iamd's AccessDeniedException.
 */
async function passed(p: Promise<unknown>, operation: string): Promise<void> {
  const from = proxy.seen.length;
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DynamoDBServiceException, String(e));
    assert.equal(e.name, 'UnknownOperationException');
    return true;
  });
  assert.ok(targets(from).includes(operation), targets(from).join(','));
}

const select = (creds: Creds, Statement: string) =>
  dynamoDbClient(server.url, creds).send(new ExecuteStatementCommand({ Statement }));

before(async () => {
  upstream = await startDynalite();
  proxy = await startRecordingProxy(upstream.url);
  server = await startIamd(['--upstream', `dynamodb=${proxy.url}`], { IAMD_UPSTREAM_TIMEOUT_MS: '1500' });
  // OrderID keys the table; the global index ByCustomer is keyed by Customer, the local ByTotal by OrderID.
  await dynamoDbClient(server.url).send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [
        { AttributeName: 'OrderID', KeyType: 'HASH' },
        { AttributeName: 'Created', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'OrderID', AttributeType: 'S' },
        { AttributeName: 'Created', AttributeType: 'S' },
        { AttributeName: 'Customer', AttributeType: 'S' },
        { AttributeName: 'Total', AttributeType: 'N' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'ByCustomer',
          KeySchema: [{ AttributeName: 'Customer', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: 'ByTotal',
          KeySchema: [
            { AttributeName: 'OrderID', KeyType: 'HASH' },
            { AttributeName: 'Total', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const resources = [
    TABLE_ARN,
    `${TABLE_ARN}/index/*`,
    `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/Missing`,
  ];
  noScans = await newUser(
    'no-scans',
    doc(
      { Effect: 'Allow', Action: ['dynamodb:PartiQLSelect', 'dynamodb:PartiQLInsert'], Resource: resources },
      {
        Effect: 'Deny',
        Action: 'dynamodb:PartiQLSelect',
        Resource: resources,
        Condition: { Bool: { 'dynamodb:FullTableScan': 'true' } },
      },
    ),
  );
  // The key is present as false on a keyed SELECT: an Allow on false admits it (and nothing else).
  keyedOnly = await newUser(
    'keyed-only',
    doc({
      Effect: 'Allow',
      Action: 'dynamodb:PartiQLSelect',
      Resource: resources,
      Condition: { Bool: { 'dynamodb:FullTableScan': 'false' } },
    }),
  );
});

after(async () => {
  await server?.stop();
  await proxy?.stop();
  await upstream?.stop();
});

test('FullTableScan: the developer guide’s full scans are denied by the Deny on true', async () => {
  for (const s of [
    `SELECT * FROM "Orders"`,
    `SELECT * FROM "Orders" WHERE OrderID > 'a'`,
    `SELECT * FROM "Orders" WHERE Address = 'some address'`,
    `SELECT * FROM "Orders" WHERE OrderID = 'a' OR Address = 'some address'`,
  ]) {
    const from = proxy.seen.length;
    await denied(select(noScans, s), explicitDeny('no-scans'));
    assert.ok(!targets(from).includes('ExecuteStatement'), s);
  }
});

test('FullTableScan: keyed SELECTs (= or IN on the partition key) pass iamd', async () => {
  for (const s of [
    `SELECT * FROM "Orders" WHERE OrderID = 'a'`,
    `SELECT * FROM "Orders" WHERE OrderID = 'a' and Address = 'some address'`,
    `SELECT * FROM "Orders" WHERE OrderID = 'a' or OrderID = 'b'`,
    `select * from "Orders" where OrderID in ['a', 'b', 'c']`,
    `SELECT * FROM "Orders" WHERE ? = "OrderID"`,
  ])
    await passed(select(noScans, s), 'ExecuteStatement');
  await passed(select(keyedOnly, `SELECT * FROM "Orders" WHERE OrderID = 'a'`), 'ExecuteStatement');
  // The Allow on false admits no full scan: no identity-based policy allows it.
  await denied(
    select(keyedOnly, `SELECT * FROM "Orders" WHERE Customer = 'c'`),
    `User: arn:aws:iam::${ACCOUNT}:user/keyed-only is not authorized to perform: dynamodb:PartiQLSelect on resource: ${TABLE_ARN} because no identity-based policy allows the dynamodb:PartiQLSelect action`,
  );
});

test('FullTableScan: an index is keyed by its own partition key (a local index by the table’s)', async () => {
  // A statement on an index is authorized on the index's ARN (ql-iam.html: permission "on the table or
  // index"): a policy on the table alone does not cover it.
  const tableOnly = await newUser(
    'table-only',
    doc({ Effect: 'Allow', Action: 'dynamodb:PartiQLSelect', Resource: TABLE_ARN }),
  );
  await denied(
    select(tableOnly, `SELECT * FROM "Orders"."ByCustomer" WHERE Customer = 'c'`),
    `User: arn:aws:iam::${ACCOUNT}:user/table-only is not authorized to perform: dynamodb:PartiQLSelect on resource: ${TABLE_ARN}/index/ByCustomer because no identity-based policy allows the dynamodb:PartiQLSelect action`,
  );
  await passed(
    select(noScans, `SELECT * FROM "Orders"."ByCustomer" WHERE Customer = 'c'`),
    'ExecuteStatement',
  );
  await denied(
    select(noScans, `SELECT * FROM "Orders"."ByCustomer" WHERE OrderID = 'a'`),
    explicitDeny('no-scans', `${TABLE_ARN}/index/ByCustomer`),
  );
  await passed(select(noScans, `SELECT * FROM "Orders"."ByTotal" WHERE OrderID = 'a'`), 'ExecuteStatement');
  await denied(
    select(noScans, `SELECT * FROM "Orders"."ByTotal" WHERE Total = 3`),
    explicitDeny('no-scans', `${TABLE_ARN}/index/ByTotal`),
  );
});

test('FullTableScan: a table whose key schema is unknown reads as a full scan; writes carry no key', async () => {
  // DescribeTable of Missing fails upstream: the Deny holds rather than being bypassed.
  await denied(
    select(noScans, `SELECT * FROM "Missing" WHERE OrderID = 'a'`),
    explicitDeny('no-scans', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/Missing`),
  );
  await passed(
    select(noScans, `INSERT INTO "Orders" VALUE {'OrderID': 'z', 'Created': 'c'}`),
    'ExecuteStatement',
  );
});

test('FullTableScan: each statement of a batch or transaction is decided on its own', async () => {
  const ddb = dynamoDbClient(server.url, noScans);
  await denied(
    ddb.send(
      new BatchExecuteStatementCommand({
        Statements: [
          { Statement: `SELECT * FROM "Orders" WHERE OrderID = 'a'` },
          { Statement: `SELECT * FROM "Orders" WHERE Total = 1` },
        ],
      }),
    ),
    explicitDeny('no-scans'),
  );
  await passed(
    ddb.send(
      new BatchExecuteStatementCommand({
        Statements: [
          { Statement: `SELECT * FROM "Orders" WHERE OrderID = 'a'` },
          { Statement: `SELECT * FROM "Orders"."ByCustomer" WHERE Customer IN ['c']` },
        ],
      }),
    ),
    'BatchExecuteStatement',
  );
  await denied(
    ddb.send(
      new ExecuteTransactionCommand({
        TransactStatements: [{ Statement: `EXISTS(SELECT * FROM "Orders" WHERE Customer = 'c')` }],
      }),
    ),
    explicitDeny('no-scans'),
  );
});

test('PartiQL: the table authorized is the one read, not a FROM inside a quoted name or a comment', async () => {
  const secret = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/Secret`;
  const noAllow = `User: arn:aws:iam::${ACCOUNT}:user/no-scans is not authorized to perform: dynamodb:PartiQLSelect on resource: ${secret} because no identity-based policy allows the dynamodb:PartiQLSelect action`;
  await denied(select(noScans, `SELECT "a FROM Orders" FROM "Secret" WHERE OrderID = 'a'`), noAllow);
  await denied(select(noScans, `SELECT /* FROM Orders */ * FROM "Secret" WHERE OrderID = 'a'`), noAllow);
});
