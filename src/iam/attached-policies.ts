/**
 * Managed policies attached to users, groups and roles: Attach/Detach{User,Group,Role}Policy and
 * ListAttached{User,Group,Role}Policies. Keeps `ManagedPolicyBody.attachmentCount` of customer policies
 * in step (AWS managed policies are counted on demand, see aws-managed-catalog.ts).
 *
 * Quota (IAM User Guide, "IAM and AWS STS quotas"): 10 managed policies per user, group or role by
 * default; AWS's text "Cannot exceed quota for PoliciesPerRole: N" (ministryofjustice/
 * cloud-platform-environments#14118, quota raised to 15 there).
 */
import type { CallContext, Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import { errors } from '../errors/index.js';
import { callerAccount, paginate } from './common.js';
import { bumpPolicyCounter, policyNotAttachable, policyNotFound } from './managed-policies.js';
import { findManagedPolicy, isAttachable, parsePolicyArn } from '../domain/managed-policies.js';
import { loadAuthorized, rereadHolder, type PolicyHolderKind } from './roles.js';

interface AttachSpec {
  readonly kind: PolicyHolderKind;
  readonly wire: 'User' | 'Group' | 'Role';
}

const USER: AttachSpec = { kind: 'user', wire: 'User' };
const GROUP: AttachSpec = { kind: 'group', wire: 'Group' };
const ROLE: AttachSpec = { kind: 'role', wire: 'Role' };

/** Managed policies per identity (IAM quotas page, default). */
export const MAX_ATTACHED_POLICIES = 10;

/**
 * Checks the ARN's form. Recorded: a bare name gives `ValidationError` "ARN NAME is not valid."
 * (AttachRolePolicy / AttachUserPolicy, test_role_managed_policy_errors).
 */
function checkArnForm(arn: string): void {
  if (parsePolicyArn(arn) === undefined) throw errors.validation(`ARN ${arn} is not valid.`);
}

async function attachPolicy(
  spec: AttachSpec,
  holder: string,
  input: { readonly PolicyArn: string },
  ctx: CallContext,
) {
  const account = callerAccount(ctx);
  const arn = input.PolicyArn;
  await loadAuthorized(ctx, account, spec.kind, holder, `iam:Attach${spec.wire}Policy`, {
    'iam:PolicyARN': arn,
  });
  checkArnForm(arn);
  const found = await findManagedPolicy(ctx.store, account, arn);
  if (found === undefined || !isAttachable(found)) throw policyNotAttachable(arn);
  return ctx.transact(async (tx) => {
    const e = await rereadHolder(tx, account, spec.kind, holder);
    // Attaching an attached policy again changes nothing (AWS answers success).
    if (e.body.attachedPolicies.includes(arn)) return {};
    if (e.body.attachedPolicies.length >= MAX_ATTACHED_POLICIES)
      throw errors.limitExceeded(`Cannot exceed quota for PoliciesPer${spec.wire}: ${MAX_ATTACHED_POLICIES}`);
    await tx.update(
      account,
      spec.kind,
      e.key,
      { ...e.body, attachedPolicies: [...e.body.attachedPolicies, arn] },
      { expectedVersion: e.version },
    );
    if (found.kind === 'local') {
      const p = await tx.get(account, 'policy', found.entity.key);
      if (p === undefined) throw policyNotAttachable(arn);
      await bumpPolicyCounter(tx, account, arn, 'attachmentCount', 1);
    }
    return {};
  });
}

async function detachPolicy(
  spec: AttachSpec,
  holder: string,
  input: { readonly PolicyArn: string },
  ctx: CallContext,
) {
  const account = callerAccount(ctx);
  const arn = input.PolicyArn;
  await loadAuthorized(ctx, account, spec.kind, holder, `iam:Detach${spec.wire}Policy`, {
    'iam:PolicyARN': arn,
  });
  checkArnForm(arn);
  return ctx.transact(async (tx) => {
    const e = await rereadHolder(tx, account, spec.kind, holder);
    // Recorded: detaching a policy that is not attached gives "Policy ARN was not found."
    if (!e.body.attachedPolicies.includes(arn)) throw policyNotFound(arn);
    await tx.update(
      account,
      spec.kind,
      e.key,
      { ...e.body, attachedPolicies: e.body.attachedPolicies.filter((a) => a !== arn) },
      { expectedVersion: e.version },
    );
    await bumpPolicyCounter(tx, account, arn, 'attachmentCount', -1);
    return {};
  });
}

async function listAttached(
  spec: AttachSpec,
  holder: string,
  input: {
    readonly PathPrefix?: string | undefined;
    readonly Marker?: string | undefined;
    readonly MaxItems?: number | undefined;
  },
  ctx: CallContext,
) {
  const account = callerAccount(ctx);
  const e = await loadAuthorized(ctx, account, spec.kind, holder, `iam:ListAttached${spec.wire}Policies`);
  const prefix = input.PathPrefix;
  // Attach order is kept (recorded: policies listed in the order attached).
  const rows = e.body.attachedPolicies
    .map((arn, i) => ({ arn, parts: parsePolicyArn(arn), k: String(i).padStart(4, '0') }))
    .filter((r) => prefix === undefined || (r.parts?.path ?? '/').startsWith(prefix));
  const { page, ...rest } = paginate(rows, (r) => r.k, input, ctx.services);
  return {
    AttachedPolicies: page.map((r) => ({ PolicyName: r.parts?.name ?? r.arn, PolicyArn: r.arn })),
    ...rest,
  };
}

/** The nine attach/detach/list operations, for `src/iam/index.ts`. */
export const attachedPolicyOperations: readonly Operation[] = [
  iamOperation<'AttachUserPolicy'>({
    service: 'iam',
    name: 'AttachUserPolicy',
    handle: (input, ctx) => attachPolicy(USER, input.UserName, input, ctx),
  }),
  iamOperation<'DetachUserPolicy'>({
    service: 'iam',
    name: 'DetachUserPolicy',
    handle: (input, ctx) => detachPolicy(USER, input.UserName, input, ctx),
  }),
  iamOperation<'ListAttachedUserPolicies'>({
    service: 'iam',
    name: 'ListAttachedUserPolicies',
    handle: (input, ctx) => listAttached(USER, input.UserName, input, ctx),
  }),
  iamOperation<'AttachGroupPolicy'>({
    service: 'iam',
    name: 'AttachGroupPolicy',
    handle: (input, ctx) => attachPolicy(GROUP, input.GroupName, input, ctx),
  }),
  iamOperation<'DetachGroupPolicy'>({
    service: 'iam',
    name: 'DetachGroupPolicy',
    handle: (input, ctx) => detachPolicy(GROUP, input.GroupName, input, ctx),
  }),
  iamOperation<'ListAttachedGroupPolicies'>({
    service: 'iam',
    name: 'ListAttachedGroupPolicies',
    handle: (input, ctx) => listAttached(GROUP, input.GroupName, input, ctx),
  }),
  iamOperation<'AttachRolePolicy'>({
    service: 'iam',
    name: 'AttachRolePolicy',
    handle: (input, ctx) => attachPolicy(ROLE, input.RoleName, input, ctx),
  }),
  iamOperation<'DetachRolePolicy'>({
    service: 'iam',
    name: 'DetachRolePolicy',
    handle: (input, ctx) => detachPolicy(ROLE, input.RoleName, input, ctx),
  }),
  iamOperation<'ListAttachedRolePolicies'>({
    service: 'iam',
    name: 'ListAttachedRolePolicies',
    handle: (input, ctx) => listAttached(ROLE, input.RoleName, input, ctx),
  }),
];
