/**
 * The decision trace stored with a denied call's audit event (`iamdAuthorization`), so that
 * `iamd explain REQUEST_ID` can re-render it later: the engine's {@link Decision} with diagnostics, the
 * {@link EvaluationRequest} it decided, and the resource-based policy text that took part (e.g. the
 * role's trust policy for `sts:AssumeRole`). Plain JSON; never secrets (the request context holds
 * condition keys only: source IP, user agent, external id, tags…, never keys or tokens).
 */
import type { Decision, EvaluationRequest } from '../policy/index.js';

/** Version of the trace layout, bumped when a field changes meaning. */
export const TRACE_VERSION = 1;

/** What an audit event keeps about the authorization that denied it. */
export interface DecisionTrace {
  readonly traceVersion: number;
  readonly request: EvaluationRequest;
  readonly decision: Decision;
  /** The resource-based policy evaluated (JSON text), when there was one. */
  readonly resourcePolicy?: string | undefined;
  /** How that policy is used: a role's trust policy is `trust`. */
  readonly resourcePolicyType?: 'resource' | 'trust' | undefined;
  /** The engine's one-paragraph explanation at the time of the call. */
  readonly explanation?: string | undefined;
}

/** Builds the trace of one denial (JSON-safe copies only). */
export function decisionTrace(
  request: EvaluationRequest,
  decision: Decision,
  resource: { readonly policy?: string | undefined; readonly type?: 'resource' | 'trust' | undefined },
  explanation: string | undefined,
): DecisionTrace {
  return JSON.parse(
    JSON.stringify({
      traceVersion: TRACE_VERSION,
      request,
      decision,
      resourcePolicy: resource.policy,
      resourcePolicyType: resource.policy !== undefined ? (resource.type ?? 'resource') : undefined,
      explanation,
    }),
  ) as DecisionTrace;
}

/** Reads a trace back from an event's `iamdAuthorization`; `undefined` when the event has none. */
export function readTrace(value: unknown): DecisionTrace | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<DecisionTrace>;
  if (typeof v.traceVersion !== 'number' || typeof v.request !== 'object' || typeof v.decision !== 'object')
    return undefined;
  return v as DecisionTrace;
}
