/**
 * Inline policies of users, groups and roles: Put/Get/Delete/List{User,Group,Role}Policy.
 *
 * Quotas (IAM User Guide, "IAM and AWS STS quotas"): the aggregate size of all inline policies of a
 * user is at most 2,048 characters, of a group 5,120, of a role 10,240; whitespace is not counted.
 * AWS's text: "Maximum policy size of 10240 bytes exceeded for role NAME" (gchq/sleeper#1459, in
 * shared/reference/aws-errors.md) and "… of 2048 bytes exceeded for user" (ministryofjustice/
 * cloud-platform-environments#5303).
 */
import type { CallContext, Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import { errors } from '../errors/index.js';
import { callerAccount, paginate } from './common.js';
import type { InlinePolicies } from '../domain/entities.js';
import { checkPolicyDocument, encodeDocument, policySize } from './managed-policies.js';
import { loadAuthorized, rereadHolder, type PolicyHolderKind } from './roles.js';

/** Per-kind names and quota. */
interface InlineSpec {
  readonly kind: PolicyHolderKind;
  /** `User`, `Group`, `Role`: the wire prefix (`UserName`, `PutUserPolicy`). */
  readonly wire: 'User' | 'Group' | 'Role';
  readonly maxSize: number;
}

const USER: InlineSpec = { kind: 'user', wire: 'User', maxSize: 2048 };
const GROUP: InlineSpec = { kind: 'group', wire: 'Group', maxSize: 5120 };
const ROLE: InlineSpec = { kind: 'role', wire: 'Role', maxSize: 10240 };

function hasPolicy(policies: InlinePolicies, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(policies, name);
}

/** A null-prototype copy (the map is keyed by user input). */
function copyPolicies(policies: InlinePolicies): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, policies);
}

/** `The role policy with name x cannot be found.` (recorded; user and group forms alike). */
function inlineNotFound(spec: InlineSpec, name: string): Error {
  return errors.noSuchEntity(`The ${spec.kind} policy with name ${name} cannot be found.`);
}

async function putPolicy(
  spec: InlineSpec,
  holder: string,
  input: { readonly PolicyName: string; readonly PolicyDocument: string },
  ctx: CallContext,
) {
  const account = callerAccount(ctx);
  const policyName = input.PolicyName;
  const document = input.PolicyDocument;
  await loadAuthorized(ctx, account, spec.kind, holder, `iam:Put${spec.wire}Policy`);
  checkPolicyDocument(document, 'identity');
  return ctx.transact(async (tx) => {
    const e = await rereadHolder(tx, account, spec.kind, holder);
    const policies = copyPolicies(e.body.inlinePolicies);
    policies[policyName] = document;
    let total = 0;
    for (const text of Object.values(policies)) total += policySize(text);
    if (total > spec.maxSize)
      throw errors.limitExceeded(
        `Maximum policy size of ${spec.maxSize} bytes exceeded for ${spec.kind} ${holder}`,
      );
    await tx.update(
      account,
      spec.kind,
      e.key,
      { ...e.body, inlinePolicies: policies },
      { expectedVersion: e.version },
    );
    return {};
  });
}

async function getPolicy(
  spec: InlineSpec,
  holder: string,
  input: { readonly PolicyName: string },
  ctx: CallContext,
) {
  const account = callerAccount(ctx);
  const policyName = input.PolicyName;
  const e = await loadAuthorized(ctx, account, spec.kind, holder, `iam:Get${spec.wire}Policy`);
  const policies = e.body.inlinePolicies;
  if (!hasPolicy(policies, policyName)) throw inlineNotFound(spec, policyName);
  const nameOf = (e.body as { userName?: string; groupName?: string; roleName?: string })[
    `${spec.kind}Name` as 'userName' | 'groupName' | 'roleName'
  ];
  return {
    [`${spec.wire}Name`]: nameOf ?? holder,
    PolicyName: policyName,
    PolicyDocument: encodeDocument(policies[policyName] ?? ''),
  };
}

async function deletePolicy(
  spec: InlineSpec,
  holder: string,
  input: { readonly PolicyName: string },
  ctx: CallContext,
) {
  const account = callerAccount(ctx);
  const policyName = input.PolicyName;
  await loadAuthorized(ctx, account, spec.kind, holder, `iam:Delete${spec.wire}Policy`);
  return ctx.transact(async (tx) => {
    const e = await rereadHolder(tx, account, spec.kind, holder);
    if (!hasPolicy(e.body.inlinePolicies, policyName)) throw inlineNotFound(spec, policyName);
    const policies = copyPolicies(e.body.inlinePolicies);
    delete policies[policyName];
    await tx.update(
      account,
      spec.kind,
      e.key,
      { ...e.body, inlinePolicies: policies },
      { expectedVersion: e.version },
    );
    return {};
  });
}

async function listPolicies(
  spec: InlineSpec,
  holder: string,
  input: { readonly Marker?: string | undefined; readonly MaxItems?: number | undefined },
  ctx: CallContext,
) {
  const account = callerAccount(ctx);
  const e = await loadAuthorized(ctx, account, spec.kind, holder, `iam:List${spec.wire}Policies`);
  const names = Object.keys(e.body.inlinePolicies).sort();
  const { page, ...rest } = paginate(names, (n) => n, input, ctx.services);
  return { PolicyNames: page, ...rest };
}

/** The twelve inline-policy operations, for `src/iam/index.ts`. */
export const inlinePolicyOperations: readonly Operation[] = [
  iamOperation<'PutUserPolicy'>({
    service: 'iam',
    name: 'PutUserPolicy',
    handle: (input, ctx) => putPolicy(USER, input.UserName, input, ctx),
  }),
  iamOperation<'GetUserPolicy'>({
    service: 'iam',
    name: 'GetUserPolicy',
    handle: (input, ctx) => getPolicy(USER, input.UserName, input, ctx),
  }),
  iamOperation<'DeleteUserPolicy'>({
    service: 'iam',
    name: 'DeleteUserPolicy',
    handle: (input, ctx) => deletePolicy(USER, input.UserName, input, ctx),
  }),
  iamOperation<'ListUserPolicies'>({
    service: 'iam',
    name: 'ListUserPolicies',
    handle: (input, ctx) => listPolicies(USER, input.UserName, input, ctx),
  }),
  iamOperation<'PutGroupPolicy'>({
    service: 'iam',
    name: 'PutGroupPolicy',
    handle: (input, ctx) => putPolicy(GROUP, input.GroupName, input, ctx),
  }),
  iamOperation<'GetGroupPolicy'>({
    service: 'iam',
    name: 'GetGroupPolicy',
    handle: (input, ctx) => getPolicy(GROUP, input.GroupName, input, ctx),
  }),
  iamOperation<'DeleteGroupPolicy'>({
    service: 'iam',
    name: 'DeleteGroupPolicy',
    handle: (input, ctx) => deletePolicy(GROUP, input.GroupName, input, ctx),
  }),
  iamOperation<'ListGroupPolicies'>({
    service: 'iam',
    name: 'ListGroupPolicies',
    handle: (input, ctx) => listPolicies(GROUP, input.GroupName, input, ctx),
  }),
  iamOperation<'PutRolePolicy'>({
    service: 'iam',
    name: 'PutRolePolicy',
    handle: (input, ctx) => putPolicy(ROLE, input.RoleName, input, ctx),
  }),
  iamOperation<'GetRolePolicy'>({
    service: 'iam',
    name: 'GetRolePolicy',
    handle: (input, ctx) => getPolicy(ROLE, input.RoleName, input, ctx),
  }),
  iamOperation<'DeleteRolePolicy'>({
    service: 'iam',
    name: 'DeleteRolePolicy',
    handle: (input, ctx) => deletePolicy(ROLE, input.RoleName, input, ctx),
  }),
  iamOperation<'ListRolePolicies'>({
    service: 'iam',
    name: 'ListRolePolicies',
    handle: (input, ctx) => listPolicies(ROLE, input.RoleName, input, ctx),
  }),
];
