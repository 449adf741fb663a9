/**
 * "Why was I denied?": turns a recorded call (an audit event with its decision trace) into a
 * plain-language answer — what decided, every policy statement that applied or almost applied, and the
 * smallest change that would allow the call (or why no change of permissions can).
 *
 * The four causes of an AccessDenied on sts:AssumeRole that shared/DOMAIN.md lists each get their own
 * {@link DenialCause}: the role ARN names no role; no identity-based permission; the trust policy does
 * not name the caller; an explicit deny in either policy. Cross-account requests, permissions
 * boundaries, session policies and organization policies are told apart as well. Pure: works on the
 * stored record only (the CLI and the HTTP endpoint fetch it).
 */
import type { AuditRecord } from '../store/index.js';
import { readTrace, type DecisionTrace } from '../audit/trace.js';
import type { Mismatch, PolicySource, StatementMatch, StatementNonMatch } from '../policy/index.js';
import { TRUSTS_NOBODY } from '../domain/trust-principals.js';
import { callerAccount, resourceAccount, visibleTrace, type Visibility } from './visibility.js';

/** The distinct answers `iamd explain` gives. */
export type DenialCause =
  /** The call was allowed. */
  | 'allowed'
  /** The call failed for a reason other than authorization (validation, missing entity, …). */
  | 'failed'
  /** Authentication failed before any policy was evaluated (bad key, expired token, bad signature). */
  | 'authentication'
  /** AccessDenied without a decision trace (e.g. a rule outside the policies, such as root and AssumeRole). */
  | 'access-denied-rule'
  /** sts:AssumeRole on a role ARN that names no existing role (typo, wrong account or path, deleted role). */
  | 'role-not-found'
  /** No identity-based policy of the caller allows the action (same account). */
  | 'no-identity-permission'
  /** Cross-account: the resource's account allows, but the caller's own identity-based policies do not. */
  | 'cross-account-no-identity-permission'
  /** The trust policy (or resource-based policy) does not name the caller (same account). */
  | 'trust-does-not-name-caller'
  /** Cross-account: the trust / resource-based policy of the other account does not name the caller. */
  | 'cross-account-trust-does-not-name-caller'
  /**
   * Cross-account, as the caller's account sees it: its own policies allow, the resource's account did
   * not (missing role, untrusting trust policy or unmet condition look alike, as in AWS's answer).
   */
  | 'cross-account-resource-denied'
  /** The trust / resource-based policy names the caller, but a condition of that statement fails (ExternalId, MFA, …). */
  | 'trust-condition-not-met'
  /** The request was refused by its MFA parameters (missing half, wrong code, unknown device) before any policy. */
  | 'mfa-failed'
  /** An explicit Deny in one of the caller's identity-based policies. */
  | 'explicit-deny-identity'
  /** An explicit Deny in the trust policy / resource-based policy. */
  | 'explicit-deny-resource'
  /** An explicit Deny in the permissions boundary. */
  | 'explicit-deny-boundary'
  /** An explicit Deny in a session policy. */
  | 'explicit-deny-session'
  /** An explicit Deny in a service control policy or resource control policy. */
  | 'explicit-deny-organization'
  /** The permissions boundary does not allow the action. */
  | 'boundary'
  /** The session policies passed when the session was created do not allow the action. */
  | 'session-policy'
  /** A service control policy / resource control policy level does not allow the action. */
  | 'organization';

/** One statement of the trace, in words. */
export interface ExplainedStatement {
  readonly source: PolicySource;
  readonly policyId: string;
  readonly statement: number;
  readonly sid?: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  /** `applied`, or `missed` with what did not match. */
  readonly outcome: 'applied' | 'missed';
  readonly reasons: readonly string[];
}

/** The answer for one recorded call. */
export interface Explanation {
  readonly requestId: string;
  readonly eventId: string;
  readonly eventTime: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly caller: string | undefined;
  readonly action: string | undefined;
  readonly resource: string | undefined;
  readonly errorCode?: string | undefined;
  readonly errorMessage?: string | undefined;
  readonly cause: DenialCause;
  /** One sentence: the answer. */
  readonly headline: string;
  /** Supporting facts (which statements applied, near misses, conditions that failed). */
  readonly details: readonly string[];
  /** The smallest change that would allow the call, or why none can. */
  readonly fix: string;
  /** Every statement the engine looked at. */
  readonly statements: readonly ExplainedStatement[];
  readonly crossAccount: boolean;
  /**
   * Whose view this is (see ./visibility.ts): `full` for a same-account call, `caller` or `resource`
   * for the caller's or the resource's account of a cross-account call.
   */
  readonly view: Visibility;
  /** The raw trace as this view may see it, when the event has one. */
  readonly trace?: DecisionTrace | undefined;
}

/** Errors that mean the request was never authenticated (CloudTrail records them too). */
const AUTH_ERRORS = new Set([
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'InvalidToken',
  'RequestExpired',
]);

const SOURCE_NAMES: Readonly<Record<PolicySource, string>> = {
  identity: 'identity-based policy',
  resource: 'resource-based policy',
  permissionsBoundary: 'permissions boundary',
  session: 'session policy',
  scp: 'service control policy',
  rcp: 'resource control policy',
};

function sourceName(source: PolicySource, trust: boolean): string {
  return source === 'resource' && trust ? 'trust policy' : SOURCE_NAMES[source];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function describeMismatch(m: Mismatch, action: string, resource: string): string {
  switch (m.element) {
    case 'Action':
      return `its Action does not include \`${action}\``;
    case 'NotAction':
      return `its NotAction excludes \`${action}\``;
    case 'Resource':
      return `its Resource does not match \`${resource}\``;
    case 'NotResource':
      return `its NotResource excludes \`${resource}\``;
    case 'Principal':
      return 'its Principal does not name the caller';
    case 'NotPrincipal':
      return 'its NotPrincipal excludes the caller';
    case 'Condition': {
      const actual =
        m.actual === undefined
          ? 'the request did not supply that key'
          : `the request had ${JSON.stringify(m.actual)}`;
      return `its condition ${m.operator} on \`${m.key}\` wants ${JSON.stringify(m.expected)} but ${actual}`;
    }
  }
}

function statementLabel(m: StatementMatch, trust: boolean): string {
  const sid = m.sid !== undefined && m.sid !== '' ? ` (Sid \`${m.sid}\`)` : '';
  return `statement ${m.statement}${sid} of the ${sourceName(m.source, trust)} \`${m.policyId}\``;
}

/** Allow statements of `source` that missed on something other than the Action, best first. */
function nearMisses(
  nonMatches: readonly StatementNonMatch[],
  source: PolicySource,
): readonly StatementNonMatch[] {
  return nonMatches
    .filter(
      (n) =>
        n.source === source &&
        n.effect === 'Allow' &&
        !n.mismatches.some((m) => m.element === 'Action' || m.element === 'NotAction'),
    )
    .slice()
    .sort((a, b) => a.mismatches.length - b.mismatches.length);
}

/** A condition mismatch in the near misses, if that is all that failed (external id, MFA, source IP…). */
function onlyConditions(n: StatementNonMatch): boolean {
  return n.mismatches.length > 0 && n.mismatches.every((m) => m.element === 'Condition');
}

/**
 * Who a policy attaches to for `caller`: a role session (`arn:aws:sts::A:assumed-role/R/S`) takes its
 * permissions from the role `arn:aws:iam::A:role/R` (a path is not in the session ARN); a user takes
 * them from itself or its groups.
 */
export function policyHolder(caller: string): { readonly text: string; readonly entity: string } {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(caller);
  if (m !== null) {
    const role = `the role \`${m[3]!}\` of account ${m[2]!} (the session \`${caller}\` takes its permissions from it)`;
    return { text: `${role}; a new session is not needed`, entity: role };
  }
  if (/^arn:[^:]+:iam::\d{12}:user\//.test(caller))
    return { text: `${caller} (or one of its groups)`, entity: caller };
  return { text: caller, entity: caller };
}

/**
 * Explains one recorded call to the account `viewer` (by default the account the event was recorded
 * in): what that account may see of it, by the rule of ./visibility.ts.
 */
export function explainEvent(event: AuditRecord, viewer: string = event.account): Explanation {
  const record = event.record;
  const stored = readTrace(record.iamdAuthorization);
  const seen = stored !== undefined ? visibleTrace(stored, viewer) : undefined;
  const trace = seen?.trace;
  const view: Visibility = seen?.view ?? 'full';
  const identity = (record.userIdentity ?? {}) as Record<string, unknown>;
  const base = {
    requestId: event.requestId,
    eventId: event.eventId,
    eventTime: new Date(event.eventTime).toISOString(),
    eventName: event.eventName,
    eventSource: event.eventSource,
    caller: trace?.request.principal.kind === 'AWS' ? trace.request.principal.arn : str(identity.arn),
    action: trace?.request.action,
    resource: trace?.request.resource,
    errorCode: event.errorCode,
    errorMessage: str(record.errorMessage),
    crossAccount: view !== 'full' || (trace?.decision.crossAccount ?? false),
    view,
    trace,
  };
  if (trace === undefined) return { ...base, ...withoutTrace(event) };
  return { ...base, ...fromTrace(trace, view) };
}

type Answer = Pick<Explanation, 'cause' | 'headline' | 'details' | 'fix' | 'statements'>;

function withoutTrace(event: AuditRecord): Answer {
  const code = event.errorCode;
  const message = str(event.record.errorMessage) ?? '';
  if (code === undefined)
    return {
      cause: 'allowed',
      headline: `The call was allowed (${event.eventName} succeeded).`,
      details: ['iamd keeps a full decision trace for denied calls only.'],
      fix: 'Nothing to change.',
      statements: [],
    };
  if (AUTH_ERRORS.has(code))
    return {
      cause: 'authentication',
      headline: `The request was not authenticated (${code}: ${message}); no policy was evaluated.`,
      details: [
        code === 'ExpiredToken'
          ? 'The temporary credentials expired: temporary credentials stop working at their Expiration.'
          : code === 'SignatureDoesNotMatch'
            ? 'The request was signed with a different secret access key than the one iamd holds for that access key id.'
            : 'The access key id or session token is not one iamd issued, or it was deleted or deactivated.',
      ],
      fix:
        code === 'ExpiredToken'
          ? 'Get new temporary credentials (assume the role again, or call GetSessionToken again).'
          : 'Check which credentials the client uses (`aws sts get-caller-identity`) and use a valid, active access key.',
      statements: [],
    };
  if (code === 'AccessDenied' && message.startsWith('MultiFactorAuthentication failed'))
    return {
      cause: 'mfa-failed',
      headline: `The MFA check failed before any policy was evaluated: ${message}`,
      details: ['No policy decided this call, so no policy change can allow it.'],
      fix: message.includes('invalid MFA one time pass code')
        ? 'Use the current code from the MFA device (each code works once and only within its time window).'
        : message.includes('must provide both')
          ? 'Pass both the MFA device serial number (`--serial-number`) and its current code (`--token-code`).'
          : 'Use the serial number (ARN) of an MFA device that is enabled for the caller (`aws iam list-mfa-devices`).',
      statements: [],
    };
  if (code === 'AccessDenied')
    return {
      cause: 'access-denied-rule',
      headline: `Denied by a fixed rule, not by a policy: ${message}`,
      details: ['No policy decided this call, so no policy change can allow it.'],
      fix: fixedRuleFix(message),
      statements: [],
    };
  return {
    cause: 'failed',
    headline: `The call was authorized but failed: ${code}: ${message}`,
    details: [],
    fix: 'Correct the request (the error message says what was wrong); permissions are not the problem.',
    statements: [],
  };
}

/** The fix for an AccessDenied that a fixed rule (not a policy) gave, by AWS's message for it. */
function fixedRuleFix(message: string): string {
  if (message.startsWith('Roles may not be assumed by root accounts'))
    // IAM User Guide, "Switch to an IAM role (AWS API)": the account root cannot assume roles.
    return 'Assume the role as an IAM user or role of the account, not as the account root.';
  if (message.includes('with session credentials obtained via GetFederationToken'))
    // STS API reference, GetFederationToken: its sessions cannot call IAM or STS (but GetCallerIdentity).
    return "Call it with the IAM user's long-term access key: sessions from GetFederationToken cannot call IAM or STS operations (other than GetCallerIdentity).";
  if (message.includes('with session credentials'))
    // STS API reference, GetSessionToken / GetFederationToken: not callable with temporary credentials.
    return "Call it with long-term credentials (an IAM user's or the root's access key), not with temporary session credentials.";
  if (message.includes('sts:SetSourceIdentity'))
    // IAM User Guide, "Monitor and control actions taken with assumed roles": a source identity, once
    // set, is kept through role chaining and cannot be changed.
    return 'Pass the same SourceIdentity as the session already carries (or omit it): a source identity cannot be changed once set.';
  if (message.startsWith('Not authorized to perform sts:AssumeRoleWith'))
    return 'Check the role ARN, and that the role\'s trust policy names this identity provider as its "Federated" principal and that its conditions (such as the audience and subject) match the token or assertion.';
  return 'Make the call with a principal the rule allows.';
}

/** What every cause's explanation reads of a decision trace, worked out once. */
interface TraceFacts {
  readonly trace: DecisionTrace;
  readonly view: Visibility;
  readonly decision: DecisionTrace['decision'];
  readonly request: DecisionTrace['request'];
  /** Whether the resource-side policy is a role's trust policy. */
  readonly trust: boolean;
  readonly action: string;
  readonly resource: string;
  /** The caller's ARN (or principal kind). */
  readonly caller: string;
  /** Whether the call crossed accounts (or is seen from one side only). */
  readonly cross: boolean;
  /** Policies attach to a role, never to one of its sessions: advice names the role. */
  readonly attachTo: ReturnType<typeof policyHolder>;
  readonly statements: ExplainedStatement[];
  /** The Allow statements that applied, as lines every answer starts its details with. */
  readonly details: string[];
  readonly identityAllows: readonly DecisionTrace['decision']['matched'][number][];
  readonly resourceAllows: readonly DecisionTrace['decision']['matched'][number][];
  /** Up to three statements of `source` that almost applied, with what did not match. */
  readonly nearMissLines: (source: PolicySource) => string[];
}

function traceFacts(trace: DecisionTrace, view: Visibility): TraceFacts {
  const { decision, request } = trace;
  const trust = trace.resourcePolicyType === 'trust';
  const action = request.action;
  const resource = request.resource;
  const caller = request.principal.kind === 'AWS' ? request.principal.arn : request.principal.kind;
  const statements: ExplainedStatement[] = [
    ...decision.matched.map((m) => ({
      source: m.source,
      policyId: m.policyId,
      statement: m.statement,
      sid: m.sid,
      effect: m.effect,
      outcome: 'applied' as const,
      reasons: [],
    })),
    ...decision.nonMatches.map((n) => ({
      source: n.source,
      policyId: n.policyId,
      statement: n.statement,
      sid: n.sid,
      effect: n.effect,
      outcome: 'missed' as const,
      reasons: n.mismatches.map((m) => describeMismatch(m, action, resource)),
    })),
  ];
  const applied = (source: PolicySource, effect: 'Allow' | 'Deny') =>
    decision.matched.filter((m) => m.source === source && m.effect === effect);
  const identityAllows = applied('identity', 'Allow');
  const resourceAllows = applied('resource', 'Allow');
  const details: string[] = [];
  for (const m of identityAllows) details.push(`Allowed by ${statementLabel(m, trust)}.`);
  for (const m of resourceAllows) details.push(`Allowed by ${statementLabel(m, trust)}.`);
  return {
    trace,
    view,
    decision,
    request,
    trust,
    action,
    resource,
    caller,
    cross: view !== 'full' || decision.crossAccount,
    attachTo: policyHolder(caller),
    statements,
    details,
    identityAllows,
    resourceAllows,
    nearMissLines: (source) =>
      nearMisses(decision.nonMatches, source)
        .slice(0, 3)
        .map(
          (n) =>
            `${statementLabel(n, trust)} almost applies: ${n.mismatches.map((m) => describeMismatch(m, action, resource)).join('; ')}`,
        ),
  };
}

/** The explanation of a decision trace, as `view` may see it: the cause decides which answer. */
function fromTrace(trace: DecisionTrace, view: Visibility): Answer {
  const f = traceFacts(trace, view);
  // Cause 1 (DOMAIN.md): the role ARN names no role. AssumeRole evaluates a trust policy that trusts
  // nobody for a missing role (same AccessDenied as an untrusting role, so names cannot be probed).
  if (f.action.toLowerCase().startsWith('sts:assumerole') && trace.resourcePolicy === TRUSTS_NOBODY)
    return roleNotFound(f);
  if (f.decision.decision === 'ExplicitDeny') return explicitDeny(f);
  // Implicit deny: which side had no Allow. A role's trust policy must always allow AssumeRole (IAM
  // User Guide, "Roles terms and concepts": the trust policy defines who can assume the role), so a
  // trust policy without a matching Allow is the answer even when the identity side lacks one too.
  // The caller's view of a cross-account call has no resource-side statements: its decidedBy was
  // re-judged from its own side (./visibility.ts).
  const src =
    view !== 'caller' && f.trust && f.resourceAllows.length === 0 ? 'resource' : f.decision.decidedBy;
  if (src === 'resource') return view === 'caller' ? crossAccountResourceDenied(f) : resourceSideMissing(f);
  if (src === 'identity') return identitySideMissing(f);
  if (src === 'permissionsBoundary') return boundaryMissing(f);
  if (src === 'session') return sessionPolicyMissing(f);
  return organizationMissing(f, src);
}

/** Cause 1: the role ARN names no role. */
function roleNotFound(f: TraceFacts): Answer {
  const { resource, details } = f;
  return {
    cause: 'role-not-found',
    headline: `The role \`${resource}\` does not exist: check the role ARN (account id, path, name and its case) — AWS and iamd answer a wrong ARN with the same AccessDenied as a role that does not trust you.`,
    details: [
      'No trust policy was evaluated because there is no such role; your identity-based permissions were not the problem.',
      ...details,
    ],
    fix: 'Use the exact ARN of an existing role (`aws iam get-role --role-name NAME` prints it), or create the role.',
    statements: [],
  };
}

/** An explicit Deny decided: whose, and that no Allow can override it. */
function explicitDeny(f: TraceFacts): Answer {
  const { decision, trust, action, resource, caller, statements, details } = f;
  const denies = decision.matched.filter((m) => m.effect === 'Deny' && m.source === decision.decidedBy);
  const where = denies.map((m) => statementLabel(m, trust));
  const src = decision.decidedBy;
  const cause: DenialCause =
    src === 'identity'
      ? 'explicit-deny-identity'
      : src === 'resource'
        ? 'explicit-deny-resource'
        : src === 'permissionsBoundary'
          ? 'explicit-deny-boundary'
          : src === 'session'
            ? 'explicit-deny-session'
            : 'explicit-deny-organization';
  const whose =
    src === 'identity'
      ? `one of ${caller}'s own identity-based policies`
      : src === 'resource'
        ? trust
          ? `the trust policy of the role \`${resource}\``
          : `the resource-based policy of \`${resource}\``
        : `the ${sourceName(src, trust)}`;
  return {
    cause,
    headline: `An explicit Deny in ${whose} blocks \`${action}\` on \`${resource}\`; an explicit deny overrides every Allow.`,
    details: [...where.map((w) => `Denied by ${w}.`), ...details],
    fix:
      src === 'scp' || src === 'rcp'
        ? 'No IAM policy in the account can override an organization policy: ask the organization administrator to change the Deny.'
        : `Remove or narrow that Deny statement (its Action, Resource or Condition)${src === 'identity' ? ' in the policy attached to the caller or its group' : ''}; adding Allow statements will not help.`,
    statements,
  };
}

/** The caller's view of a cross-account call the resource's account refused: AWS tells it no more. */
function crossAccountResourceDenied(f: TraceFacts): Answer {
  const { request, trust, action, resource, caller, statements, details } = f;
  const owner = resourceAccount(request) ?? 'the other account';
  return {
    cause: 'cross-account-resource-denied',
    headline: `This is a cross-account request: ${caller}'s own policies allow \`${action}\` on \`${resource}\`, but account ${owner}, which owns it, did not allow the call.`,
    details: [
      ...details,
      trust
        ? `As in AWS's answer, the caller's account is not told why: a role that does not exist, a trust policy that does not name ${caller}, and a condition of it that is not met (such as sts:ExternalId) all look alike from here. If the role exists, account ${owner} has the event recorded too, with the full reason.`
        : `As in AWS's answer, the caller's account is not told why: the resource-based policy belongs to account ${owner}, which sees the full reason.`,
    ],
    fix: trust
      ? `Check the role ARN, and any ExternalId or MFA the role's owner asked you to pass; otherwise ask an administrator of account ${owner} to explain this request id in their account (or to make the role's trust policy allow ${caller}).`
      : `Ask an administrator of account ${owner} to explain this request id in their account, or to allow ${caller} in the resource-based policy of \`${resource}\`.`,
    statements,
  };
}

/** No Allow on the resource side (a trust or resource-based policy). */
function resourceSideMissing(f: TraceFacts): Answer {
  const {
    decision,
    trust,
    action,
    resource,
    caller,
    cross,
    statements,
    details,
    identityAllows,
    nearMissLines,
  } = f;
  const misses = nearMissLines('resource');
  const conditional = nearMisses(decision.nonMatches, 'resource').find(onlyConditions);
  const whose = trust
    ? `the trust policy of \`${resource}\``
    : `the resource-based policy of \`${resource}\``;
  const headline =
    conditional !== undefined
      ? `${whose[0]!.toUpperCase()}${whose.slice(1)} names ${caller}, but a condition of that statement is not met.`
      : cross
        ? `This is a cross-account request, and ${whose} (in the role's account) does not allow ${caller} to call \`${action}\`. Cross-account access needs an Allow on both sides.`
        : `${whose[0]!.toUpperCase()}${whose.slice(1)} does not name ${caller} as a principal allowed to call \`${action}\`.`;
  return {
    cause:
      conditional !== undefined
        ? 'trust-condition-not-met'
        : cross
          ? 'cross-account-trust-does-not-name-caller'
          : 'trust-does-not-name-caller',
    headline,
    details: [
      ...details,
      ...(identityAllows.length > 0
        ? [`${caller}'s own identity-based policies do allow it.`]
        : trust && !cross
          ? [
              `${caller}'s identity-based policies do not allow it either; that is fine once the trust policy names ${caller} itself (same account), but not if it names only the account.`,
            ]
          : []),
      ...misses,
    ],
    fix:
      conditional !== undefined
        ? `Make the request satisfy the condition (${conditional.mismatches.map((m) => describeMismatch(m, action, resource)).join('; ')}), or change the condition.`
        : `Add a statement to ${whose} with "Effect": "Allow", "Action": "${action}" and "Principal": {"AWS": "${caller}"}${cross ? " (or its account), and keep an identity-based Allow in the caller's account" : ''}.`,
    statements,
  };
}

/** No Allow in the caller's identity-based policies. */
function identitySideMissing(f: TraceFacts): Answer {
  const {
    view,
    decision,
    request,
    trust,
    action,
    resource,
    caller,
    cross,
    attachTo,
    statements,
    details,
    nearMissLines,
  } = f;
  const misses = nearMissLines('identity');
  const viaAccount = decision.resourceGrant === 'account';
  const callerAcct = callerAccount(request);
  const headline = cross
    ? view === 'caller'
      ? `This is a cross-account request: none of ${caller}'s own identity-based policies allows \`${action}\` on \`${resource}\`; a cross-account request needs an Allow in the caller's account as well as in the account that owns the resource.`
      : view === 'resource'
        ? `This is a cross-account request: this account's ${trust ? 'trust policy' : 'resource-based policy'} of \`${resource}\` allows it, but ${caller}'s own account does not (none of its identity-based policies allows \`${action}\`); only that account can see and change them.`
        : `This is a cross-account request: the other account allows it, but none of ${caller}'s own identity-based policies allows \`${action}\` on \`${resource}\`.`
    : viaAccount
      ? `None of ${caller}'s identity-based policies allows \`${action}\` on \`${resource}\`; the ${trust ? 'trust policy' : 'resource-based policy'} names only the account (root), which delegates the decision to the account's identity-based policies.`
      : `None of ${caller}'s identity-based policies allows \`${action}\` on \`${resource}\`.`;
  return {
    cause: cross ? 'cross-account-no-identity-permission' : 'no-identity-permission',
    headline,
    details: [...details, ...misses],
    fix:
      view === 'resource'
        ? `Nothing to change in this account: an administrator of ${callerAcct !== undefined ? `account ${callerAcct}` : "the caller's account"} must attach an identity-based policy allowing \`${action}\` on \`${resource}\` to ${attachTo.text}.`
        : viaAccount
          ? `Attach an identity-based policy allowing \`${action}\` on \`${resource}\` to ${attachTo.text}, or name ${caller} itself as the principal in the ${trust ? 'trust policy' : 'resource-based policy'} (same account only).`
          : `Attach an identity-based policy allowing \`${action}\` on \`${resource}\` to ${attachTo.text}.`,
    statements,
  };
}

/** The permissions boundary does not allow the action. */
function boundaryMissing(f: TraceFacts): Answer {
  const { action, resource, caller, attachTo, statements, details, nearMissLines } = f;
  return {
    cause: 'boundary',
    headline: `The permissions boundary of ${caller} does not allow \`${action}\`; a boundary caps what the identity-based policies can grant.`,
    details: [...details, ...nearMissLines('permissionsBoundary')],
    fix: `Add \`${action}\` on \`${resource}\` to the boundary policy of ${attachTo.entity}, or remove the boundary.`,
    statements,
  };
}

/** The session policy does not allow the action. */
function sessionPolicyMissing(f: TraceFacts): Answer {
  const { action, statements, details, nearMissLines } = f;
  return {
    cause: 'session-policy',
    headline: `The session policy passed when this session was created does not allow \`${action}\`.`,
    details: [...details, ...nearMissLines('session')],
    fix: 'Create a new session whose session policy allows the action (a session policy cannot be changed afterwards).',
    statements,
  };
}

/** No organization policy (SCP or RCP) at some level allows the action. */
function organizationMissing(f: TraceFacts, src: PolicySource): Answer {
  const { decision, trust, action, statements, details } = f;
  return {
    cause: 'organization',
    headline: `No ${sourceName(src, trust)}${decision.level !== undefined ? ` at organization level ${decision.level}` : ''} allows \`${action}\`; every level must allow it.`,
    details,
    fix: 'No IAM policy in the account can lift an organization policy: ask the organization administrator to allow the action.',
    statements,
  };
}

/** Renders an explanation as text for a terminal. */
export function renderExplanation(e: Explanation): string {
  const lines = [
    `Request ${e.requestId} (${e.eventName}, ${e.eventTime})`,
    ...(e.caller !== undefined ? [`Caller:   ${e.caller}`] : []),
    ...(e.action !== undefined ? [`Action:   ${e.action} on ${e.resource ?? '*'}`] : []),
    ...(e.errorCode !== undefined ? [`Error:    ${e.errorCode}: ${e.errorMessage ?? ''}`] : []),
    `Cause:    ${e.cause}${e.crossAccount ? ' (cross-account)' : ''}`,
    '',
    e.headline,
  ];
  if (e.details.length > 0) lines.push('', ...e.details.map((d) => `  - ${d}`));
  const evaluated = e.statements.filter((s) => s.outcome === 'missed');
  if (evaluated.length > 0) {
    lines.push('', 'Statements that did not apply:');
    for (const s of evaluated)
      lines.push(
        `  - ${s.effect} statement ${s.statement}${s.sid ? ` (${s.sid})` : ''} of ${s.source} policy \`${s.policyId}\`: ${s.reasons.join('; ')}`,
      );
  }
  lines.push('', `Fix: ${e.fix}`);
  return lines.join('\n');
}
