// Gateway calls are recorded as CloudTrail events of their own service: object- and item-level
// operations as data events, bucket and table operations as management events (CloudTrail User Guide,
// "Logging data events", https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAuditRecord, isDataEvent, type CallFacts } from '../../src/audit/event.js';

const facts = (service: CallFacts['service'], operation: string): CallFacts => ({
  eventId: 'e',
  requestId: 'r',
  now: Date.UTC(2026, 0, 1),
  service,
  operation,
  principal: { type: 'Anonymous' },
  recipientAccount: '111122223333',
  region: 'us-east-1',
  sourceIp: '127.0.0.1',
  userAgent: 'ua',
  input: { bucketName: 'b', key: 'k' },
});

test('S3 GetObject is a data event from s3.amazonaws.com; CreateBucket a management event', () => {
  const get = buildAuditRecord(facts('s3', 'GetObject')).record;
  assert.equal(get['eventSource'], 's3.amazonaws.com');
  assert.equal(get['eventCategory'], 'Data');
  assert.equal(get['managementEvent'], false);
  assert.equal(get['readOnly'], true);
  const create = buildAuditRecord(facts('s3', 'CreateBucket')).record;
  assert.equal(create['eventCategory'], 'Management');
  assert.equal(create['managementEvent'], true);
});

test('data events: S3 object operations and DynamoDB item operations only', () => {
  for (const op of ['PutObject', 'HeadObject', 'ListObjectsV2', 'UploadPart', 'CompleteMultipartUpload'])
    assert.ok(isDataEvent('s3', op), op);
  for (const op of ['CreateBucket', 'PutBucketPolicy', 'ListBuckets', 'GetObjectLockConfiguration'])
    assert.ok(!isDataEvent('s3', op), op);
  for (const op of [
    'PutItem',
    'GetItem',
    'Query',
    'Scan',
    'BatchWriteItem',
    'TransactWriteItems',
    'ExecuteStatement',
  ])
    assert.ok(isDataEvent('dynamodb', op), op);
  for (const op of ['CreateTable', 'DescribeTable', 'ListTables'])
    assert.ok(!isDataEvent('dynamodb', op), op);
  assert.ok(!isDataEvent('iam', 'GetUser'));
  assert.equal(buildAuditRecord(facts('dynamodb', 'Query')).record['readOnly'], true);
});
