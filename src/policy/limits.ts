/**
 * Policy size quotas (IAM User Guide, "IAM and AWS STS quotas › IAM and STS character limits"):
 * managed policy 6,144 characters; role trust policy 2,048 (default quota); inline policies, all of
 * one identity's inline policies together: user 2,048, group 5,120, role 10,240. "IAM doesn't
 * count white space when calculating the size of a policy against these quotas."
 */

/** Which quota applies. */
export type PolicySizeKind = 'managed' | 'trust' | 'userInline' | 'groupInline' | 'roleInline';

/** The quota, in non-whitespace characters. */
export const POLICY_SIZE_LIMITS: Readonly<Record<PolicySizeKind, number>> = {
  managed: 6144,
  trust: 2048,
  userInline: 2048,
  groupInline: 5120,
  roleInline: 10240,
};

/** The size AWS counts: characters other than white space. */
export function policySize(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) n++;
  }
  return n;
}

/** The quota for a policy kind (`limitFor('managed') === 6144`). */
export function limitFor(kind: PolicySizeKind): number {
  return POLICY_SIZE_LIMITS[kind];
}

/**
 * AWS's `LimitExceeded` message when `size` exceeds the quota, else `undefined`. `name` is the
 * user/group/role name for inline policies (AWS: "Maximum policy size of 10240 bytes exceeded for
 * role NAME", recorded in shared/reference/aws-errors.md). Managed: "Cannot exceed quota for
 * PolicySize: 6144"; trust: "Cannot exceed quota for ACLSizePerRole: 2048".
 * For inline kinds pass the total size of all of the identity's inline policies.
 */
export function policySizeError(kind: PolicySizeKind, size: number, name = ''): string | undefined {
  const max = POLICY_SIZE_LIMITS[kind];
  if (size <= max) return undefined;
  switch (kind) {
    case 'managed':
      return `Cannot exceed quota for PolicySize: ${max}`;
    case 'trust':
      return `Cannot exceed quota for ACLSizePerRole: ${max}`;
    case 'userInline':
      return `Maximum policy size of ${max} bytes exceeded for user ${name}`;
    case 'groupInline':
      return `Maximum policy size of ${max} bytes exceeded for group ${name}`;
    case 'roleInline':
      return `Maximum policy size of ${max} bytes exceeded for role ${name}`;
  }
}
