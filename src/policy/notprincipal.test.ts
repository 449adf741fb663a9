// NotPrincipal with Deny, encoding every example of the IAM User Guide page "AWS JSON policy
// elements: NotPrincipal":
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
// AWS validates the account first, then the user; for an assumed-role user the account, then the
// role, then the session. A principal is left out of the Deny only when each of those is listed, so
// listing an account's ARN does not leave out the account's users, roles or sessions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPolicy } from './compile.js';
import { evaluate } from './evaluate.js';
import { principalFromString } from './principal.js';
import { validatePolicy } from './validate.js';
import type { PolicySet } from './types.js';

const OWNER = '111122223333'; // the bucket's account
const B = '444455556666'; // the account of the examples
const BOB = `arn:aws:iam::${B}:user/Bob`;
const ROOT_B = `arn:aws:iam::${B}:root`;
const ROLE = `arn:aws:iam::${B}:role/cross-account-read-only-role`;
const AUDIT = `arn:aws:sts::${B}:assumed-role/cross-account-read-only-role/cross-account-audit-app`;
const OTHER_SESSION = `arn:aws:sts::${B}:assumed-role/cross-account-read-only-role/someone-else`;
const FED = `arn:aws:sts::${B}:federated-user/partner`;

/** A bucket policy: allows everyone s3:*, then the page's Deny with the given NotPrincipal. */
function bucketPolicy(notPrincipal: unknown) {
  const text = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'] },
      {
        Effect: 'Deny',
        NotPrincipal: notPrincipal,
        Action: 's3:*',
        Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'],
      },
    ],
  });
  assert.deepEqual(validatePolicy(text, 'resource').errors, [], text);
  return loadPolicy(text, 'resource');
}
const everything = loadPolicy(
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
  'identity',
);

/** Decision for GetObject on a bucket in `owner` by `who` (whose own policies allow everything). */
function decide(who: string, notPrincipal: unknown, owner = OWNER, extra: PolicySet = {}): string {
  const principal = principalFromString(who);
  assert.ok(principal, who);
  return evaluate(
    {
      principal,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::b/key',
      resourceAccount: owner,
      context: {},
    },
    { identity: [everything], resource: bucketPolicy(notPrincipal), ...extra },
  ).decision;
}

test('example "IAM user in the same or a different account": only Bob (and his account) are left out', () => {
  const np = { AWS: [BOB, ROOT_B] };
  for (const owner of [OWNER, B]) {
    assert.equal(decide(BOB, np, owner), 'Allow', owner);
    // The account's ARN leaves out the account itself (its root user)…
    assert.equal(decide(ROOT_B, np, owner), 'Allow', owner);
    // …but not the account's other users, roles' sessions or federated users.
    assert.equal(decide(`arn:aws:iam::${B}:user/Carol`, np, owner), 'ExplicitDeny', owner);
    assert.equal(decide(AUDIT, np, owner), 'ExplicitDeny', owner);
    assert.equal(decide(FED, np, owner), 'ExplicitDeny', owner);
    // Principals of other accounts stay denied.
    assert.equal(decide(`arn:aws:iam::${OWNER}:user/Bob`, np, owner), 'ExplicitDeny', owner);
    assert.equal(decide(`arn:aws:iam::${OWNER}:root`, np, owner), 'ExplicitDeny', owner);
  }
});

test("Bob's ARN without his account's ARN: the account is denied, and Bob with it", () => {
  assert.equal(decide(BOB, { AWS: BOB }), 'ExplicitDeny');
  assert.equal(decide(ROOT_B, { AWS: BOB }), 'ExplicitDeny');
});

test('an account ARN (or id) alone leaves out only the account, not its users, roles or sessions', () => {
  for (const np of [{ AWS: ROOT_B }, { AWS: B }, { AWS: [B] }]) {
    assert.equal(decide(ROOT_B, np), 'Allow');
    assert.equal(decide(B, np), 'Allow');
    assert.equal(decide(BOB, np), 'ExplicitDeny');
    assert.equal(decide(AUDIT, np), 'ExplicitDeny');
    assert.equal(decide(FED, np), 'ExplicitDeny');
  }
});

test('example "IAM role in the same or different account": session, role and account all listed', () => {
  const np = { AWS: [AUDIT, ROLE, ROOT_B] };
  for (const owner of [OWNER, B]) {
    assert.equal(decide(AUDIT, np, owner), 'Allow', owner);
    // Another session of the same role is not the one named: a session must be named exactly.
    assert.equal(decide(OTHER_SESSION, np, owner), 'ExplicitDeny', owner);
    assert.equal(decide(BOB, np, owner), 'ExplicitDeny', owner);
    assert.equal(decide(ROOT_B, np, owner), 'Allow', owner);
  }
});

test('a session is denied when its role ARN, its account ARN or its own ARN is missing', () => {
  assert.equal(decide(AUDIT, { AWS: [AUDIT, ROOT_B] }), 'ExplicitDeny');
  assert.equal(decide(AUDIT, { AWS: [AUDIT, ROLE] }), 'ExplicitDeny');
  assert.equal(decide(AUDIT, { AWS: [ROLE, ROOT_B] }), 'ExplicitDeny');
  assert.equal(decide(AUDIT, { AWS: AUDIT }), 'ExplicitDeny');
});

test('a federated user is left out with its own ARN and its account ARN', () => {
  // A federated user has the permissions of its session policy (GetFederationToken), so it gets one.
  const withSession: PolicySet = { session: [everything] };
  assert.equal(decide(FED, { AWS: [FED, ROOT_B] }, OWNER, withSession), 'Allow');
  assert.equal(decide(FED, { AWS: FED }, OWNER, withSession), 'ExplicitDeny');
  assert.equal(decide(FED, { AWS: FED }), 'ExplicitDeny');
});

test('{"AWS": "*"} in NotPrincipal leaves out every AWS principal; services are left out when named', () => {
  assert.equal(decide(AUDIT, { AWS: '*' }), 'Allow');
  assert.equal(decide(BOB, { AWS: '*' }), 'Allow');
  assert.equal(decide('cloudtrail.amazonaws.com', { Service: 'cloudtrail.amazonaws.com' }), 'Allow');
  assert.equal(decide('cloudtrail.amazonaws.com', { AWS: [BOB, ROOT_B] }), 'ExplicitDeny');
});

test('key point: the Deny always applies to a principal with a permissions boundary, whatever is listed', () => {
  const boundary: PolicySet = { permissionsBoundary: everything };
  assert.equal(decide(BOB, { AWS: [BOB, ROOT_B] }, OWNER, boundary), 'ExplicitDeny');
  assert.equal(decide(AUDIT, { AWS: [AUDIT, ROLE, ROOT_B] }, B, boundary), 'ExplicitDeny');
});
