/**
 * `iamd policy eval` decides like the engine: a federated user (GetFederationToken) without a session
 * policy is allowed nothing by its broker's identity policies (issue #16 item 7). STS API Reference,
 * GetFederationToken: "If you do not pass a policy to this operation, the resulting federated user
 * session has no permissions"
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));
const S3_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };

function evalCase(principal: string, policies: object) {
  const input = JSON.stringify({
    request: {
      principal,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::b/k',
      resourceAccount: '111122223333',
    },
    policies,
  });
  return spawnSync(process.execPath, [BIN, 'policy', 'eval'], { input, encoding: 'utf8' });
}

test('policy eval: a federated user without a session policy is allowed nothing; with one, what both allow', () => {
  const fed = 'arn:aws:sts::111122223333:federated-user/bob';
  const none = evalCase(fed, { identity: [S3_ALL] });
  assert.equal(none.status, 1, none.stderr);
  assert.equal(none.stdout.trim(), 'ImplicitDeny (because no session policy allows the s3:GetObject action)');
  const withSession = evalCase(fed, { identity: [S3_ALL], session: [S3_ALL] });
  assert.equal(withSession.status, 0, withSession.stderr);
  assert.equal(withSession.stdout.trim(), 'Allow');
  // An IAM user needs no session policy.
  const user = evalCase('arn:aws:iam::111122223333:user/bob', { identity: [S3_ALL] });
  assert.equal(user.status, 0, user.stderr);
  assert.equal(user.stdout.trim(), 'Allow');
});
