/**
 * Permissions boundaries of users and roles: Put/Delete{User,Role}PermissionsBoundary. Keeps
 * `ManagedPolicyBody.permissionsBoundaryUsageCount` of customer policies in step.
 *
 * A boundary is a managed policy (customer or AWS) that caps the identity's permissions (IAM User
 * Guide, "Permissions boundaries for IAM entities"). Errors as recorded for PutRolePermissionsBoundary:
 * `InvalidInput` "ARN x is not valid.", `NoSuchEntity` "Scope ARN: x does not exist or is not attachable.".
 */
import type { Operation } from '../api/operation.js';
import { callerAccount } from './common.js';
import { bumpPolicyCounter } from './managed-policies.js';
import { checkBoundaryArn, loadAuthorized, rereadHolder } from './roles.js';

interface BoundarySpec {
  readonly kind: 'user' | 'role';
  readonly wire: 'User' | 'Role';
}

const SPECS: readonly BoundarySpec[] = [
  { kind: 'user', wire: 'User' },
  { kind: 'role', wire: 'Role' },
];

function makePut(spec: BoundarySpec): Operation {
  return {
    service: 'iam',
    name: `Put${spec.wire}PermissionsBoundary`,
    async handle(input, ctx) {
      const account = callerAccount(ctx);
      const holder = input[`${spec.wire}Name`] as string;
      const arn = input.PermissionsBoundary as string;
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
    },
  };
}

function makeDelete(spec: BoundarySpec): Operation {
  return {
    service: 'iam',
    name: `Delete${spec.wire}PermissionsBoundary`,
    async handle(input, ctx) {
      const account = callerAccount(ctx);
      const holder = input[`${spec.wire}Name`] as string;
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
    },
  };
}

/** The four boundary operations, for `src/iam/index.ts`. */
export const permissionsBoundaryOperations: readonly Operation[] = SPECS.flatMap((s) => [
  makePut(s),
  makeDelete(s),
]);
