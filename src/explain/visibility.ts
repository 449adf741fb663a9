/**
 * What each account may see of a recorded decision (issue #16 item 2). A cross-account call involves
 * two accounts, and each owns half of the decision:
 *
 * - the caller's account owns its identity-side policies (identity-based policies, permissions
 *   boundary, session policies, service control policies). Of the other half it learns only AWS's plain
 *   outcome: not whether the role exists, not its trust policy, not which condition (an ExternalId, a
 *   shared secret) failed. AssumeRole answers a missing role and an untrusting one with the same
 *   AccessDenied so that role names cannot be probed; an explanation must not undo that.
 * - the resource's account owns its resource-based (trust) policy and resource control policies, and
 *   sees the full reason, without the statements of the caller's account's policies.
 *
 * {@link visibleTrace} is the one rule; every surface that shows a decision goes through it: the
 * explain endpoint and the console (via {@link explainEvent}), `iamd explain`, LookupEvents'
 * `CloudTrailEvent`, and sts:DecodeAuthorizationMessage.
 */
import type { Decision, EvaluationRequest, PolicySource } from '../policy/index.js';
import type { DecisionTrace } from '../audit/trace.js';

/** Policy types owned by the resource's account. */
const RESOURCE_SIDE: ReadonlySet<PolicySource> = new Set<PolicySource>(['resource', 'rcp']);

/** Context keys that describe the resource (its tags and organization): the resource account's. */
const RESOURCE_KEY = /^(aws|iam):resourcetag\/|^aws:resourceorg(id|paths)$/i;

/** How much of a trace a viewer sees. */
export type Visibility =
  /** Both sides are the viewer's (a same-account call): everything. */
  | 'full'
  /** The viewer is the caller's account of a cross-account call: its own side only. */
  | 'caller'
  /** The viewer is the resource's account of a cross-account call: its own side, the full reason. */
  | 'resource';

function accountOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 && /^\d{12}$/.test(parts[4]!) ? parts[4] : undefined;
}

/** The account that made the request (undefined for service, federated and anonymous callers). */
export function callerAccount(request: EvaluationRequest): string | undefined {
  const p = request.principal;
  return p.kind === 'AWS' ? (p.account ?? accountOfArn(p.arn)) : undefined;
}

/** The account that owns the resource, when the request names one. */
export function resourceAccount(request: EvaluationRequest): string | undefined {
  return request.resourceAccount ?? accountOfArn(request.resource);
}

/** Which view of a decision about `request` the account `viewer` gets. */
export function visibilityFor(request: EvaluationRequest, viewer: string): Visibility {
  const from = callerAccount(request);
  const to = resourceAccount(request);
  if (from === undefined || to === undefined || from === to) return 'full';
  return viewer === to ? 'resource' : 'caller';
}

/**
 * The policy type that denied, judged from the caller's side alone (so that it is the same whatever
 * the other account's policy says, or whether its resource exists): a Deny in the caller's own
 * policies, else the first of its own policy types without an Allow, else `resource` — the other
 * account did not allow it.
 */
function callerSideDecidedBy(d: Decision): PolicySource {
  const deny = d.matched.find((m) => m.effect === 'Deny' && !RESOURCE_SIDE.has(m.source));
  if (deny !== undefined)
    return !RESOURCE_SIDE.has(d.decidedBy) && d.decidedBy === deny.source ? d.decidedBy : deny.source;
  if (d.decidedBy === 'scp') return 'scp';
  const allows = (s: PolicySource) => d.matched.some((m) => m.source === s && m.effect === 'Allow');
  if (!allows('identity')) return 'identity';
  if (d.present.includes('permissionsBoundary') && !allows('permissionsBoundary'))
    return 'permissionsBoundary';
  if (d.present.includes('session') && !allows('session')) return 'session';
  return 'resource';
}

/**
 * `trace` as the account `viewer` may see it, with the view it got. For the caller's account of a
 * cross-account call: no resource-based policy text, no statement of the other account's policies, no
 * resource tags, no engine paragraph, and a decision re-judged from the caller's side only. For the
 * resource's account: no statement of the caller's account's policies (the decision itself is kept:
 * that account sees the full reason).
 */
export function visibleTrace(
  trace: DecisionTrace,
  viewer: string,
): { readonly trace: DecisionTrace; readonly view: Visibility } {
  const view = visibilityFor(trace.request, viewer);
  if (view === 'full') return { trace, view };
  const d = trace.decision;
  if (view === 'resource') {
    const own = (s: PolicySource) => RESOURCE_SIDE.has(s);
    return {
      view,
      trace: {
        ...trace,
        explanation: undefined,
        decision: {
          ...d,
          matched: d.matched.filter((m) => own(m.source)),
          nonMatches: d.nonMatches.filter((m) => own(m.source)),
        },
      },
    };
  }
  const own = (s: PolicySource) => !RESOURCE_SIDE.has(s);
  const context: Record<string, EvaluationRequest['context'][string]> = {};
  for (const [k, v] of Object.entries(trace.request.context)) if (!RESOURCE_KEY.test(k)) context[k] = v;
  const decidedBy = d.decision === 'Allow' ? d.decidedBy : callerSideDecidedBy(d);
  const matched = d.matched.filter((m) => own(m.source));
  return {
    view,
    trace: {
      traceVersion: trace.traceVersion,
      request: { ...trace.request, context },
      decision: {
        decision:
          d.decision === 'Allow'
            ? 'Allow'
            : matched.some((m) => m.effect === 'Deny')
              ? 'ExplicitDeny'
              : 'ImplicitDeny',
        decidedBy,
        matched,
        nonMatches: d.nonMatches.filter((m) => own(m.source)),
        crossAccount: d.crossAccount,
        resourceGrant: undefined,
        present: d.present.filter(own),
        ...(d.level !== undefined && decidedBy === 'scp' ? { level: d.level } : {}),
      },
      resourcePolicyType: trace.resourcePolicyType,
    },
  };
}
