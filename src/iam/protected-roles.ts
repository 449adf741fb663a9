/**
 * Roles that only AWS may change: service-linked roles (path `/aws-service-role/…`, created by
 * CreateServiceLinkedRole) and IAM Identity Center's reserved roles (path `/aws-reserved/…`). "You
 * cannot edit the permissions policies or trust policy of a service-linked role; the linked service
 * defines them", while the description stays editable and deletion goes through
 * DeleteServiceLinkedRole (https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html).
 * AWS's answer is 400 UnmodifiableEntity "Cannot perform the operation on the protected role 'NAME' -
 * this role is only modifiable by AWS" (as real calls report it, e.g. DetachRolePolicy on
 * AWSServiceRoleForTrustedAdvisor in gruntwork-io/cloud-nuke#880, DeleteRole on an AWSReservedSSO role
 * in rebuy-de/aws-nuke#441).
 */
import { AwsError } from '../errors/index.js';

/** The role actions a protected role refuses (its trust, policies, boundary and existence). */
const REFUSED_ACTIONS: ReadonlySet<string> = new Set([
  'iam:UpdateAssumeRolePolicy',
  'iam:DeleteRole',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:DeleteRolePermissionsBoundary',
]);

/** Whether a role at `path` is one only AWS may modify. */
export function isProtectedRolePath(path: string): boolean {
  return path.startsWith('/aws-service-role/') || path.startsWith('/aws-reserved/');
}

/** Throws UnmodifiableEntity when `action` would change the protected role `roleName` at `path`. */
export function refuseOnProtectedRole(roleName: string, path: string, action: string): void {
  if (isProtectedRolePath(path) && REFUSED_ACTIONS.has(action))
    throw new AwsError(
      'UnmodifiableEntity',
      `Cannot perform the operation on the protected role '${roleName}' - this role is only modifiable by AWS`,
    );
}
