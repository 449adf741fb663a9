/**
 * Turning a {@link Decision} into words: AWS's reason clause for AccessDenied messages, and a human
 * explanation that reads like advice.
 */
import type { Decision, EvaluationRequest, Mismatch, PolicySource, StatementMatch } from './types.js';

/**
 * The policy-type names AWS uses in AccessDenied messages (IAM User Guide, "Troubleshoot access
 * denied error messages": "… because no identity-based policy allows the … action", "… with an
 * explicit deny in a service control policy", …).
 */
const AWS_NAMES: Readonly<Record<PolicySource, { readonly article: string; readonly name: string }>> = {
  identity: { article: 'an', name: 'identity-based policy' },
  resource: { article: 'a', name: 'resource-based policy' },
  permissionsBoundary: { article: 'a', name: 'permissions boundary' },
  session: { article: 'a', name: 'session policy' },
  scp: { article: 'a', name: 'service control policy' },
  rcp: { article: 'a', name: 'resource control policy' },
};

/**
 * AWS's reason clause for a denial, appended to `User: ARN is not authorized to perform: ACTION on
 * resource: RESOURCE `; `undefined` for Allow. Source: IAM User Guide, "Troubleshoot access denied
 * error messages" (implicit: "because no <type> allows the <action> action"; explicit: "with an
 * explicit deny in a(n) <type>").
 */
export function denialReason(decision: Decision, action: string): string | undefined {
  const n = AWS_NAMES[decision.decidedBy];
  if (decision.decision === 'ExplicitDeny') return `with an explicit deny in ${n.article} ${n.name}`;
  if (decision.decision === 'ImplicitDeny') return `because no ${n.name} allows the ${action} action`;
  return undefined;
}

function describeStatement(m: StatementMatch): string {
  const sid = m.sid ? ` (Sid \`${m.sid}\`)` : '';
  const level = m.level !== undefined ? ` at level ${m.level}` : '';
  return `statement ${m.statement}${sid} of ${AWS_NAMES[m.source].name} \`${m.policyId}\`${level}`;
}

function describeMismatch(m: Mismatch, request?: EvaluationRequest): string {
  switch (m.element) {
    case 'Action':
      return `its Action does not include ${request ? `\`${request.action}\`` : 'the action'}`;
    case 'NotAction':
      return `its NotAction excludes ${request ? `\`${request.action}\`` : 'the action'}`;
    case 'Resource':
      return `its Resource does not match ${request ? `\`${request.resource}\`` : 'the resource'}`;
    case 'NotResource':
      return `its NotResource excludes ${request ? `\`${request.resource}\`` : 'the resource'}`;
    case 'Principal':
      return 'its Principal does not name the caller';
    case 'NotPrincipal':
      return 'its NotPrincipal excludes the caller';
    case 'Condition': {
      const actual =
        m.actual === undefined
          ? 'the key is missing from the request'
          : `the request has ${JSON.stringify(m.actual)}`;
      return `condition ${m.operator} on \`${m.key}\` wants ${JSON.stringify(m.expected)} but ${actual}`;
    }
  }
}

function caller(request?: EvaluationRequest): string {
  if (!request) return 'the caller';
  const p = request.principal;
  switch (p.kind) {
    case 'AWS':
      return `\`${p.arn}\``;
    case 'Service':
      return `service \`${p.service}\``;
    case 'Federated':
      return `federated identities of \`${p.provider}\``;
    case 'Anonymous':
      return 'anonymous callers';
  }
}

/** Near misses: statements of one policy type that failed on a few elements only (best first). */
function nearMisses(decision: Decision, source: PolicySource, request?: EvaluationRequest): string[] {
  return decision.nonMatches
    .filter(
      (n) => n.source === source && n.effect === 'Allow' && !n.mismatches.some((m) => m.element === 'Action'),
    )
    .sort((a, b) => a.mismatches.length - b.mismatches.length)
    .slice(0, 3)
    .map(
      (n) =>
        `  - ${describeStatement(n)} almost applies: ${n.mismatches.map((m) => describeMismatch(m, request)).join('; ')}`,
    );
}

/**
 * A human explanation of a decision: what decided, which statements applied, and what to change so
 * the request is allowed (or why no Allow can help). Pass the request for concrete names; run
 * `evaluate` with `diagnostics: true` to include near misses.
 */
export function explain(decision: Decision, request?: EvaluationRequest): string {
  const action = request ? `\`${request.action}\`` : 'the action';
  const resource = request ? `\`${request.resource}\`` : 'the resource';
  const who = caller(request);
  const lines: string[] = [];
  const n = AWS_NAMES[decision.decidedBy];
  const allows = decision.matched.filter((m) => m.effect === 'Allow');
  const denies = decision.matched.filter((m) => m.effect === 'Deny');
  switch (decision.decision) {
    case 'Allow': {
      if (decision.decidedBy === 'resource') {
        lines.push(`Allowed: the resource-based policy grants ${action} on ${resource} to ${who} directly.`);
      } else {
        lines.push(`Allowed: ${who}'s identity-based policies allow ${action} on ${resource}.`);
        if (decision.crossAccount)
          lines.push('This is a cross-account request, and the resource-based policy allows it too.');
      }
      for (const m of allows) lines.push(`  - allowed by ${describeStatement(m)}`);
      break;
    }
    case 'ExplicitDeny': {
      lines.push(`Denied: an explicit Deny in ${n.article} ${n.name} matches ${action} on ${resource}.`);
      for (const m of denies) lines.push(`  - denied by ${describeStatement(m)}`);
      lines.push(
        'An explicit deny overrides every Allow, so adding permissions will not help: remove or narrow the Deny ' +
          'statement (its Action, Resource or Condition), or make the request so that its conditions do not match.',
      );
      break;
    }
    case 'ImplicitDeny': {
      const src = decision.decidedBy;
      if (src === 'scp' || src === 'rcp') {
        lines.push(
          `Denied: no ${n.name}${decision.level !== undefined ? ` at organization level ${decision.level}` : ''} allows ${action}.`,
        );
        lines.push(
          `Every level of ${src === 'scp' ? 'SCPs (root, each OU, the account)' : 'RCPs'} must allow the action; ` +
            'identity or resource policies cannot lift that limit. Ask the organization administrator to allow it.',
        );
      } else if (src === 'resource') {
        if (decision.crossAccount) {
          lines.push(
            `Denied: this is a cross-account request and the resource-based policy of the resource's account does not allow ${action} for ${who}.`,
          );
          lines.push(
            'Cross-account access needs both sides: add a statement to the resource-based policy (e.g. the trust policy) ' +
              `that names ${who} (or its account) as Principal and allows ${action}, in addition to the caller's identity-based Allow.`,
          );
        } else {
          lines.push(`Denied: no resource-based policy allows ${action} on ${resource} for ${who}.`);
          lines.push(
            `Add a statement to the resource-based policy that names ${who} as Principal and allows ${action}.`,
          );
        }
        lines.push(...nearMisses(decision, 'resource', request));
      } else if (src === 'identity') {
        lines.push(`Denied: no identity-based policy allows ${action} on ${resource} for ${who}.`);
        if (decision.resourceGrant === 'account') {
          lines.push(
            "The resource-based policy names the caller's account (root), which only delegates to the account: " +
              'the identity-based policies must allow the action too. Either attach an Allow for the action to the ' +
              "caller, or name the caller's own ARN in the resource-based policy (same account only).",
          );
        } else {
          lines.push(
            `Attach an identity-based policy to ${who} (or its group/role) with an Allow for ${action} on ${resource}.`,
          );
        }
        lines.push(...nearMisses(decision, 'identity', request));
      } else if (src === 'permissionsBoundary') {
        lines.push(`Denied: the permissions boundary of ${who} does not allow ${action}.`);
        lines.push(
          'A boundary sets the maximum permissions: the action must be allowed by both the identity-based policy and ' +
            'the boundary. Add the action to the boundary policy (or remove the boundary).',
        );
        lines.push(...nearMisses(decision, 'permissionsBoundary', request));
      } else {
        lines.push(`Denied: no session policy passed when the session was created allows ${action}.`);
        lines.push(
          'Session policies limit the session to the intersection with the role or user policies. Create a new ' +
            'session whose session policy allows the action (session policies cannot be changed afterwards).',
        );
        lines.push(...nearMisses(decision, 'session', request));
      }
      if (
        decision.nonMatches.length === 0 &&
        decision.matched.length === 0 &&
        decision.present.length === 0
      ) {
        lines.push('No policies applied to this request at all.');
      }
      break;
    }
  }
  return lines.join('\n');
}
