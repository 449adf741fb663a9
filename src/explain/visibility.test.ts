/**
 * Issue #16 item 2: an explanation shows each account only what it owns. Decisions come from the real
 * policy engine; the caller's account of a cross-account AssumeRole must get the same answer whether the
 * role is missing, does not trust it, or wants an ExternalId it did not pass — and never the trust
 * policy or its condition values. The role's account gets the full reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, loadPolicy, type EvaluationRequest, type PolicySet } from '../policy/index.js';
import { decisionTrace } from '../audit/trace.js';
import type { AuditRecord } from '../store/index.js';
import { TRUSTS_NOBODY } from '../domain/trust-principals.js';
import { explainEvent, type Explanation } from './index.js';
import { visibilityFor, visibleTrace } from './visibility.js';
import { authorizationMessageFrom } from './authorization-message.js';

const CALLER_ACCT = '111111111111';
const ROLE_ACCT = '222222222222';
const USER = `arn:aws:iam::${CALLER_ACCT}:user/dave`;
const ROLE = `arn:aws:iam::${ROLE_ACCT}:role/partner`;
const SECRET = 'ext-id-s3cr3t';

const identity = loadPolicy(
  '{"Version":"2012-10-17","Statement":[{"Sid":"MayAssume","Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}',
  'identity',
  `${USER}:inline/assume`,
);
const trustTexts = {
  missing: TRUSTS_NOBODY,
  untrusting: JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::333333333333:root' }, Action: 'sts:AssumeRole' },
    ],
  }),
  externalId: JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PartnerOnly',
        Effect: 'Allow',
        Principal: { AWS: USER },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': SECRET } },
      },
    ],
  }),
};

function record(trustText: string, opts: { identity?: boolean; account?: string } = {}): AuditRecord {
  const request: EvaluationRequest = {
    principal: { kind: 'AWS', arn: USER, account: CALLER_ACCT },
    action: 'sts:AssumeRole',
    resource: ROLE,
    resourceAccount: ROLE_ACCT,
    context: { 'sts:RoleSessionName': 's', 'sts:ExternalId': 'wrong', 'iam:ResourceTag/team': 'blue' },
  };
  const policies: PolicySet = {
    identity: opts.identity === false ? [] : [identity],
    resource: loadPolicy(trustText, 'trust', ROLE),
  };
  const decision = evaluate(request, policies, { diagnostics: true });
  assert.notEqual(decision.decision, 'Allow');
  return {
    eventId: 'e1',
    eventTime: 0,
    account: opts.account ?? CALLER_ACCT,
    eventName: 'AssumeRole',
    eventSource: 'sts.amazonaws.com',
    requestId: 'r1',
    readOnly: false,
    errorCode: 'AccessDenied',
    resources: [],
    record: {
      errorMessage: `User: ${USER} is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
      iamdAuthorization: decisionTrace(
        request,
        decision,
        { policy: trustText, type: 'trust' },
        'engine paragraph',
      ),
    },
  } as unknown as AuditRecord;
}

test('who sees what: same account full, caller and resource accounts their own side', () => {
  const req = (resourceAccount: string): EvaluationRequest => ({
    principal: { kind: 'AWS', arn: USER, account: CALLER_ACCT },
    action: 'sts:AssumeRole',
    resource: `arn:aws:iam::${resourceAccount}:role/x`,
    context: {},
  });
  assert.equal(visibilityFor(req(CALLER_ACCT), CALLER_ACCT), 'full');
  assert.equal(visibilityFor(req(ROLE_ACCT), CALLER_ACCT), 'caller');
  assert.equal(visibilityFor(req(ROLE_ACCT), ROLE_ACCT), 'resource');
});

test("caller's account: a missing role, an untrusting role and a wrong ExternalId explain identically", () => {
  const views = Object.values(trustTexts).map((t) => explainEvent(record(t)));
  const strip = (e: Explanation) => JSON.stringify({ ...e, trace: undefined });
  for (const v of views) {
    assert.equal(v.view, 'caller');
    assert.equal(v.cause, 'cross-account-resource-denied');
    assert.equal(strip(v), strip(views[0]!));
    const all = JSON.stringify(v);
    // Neither the trust policy, its condition value, the role's tags nor the engine's paragraph.
    assert.ok(!all.includes(SECRET), all);
    assert.ok(!all.includes('PartnerOnly'), all);
    assert.ok(!all.includes('333333333333'), all);
    assert.ok(!all.includes('nobody.iamd.invalid'), all);
    assert.ok(!all.includes('iam:ResourceTag/team'), all);
    assert.ok(!all.includes('engine paragraph'), all);
    assert.ok(!/does not exist|ExternalId.*wrong|condition .* not met/i.test(v.headline), v.headline);
  }
  assert.match(
    views[0]!.headline,
    /^This is a cross-account request: arn:aws:iam::111111111111:user\/dave's own policies allow `sts:AssumeRole` on `arn:aws:iam::222222222222:role\/partner`, but account 222222222222, which owns it, did not allow the call\.$/,
  );
  assert.match(views[0]!.fix, /ask an administrator of account 222222222222 to explain this request id/);
  // The caller's own side is still shown: its identity-based Allow.
  assert.ok(views[0]!.details.some((d) => d.includes('(Sid `MayAssume`)')));
});

test("caller's account: its own missing permission is told the same whatever the role", () => {
  const views = Object.values(trustTexts).map((t) => explainEvent(record(t, { identity: false })));
  for (const v of views) {
    assert.equal(v.cause, 'cross-account-no-identity-permission');
    assert.equal(v.headline, views[0]!.headline);
    assert.doesNotMatch(v.headline, /other account allows/);
    assert.ok(!JSON.stringify(v).includes(SECRET));
  }
});

test("the role's account sees its trust policy and the full reason, not the caller's policies", () => {
  const ext = explainEvent(record(trustTexts.externalId, { account: ROLE_ACCT }));
  assert.equal(ext.view, 'resource');
  assert.equal(ext.cause, 'trust-condition-not-met');
  assert.match(ext.fix, new RegExp(`wants \\["${SECRET}"\\] but the request had "wrong"`));
  assert.ok(!JSON.stringify(ext).includes('MayAssume'), 'no statement of the caller account');
  assert.equal(ext.trace?.resourcePolicy, trustTexts.externalId);
  const untrusting = explainEvent(record(trustTexts.untrusting, { account: ROLE_ACCT }));
  assert.equal(untrusting.cause, 'cross-account-trust-does-not-name-caller');
  const noIdentity = explainEvent(
    record(trustTexts.externalId.replace(SECRET, 'wrong'), { account: ROLE_ACCT, identity: false }),
  );
  assert.equal(noIdentity.cause, 'cross-account-no-identity-permission');
  assert.match(
    noIdentity.fix,
    /^Nothing to change in this account: an administrator of account 111111111111/,
  );
});

test('visibleTrace drops the resource policy for the caller and keeps it for the resource account', () => {
  const r = record(trustTexts.externalId);
  const trace = r.record.iamdAuthorization as Parameters<typeof visibleTrace>[0];
  const mine = visibleTrace(trace, CALLER_ACCT).trace;
  assert.equal(mine.resourcePolicy, undefined);
  assert.equal(mine.explanation, undefined);
  assert.ok(mine.decision.matched.every((m) => m.source !== 'resource'));
  assert.ok(mine.decision.nonMatches.every((m) => m.source !== 'resource'));
  const theirs = visibleTrace(trace, ROLE_ACCT).trace;
  assert.equal(theirs.resourcePolicy, trustTexts.externalId);
  assert.ok(theirs.decision.matched.every((m) => m.source !== 'identity'));
});

test("DecodeAuthorizationMessage's message follows the same rule", () => {
  const trace = record(trustTexts.externalId).record.iamdAuthorization as Parameters<typeof visibleTrace>[0];
  const mine = authorizationMessageFrom(trace.request, trace.decision, CALLER_ACCT);
  assert.ok(mine.matchedStatements.every((s) => s.policyType !== 'resource'));
  assert.ok(!mine.context.conditions.some((c) => c.key === 'iam:ResourceTag/team'));
  assert.equal(mine.explicitDeny, false);
  const theirs = authorizationMessageFrom(trace.request, trace.decision, ROLE_ACCT);
  assert.ok(theirs.matchedStatements.every((s) => s.policyType !== 'identity'));
});
