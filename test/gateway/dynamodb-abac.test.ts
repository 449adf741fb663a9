// Attribute-based access control through the DynamoDB gateway, in front of a real dynalite, driven by
// the real SDK v3 DynamoDB client (issue #18).
// - aws:ResourceTag/<key>: the table's tags ("Using attribute-based access control with DynamoDB",
//   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/attribute-based-access-control.html,
//   Example 1 of https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/abac-example-use-cases.html:
//   PutItem allowed where aws:ResourceTag matches); the table, index and stream resource types carry it
//   (Service Authorization Reference for DynamoDB,
//   https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html). iamd
//   reads the tags from the upstream (ListTagsOfResource) only when a decision looked the key up: a
//   recording proxy between iamd and dynalite proves which requests reach the upstream.
// - aws:RequestTag/<key> and aws:TagKeys on CreateTable and TagResource (same page, Examples 2 and 3).
// - dynamodb:EnclosingOperation: a Deny on transactions ("Using IAM with DynamoDB transactions",
//   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html, Example 3).
import { mkdtempSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TagResourceCommand,
  TransactWriteItemsCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { expectAwsError } from '../contract/support.js';
import { createUser } from '../contract/accounts-helper.js';
import { ROOT, startIamd, type Creds, type TestServer } from '../contract/harness.js';
import {
  auditFileEvents,
  createIdTable,
  dynamoDbClient,
  startRecordingProxy,
  type RecordingProxy,
} from './setup.js';
import { startDynalite, type Upstream } from './upstreams.js';

const ACCOUNT = ROOT.accountId;
const REGION = 'us-east-1';
const arnOf = (table: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${table}`;
let upstream: Upstream;
let proxy: RecordingProxy;
let server: TestServer;
const auditDir = mkdtempSync(join(tmpdir(), 'iamd-ddb-abac-audit-'));
const AUDIT_FILE = join(auditDir, 'audit.jsonl');

const ddb = (creds: Creds = ROOT) => dynamoDbClient(server.url, creds);
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

/** The DynamoDB operations (X-Amz-Target without its prefix) the upstream received since `from`. */
const targets = (from: number): string[] =>
  proxy.seen
    .slice(from)
    .map((r) => String(r.headers['x-amz-target'] ?? '').replace(/^DynamoDB_20120810\./, ''));

/** AWS's implicit-deny text for an identity policy that does not allow `action` on `table`. */
const implicitDeny = (who: string, action: string, table: string): string =>
  `User: ${who} is not authorized to perform: ${action} on resource: ${arnOf(table)} because no identity-based policy allows the ${action} action`;

/** `call` is denied with DynamoDB's AccessDeniedException and the implicit-deny text of {@link implicitDeny}. */
const deniedImplicitly = (call: Promise<unknown>, who: string, action: string, table: string) =>
  expectAwsError(call, 'AccessDeniedException', 400, implicitDeny(who, action, table));

/** A user of this account with an access key and, when given, the inline policy `policy`. */
async function newUser(name: string, policy: string): Promise<Creds> {
  return (await createUser(server.iam(), name, policy)).creds;
}

let assumer: Creds | undefined;

/** A session of a new role (tagged `roleTags`) whose only policy is `policy`, with `sessionTags`. */
async function roleSession(
  role: string,
  policy: string,
  roleTags: Record<string, string>,
  sessionTags: Record<string, string> = {},
): Promise<Creds> {
  const tags = (o: Record<string, string>) => Object.entries(o).map(([Key, Value]) => ({ Key, Value }));
  await server.iam().send(
    new CreateRoleCommand({
      RoleName: role,
      Tags: tags(roleTags),
      AssumeRolePolicyDocument: doc({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      }),
    }),
  );
  await server
    .iam()
    .send(new PutRolePolicyCommand({ RoleName: role, PolicyName: 'p', PolicyDocument: policy }));
  assumer ??= await newUser(
    'assumer',
    doc({ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: '*' }),
  );
  const r = await server.sts(assumer).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
      RoleSessionName: 'sess',
      Tags: tags(sessionTags),
    }),
  );
  const c = r.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

/** The ABAC policy of the developer guide: item reads and writes where the table's team is the caller's. */
const TEAM_POLICY = doc({
  Effect: 'Allow',
  Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query'],
  Resource: ['arn:aws:dynamodb:*:*:table/*'],
  Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } },
});
const RED = `arn:aws:sts::${ACCOUNT}:assumed-role/red-team/sess`;
let red: Creds;

const put = (creds: Creds, table: string, id: string) =>
  ddb(creds).send(new PutItemCommand({ TableName: table, Item: { id: { S: id }, v: { S: 'x' } } }));
const get = async (creds: Creds, table: string, id: string) =>
  (await ddb(creds).send(new GetItemCommand({ TableName: table, Key: { id: { S: id } } }))).Item?.['v']?.S;
const tag = (creds: Creds, table: string, tags: Record<string, string>) =>
  ddb(creds).send(
    new TagResourceCommand({
      ResourceArn: arnOf(table),
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );

before(async () => {
  upstream = await startDynalite();
  proxy = await startRecordingProxy(upstream.url);
  server = await startIamd(['--upstream', `dynamodb=${proxy.url}`, '--audit-file', AUDIT_FILE], {
    IAMD_UPSTREAM_TIMEOUT_MS: '1500',
  });
  for (const t of ['Red', 'Blue', 'Plain']) await createIdTable(ddb(), t);
  await tag(ROOT, 'Red', { team: 'red' });
  await tag(ROOT, 'Blue', { team: 'blue', env: 'dev' });
  red = await roleSession('red-team', TEAM_POLICY, { team: 'red' });
});

after(async () => {
  await server?.stop();
  await proxy?.stop();
  await upstream?.stop();
  rmSync(auditDir, { recursive: true, force: true });
});

test('aws:ResourceTag: a tagged role reads and writes its team’s table, not another team’s or an untagged one', async () => {
  const from = proxy.seen.length;
  await put(red, 'Red', 'r1');
  assert.equal(await get(red, 'Red', 'r1'), 'x');
  await deniedImplicitly(put(red, 'Blue', 'b1'), RED, 'dynamodb:PutItem', 'Blue');
  await deniedImplicitly(get(red, 'Plain', 'p1'), RED, 'dynamodb:GetItem', 'Plain');
  // One ListTagsOfResource per decision that looked the key up; the denied calls never reach the
  // upstream. (DescribeTable: the partition key, and the upstream's own ARN of each table, read once.)
  assert.deepEqual(
    targets(from).filter((t) => t !== 'DescribeTable'),
    [
      'ListTagsOfResource',
      'PutItem',
      'ListTagsOfResource',
      'GetItem',
      'ListTagsOfResource',
      'ListTagsOfResource',
    ],
  );
  // The tags are asked for by the table's ARN as dynalite knows it (its own account, 000000000000).
  const asked = proxy.seen
    .slice(from)
    .filter((r) => String(r.headers['x-amz-target']).endsWith('ListTagsOfResource'))
    .map((r) => (JSON.parse(r.body) as { ResourceArn: string }).ResourceArn);
  const upstreamArn = (t: string) => `arn:aws:dynamodb:us-east-1:000000000000:table/${t}`;
  assert.deepEqual(asked, [
    upstreamArn('Red'),
    upstreamArn('Red'),
    upstreamArn('Blue'),
    upstreamArn('Plain'),
  ]);
});

test('aws:ResourceTag with a session tag: the session’s team decides', async () => {
  const blue = await roleSession('any-team', TEAM_POLICY, {}, { team: 'blue' });
  const who = `arn:aws:sts::${ACCOUNT}:assumed-role/any-team/sess`;
  await put(blue, 'Blue', 'b2');
  assert.equal(await get(blue, 'Blue', 'b2'), 'x');
  await deniedImplicitly(put(blue, 'Red', 'r2'), who, 'dynamodb:PutItem', 'Red');
});

test('a policy without aws:ResourceTag makes no ListTagsOfResource call upstream', async () => {
  const plain = await newUser(
    'plain-writer',
    doc(
      {
        Effect: 'Allow',
        Action: ['dynamodb:PutItem', 'dynamodb:GetItem'],
        Resource: 'arn:aws:dynamodb:*:*:table/*',
      },
      // A statement with the key whose action does not match is never consulted either.
      {
        Effect: 'Deny',
        Action: 'dynamodb:DeleteItem',
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceTag/team': 'red' } },
      },
    ),
  );
  const nobody = await newUser(
    'nobody',
    doc({ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }),
  );
  await put(ROOT, 'Blue', 'warm'); // the partition key of Blue is known from here on
  const from = proxy.seen.length;
  await put(plain, 'Blue', 'b3');
  assert.equal(await get(plain, 'Blue', 'b3'), 'x');
  await deniedImplicitly(
    put(nobody, 'Blue', 'b4'),
    `arn:aws:iam::${ACCOUNT}:user/nobody`,
    'dynamodb:PutItem',
    'Blue',
  );
  await put(ROOT, 'Blue', 'b5');
  assert.deepEqual(targets(from), ['PutItem', 'GetItem', 'PutItem']);
});

test('TagResource and UntagResource through the gateway take effect on the next request (nothing cached)', async () => {
  await deniedImplicitly(put(red, 'Plain', 'p2'), RED, 'dynamodb:PutItem', 'Plain');
  await tag(ROOT, 'Plain', { team: 'red' });
  await put(red, 'Plain', 'p2');
  assert.equal(await get(red, 'Plain', 'p2'), 'x');
  await ddb().send(new UntagResourceCommand({ ResourceArn: arnOf('Plain'), TagKeys: ['team'] }));
  await deniedImplicitly(put(red, 'Plain', 'p3'), RED, 'dynamodb:PutItem', 'Plain');
});

test('an index is authorized with its table’s tags', async () => {
  await ddb().send(
    new CreateTableCommand({
      TableName: 'Indexed',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        { AttributeName: 'v', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'ByV',
          KeySchema: [{ AttributeName: 'v', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const query = (creds: Creds) =>
    ddb(creds).send(
      new QueryCommand({
        TableName: 'Indexed',
        IndexName: 'ByV',
        KeyConditionExpression: 'v = :v',
        ExpressionAttributeValues: { ':v': { S: 'x' } },
      }),
    );
  await expectAwsError(
    query(red),
    'AccessDeniedException',
    400,
    `User: ${RED} is not authorized to perform: dynamodb:Query on resource: ${arnOf('Indexed')}/index/ByV because no identity-based policy allows the dynamodb:Query action`,
  );
  await tag(ROOT, 'Indexed', { team: 'red' });
  await put(red, 'Indexed', 'i1');
  const got = await query(red);
  assert.deepEqual(
    got.Items?.map((i) => i['id']?.S),
    ['i1'],
  );
});

test('dynamodb:EnclosingOperation: a Deny on transactions blocks TransactWriteItems, not PutItem', async () => {
  const user = await newUser(
    'no-transactions',
    doc(
      {
        Effect: 'Deny',
        Action: [
          'dynamodb:ConditionCheckItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
        ],
        Resource: [arnOf('Red')],
        Condition: {
          StringEquals: { 'dynamodb:EnclosingOperation': ['TransactWriteItems', 'TransactGetItems'] },
        },
      },
      {
        Effect: 'Allow',
        Action: [
          'dynamodb:ConditionCheckItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
        ],
        Resource: [arnOf('Red')],
      },
    ),
  );
  const from = proxy.seen.length;
  await put(user, 'Red', 'nt1');
  assert.equal(await get(user, 'Red', 'nt1'), 'x');
  await expectAwsError(
    ddb(user).send(
      new TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName: 'Red', Item: { id: { S: 'nt2' } } } }],
      }),
    ),
    'AccessDeniedException',
    400,
    `User: arn:aws:iam::${ACCOUNT}:user/no-transactions is not authorized to perform: dynamodb:PutItem on resource: ${arnOf('Red')} with an explicit deny in an identity-based policy`,
  );
  // The transaction never reached the upstream.
  assert.equal(targets(from).includes('TransactWriteItems'), false);
});

test('aws:RequestTag on CreateTable: a create with the required tag is allowed, one without denied', async () => {
  const creator = await newUser(
    'creator',
    doc({
      Effect: 'Allow',
      Action: 'dynamodb:CreateTable',
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestTag/team': 'red' } },
    }),
  );
  const create = (TableName: string, Tags?: { Key: string; Value: string }[]) =>
    ddb(creator).send(
      new CreateTableCommand({
        TableName,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        Tags,
      }),
    );
  const from = proxy.seen.length;
  const made = await create('Tagged', [{ Key: 'team', Value: 'red' }]);
  assert.equal(made.TableDescription?.TableName, 'Tagged');
  const who = `arn:aws:iam::${ACCOUNT}:user/creator`;
  await deniedImplicitly(create('Untagged'), who, 'dynamodb:CreateTable', 'Untagged');
  await deniedImplicitly(
    create('WrongTeam', [{ Key: 'team', Value: 'blue' }]),
    who,
    'dynamodb:CreateTable',
    'WrongTeam',
  );
  // A table that does not exist yet has no tags to read.
  assert.deepEqual(targets(from), ['CreateTable']);
});

test('aws:TagKeys: TagResource to a forbidden tag key is denied; UntagResource is checked by its keys', async () => {
  const tagger = await newUser(
    'tagger',
    doc({
      Effect: 'Allow',
      Action: ['dynamodb:TagResource', 'dynamodb:UntagResource'],
      Resource: 'arn:aws:dynamodb:*:*:table/*',
      Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'cost-center'] } },
    }),
  );
  const who = `arn:aws:iam::${ACCOUNT}:user/tagger`;
  await tag(tagger, 'Plain', { env: 'prod', 'cost-center': '42' });
  await deniedImplicitly(
    tag(tagger, 'Plain', { env: 'prod', team: 'red' }),
    who,
    'dynamodb:TagResource',
    'Plain',
  );
  await ddb(tagger).send(new UntagResourceCommand({ ResourceArn: arnOf('Plain'), TagKeys: ['env'] }));
  await deniedImplicitly(
    ddb(tagger).send(new UntagResourceCommand({ ResourceArn: arnOf('Plain'), TagKeys: ['team'] })),
    who,
    'dynamodb:UntagResource',
    'Plain',
  );
});

test('an upstream that fails, answers garbage or hangs on ListTagsOfResource gives 503 ServiceUnavailableException', async () => {
  const isTags = (headers: Record<string, unknown>) =>
    String(headers['x-amz-target']).endsWith('.ListTagsOfResource');
  const modes = {
    fail: (res: ServerResponse) => {
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"boom"}');
    },
    garbage: (res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{"Tags":[{"Key":"team","Value":"red"}');
    },
    hang: () => undefined,
  };
  try {
    for (const [mode, answer] of Object.entries(modes)) {
      proxy.intercept = (req, res) => {
        if (!isTags(req.headers)) return false;
        answer(res);
        return true;
      };
      const started = Date.now();
      await expectAwsError(
        put(red, 'Red', 'u1'),
        'ServiceUnavailableException',
        503,
        'The request has failed due to a temporary failure of the server.',
      );
      assert.ok(Date.now() - started < 10_000, mode);
    }
  } finally {
    proxy.intercept = undefined;
  }
  await put(red, 'Red', 'u1');
});

test('the audit event carries the decision made with the table’s tags', async () => {
  const requestId = await expectAwsError(put(red, 'Blue', 'b9'), 'AccessDeniedException', 400);
  assert.notEqual(requestId, '');
  await new Promise((r) => setTimeout(r, 300));
  const [event] = auditFileEvents(AUDIT_FILE, (e) => e['requestID'] === requestId);
  assert.ok(event, 'the denied PutItem is recorded');
  assert.equal(event['errorCode'], 'AccessDenied');
  assert.equal(event['eventName'], 'PutItem');
  const trace = event['iamdAuthorization'] as { request: { context: Record<string, unknown> } };
  assert.equal(trace.request.context['aws:ResourceTag/team'], 'blue');
  assert.equal(trace.request.context['aws:ResourceTag/env'], 'dev');
});

test('a table the upstream does not have has no tags: denied (not 503, not the upstream’s ResourceNotFound)', async () => {
  const from = proxy.seen.length;
  await deniedImplicitly(put(red, 'Missing', 'm1'), RED, 'dynamodb:PutItem', 'Missing');
  // DescribeTable answered ResourceNotFoundException: no ListTagsOfResource, nothing forwarded.
  assert.deepEqual(
    targets(from).filter((t) => t !== 'DescribeTable'),
    [],
  );
  // The root (no policy looks the key up) gets the upstream's own answer.
  await expectAwsError(put(ROOT, 'Missing', 'm1'), 'ResourceNotFoundException', 400);
});

test('at the report-only level the decision without tags is not reported; the one with them is', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'iamd-ddb-abac-report-'));
  const auditFile = join(dir, 'audit.jsonl');
  const other = await startIamd([
    '--auth',
    'report-only',
    '--upstream',
    `dynamodb=${proxy.url}`,
    '--audit-file',
    auditFile,
  ]);
  try {
    await other.iam().send(new CreateUserCommand({ UserName: 'r' }));
    await other.iam().send(
      new PutUserPolicyCommand({
        UserName: 'r',
        PolicyName: 'p',
        PolicyDocument: doc({
          Effect: 'Allow',
          Action: 'dynamodb:PutItem',
          Resource: '*',
          Condition: { StringEquals: { 'aws:ResourceTag/team': 'red' } },
        }),
      }),
    );
    const key = await other.iam().send(new CreateAccessKeyCommand({ UserName: 'r' }));
    const client = dynamoDbClient(other.url, {
      accessKeyId: key.AccessKey!.AccessKeyId!,
      secretAccessKey: key.AccessKey!.SecretAccessKey!,
    });
    for (const TableName of ['Red', 'Blue'])
      await client.send(new PutItemCommand({ TableName, Item: { id: { S: 'report' } } }));
    await new Promise((r) => setTimeout(r, 300));
    const events = auditFileEvents(auditFile, (e) => e['eventName'] === 'PutItem');
    const of = (t: string) =>
      events.find((e) => (e['requestParameters'] as Record<string, unknown>)['tableName'] === t);
    assert.ok(of('Red'));
    assert.equal(of('Red')?.['iamdReportOnly'], undefined);
    const blue = of('Blue')?.['iamdReportOnly'] as Record<string, unknown> | undefined;
    assert.equal(blue?.['errorCode'], 'AccessDenied');
    assert.equal(
      blue?.['errorMessage'],
      `User: arn:aws:iam::${ACCOUNT}:user/r is not authorized to perform: dynamodb:PutItem on resource: ${arnOf('Blue')} because no identity-based policy allows the dynamodb:PutItem action`,
    );
  } finally {
    await other.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
