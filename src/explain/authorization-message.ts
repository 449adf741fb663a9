/**
 * The content of an encoded authorization message (sts:DecodeAuthorizationMessage; sealing and the
 * operation are src/sts/authorization-message.ts): what a decision of the policy engine says, as the
 * account the message is sealed for may see it.
 */
import type { ContextValue, Decision, EvaluationRequest } from '../policy/types.js';
import { decisionTrace } from '../audit/trace.js';
import { visibleTrace } from './visibility.js';

/** One statement that applied to the request. */
export interface MessageStatement {
  /** The statement's `Sid`, or its position (`Statement[2]`) when it has none. */
  readonly statementId: string;
  readonly effect: 'ALLOW' | 'DENY';
  /** iamd additions: which policy (its id) and of what kind. */
  readonly policyId: string;
  readonly policyType: string;
}

/** What an authorization message says about one decision. */
export interface AuthorizationMessage {
  readonly allowed: boolean;
  readonly explicitDeny: boolean;
  readonly matchedStatements: readonly MessageStatement[];
  readonly failures: readonly string[];
  readonly context: {
    readonly principal: { readonly id: string; readonly name: string; readonly arn: string };
    readonly action: string;
    readonly resource: string;
    readonly conditions: readonly { readonly key: string; readonly values: readonly string[] }[];
  };
}

function values(v: ContextValue): string[] {
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

/**
 * Builds the message for a decision of the policy engine, as the account `viewer` (the one the message
 * is sealed for and decodes in) may see it: for the caller's account of a cross-account request, no
 * statement or resource tag of the other account (src/explain/visibility.ts, the rule every
 * explanation follows).
 */
export function authorizationMessageFrom(
  fullRequest: EvaluationRequest,
  fullDecision: Decision,
  viewer: string,
): AuthorizationMessage {
  const { request, decision } = visibleTrace(
    decisionTrace(fullRequest, fullDecision, {}, undefined),
    viewer,
  ).trace;
  const p = request.principal;
  const principal =
    p.kind === 'AWS'
      ? { id: p.userId ?? p.account, name: p.arn.slice(p.arn.lastIndexOf('/') + 1), arn: p.arn }
      : p.kind === 'Service'
        ? { id: p.service, name: p.service, arn: p.service }
        : p.kind === 'Federated'
          ? { id: p.provider, name: p.provider, arn: p.provider }
          : { id: 'anonymous', name: 'anonymous', arn: 'anonymous' };
  return {
    allowed: decision.decision === 'Allow',
    explicitDeny: decision.decision === 'ExplicitDeny',
    matchedStatements: decision.matched.map((m) => ({
      statementId: m.sid ?? `Statement[${m.statement}]`,
      effect: m.effect === 'Deny' ? 'DENY' : 'ALLOW',
      policyId: m.policyId,
      policyType: m.source,
    })),
    failures: [],
    context: {
      principal,
      action: request.action,
      resource: request.resource,
      conditions: Object.entries(request.context)
        .map(([key, v]) => ({ key, values: values(v) }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    },
  };
}
