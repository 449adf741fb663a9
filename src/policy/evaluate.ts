/**
 * The decision flow, as the IAM User Guide documents it:
 * - "Policy evaluation logic" (explicit deny anywhere wins; SCPs and RCPs must allow; then
 *   resource-based policies, identity-based policies, permissions boundaries, session policies);
 * - "Cross-account policy evaluation logic" (both the resource policy and the caller's identity
 *   policies must allow);
 * - "Permissions boundaries for IAM entities" (same account: a resource policy naming an IAM user
 *   ARN is not limited by an implicit deny in identity policies or the boundary; one naming a role
 *   ARN is limited by the role's boundary and session policies; one naming the session ARN is not;
 *   a resource-policy Deny with NotPrincipal always applies to principals with a boundary);
 * - "Session policies" (a resource policy naming the session ARN is added after the session
 *   policy; one naming the user/role ARN is limited by it).
 */
import { arnMatch, splitArn } from './arn-pattern.js';
import {
  actionInSet,
  candidates,
  notPrincipalExcludes,
  principalGrant,
  type CompiledStatement,
  type PolicyBody,
} from './compile.js';
import { conditionHolds } from './conditions.js';
import type { ContextLookup } from './template.js';
import type {
  CompiledPolicy,
  ContextValue,
  Decision,
  EvaluateOptions,
  EvaluationRequest,
  Mismatch,
  PolicySet,
  PolicySource,
  ResourceGrant,
  StatementMatch,
  StatementNonMatch,
} from './types.js';

/** Per-request data computed once and shared by every policy. */
interface Prepared {
  readonly svc: string;
  readonly name: string;
  readonly resource: string;
  readonly parts: readonly string[] | undefined;
  readonly lookup: ContextLookup;
  readonly request: EvaluationRequest;
  readonly hasBoundary: boolean;
  readonly diagnostics: boolean;
  matched: StatementMatch[];
  nonMatches: StatementNonMatch[];
}

/** Result of one policy (or one group of policies). */
interface Outcome {
  allow: boolean;
  deny: boolean;
  grant: ResourceGrant | undefined;
}

/** Strength of a resource grant (a stronger one grants on its own in more cases). */
const GRANT_RANK: Readonly<Record<ResourceGrant, number>> = {
  account: 1,
  role: 2,
  principal: 3,
  session: 3,
  public: 3,
  service: 3,
  federated: 3,
};

/** Where a recording evaluation collects the keys it looked up and did not find. */
interface AbsentRecord {
  keys: string[] | undefined;
}

function makeLookup(
  context: Readonly<Record<string, ContextValue>>,
  absent: AbsentRecord | undefined,
): ContextLookup {
  let lower: Map<string, ContextValue> | undefined;
  return (keyLower, key) => {
    // Keys are case-insensitive ("Condition element": condition key names are not case-sensitive).
    if (Object.hasOwn(context, key)) return context[key];
    if (lower === undefined) {
      lower = new Map();
      for (const k of Object.keys(context)) lower.set(k.toLowerCase(), context[k] as ContextValue);
    }
    const v = lower.get(keyLower);
    // Only a miss is recorded: the hot path (every key present) pays nothing.
    if (v === undefined && absent !== undefined) {
      const keys = (absent.keys ??= []);
      if (!keys.includes(keyLower)) keys.push(keyLower);
    }
    return v;
  };
}

/** Checks one statement. Returns the grant kind ('account' when the statement has no Principal) or undefined. */
function statementApplies(
  st: CompiledStatement,
  p: Prepared,
  mismatches: Mismatch[] | undefined,
): ResourceGrant | undefined | false {
  let ok = true;
  if (actionInSet(st.actions, p.svc, p.name) === st.notAction) {
    if (!mismatches) return false;
    mismatches.push({ element: st.notAction ? 'NotAction' : 'Action' });
    ok = false;
  }
  if (st.resources !== undefined) {
    let any = false;
    for (const r of st.resources) {
      if (arnMatch(r, p.resource, p.parts, p.lookup)) {
        any = true;
        break;
      }
    }
    if (any === st.notResource) {
      if (!mismatches) return false;
      mismatches.push({ element: st.notResource ? 'NotResource' : 'Resource' });
      ok = false;
    }
  }
  let grant: ResourceGrant | undefined = 'account';
  if (st.principal !== undefined) {
    if (st.notPrincipal) {
      // Boundaries page: a Deny with NotPrincipal always applies to principals with a boundary.
      const left = notPrincipalExcludes(st.principal, p.request.principal);
      grant = !left || (!st.allow && p.hasBoundary) ? 'public' : undefined;
    } else grant = principalGrant(st.principal, p.request.principal);
    if (grant === undefined) {
      if (!mismatches) return false;
      mismatches.push({ element: st.notPrincipal ? 'NotPrincipal' : 'Principal' });
      ok = false;
    }
  }
  for (const c of st.conditions) {
    if (!conditionHolds(c, p.lookup)) {
      if (!mismatches) return false;
      mismatches.push({
        element: 'Condition',
        operator: c.operator,
        key: c.key,
        actual: p.lookup(c.keyLower, c.key) as ContextValue | undefined,
        expected: c.raw,
      });
      ok = false;
    }
  }
  return ok ? grant : false;
}

function ref(
  policy: CompiledPolicy,
  source: PolicySource,
  st: CompiledStatement,
  level?: number,
): StatementMatch {
  // `level` is set afterwards rather than spread in (`{ ...base, level }`), which V8 builds on a slow path.
  const m: { -readonly [K in keyof StatementMatch]: StatementMatch[K] } = {
    source,
    policyId: policy.id,
    statement: st.index,
    sid: st.sid,
    effect: st.effect,
  };
  if (level !== undefined) m.level = level;
  return m;
}

function evalPolicy(
  policy: CompiledPolicy,
  source: PolicySource,
  p: Prepared,
  out: Outcome,
  level?: number,
): void {
  const body = policy.body as PolicyBody;
  const list = p.diagnostics ? body.statements : candidates(body, p.svc);
  for (const st of list) {
    const mismatches: Mismatch[] | undefined = p.diagnostics ? [] : undefined;
    const g = statementApplies(st, p, mismatches);
    if (g === false || g === undefined) {
      if (mismatches) p.nonMatches.push({ ...ref(policy, source, st, level), mismatches });
      continue;
    }
    p.matched.push(ref(policy, source, st, level));
    if (!st.allow) out.deny = true;
    else {
      out.allow = true;
      if (out.grant === undefined || GRANT_RANK[g] > GRANT_RANK[out.grant]) out.grant = g;
    }
  }
}

function evalGroup(list: readonly CompiledPolicy[] | undefined, source: PolicySource, p: Prepared): Outcome {
  const out: Outcome = { allow: false, deny: false, grant: undefined };
  if (list) for (const pol of list) evalPolicy(pol, source, p, out);
  return out;
}

/** Normalises flat/nested organization policies to levels; `undefined` when none apply. */
function levelsOf(
  v: readonly CompiledPolicy[] | readonly (readonly CompiledPolicy[])[] | undefined,
): readonly (readonly CompiledPolicy[])[] | undefined {
  if (v === undefined || v.length === 0) return undefined;
  return Array.isArray(v[0])
    ? (v as readonly (readonly CompiledPolicy[])[])
    : [v as readonly CompiledPolicy[]];
}

/** Evaluates organization levels; returns the first level without an Allow (or -1) and whether any denied. */
function evalLevels(
  levels: readonly (readonly CompiledPolicy[])[],
  source: PolicySource,
  p: Prepared,
): { failed: number; deny: boolean } {
  let failed = -1;
  let deny = false;
  levels.forEach((lvl, i) => {
    const out: Outcome = { allow: false, deny: false, grant: undefined };
    for (const pol of lvl) evalPolicy(pol, source, p, out, i);
    if (out.deny) deny = true;
    if (!out.allow && failed < 0) failed = i;
  });
  return { failed, deny };
}

/**
 * Decides a request against the policies that apply to it. Pure; never throws for valid input.
 * INVARIANT: every policy came from `loadPolicy`.
 */
export function evaluate(
  request: EvaluationRequest,
  policies: PolicySet,
  options?: EvaluateOptions,
): Decision {
  const action = request.action.toLowerCase();
  const colon = action.indexOf(':');
  const parts = splitArn(request.resource);
  const principal = request.principal;
  const absent: AbsentRecord | undefined = options?.recordAbsent === true ? { keys: undefined } : undefined;
  const p: Prepared = {
    svc: colon < 0 ? action : action.slice(0, colon),
    name: colon < 0 ? '' : action.slice(colon + 1),
    resource: request.resource,
    parts,
    lookup: makeLookup(request.context, absent),
    request,
    hasBoundary: policies.permissionsBoundary !== undefined,
    diagnostics: options?.diagnostics === true,
    matched: [],
    nonMatches: [],
  };
  const isAws = principal.kind === 'AWS';
  const scps = isAws ? levelsOf(policies.scps) : undefined;
  const rcps = principal.kind !== 'Service' ? levelsOf(policies.rcps) : undefined;
  const scp = scps ? evalLevels(scps, 'scp', p) : { failed: -1, deny: false };
  const rcp = rcps ? evalLevels(rcps, 'rcp', p) : { failed: -1, deny: false };
  const resource = evalGroup(policies.resource ? [policies.resource] : undefined, 'resource', p);
  // Identity, boundary and session policies belong to IAM principals; service, federated and
  // anonymous callers are decided by the resource policy alone.
  const identity = evalGroup(isAws ? policies.identity : undefined, 'identity', p);
  const boundary = evalGroup(
    isAws && policies.permissionsBoundary ? [policies.permissionsBoundary] : undefined,
    'permissionsBoundary',
    p,
  );
  const session = evalGroup(isAws ? policies.session : undefined, 'session', p);

  const present: PolicySource[] = [];
  if (scps) present.push('scp');
  if (rcps) present.push('rcp');
  if (policies.resource) present.push('resource');
  if (isAws && policies.identity) present.push('identity');
  if (isAws && policies.permissionsBoundary) present.push('permissionsBoundary');
  if (isAws && policies.session && policies.session.length > 0) present.push('session');

  const resourceAccount = request.resourceAccount ?? parts?.[4] ?? '';
  const crossAccount = isAws && resourceAccount !== '' && resourceAccount !== principal.account;
  // `level` is set afterwards: a conditional spread between members makes V8 build the object on a
  // slow path, and this runs once per decision.
  const decide = (decision: Decision['decision'], decidedBy: PolicySource, level?: number): Decision => {
    const d: { -readonly [K in keyof Decision]: Decision[K] } = {
      decision,
      decidedBy,
      matched: p.matched,
      nonMatches: p.nonMatches,
      crossAccount,
      resourceGrant: resource.grant,
      present,
    };
    if (level !== undefined) d.level = level;
    if (absent?.keys !== undefined) d.absentKeys = absent.keys;
    return d;
  };

  // 1. An explicit deny in any applicable policy wins.
  if (scp.deny) return decide('ExplicitDeny', 'scp');
  if (rcp.deny) return decide('ExplicitDeny', 'rcp');
  if (resource.deny) return decide('ExplicitDeny', 'resource');
  if (identity.deny) return decide('ExplicitDeny', 'identity');
  if (boundary.deny) return decide('ExplicitDeny', 'permissionsBoundary');
  if (session.deny) return decide('ExplicitDeny', 'session');
  // 2. Every SCP level (principal's account) and RCP level (resource's account) must allow.
  if (scp.failed >= 0) return decide('ImplicitDeny', 'scp', scp.failed);
  if (rcp.failed >= 0) return decide('ImplicitDeny', 'rcp', rcp.failed);

  if (!isAws) return resource.allow ? decide('Allow', 'resource') : decide('ImplicitDeny', 'resource');
  // A role's trust policy must always allow: unlike other resource policies, an identity allow alone
  // never lets anyone assume a role, in the same account or not (IAM User Guide, "Policy evaluation
  // logic": "for role trust policies … the role trust policy must allow"; DOMAIN.md rows 1-4).
  if (policies.resource?.type === 'trust' && !resource.allow) return decide('ImplicitDeny', 'resource');

  // The account root user is not subject to identity policies or boundaries inside its account.
  const isRoot = principal.arn.endsWith(':root');
  const boundaryOk = !p.hasBoundary || boundary.allow;
  // A federated user (GetFederationToken) without a session policy is allowed nothing by its broker's
  // policies: "If you do not pass a policy, the resulting federated user session has no permissions"
  // (STS API Reference, GetFederationToken). Other principals without session policies are unfiltered.
  const noSession = !policies.session || policies.session.length === 0;
  const sessionOk = noSession ? !isFederatedUser(principal.arn) : session.allow;
  const identityOk = isRoot || (identity.allow && boundaryOk && sessionOk);

  if (crossAccount) {
    // Cross-account: the resource's account must allow, and so must the caller's own policies.
    if (!resource.allow) return decide('ImplicitDeny', 'resource');
    if (identityOk) return decide('Allow', 'identity');
    return decide(
      'ImplicitDeny',
      identity.allow || isRoot ? (boundaryOk ? 'session' : 'permissionsBoundary') : 'identity',
    );
  }

  if (isRoot) return decide('Allow', 'identity');
  const grant = resource.grant;
  if (resource.allow && grant !== undefined && grant !== 'account') {
    // A resource policy naming the caller itself grants on its own; naming the role (of a session)
    // is still filtered by the role's boundary and the session policies.
    if (grant !== 'role') return decide('Allow', 'resource');
    if (boundaryOk && sessionOk) return decide('Allow', 'resource');
    if (!identity.allow || !boundaryOk)
      return decide('ImplicitDeny', boundaryOk ? 'session' : 'permissionsBoundary');
  }
  if (identityOk) return decide('Allow', 'identity');
  if (!identity.allow) return decide('ImplicitDeny', 'identity');
  return decide('ImplicitDeny', boundaryOk ? 'session' : 'permissionsBoundary');
}

/** `arn:aws:sts::ACCOUNT:federated-user/NAME`, the ARN of a GetFederationToken session. */
function isFederatedUser(arn: string): boolean {
  return arn.startsWith('arn:') && arn.includes(':sts::') && arn.includes(':federated-user/');
}
