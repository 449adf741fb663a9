/**
 * Which services a policy grants (ListPoliciesGrantingServiceAccess, access advisor): named actions,
 * service wildcards, `*`, NotAction, and Deny statements that grant nothing. AWS:
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListPoliciesGrantingServiceAccess.html
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grantsServiceAccess, summarizePolicy } from './policy-reports.js';
import { allowedServices } from './service-last-accessed.js';

const doc = (...Statement: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement });

test('grantsServiceAccess: Action patterns by service part; NotAction unless it excludes the service', () => {
  const named = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
  assert.equal(grantsServiceAccess(named, 's3'), true);
  assert.equal(grantsServiceAccess(named, 'iam'), false);
  assert.equal(grantsServiceAccess(doc({ Effect: 'Allow', Action: '*', Resource: '*' }), 'iam'), true);
  assert.equal(
    grantsServiceAccess(doc({ Effect: 'Allow', Action: ['Dynamo*:Get*'], Resource: '*' }), 'dynamodb'),
    true,
  );
  assert.equal(grantsServiceAccess(doc({ Effect: 'Deny', Action: 's3:*', Resource: '*' }), 's3'), false);
  const notIam = doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' });
  assert.equal(grantsServiceAccess(notIam, 'iam'), false);
  assert.equal(grantsServiceAccess(notIam, 's3'), true);
  // Excluding one IAM action still grants the rest of IAM.
  assert.equal(
    grantsServiceAccess(doc({ Effect: 'Allow', NotAction: 'iam:DeleteUser', Resource: '*' }), 'iam'),
    true,
  );
});

test('allowedServices: namespaces and the explicitly named actions', () => {
  const r = allowedServices(
    [
      doc({ Effect: 'Allow', Action: ['iam:GetUser', 'IAM:ListUsers', 's3:Get*'], Resource: '*' }),
      doc({ Effect: 'Deny', Action: 'ec2:*', Resource: '*' }),
      doc({ Effect: 'Allow', Action: 'dyn*:*', Resource: '*' }),
    ],
    ['dynamodb', 'iam', 'sts'],
  );
  assert.deepEqual([...r.namespaces].sort(), ['dynamodb', 'iam', 's3']);
  assert.deepEqual([...(r.actions.get('iam') ?? [])], ['GetUser', 'ListUsers']);
  assert.equal(r.actions.get('s3'), undefined);
  const all = allowedServices([doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })], ['iam', 's3']);
  assert.deepEqual([...all.namespaces].sort(), ['iam', 's3']);
});

test('summarizePolicy: one deterministic line per statement', () => {
  assert.equal(
    summarizePolicy(
      doc(
        {
          Sid: 'Read',
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:ListBucket'],
          Resource: 'arn:aws:s3:::b/*',
        },
        {
          Effect: 'Deny',
          Action: '*',
          NotResource: 'arn:aws:s3:::b/*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ),
    ),
    'Read: Allows s3:GetObject, s3:ListBucket on arn:aws:s3:::b/*.\n' +
      'Denies * on every resource except arn:aws:s3:::b/* when aws:SecureTransport Bool false.',
  );
});
