/**
 * The organization's delegation policy (PutResourcePolicy) as the authorizer of member accounts'
 * Organizations calls sees it: which actions it can open, and the cross-account decision
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs-policy-delegate.html).
 * Kept apart from resource-policy.ts so common.ts can use it without an import cycle.
 */
import type { CallContext, ContextValue } from '../api/operation.js';
import type { OrganizationBody, OrgTag } from '../domain/organizations.js';
import type { CallerOrg } from './common.js';

/** The stored delegation policy. */
export interface OrgResourcePolicy {
  readonly id: string;
  readonly arn: string;
  readonly content: string;
  readonly tags: readonly OrgTag[];
}

/** The organization entity as this file reads and writes it (the policy rides along on it). */
export type OrgWithPolicy = OrganizationBody & { readonly resourcePolicy?: OrgResourcePolicy | undefined };

/** The organization's delegation policy, if one was put. */
export function resourcePolicyOf(org: OrganizationBody): OrgResourcePolicy | undefined {
  return (org as OrgWithPolicy).resourcePolicy;
}

/**
 * Actions a delegation policy can open to member accounts: the read operations and the policy
 * management operations ("Actions that can be delegated", orgs-policy-delegate.html). Account
 * creation, invitations, removal and the organization's own lifecycle stay with the management account.
 */
export const DELEGABLE_ACTIONS: ReadonlySet<string> = new Set([
  'DescribeOrganization',
  'DescribeOrganizationalUnit',
  'DescribeAccount',
  'DescribePolicy',
  'DescribeEffectivePolicy',
  'DescribeCreateAccountStatus',
  'DescribeResourcePolicy',
  'ListRoots',
  'ListOrganizationalUnitsForParent',
  'ListParents',
  'ListChildren',
  'ListAccounts',
  'ListAccountsForParent',
  'ListPolicies',
  'ListPoliciesForTarget',
  'ListTargetsForPolicy',
  'ListTagsForResource',
  'ListCreateAccountStatus',
  'ListDelegatedAdministrators',
  'ListDelegatedServicesForAccount',
  'ListAWSServiceAccessForOrganization',
  'ListHandshakesForOrganization',
  'CreatePolicy',
  'UpdatePolicy',
  'DeletePolicy',
  'AttachPolicy',
  'DetachPolicy',
  'EnablePolicyType',
  'DisablePolicyType',
  'TagResource',
  'UntagResource',
]);

/**
 * Whether a member account's principal is allowed `action` on `resource` by the organization's
 * delegation policy. The call is evaluated as any cross-account call on a resource with a
 * resource-based policy: the caller's identity policies (and SCPs) AND the delegation policy must
 * allow it. `false` when there is no policy or the action cannot be delegated; a denial by the
 * engine is thrown (AccessDenied with the engine's reason).
 */
export async function delegationAllows(
  ctx: CallContext,
  c: CallerOrg,
  action: string,
  resource: string,
  context?: Readonly<Record<string, ContextValue>>,
): Promise<boolean> {
  const rp = resourcePolicyOf(c.org);
  if (rp === undefined || !DELEGABLE_ACTIONS.has(action)) return false;
  await ctx.authorize({
    action: `organizations:${action}`,
    resource,
    resourceAccount: c.mgmt,
    resourcePolicy: rp.content,
    ...(context ? { context } : {}),
  });
  return true;
}
