/**
 * The organization's resource-based delegation policy: PutResourcePolicy, DescribeResourcePolicy,
 * DeleteResourcePolicy (Organizations API reference, each action's page), and the decision it takes
 * part in when a member account calls a management operation.
 *
 * "You can use a resource-based delegation policy to delegate policy management for AWS Organizations
 * to specified member accounts" — only the management account writes it
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_PutResourcePolicy.html,
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs-policy-delegate.html). It is kept
 * on the organization entity (one per organization), so it goes away with the organization.
 */
import type { Operation } from '../api/operation.js';
import type { StoreTx } from '../store/index.js';
import { ORG_KEY } from '../domain/organizations.js';
import { validatePolicy } from '../policy/index.js';
import { randomLowerAlnum } from './ids.js';
import { managementCall, OrgError, orgErrors } from './common.js';
import {
  DELEGABLE_ACTIONS,
  resourcePolicyOf,
  type OrgWithPolicy,
  type OrgResourcePolicy,
} from './delegation-policy.js';
import { checkTagCount, inputOrgTags, requestTagContext } from './tags.js';

const notFound = (): OrgError =>
  new OrgError(
    'ResourcePolicyNotFoundException',
    "We can't find a resource policy request with the parameter that you specified.",
  );

function summary(rp: OrgResourcePolicy): Record<string, unknown> {
  return { ResourcePolicySummary: { Id: rp.id, Arn: rp.arn }, Content: rp.content };
}

async function orgIn(tx: StoreTx, mgmt: string): Promise<OrgWithPolicy> {
  const org = (await tx.get<OrgWithPolicy>(mgmt, 'organization', ORG_KEY))?.body;
  if (!org) throw orgErrors.notInUse();
  return org;
}

/**
 * Checks the content as a resource-based policy (statements name a Principal) whose actions are
 * Organizations actions a delegation policy can grant (InvalidInputException reasons
 * INVALID_RESOURCE_POLICY_JSON and UNSUPPORTED_ACTION_IN_RESOURCE_POLICY, API_PutResourcePolicy.html).
 */
export function checkResourcePolicyContent(content: string): void {
  const first = validatePolicy(content, 'resource').errors[0];
  if (first !== undefined)
    throw orgErrors.invalidInput(
      'INVALID_RESOURCE_POLICY_JSON',
      `The provided resource policy is not valid: ${first.message}`,
    );
  const doc = JSON.parse(content) as { Statement: unknown };
  const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as {
    Action?: unknown;
  }[];
  for (const st of statements) {
    const actions = st.Action === undefined ? [] : Array.isArray(st.Action) ? st.Action : [st.Action];
    for (const a of actions as string[]) {
      const [service, name] = a.split(':', 2);
      if (service?.toLowerCase() !== 'organizations' || name === undefined || !delegable(name))
        throw orgErrors.invalidInput(
          'UNSUPPORTED_ACTION_IN_RESOURCE_POLICY',
          `The action \`${a}\` is not supported in an organization resource policy`,
        );
    }
  }
}

/** Whether an action pattern (wildcards allowed) names at least one delegable action. */
function delegable(pattern: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  for (const a of DELEGABLE_ACTIONS) if (re.test(a)) return true;
  return false;
}

/** PutResourcePolicy: creates or replaces the delegation policy (the id stays when replacing). */
export const putResourcePolicy: Operation = {
  service: 'organizations',
  name: 'PutResourcePolicy',
  async handle(input, ctx) {
    const content = input.Content as string;
    const tags = inputOrgTags(input.Tags);
    checkTagCount(tags);
    const c = await managementCall(ctx, 'PutResourcePolicy', () => '*', {
      context: requestTagContext(tags),
    });
    checkResourcePolicyContent(content);
    return ctx.transact(async (tx) => {
      const org = await orgIn(tx, c.mgmt);
      const prev = org.resourcePolicy;
      const id = prev?.id ?? `rp-${randomLowerAlnum((n) => ctx.services.random(n), 8)}`;
      const rp: OrgResourcePolicy = {
        id,
        arn: `arn:aws:organizations::${c.mgmt}:resourcepolicy/${org.id}/${id}`,
        content,
        tags: input.Tags === undefined ? (prev?.tags ?? []) : tags,
      };
      await tx.update(c.mgmt, 'organization', ORG_KEY, { ...org, resourcePolicy: rp });
      return { ResourcePolicy: summary(rp) };
    });
  },
};

/** DescribeResourcePolicy: the management account and delegated administrators (and whom the policy allows). */
export const describeResourcePolicy: Operation = {
  service: 'organizations',
  name: 'DescribeResourcePolicy',
  async handle(_input, ctx) {
    const c = await managementCall(ctx, 'DescribeResourcePolicy', () => '*', { delegated: true });
    const rp = resourcePolicyOf(c.org);
    if (rp === undefined) throw notFound();
    return { ResourcePolicy: summary(rp) };
  },
};

/** DeleteResourcePolicy: the management account only. */
export const deleteResourcePolicy: Operation = {
  service: 'organizations',
  name: 'DeleteResourcePolicy',
  async handle(_input, ctx) {
    const c = await managementCall(ctx, 'DeleteResourcePolicy', () => '*');
    return ctx.transact(async (tx) => {
      const org = await orgIn(tx, c.mgmt);
      if (org.resourcePolicy === undefined) throw notFound();
      const { resourcePolicy: _gone, ...rest } = org;
      await tx.update(c.mgmt, 'organization', ORG_KEY, rest);
      return {};
    });
  },
};

/** The resource-policy operations. */
export const resourcePolicyOperations: readonly Operation[] = [
  putResourcePolicy,
  describeResourcePolicy,
  deleteResourcePolicy,
];
