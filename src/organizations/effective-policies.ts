/**
 * DescribeEffectivePolicy, ListAccountsWithInvalidEffectivePolicy, ListEffectivePolicyValidationErrors
 * (Organizations API reference): the effective management policy of an account, merged from the
 * policies of one type attached from the root down to the account (effective-policy.ts, AWS's
 * inheritance rules).
 *
 * - "This operation applies only to management policies. It does not apply to authorization policies:
 *   service control policies (SCPs) and resource control policies (RCPs)": the model's
 *   EffectivePolicyType enum has neither, so the JSON decoder refuses them (InvalidInputException).
 * - TargetId: "specify the ID of the account … Specifying an organization root or organizational unit
 *   (OU) as the target is not supported" (InvalidInputException TARGET_NOT_SUPPORTED); without it, the
 *   caller's account. "You can call this operation from any account in a organization": a member for
 *   itself, the management account and delegated administrators for any account.
 * - EffectivePolicyNotFoundException: "If you ran this action on the management account, this policy
 *   type is not enabled. If you ran the action on a member account, the account doesn't have an
 *   effective policy of this type."
 * - The validation calls list what the merge could not apply (an operator a parent policy disallows,
 *   `@@append`/`@@remove` on a single value, an unknown operator): "an effective policy that fails
 *   validation checks, resulting in the effective policy not being fully enforced". Management account
 *   or delegated administrator only.
 */
import type { CallContext, Operation } from '../api/operation.js';
import type { StoreReader } from '../store/index.js';
import { orgPathString, pathOf, type OrgAccountBody, type OrgPolicyType } from '../domain/organizations.js';
import { orgPolicyLevels } from '../authz/org-policies.js';
import { effectivePolicy, type EffectivePolicyResult } from './effective-policy.js';
import { orgArn, targetKind } from './ids.js';
import {
  accountShape,
  callerOrg,
  managementCall,
  OrgError,
  orgErrors,
  page,
  type CallerOrg,
} from './common.js';

const notFound = (type: string, account: string): OrgError =>
  new OrgError(
    'EffectivePolicyNotFoundException',
    `no effective policy of type \`${type}\` applies to account \`${account}\``,
  );

/** The merged policy of `type` for `account` and when its newest contributing policy changed. */
async function compute(
  reader: StoreReader,
  c: CallerOrg,
  account: string,
  type: OrgPolicyType,
): Promise<{ result: EffectivePolicyResult; updatedAt: number; path: readonly string[] }> {
  const path = await pathOf(reader, c.org, account);
  if (!path) throw orgErrors.accountNotFound();
  if (!c.org.enabledPolicyTypes.includes(type)) throw notFound(type, account);
  const levels = await orgPolicyLevels(reader, c.mgmt, path, type);
  const result = effectivePolicy(
    levels.map((level) => level.map((l) => ({ id: l.policy.id, content: l.policy.content }))),
  );
  if (result.policy === undefined) throw notFound(type, account);
  const updatedAt = Math.max(
    c.org.createdAt,
    ...levels.flat().map((l) => l.policy.updatedAt ?? c.org.createdAt),
  );
  return { result, updatedAt, path };
}

async function isDelegatedAdmin(ctx: CallContext, c: CallerOrg): Promise<boolean> {
  return (
    (await ctx.store.list(c.mgmt, 'orgDelegatedAdmin', { keyPrefix: `${c.account}|`, limit: 1 })).length > 0
  );
}

/** DescribeEffectivePolicy. */
export const describeEffectivePolicy: Operation = {
  service: 'organizations',
  name: 'DescribeEffectivePolicy',
  async handle(input, ctx) {
    const type = input.PolicyType as OrgPolicyType;
    const c = await callerOrg(ctx);
    const target = (input.TargetId as string | undefined) ?? c.account;
    await ctx.authorize({
      action: 'organizations:DescribeEffectivePolicy',
      resource: /^\d{12}$/.test(target) ? orgArn.account(c.mgmt, c.org.id, target) : '*',
      resourceAccount: c.account,
    });
    const kind = targetKind(target);
    if (kind === 'ROOT' || kind === 'ORGANIZATIONAL_UNIT')
      throw orgErrors.invalidInput(
        'TARGET_NOT_SUPPORTED',
        "You can't perform the specified operation on that target entity.",
      );
    // Refused before the lookup: a member learns nothing of other accounts, not even whether they exist.
    if (target !== c.account && !c.isManagement && !(await isDelegatedAdmin(ctx, c)))
      throw orgErrors.accessDenied();
    if (!(await ctx.store.get<OrgAccountBody>(c.mgmt, 'orgAccount', target)))
      throw orgErrors.targetNotFound();
    const { result, updatedAt } = await compute(ctx.store, c, target, type);
    return {
      EffectivePolicy: {
        PolicyContent: JSON.stringify(result.policy),
        LastUpdatedTimestamp: updatedAt,
        TargetId: target,
        PolicyType: type,
      },
    };
  },
};

/** ListAccountsWithInvalidEffectivePolicy: accounts whose effective policy of the type has diagnostics. */
export const listAccountsWithInvalidEffectivePolicy: Operation = {
  service: 'organizations',
  name: 'ListAccountsWithInvalidEffectivePolicy',
  async handle(input, ctx) {
    const type = input.PolicyType as OrgPolicyType;
    const c = await managementCall(ctx, 'ListAccountsWithInvalidEffectivePolicy', () => '*', {
      delegated: true,
    });
    if (!c.org.enabledPolicyTypes.includes(type)) throw notFound(type, c.account);
    const invalid: Record<string, unknown>[] = [];
    for (const e of await ctx.store.list<OrgAccountBody>(c.mgmt, 'orgAccount')) {
      const computed = await compute(ctx.store, c, e.key, type).catch((err: unknown) => {
        if (err instanceof OrgError && err.code === 'EffectivePolicyNotFoundException') return undefined;
        throw err;
      });
      if (computed && computed.result.issues.length > 0) invalid.push(accountShape(e.body, ctx.now));
    }
    const p = page(ctx, invalid, input);
    return { Accounts: p.items, PolicyType: type, NextToken: p.NextToken };
  },
};

/** ListEffectivePolicyValidationErrors for one account. */
export const listEffectivePolicyValidationErrors: Operation = {
  service: 'organizations',
  name: 'ListEffectivePolicyValidationErrors',
  async handle(input, ctx) {
    const type = input.PolicyType as OrgPolicyType;
    const account = input.AccountId as string;
    const c = await managementCall(
      ctx,
      'ListEffectivePolicyValidationErrors',
      (o) => orgArn.account(o.managementAccount, o.id, account),
      { delegated: true },
    );
    const { result, path } = await compute(ctx.store, c, account, type);
    const errors = result.issues.map((i) => ({
      ErrorCode: i.code,
      ErrorMessage: i.message,
      PathToError: i.path,
      ContributingPolicies: i.policyIds,
    }));
    const p = page(ctx, errors, input);
    return {
      AccountId: account,
      PolicyType: type,
      // "The path in the organization where the specified account exists": o-…/r-…/ou-…/ACCOUNT/.
      Path: `${orgPathString(c.org.id, path)}${account}/`,
      EvaluationTimestamp: ctx.now,
      EffectivePolicyValidationErrors: p.items,
      NextToken: p.NextToken,
    };
  },
};

/** The effective-policy operations. */
export const effectivePolicyOperations: readonly Operation[] = [
  describeEffectivePolicy,
  listAccountsWithInvalidEffectivePolicy,
  listEffectivePolicyValidationErrors,
];
