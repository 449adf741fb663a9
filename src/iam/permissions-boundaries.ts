/**
 * Permissions boundaries of users and roles: Put/Delete{User,Role}PermissionsBoundary. Keeps
 * `ManagedPolicyBody.permissionsBoundaryUsageCount` of customer policies in step.
 *
 * A boundary is a managed policy (customer or AWS) that caps the identity's permissions (IAM User
 * Guide, "Permissions boundaries for IAM entities"). Errors as recorded for PutRolePermissionsBoundary:
 * `InvalidInput` "ARN x is not valid.", `NoSuchEntity` "Scope ARN: x does not exist or is not attachable.".
 */
import type { CallContext, Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import { callerAccount } from './common.js';
import { bumpPolicyCounter } from './managed-policies.js';
import { checkBoundaryArn, loadAuthorized, rereadHolder } from './roles.js';

interface BoundarySpec {
  readonly kind: 'user' | 'role';
  readonly wire: 'User' | 'Role';
}

const USER: BoundarySpec = { kind: 'user', wire: 'User' };
const ROLE: BoundarySpec = { kind: 'role', wire: 'Role' };

/** Put{User,Role}PermissionsBoundary of `holder`; the output is empty. */
async function putBoundary(
  spec: BoundarySpec,
  holder: string,
  arn: string,
  ctx: CallContext,
): Promise<Readonly<Record<string, never>>> {
  const account = callerAccount(ctx);
  // iam:PermissionsBoundary is the boundary being set (IAM condition keys reference).
  await loadAuthorized(ctx, account, spec.kind, holder, `iam:Put${spec.wire}PermissionsBoundary`, {
    'iam:PermissionsBoundary': arn,
  });
  await checkBoundaryArn(ctx, account, arn);
  return ctx.transact(async (tx) => {
    const e = await rereadHolder(tx, account, spec.kind, holder);
    const old = e.body.permissionsBoundary;
    if (old === arn) return {};
    await tx.update(
      account,
      spec.kind,
      e.key,
      { ...e.body, permissionsBoundary: arn },
      { expectedVersion: e.version },
    );
    if (old !== undefined) await bumpPolicyCounter(tx, account, old, 'permissionsBoundaryUsageCount', -1);
    await bumpPolicyCounter(tx, account, arn, 'permissionsBoundaryUsageCount', 1);
    return {};
  });
}

/** Delete{User,Role}PermissionsBoundary of `holder`; the output is empty. */
async function deleteBoundary(
  spec: BoundarySpec,
  holder: string,
  ctx: CallContext,
): Promise<Readonly<Record<string, never>>> {
  const account = callerAccount(ctx);
  await loadAuthorized(ctx, account, spec.kind, holder, `iam:Delete${spec.wire}PermissionsBoundary`);
  return ctx.transact(async (tx) => {
    const e = await rereadHolder(tx, account, spec.kind, holder);
    const old = e.body.permissionsBoundary;
    // Deleting an absent boundary succeeds without change.
    if (old === undefined) return {};
    const body = { ...e.body };
    delete body.permissionsBoundary;
    await tx.update(account, spec.kind, e.key, body, { expectedVersion: e.version });
    await bumpPolicyCounter(tx, account, old, 'permissionsBoundaryUsageCount', -1);
    return {};
  });
}

/** The four boundary operations, for `src/iam/index.ts`. */
export const permissionsBoundaryOperations: readonly Operation[] = [
  iamOperation<'PutUserPermissionsBoundary'>({
    service: 'iam',
    name: 'PutUserPermissionsBoundary',
    handle: (input, ctx) => putBoundary(USER, input.UserName, input.PermissionsBoundary, ctx),
  }),
  iamOperation<'DeleteUserPermissionsBoundary'>({
    service: 'iam',
    name: 'DeleteUserPermissionsBoundary',
    handle: (input, ctx) => deleteBoundary(USER, input.UserName, ctx),
  }),
  iamOperation<'PutRolePermissionsBoundary'>({
    service: 'iam',
    name: 'PutRolePermissionsBoundary',
    handle: (input, ctx) => putBoundary(ROLE, input.RoleName, input.PermissionsBoundary, ctx),
  }),
  iamOperation<'DeleteRolePermissionsBoundary'>({
    service: 'iam',
    name: 'DeleteRolePermissionsBoundary',
    handle: (input, ctx) => deleteBoundary(ROLE, input.RoleName, ctx),
  }),
];
