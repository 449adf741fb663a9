/**
 * Every cause the explainer can produce, with its label and fix text (issue #16 item 9). The records
 * are built by hand so each cause is reached exactly; the contract tests in test/explain/ reach the
 * AssumeRole causes through a real server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainEvent, type DenialCause } from './index.js';
import type { AuditRecord } from '../store/index.js';
import type { Decision, PolicySource } from '../policy/index.js';
import { TRUSTS_NOBODY } from '../domain/trust-principals.js';

const USER = 'arn:aws:iam::111111111111:user/dave';
const SESSION = 'arn:aws:sts::111111111111:assumed-role/ops/dave-session';
const ROLE = 'arn:aws:iam::111111111111:role/partner';
/** A role of another account: the caller's account and the role's account see different views. */
const OTHER_ROLE = 'arn:aws:iam::222222222222:role/partner';

function event(fields: {
  errorCode?: string;
  message?: string;
  trace?: unknown;
  account?: string;
}): AuditRecord {
  return {
    eventId: 'e1',
    eventTime: 0,
    account: fields.account ?? '111111111111',
    eventName: 'AssumeRole',
    eventSource: 'sts.amazonaws.com',
    requestId: 'r1',
    readOnly: false,
    errorCode: fields.errorCode,
    resources: [],
    record: { errorMessage: fields.message, iamdAuthorization: fields.trace },
  } as unknown as AuditRecord;
}

function traced(
  decision: Partial<Decision> & { decidedBy: PolicySource },
  opts: {
    caller?: string;
    action?: string;
    resource?: string;
    trust?: boolean;
    policy?: string;
    /** The account whose copy of the event is explained (default: the caller's). */
    account?: string;
  } = {},
): AuditRecord {
  return event({
    account: opts.account,
    errorCode: 'AccessDenied',
    message: 'denied',
    trace: {
      traceVersion: 1,
      request: {
        principal: { kind: 'AWS', arn: opts.caller ?? USER },
        action: opts.action ?? 'sts:AssumeRole',
        resource: opts.resource ?? ROLE,
        context: {},
      },
      decision: {
        decision: 'ImplicitDeny',
        matched: [],
        nonMatches: [],
        crossAccount: false,
        resourceGrant: undefined,
        present: [],
        ...decision,
      },
      resourcePolicy: opts.policy ?? '{}',
      resourcePolicyType: opts.trust === false ? 'resource' : 'trust',
    },
  });
}

const identityAllow = {
  source: 'identity',
  policyId: 'p',
  statement: 0,
  sid: undefined,
  effect: 'Allow',
} as const;
const trustAllow = {
  source: 'resource',
  policyId: 'trust',
  statement: 0,
  sid: undefined,
  effect: 'Allow',
} as const;
const externalIdMiss = {
  source: 'resource',
  policyId: 'trust',
  statement: 0,
  sid: undefined,
  effect: 'Allow',
  mismatches: [
    {
      element: 'Condition',
      operator: 'StringEquals',
      key: 'sts:ExternalId',
      actual: 'wrong',
      expected: ['12345'],
    },
  ],
} as const;

const cases: readonly { name: string; record: AuditRecord; cause: DenialCause; fix: RegExp; not?: RegExp }[] =
  [
    { name: 'allowed', record: event({}), cause: 'allowed', fix: /^Nothing to change\.$/ },
    {
      name: 'authentication',
      record: event({ errorCode: 'ExpiredToken', message: 'expired' }),
      cause: 'authentication',
      fix: /^Get new temporary credentials/,
    },
    {
      name: 'wrong MFA code',
      record: event({
        errorCode: 'AccessDenied',
        message: 'MultiFactorAuthentication failed with invalid MFA one time pass code.',
      }),
      cause: 'mfa-failed',
      fix: /^Use the current code from the MFA device/,
      not: /root/,
    },
    {
      name: 'MFA half missing',
      record: event({
        errorCode: 'AccessDenied',
        message:
          'MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.',
      }),
      cause: 'mfa-failed',
      fix: /--serial-number.*--token-code/,
    },
    {
      name: 'MFA unknown device',
      record: event({
        errorCode: 'AccessDenied',
        message:
          'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.',
      }),
      cause: 'mfa-failed',
      fix: /MFA device that is enabled for the caller/,
    },
    {
      name: 'fixed rule (root may not assume a role)',
      record: event({ errorCode: 'AccessDenied', message: 'Roles may not be assumed by root accounts.' }),
      cause: 'access-denied-rule',
      fix: /^Assume the role as an IAM user or role of the account, not as the account root\.$/,
    },
    {
      name: 'fixed rule (GetSessionToken with session credentials)',
      record: event({
        errorCode: 'AccessDenied',
        message: 'Cannot call GetSessionToken with session credentials',
      }),
      cause: 'access-denied-rule',
      fix: /^Call it with long-term credentials/,
      not: /root\.$|rather than the account root/,
    },
    {
      name: 'fixed rule (federation-token session calling IAM)',
      record: event({
        errorCode: 'AccessDenied',
        message: 'Cannot call iam:ListUsers with session credentials obtained via GetFederationToken',
      }),
      cause: 'access-denied-rule',
      fix: /^Call it with the IAM user's long-term access key: sessions from GetFederationToken cannot call IAM or STS/,
    },
    {
      name: 'fixed rule (source identity cannot change)',
      record: event({
        errorCode: 'AccessDenied',
        message: `User: ${SESSION} is not authorized to perform: sts:SetSourceIdentity on resource: ${ROLE}`,
      }),
      cause: 'access-denied-rule',
      fix: /^Pass the same SourceIdentity as the session already carries/,
    },
    {
      name: 'fixed rule (web identity not trusted)',
      record: event({
        errorCode: 'AccessDenied',
        message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
      }),
      cause: 'access-denied-rule',
      fix: /"Federated" principal/,
    },
    {
      name: 'failed',
      record: event({ errorCode: 'NoSuchEntity', message: 'x' }),
      cause: 'failed',
      fix: /^Correct the request/,
    },
    {
      name: 'role not found',
      record: traced({ decidedBy: 'resource' }, { policy: TRUSTS_NOBODY }),
      cause: 'role-not-found',
      fix: /^Use the exact ARN of an existing role/,
    },
    {
      name: 'no identity permission (user)',
      record: traced({ decidedBy: 'identity', matched: [trustAllow] }),
      cause: 'no-identity-permission',
      fix: /to arn:aws:iam::111111111111:user\/dave \(or one of its groups\)\.$/,
    },
    {
      name: 'no identity permission (role session): fix the role',
      record: traced({ decidedBy: 'identity', matched: [trustAllow] }, { caller: SESSION }),
      cause: 'no-identity-permission',
      fix: /to the role `ops` of account 111111111111/,
      not: /to arn:aws:sts::111111111111:assumed-role\/ops\/dave-session[ .(]/,
    },
    {
      name: 'cross-account no identity permission',
      record: traced(
        { decidedBy: 'identity', matched: [trustAllow], crossAccount: true },
        { resource: OTHER_ROLE },
      ),
      cause: 'cross-account-no-identity-permission',
      fix: /^Attach an identity-based policy allowing `sts:AssumeRole` on `arn:aws:iam::222222222222:role\/partner` to arn:aws:iam::111111111111:user\/dave/,
    },
    {
      name: "cross-account no identity permission, the role's account's view",
      record: traced(
        { decidedBy: 'identity', matched: [trustAllow], crossAccount: true },
        { resource: OTHER_ROLE, account: '222222222222' },
      ),
      cause: 'cross-account-no-identity-permission',
      fix: /^Nothing to change in this account: an administrator of account 111111111111 must attach/,
    },
    {
      name: "cross-account denied by the role's account, the caller's view (no reason given)",
      record: traced(
        { decidedBy: 'resource', matched: [identityAllow], crossAccount: true, nonMatches: [externalIdMiss] },
        { resource: OTHER_ROLE },
      ),
      cause: 'cross-account-resource-denied',
      fix: /^Check the role ARN, and any ExternalId or MFA the role's owner asked you to pass; otherwise ask an administrator of account 222222222222 to explain this request id/,
      not: /12345|wrong/,
    },
    {
      name: 'trust does not name caller',
      record: traced({ decidedBy: 'resource', matched: [identityAllow] }),
      cause: 'trust-does-not-name-caller',
      fix: /"Principal": \{"AWS": "arn:aws:iam::111111111111:user\/dave"\}/,
    },
    {
      name: 'cross-account trust does not name caller',
      record: traced(
        { decidedBy: 'resource', matched: [identityAllow], crossAccount: true },
        { resource: OTHER_ROLE, account: '222222222222' },
      ),
      cause: 'cross-account-trust-does-not-name-caller',
      fix: /\(or its account\), and keep an identity-based Allow/,
    },
    {
      name: 'cross-account ExternalId missing: a condition, not a missing Principal',
      record: traced(
        {
          decidedBy: 'resource',
          matched: [identityAllow],
          crossAccount: true,
          nonMatches: [
            { ...externalIdMiss, mismatches: [{ ...externalIdMiss.mismatches[0], actual: undefined }] },
          ],
        },
        { resource: OTHER_ROLE, account: '222222222222' },
      ),
      cause: 'trust-condition-not-met',
      fix: /^Make the request satisfy the condition \(its condition StringEquals on `sts:ExternalId` wants \["12345"\] but the request did not supply that key\)/,
      not: /Principal/,
    },
    {
      name: 'same-account ExternalId wrong',
      record: traced({ decidedBy: 'resource', matched: [identityAllow], nonMatches: [externalIdMiss] }),
      cause: 'trust-condition-not-met',
      fix: /^Make the request satisfy the condition/,
    },
    ...(
      [
        ['identity', 'explicit-deny-identity', /in the policy attached to the caller or its group/],
        ['resource', 'explicit-deny-resource', /^Remove or narrow that Deny statement/],
        ['permissionsBoundary', 'explicit-deny-boundary', /^Remove or narrow that Deny statement/],
        ['session', 'explicit-deny-session', /^Remove or narrow that Deny statement/],
        ['scp', 'explicit-deny-organization', /^No IAM policy in the account can override/],
      ] as const
    ).map(([source, cause, fix]) => ({
      name: `explicit deny in ${source}`,
      record: traced({
        decision: 'ExplicitDeny',
        decidedBy: source,
        matched: [{ source, policyId: 'd', statement: 0, sid: undefined, effect: 'Deny' }],
      }),
      cause,
      fix,
    })),
    {
      name: 'boundary (role session)',
      record: traced(
        { decidedBy: 'permissionsBoundary', matched: [trustAllow, identityAllow] },
        { caller: SESSION },
      ),
      cause: 'boundary',
      fix: /to the boundary policy of the role `ops`/,
    },
    {
      name: 'session policy',
      record: traced({ decidedBy: 'session', matched: [trustAllow, identityAllow] }),
      cause: 'session-policy',
      fix: /^Create a new session whose session policy allows the action/,
    },
    {
      name: 'organization',
      record: traced({ decidedBy: 'scp', matched: [trustAllow, identityAllow], level: 0 }),
      cause: 'organization',
      fix: /^No IAM policy in the account can lift an organization policy/,
    },
  ];

for (const c of cases)
  test(`cause and fix: ${c.name}`, () => {
    const e = explainEvent(c.record);
    assert.equal(e.cause, c.cause);
    assert.match(e.fix, c.fix);
    if (c.not !== undefined) assert.doesNotMatch(e.fix, c.not);
  });

test('every cause of DenialCause is covered by the table', () => {
  const all: readonly DenialCause[] = [
    'allowed',
    'failed',
    'authentication',
    'access-denied-rule',
    'mfa-failed',
    'role-not-found',
    'no-identity-permission',
    'cross-account-no-identity-permission',
    'trust-does-not-name-caller',
    'cross-account-trust-does-not-name-caller',
    'cross-account-resource-denied',
    'trust-condition-not-met',
    'explicit-deny-identity',
    'explicit-deny-resource',
    'explicit-deny-boundary',
    'explicit-deny-session',
    'explicit-deny-organization',
    'boundary',
    'session-policy',
    'organization',
  ];
  assert.deepEqual(new Set(cases.map((c) => c.cause)), new Set(all));
});
