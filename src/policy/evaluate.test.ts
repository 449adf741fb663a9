// Decision flow. Sources: IAM User Guide "Policy evaluation logic", "Cross-account policy
// evaluation logic", "Permissions boundaries for IAM entities" (resource policies vs boundaries),
// "Session policies", "AWS JSON policy elements: Principal"; shared/DOMAIN.md trust table rows 1-7.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPolicy } from './compile.js';
import { evaluate } from './evaluate.js';
import { denialReason, explain } from './explain.js';
import { validatePolicy } from './validate.js';
import type { EvaluationRequest, PolicySet, PolicyType, RequestPrincipal } from './types.js';

const A = '111122223333';
const B = '444455556666';
const ALICE = `arn:aws:iam::${A}:user/alice`;
const ROLE = `arn:aws:iam::${A}:role/read-only`;

function pol(type: PolicyType, statements: object[], id?: string) {
  const text = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  assert.deepEqual(validatePolicy(text, type).errors, [], text);
  return loadPolicy(text, type, id);
}
const allow = (action: string, resource = '*') =>
  pol('identity', [{ Effect: 'Allow', Action: action, Resource: resource }]);
const trust = (principal: unknown, effect = 'Allow') =>
  pol('trust', [{ Effect: effect, Principal: principal, Action: 'sts:AssumeRole' }]);
const user = (arn = ALICE, account = A): RequestPrincipal => ({ kind: 'AWS', arn, account });
const assume = (principal: RequestPrincipal, role = ROLE): EvaluationRequest => ({
  principal,
  action: 'sts:AssumeRole',
  resource: role,
  context: {},
});
const decide = (r: EvaluationRequest, p: PolicySet) => evaluate(r, p).decision;

// DOMAIN.md, "The trust-policy rules that surprise people".
test('row 1: no identity allow + trust names account root -> denied by identity', () => {
  const d = evaluate(assume(user()), { identity: [], resource: trust({ AWS: `arn:aws:iam::${A}:root` }) });
  assert.equal(d.decision, 'ImplicitDeny');
  assert.equal(
    denialReason(d, 'sts:AssumeRole'),
    'because no identity-based policy allows the sts:AssumeRole action',
  );
});
test('row 2: identity allow + trust names account root -> assumed', () => {
  assert.equal(
    decide(assume(user()), { identity: [allow('sts:AssumeRole', ROLE)], resource: trust({ AWS: A }) }),
    'Allow',
  );
});
test('row 3: identity allow + trust names the user -> assumed', () => {
  assert.equal(
    decide(assume(user()), { identity: [allow('sts:AssumeRole')], resource: trust({ AWS: ALICE }) }),
    'Allow',
  );
});
test('row 4: no identity allow + trust names the user ARN -> assumed (resource policy grants on its own)', () => {
  const d = evaluate(assume(user()), { identity: [], resource: trust({ AWS: ALICE }) });
  assert.equal(d.decision, 'Allow');
  assert.equal(d.decidedBy, 'resource');
});
test('row 5: PowerUserAccess (NotAction iam:*, organizations:*, account:*) + trust root -> assumed', () => {
  const power = pol('identity', [
    { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
  ]);
  assert.equal(
    decide(assume(user()), { identity: [power], resource: trust({ AWS: `arn:aws:iam::${A}:root` }) }),
    'Allow',
  );
});
test('row 6: explicit Deny sts:AssumeRole in identity policy + trust names the user -> denied', () => {
  const deny = pol('identity', [{ Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' }]);
  const d = evaluate(assume(user()), { identity: [deny], resource: trust({ AWS: ALICE }) });
  assert.equal(d.decision, 'ExplicitDeny');
  assert.equal(denialReason(d, 'sts:AssumeRole'), 'with an explicit deny in an identity-based policy');
});
test('row 7: cross-account needs both sides', () => {
  const bob = user(`arn:aws:iam::${B}:user/bob`, B);
  const ok = {
    identity: [allow('sts:AssumeRole', ROLE)],
    resource: trust({ AWS: `arn:aws:iam::${B}:user/bob` }),
  };
  assert.equal(decide(assume(bob), ok), 'Allow');
  // Trust names bob, but bob's account gives him no identity allow (no same-account shortcut).
  const noIdentity = evaluate(assume(bob), { identity: [], resource: ok.resource });
  assert.equal(noIdentity.decision, 'ImplicitDeny');
  assert.equal(noIdentity.decidedBy, 'identity');
  assert.equal(noIdentity.crossAccount, true);
  // Identity allows, trust does not name B.
  const noTrust = evaluate(assume(bob), { identity: ok.identity, resource: trust({ AWS: A }) });
  assert.equal(noTrust.decision, 'ImplicitDeny');
  assert.equal(
    denialReason(noTrust, 'sts:AssumeRole'),
    'because no resource-based policy allows the sts:AssumeRole action',
  );
  // Trust names account B (root): B's identity allow completes it.
  assert.equal(decide(assume(bob), { identity: ok.identity, resource: trust({ AWS: B }) }), 'Allow');
});

test('explicit deny in a trust policy wins over everything', () => {
  const t = pol('trust', [
    { Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'sts:AssumeRole' },
    { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' },
  ]);
  const d = evaluate(assume(user()), { identity: [allow('*')], resource: t });
  assert.equal(d.decision, 'ExplicitDeny');
  assert.equal(denialReason(d, 'sts:AssumeRole'), 'with an explicit deny in a resource-based policy');
});

const SESSION = `arn:aws:sts::${A}:assumed-role/read-only/s1`;
const session: RequestPrincipal = { kind: 'AWS', arn: SESSION, account: A, roleArn: ROLE };
const getObject: (p: RequestPrincipal) => EvaluationRequest = (p) => ({
  principal: p,
  action: 's3:GetObject',
  resource: 'arn:aws:s3:::bucket/key',
  resourceAccount: A,
  context: {},
});
const bucket = (principal: unknown) =>
  pol('resource', [
    { Effect: 'Allow', Principal: principal, Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*' },
  ]);
const onlyGetCallerIdentity = allow('sts:GetCallerIdentity');

test('boundaries: a resource policy naming an IAM user ARN is not limited by the boundary', () => {
  const d = evaluate(getObject(user()), {
    resource: bucket({ AWS: ALICE }),
    permissionsBoundary: onlyGetCallerIdentity,
  });
  assert.equal(d.decision, 'Allow');
});
test('boundaries: a resource policy naming the role ARN is limited by the role boundary', () => {
  const d = evaluate(getObject(session), {
    resource: bucket({ AWS: ROLE }),
    permissionsBoundary: onlyGetCallerIdentity,
  });
  assert.equal(d.decision, 'ImplicitDeny');
  assert.equal(
    denialReason(d, 's3:GetObject'),
    'because no permissions boundary allows the s3:GetObject action',
  );
  assert.equal(decide(getObject(session), { resource: bucket({ AWS: ROLE }) }), 'Allow');
});
test('boundaries: a resource policy naming the session ARN is not limited by boundary or session policy', () => {
  const p = {
    resource: bucket({ AWS: SESSION }),
    permissionsBoundary: onlyGetCallerIdentity,
    session: [onlyGetCallerIdentity],
  };
  assert.equal(decide(getObject(session), p), 'Allow');
});
test('session policies: role ARN grant is limited by the session policy', () => {
  const d = evaluate(getObject(session), {
    resource: bucket({ AWS: ROLE }),
    session: [onlyGetCallerIdentity],
  });
  assert.equal(d.decision, 'ImplicitDeny');
  assert.equal(denialReason(d, 's3:GetObject'), 'because no session policy allows the s3:GetObject action');
});
test('session policies intersect with identity policies; several session policies act together', () => {
  const p: PolicySet = { identity: [allow('s3:*')], session: [onlyGetCallerIdentity, allow('s3:GetObject')] };
  assert.equal(decide(getObject(session), p), 'Allow');
  assert.equal(
    decide(getObject(session), { identity: [allow('s3:*')], session: [onlyGetCallerIdentity] }),
    'ImplicitDeny',
  );
  assert.equal(
    decide(getObject(session), { identity: [onlyGetCallerIdentity], session: [allow('s3:*')] }),
    'ImplicitDeny',
  );
});
test('boundary intersects with identity policies', () => {
  const d = evaluate(getObject(user()), {
    identity: [allow('s3:*')],
    permissionsBoundary: onlyGetCallerIdentity,
  });
  assert.equal(d.decision, 'ImplicitDeny');
  assert.equal(d.decidedBy, 'permissionsBoundary');
  assert.equal(
    decide(getObject(user()), { identity: [allow('s3:*')], permissionsBoundary: allow('s3:Get*') }),
    'Allow',
  );
});
test('a boundary Deny is an explicit deny', () => {
  const deny = pol('boundary', [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }]);
  const d = evaluate(getObject(user()), { identity: [allow('*')], permissionsBoundary: deny });
  assert.equal(denialReason(d, 's3:GetObject'), 'with an explicit deny in a permissions boundary');
});
test('resource policy naming the account root needs an identity allow in the same account', () => {
  assert.equal(decide(getObject(user()), { resource: bucket({ AWS: A }) }), 'ImplicitDeny');
  assert.equal(
    decide(getObject(user()), { resource: bucket({ AWS: A }), identity: [allow('s3:GetObject')] }),
    'Allow',
  );
});

test('SCPs: every level must allow; a level without Allow denies; explicit deny wins', () => {
  const full = allow('*');
  const p = (scps: PolicySet['scps']): PolicySet => ({ identity: [allow('s3:*')], scps });
  assert.equal(decide(getObject(user()), p([full])), 'Allow');
  assert.equal(decide(getObject(user()), p([[full], [full], [allow('s3:GetObject')]])), 'Allow');
  const d = evaluate(getObject(user()), p([[full], [allow('ec2:*')], [full]]));
  assert.equal(d.decision, 'ImplicitDeny');
  assert.equal(d.level, 1);
  assert.equal(
    denialReason(d, 's3:GetObject'),
    'because no service control policy allows the s3:GetObject action',
  );
  const deny = pol('scp', [{ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }]);
  assert.equal(
    denialReason(evaluate(getObject(user()), p([full, deny])), 's3:GetObject'),
    'with an explicit deny in a service control policy',
  );
  // SCPs limit even a same-account resource-policy grant.
  assert.equal(
    decide(getObject(user()), { resource: bucket({ AWS: ALICE }), scps: [allow('ec2:*')] }),
    'ImplicitDeny',
  );
});
test('RCPs: must allow; denial names resource control policy', () => {
  const rcp = pol('rcp', [{ Effect: 'Allow', Principal: '*', Action: 'ec2:*', Resource: '*' }]);
  const d = evaluate(getObject(user()), { identity: [allow('s3:*')], rcps: [rcp] });
  assert.equal(
    denialReason(d, 's3:GetObject'),
    'because no resource control policy allows the s3:GetObject action',
  );
});

test('service, federated and anonymous principals are decided by the resource policy alone', () => {
  const ec2: RequestPrincipal = { kind: 'Service', service: 'ec2.amazonaws.com' };
  const t = trust({ Service: 'ec2.amazonaws.com' });
  assert.equal(decide(assume(ec2), { resource: t }), 'Allow');
  assert.equal(
    decide(assume({ kind: 'Service', service: 'lambda.amazonaws.com' }), { resource: t }),
    'ImplicitDeny',
  );
  const oidc = `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com`;
  const fed: RequestPrincipal = { kind: 'Federated', provider: oidc };
  const web = pol('trust', [
    {
      Effect: 'Allow',
      Principal: { Federated: oidc },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } },
    },
  ]);
  const req = { ...assume(fed), action: 'sts:AssumeRoleWithWebIdentity' };
  assert.equal(
    decide(
      { ...req, context: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } },
      { resource: web },
    ),
    'Allow',
  );
  assert.equal(
    decide({ ...req, context: { 'token.actions.githubusercontent.com:aud': 'other' } }, { resource: web }),
    'ImplicitDeny',
  );
  const anon: RequestPrincipal = { kind: 'Anonymous' };
  assert.equal(decide(getObject(anon), { resource: bucket('*') }), 'Allow');
  assert.equal(decide(getObject(anon), { resource: bucket({ AWS: '*' }) }), 'Allow');
  assert.equal(decide(getObject(anon), { resource: bucket({ AWS: A }) }), 'ImplicitDeny');
});

test('Principal "*" grants to everyone, including other accounts only with their identity allow', () => {
  const bob = user(`arn:aws:iam::${B}:user/bob`, B);
  assert.equal(decide(getObject(user()), { resource: bucket('*') }), 'Allow');
  assert.equal(decide(getObject(bob), { resource: bucket('*') }), 'ImplicitDeny');
  assert.equal(decide(getObject(bob), { resource: bucket('*'), identity: [allow('s3:*')] }), 'Allow');
});

test('NotPrincipal: Deny applies to everyone not listed; always to principals with a boundary', () => {
  const p = pol('resource', [
    { Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' },
    { Effect: 'Deny', NotPrincipal: { AWS: [ALICE, A] }, Action: 's3:*', Resource: '*' },
  ]);
  const bob = user(`arn:aws:iam::${A}:user/bob`);
  assert.equal(decide(getObject(user()), { resource: p }), 'Allow');
  assert.equal(decide(getObject(bob), { resource: p }), 'ExplicitDeny');
  assert.equal(decide(getObject(user()), { resource: p, permissionsBoundary: allow('*') }), 'ExplicitDeny');
});

test('a role trust policy naming the role ARN matches its sessions (role chaining to itself)', () => {
  assert.equal(decide(assume(session), { resource: trust({ AWS: ROLE }) }), 'Allow');
});

test('the account root user is not subject to identity policies in its own account', () => {
  const root = user(`arn:aws:iam::${A}:root`);
  assert.equal(decide(getObject(root), {}), 'Allow');
  assert.equal(decide(getObject(root), { scps: [allow('ec2:*')] }), 'ImplicitDeny');
});

test('actions are case-insensitive, resources case-sensitive; variables in Resource', () => {
  const own = pol('identity', [
    { Effect: 'Allow', Action: 'S3:getobject', Resource: 'arn:aws:s3:::bucket/${aws:username}/*' },
  ]);
  const req = (key: string, username?: string): EvaluationRequest => ({
    ...getObject(user()),
    resource: `arn:aws:s3:::bucket/${key}`,
    context: username ? { 'aws:username': username } : {},
  });
  assert.equal(decide(req('alice/x', 'alice'), { identity: [own] }), 'Allow');
  assert.equal(decide(req('Alice/x', 'alice'), { identity: [own] }), 'ImplicitDeny');
  assert.equal(decide(req('alice/x'), { identity: [own] }), 'ImplicitDeny');
});

test('diagnostics record matched statements and what did not match', () => {
  const p = pol(
    'identity',
    [
      {
        Sid: 'Ip',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: '*',
        Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      },
      { Sid: 'Other', Effect: 'Allow', Action: 'ec2:*', Resource: '*' },
    ],
    'p1',
  );
  const req = { ...getObject(user()), context: { 'aws:SourceIp': '203.0.113.7' } };
  const d = evaluate(req, { identity: [p] }, { diagnostics: true });
  assert.equal(d.decision, 'ImplicitDeny');
  assert.deepEqual(d.matched, []);
  assert.deepEqual(d.nonMatches[0], {
    source: 'identity',
    policyId: 'p1',
    statement: 0,
    sid: 'Ip',
    effect: 'Allow',
    mismatches: [
      {
        element: 'Condition',
        operator: 'IpAddress',
        key: 'aws:SourceIp',
        actual: '203.0.113.7',
        expected: ['10.0.0.0/8'],
      },
    ],
  });
  assert.deepEqual(d.nonMatches[1]?.mismatches, [{ element: 'Action' }]);
  const text = explain(d, req);
  assert.match(text, /no identity-based policy allows `s3:GetObject`/);
  assert.match(
    text,
    /condition IpAddress on `aws:SourceIp` wants \["10\.0\.0\.0\/8"\] but the request has "203\.0\.113\.7"/,
  );
  const ok = evaluate({ ...req, context: { 'aws:SourceIp': '10.1.2.3' } }, { identity: [p] });
  assert.deepEqual(ok.matched, [
    { source: 'identity', policyId: 'p1', statement: 0, sid: 'Ip', effect: 'Allow' },
  ]);
  assert.equal(denialReason(ok, 's3:GetObject'), undefined);
});

test('explain: root delegation advice and explicit deny advice', () => {
  const d = evaluate(assume(user()), { identity: [], resource: trust({ AWS: `arn:aws:iam::${A}:root` }) });
  assert.match(explain(d, assume(user())), /only delegates to the account/);
  const deny = pol('identity', [{ Effect: 'Deny', Action: '*', Resource: '*' }]);
  assert.match(
    explain(evaluate(assume(user()), { identity: [deny] })),
    /explicit deny overrides every Allow/,
  );
});

test('loadPolicy caches by content and rejects invalid documents', () => {
  const text = JSON.stringify({
    Version: '2012-10-17',
    Statement: { Effect: 'Allow', Action: 's3:*', Resource: '*' },
  });
  assert.equal(loadPolicy(text, 'identity', 'x'), loadPolicy(text, 'identity', 'x'));
  assert.equal(loadPolicy(text, 'identity', 'x').body, loadPolicy(text, 'identity', 'y').body);
  assert.throws(() => loadPolicy('{}', 'identity'), {
    name: 'TypeError',
    message: 'loadPolicy: invalid identity policy: Statement: Syntax errors in policy.',
  });
});

// A role's trust policy must allow: an identity allow on `sts:AssumeRole` for `*` does not reach a role
// whose trust policy names someone else ("Policy evaluation logic": role trust policies are required).
test('identity allows sts:AssumeRole on * but the trust policy names another user -> denied by resource', () => {
  const d = evaluate(assume(user()), {
    identity: [allow('sts:AssumeRole')],
    resource: trust({ AWS: `arn:aws:iam::${A}:user/bob` }),
  });
  assert.equal(d.decision, 'ImplicitDeny');
  assert.equal(d.decidedBy, 'resource');
  assert.equal(
    denialReason(d, 'sts:AssumeRole'),
    'because no resource-based policy allows the sts:AssumeRole action',
  );
});

// Issue #16 item 7. A federated-user session (GetFederationToken) without a session policy has no
// permissions, whatever its broker user's policies allow; only a resource policy naming the
// federated user itself still grants. https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
// ("If you do not pass a policy, the resulting federated user session has no permissions.")
test('federated user without a session policy: allowed nothing by its identity policies', () => {
  const FED = `arn:aws:sts::${A}:federated-user/bob`;
  const fed = user(FED);
  const get = { principal: fed, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: {} };
  for (const session of [undefined, []]) {
    const d = evaluate(get, { identity: [allow('s3:*')], ...(session ? { session } : {}) });
    assert.equal(d.decision, 'ImplicitDeny');
    assert.equal(d.decidedBy, 'session');
  }
  // With a session policy: the intersection.
  assert.equal(decide(get, { identity: [allow('s3:*')], session: [allow('s3:GetObject')] }), 'Allow');
  assert.equal(decide(get, { identity: [allow('s3:*')], session: [allow('s3:PutObject')] }), 'ImplicitDeny');
  // A resource policy naming the federated user grants on its own.
  const resource = pol('resource', [
    { Effect: 'Allow', Principal: { AWS: FED }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/k' },
  ]);
  assert.equal(decide(get, { identity: [], resource }), 'Allow');
  // An IAM user with no session policy is unaffected.
  assert.equal(decide({ ...get, principal: user() }, { identity: [allow('s3:*')] }), 'Allow');
});

// "AWS JSON policy elements: Principal", IAM role principals
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles):
// a saved user or role ARN becomes the principal's unique id, which names that principal only.
const ALICE_ID = 'AIDAQ3EGUSERALICE01';
const ROLE_ID = 'AROAQ3EGROLEREADON1';
const alice = (principalId?: string): RequestPrincipal => ({
  kind: 'AWS',
  arn: ALICE,
  account: A,
  principalId,
});
test('unique ids: a trust policy holding a user id names the user with that id, not a namesake', () => {
  const p = { identity: [], resource: trust({ AWS: ALICE_ID }) };
  const d = evaluate(assume(alice(ALICE_ID)), p);
  assert.equal(d.decision, 'Allow');
  assert.equal(d.decidedBy, 'resource');
  assert.equal(decide(assume(alice('AIDAQ3EGUSERALICE02')), p), 'ImplicitDeny');
  assert.equal(decide(assume(user()), p), 'ImplicitDeny');
});
test('unique ids: a role id names every session of that role and is limited like a role ARN grant', () => {
  const withId: RequestPrincipal = {
    kind: 'AWS',
    arn: SESSION,
    account: A,
    roleArn: ROLE,
    principalId: ROLE_ID,
  };
  assert.equal(decide(getObject(withId), { resource: bucket({ AWS: ROLE_ID }) }), 'Allow');
  assert.equal(
    decide(getObject(withId), { resource: bucket({ AWS: ROLE_ID }), session: [onlyGetCallerIdentity] }),
    'ImplicitDeny',
  );
  assert.equal(
    decide(getObject({ ...withId, principalId: 'AROAQ3EGROLEREADON2' }), {
      resource: bucket({ AWS: ROLE_ID }),
    }),
    'ImplicitDeny',
  );
});
