// DecodeAuthorizationMessage (STS API reference): the decoded message's JSON layout follows what
// `aws sts decode-authorization-message` prints (aws/aws-sdk-go#1536).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sealSecret, unsealSecret } from '../credentials/seal.js';
import { AwsError } from '../errors/index.js';
import { evaluate, loadPolicy, type EvaluationRequest } from '../policy/index.js';
import {
  decodeAuthorizationMessage,
  encodeAuthorizationMessage,
  renderDecodedMessage,
} from './authorization-message.js';
import { authorizationMessageFrom } from '../explain/authorization-message.js';

const key = randomBytes(32);
const services = {
  sealSecret: (p: string, aad: string) => sealSecret(key, p, aad),
  unsealSecret: (s: string, aad: string) => unsealSecret(key, s, aad),
};

const request: EvaluationRequest = {
  principal: {
    kind: 'AWS',
    arn: 'arn:aws:iam::111122223333:user/alice',
    account: '111122223333',
    userId: 'AIDAEXAMPLE',
  },
  action: 'iam:CreateUser',
  resource: 'arn:aws:iam::111122223333:user/bob',
  context: { 'aws:username': 'alice', 'aws:TagKeys': ['a', 'b'] },
};
const deny = loadPolicy(
  '{"Version":"2012-10-17","Statement":[{"Sid":"NoUsers","Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}',
  'identity',
  'alice:inline/no-users',
);

function isInvalid(e: unknown): boolean {
  assert.ok(e instanceof AwsError);
  assert.equal(e.code, 'InvalidAuthorizationMessageException');
  assert.equal(e.status, 400);
  assert.equal(e.message, 'the encoded authorization message is invalid');
  return true;
}

test('a message round-trips and renders in AWS layout', () => {
  const message = authorizationMessageFrom(request, evaluate(request, { identity: [deny] }), '111122223333');
  const encoded = encodeAuthorizationMessage(services, '111122223333', message);
  assert.ok(!encoded.includes('alice'), 'the encoded form does not reveal its content');
  const decoded = decodeAuthorizationMessage(services, '111122223333', encoded);
  assert.deepEqual(decoded, message);
  assert.deepEqual(JSON.parse(renderDecodedMessage(decoded)), {
    allowed: false,
    explicitDeny: true,
    matchedStatements: {
      items: [
        { statementId: 'NoUsers', effect: 'DENY', policyId: 'alice:inline/no-users', policyType: 'identity' },
      ],
    },
    failures: { items: [] },
    context: {
      principal: { id: 'AIDAEXAMPLE', name: 'alice', arn: 'arn:aws:iam::111122223333:user/alice' },
      action: 'iam:CreateUser',
      resource: 'arn:aws:iam::111122223333:user/bob',
      conditions: {
        items: [
          { key: 'aws:TagKeys', values: { items: [{ value: 'a' }, { value: 'b' }] } },
          { key: 'aws:username', values: { items: [{ value: 'alice' }] } },
        ],
      },
    },
  });
});

test('garbage, altered and other-account messages are all InvalidAuthorizationMessageException', () => {
  const encoded = encodeAuthorizationMessage(
    services,
    '111122223333',
    authorizationMessageFrom(request, evaluate(request, { identity: [] }), '111122223333'),
  );
  assert.throws(() => decodeAuthorizationMessage(services, '111122223333', 'garbage'), isInvalid);
  const flipped = encoded.slice(0, -2) + (encoded.endsWith('A') ? 'B' : 'A') + encoded.slice(-1);
  assert.throws(() => decodeAuthorizationMessage(services, '111122223333', flipped), isInvalid);
  assert.throws(() => decodeAuthorizationMessage(services, '444455556666', encoded), isInvalid);
  // A sealed value that is not a message (right key and account, wrong content) is refused too.
  const notMessage = services.sealSecret('aGVsbG8=', 'sts:authorization-message/111122223333');
  assert.throws(() => decodeAuthorizationMessage(services, '111122223333', notMessage), isInvalid);
});
