// aws:ResourceTag/<key> for the DynamoDB gateway: which resource's tags a request needs and the
// upstream's answers read strictly. Sources: Service Authorization Reference for DynamoDB (the table,
// index and stream resource types carry aws:ResourceTag/${TagKey},
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html); "Using
// attribute-based access control with DynamoDB"
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/attribute-based-access-control.html);
// streams keep their own tags (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/abac-streams.html);
// ListTagsOfResource's response syntax
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTagsOfResource.html).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  consultedResourceTag,
  describedTableArn,
  isResourceNotFound,
  parseTagPage,
  resourceTagContext,
  tagSubject,
  upstreamTagArn,
} from './resource-tags.js';

const TABLE = 'arn:aws:dynamodb:us-east-1:111122223333:table/Music';

test('tagSubject: a table its own tags, an index its table’s, a stream its own; nothing else', () => {
  assert.deepEqual(tagSubject(TABLE), { table: 'Music' });
  assert.deepEqual(tagSubject(`${TABLE}/index/ByYear`), { table: 'Music' });
  assert.deepEqual(tagSubject(`${TABLE}/stream/2024-01-01T00:00:00.000`), {
    table: 'Music',
    stream: '2024-01-01T00:00:00.000',
  });
  for (const other of [
    '*',
    `${TABLE}/backup/01234567890123-abcdefgh`,
    `${TABLE}/export/01234567890123-abcdefgh`,
    `${TABLE}/import/01234567890123-abcdefgh`,
    `${TABLE}/index/`,
    `${TABLE}/index/I/extra`,
    'arn:aws:dynamodb::111122223333:global-table/Music',
    'arn:aws:s3:::bucket/table/x',
    'arn:aws:dynamodb:us-east-1:111122223333:table/',
    'Music',
  ])
    assert.equal(tagSubject(other), undefined, other);
});

test('upstreamTagArn: the upstream’s own table ARN, or its stream', () => {
  const up = 'arn:aws:dynamodb:us-east-1:000000000000:table/Music';
  assert.equal(upstreamTagArn(up, { table: 'Music' }), up);
  assert.equal(upstreamTagArn(up, { table: 'Music', stream: 'L' }), `${up}/stream/L`);
});

test('consultedResourceTag: only a looked-up aws:ResourceTag/<key> (the engine records keys lower-cased)', () => {
  assert.equal(consultedResourceTag(undefined), false);
  assert.equal(consultedResourceTag([]), false);
  assert.equal(consultedResourceTag(['aws:principaltag/team', 'aws:requesttag/team']), false);
  assert.equal(consultedResourceTag(['aws:principaltag/team', 'aws:resourcetag/team']), true);
});

test('resourceTagContext: aws:ResourceTag/<k> = value per tag', () => {
  assert.deepEqual(
    {
      ...resourceTagContext(
        new Map([
          ['team', 'red'],
          ['env', ''],
        ]),
      ),
    },
    { 'aws:ResourceTag/team': 'red', 'aws:ResourceTag/env': '' },
  );
});

test('describedTableArn: Table.TableArn of a DescribeTable answer, else undefined', () => {
  const up = 'arn:aws:dynamodb:us-east-1:000000000000:table/Music';
  assert.equal(describedTableArn(JSON.stringify({ Table: { TableName: 'Music', TableArn: up } })), up);
  for (const bad of [
    '',
    'not json',
    '[]',
    '{}',
    '{"Table":[]}',
    '{"Table":{"TableArn":7}}',
    JSON.stringify({ Table: { TableArn: `${up}/index/I` } }),
    JSON.stringify({ Table: { TableArn: 'arn:aws:s3:::b' } }),
  ])
    assert.equal(describedTableArn(bad), undefined, bad);
});

test('isResourceNotFound: DynamoDB’s ResourceNotFoundException, by its __type', () => {
  assert.equal(
    isResourceNotFound(
      '{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}',
    ),
    true,
  );
  assert.equal(isResourceNotFound('{"__type":"ResourceNotFoundException"}'), true);
  assert.equal(
    isResourceNotFound('{"__type":"com.amazonaws.dynamodb.v20120810#ValidationException"}'),
    false,
  );
  assert.equal(isResourceNotFound('<html>'), false);
});

test('parseTagPage: the tags and the token of a ListTagsOfResource answer', () => {
  assert.deepEqual(parseTagPage('{"Tags":[{"Key":"team","Value":"red"},{"Key":"env","Value":""}]}'), {
    tags: [
      ['team', 'red'],
      ['env', ''],
    ],
  });
  assert.deepEqual(parseTagPage('{"Tags":[],"NextToken":"t1"}'), { tags: [], nextToken: 't1' });
  // An answer without Tags has none (the member is optional in the API's response syntax).
  assert.deepEqual(parseTagPage('{}'), { tags: [] });
});

test('parseTagPage: anything else is refused (undefined), never guessed', () => {
  for (const bad of [
    '',
    'garbage',
    '{"Tags":',
    '[]',
    'null',
    '{"Tags":{}}',
    '{"Tags":[{"Key":"a"}]}',
    '{"Tags":[{"Value":"a"}]}',
    '{"Tags":[{"Key":1,"Value":"a"}]}',
    '{"Tags":[{"Key":"a","Value":"1"},{"Key":"a","Value":"2"}]}',
    '{"Tags":["a"]}',
    '{"Tags":[],"NextToken":""}',
    '{"Tags":[],"NextToken":5}',
  ])
    assert.equal(parseTagPage(bad), undefined, bad);
});

test('property: parseTagPage never throws, and reads back every well-formed page', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
      parseTagPage(text);
      describedTableArn(text);
      isResourceNotFound(text);
    }),
  );
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(fc.string(), fc.string()), { selector: ([k]) => k, maxLength: 50 }),
      fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
      (tags, nextToken) => {
        const text = JSON.stringify({
          Tags: tags.map(([Key, Value]) => ({ Key, Value })),
          NextToken: nextToken,
        });
        assert.deepEqual(parseTagPage(text), nextToken === undefined ? { tags } : { tags, nextToken });
      },
    ),
  );
});
