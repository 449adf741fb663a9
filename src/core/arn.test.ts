import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatArn, parseArn } from './arn.js';

// ARN format: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
test('parseArn splits six parts and keeps colons in the resource', () => {
  const arn = parseArn('arn:aws:logs:us-east-1:111122223333:log-group:app:*');
  assert.deepEqual(arn, {
    partition: 'aws',
    service: 'logs',
    region: 'us-east-1',
    account: '111122223333',
    resource: 'log-group:app:*',
  });
  assert.equal(formatArn(arn!), 'arn:aws:logs:us-east-1:111122223333:log-group:app:*');
});

test('parseArn rejects text with too few parts', () => {
  assert.equal(parseArn('arn:aws:iam::1'), undefined);
  assert.equal(parseArn('not-an-arn'), undefined);
  assert.equal(parseArn('arn::iam::1:root'), undefined);
});
