/**
 * The AWS Organizations model as iamd stores it, shared by the Organizations handlers
 * (src/organizations/) and the authorizer (src/authz/org-policies.ts), which reads it on every decision.
 *
 * Layout (src/store/index.ts `EntityKind`): everything of one organization lives in its management
 * account — `organization` (key {@link ORG_KEY}; the root is part of it), `orgUnit` (key OU id, index
 * parent id), `orgAccount` (key account id, index parent id), `orgPolicy` (key policy id, index policy
 * type), `orgAttachment` (key `TARGET|POLICY`, index policy id), `orgDelegatedAdmin` (key
 * `ACCOUNT|SERVICE`), `orgCreateAccount` (key request id). Each member account (and the management
 * account) holds one `orgMembership` (key {@link MEMBERSHIP_KEY}) naming its organization, so the
 * authorizer finds an account's organization with one keyed read. Handshakes (`orgHandshake`, key id)
 * are kept in the management account and in the invited account (index: the other party).
 */
import type { StoreReader } from '../store/index.js';

/** The key of the one `organization` entity of a management account. */
export const ORG_KEY = 'organization';
/** The key of the one `orgMembership` entity of an account. */
export const MEMBERSHIP_KEY = 'membership';

/** Policy types the Organizations API knows (PolicyType enum of the model). */
export const POLICY_TYPES = [
  'SERVICE_CONTROL_POLICY',
  'RESOURCE_CONTROL_POLICY',
  'DECLARATIVE_POLICY_EC2',
  'BACKUP_POLICY',
  'TAG_POLICY',
  'CHATBOT_POLICY',
  'AISERVICES_OPT_OUT_POLICY',
  'SECURITYHUB_POLICY',
  'INSPECTOR_POLICY',
  'UPGRADE_ROLLOUT_POLICY',
  'BEDROCK_POLICY',
  'S3_POLICY',
  'NETWORK_SECURITY_DIRECTOR_POLICY',
] as const;
/** One policy type. */
export type OrgPolicyType = (typeof POLICY_TYPES)[number];

/** A tag on an Organizations resource (TagResource, `Tags` of the Create* calls). */
export interface OrgTag {
  readonly key: string;
  readonly value: string;
}

/** The `organization` entity. */
export interface OrganizationBody {
  readonly id: string;
  readonly arn: string;
  readonly featureSet: 'ALL';
  readonly managementAccount: string;
  readonly managementAccountEmail: string;
  readonly rootId: string;
  readonly rootArn: string;
  readonly createdAt: number;
  /** Policy types enabled on the root (ENABLED only; AWS's PENDING states are instantaneous here). */
  readonly enabledPolicyTypes: readonly OrgPolicyType[];
  /** IAM centralized root access features enabled (`RootCredentialsManagement`, `RootSessions`). */
  readonly iamFeatures: readonly string[];
  /** Service principals with trusted access (EnableAWSServiceAccess); `iam.amazonaws.com` for root access. */
  readonly trustedServices: readonly string[];
  /** Tags of the root (TagResource on `r-…`); absent when none were ever set. */
  readonly rootTags?: readonly OrgTag[] | undefined;
}

/** An `orgMembership` entity. */
export interface MembershipBody {
  readonly organizationId: string;
  readonly managementAccount: string;
}

/** An `orgUnit` entity. */
export interface OrgUnitBody {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly parentId: string;
  /** Tags (absent when none were ever set). */
  readonly tags?: readonly OrgTag[] | undefined;
}

/** An `orgAccount` entity (an account's place in the organization). */
export interface OrgAccountBody {
  readonly id: string;
  readonly arn: string;
  readonly email: string;
  readonly name: string;
  readonly status: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';
  readonly joinedMethod: 'INVITED' | 'CREATED';
  readonly joinedAt: number;
  readonly parentId: string;
  /** Tags (absent when none were ever set). */
  readonly tags?: readonly OrgTag[] | undefined;
  /** When CloseAccount was called (the account is `SUSPENDED` from then on); absent for open accounts. */
  readonly closedAt?: number | undefined;
}

/** An `orgPolicy` entity. */
export interface OrgPolicyBody {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly description: string;
  readonly type: OrgPolicyType;
  readonly awsManaged: boolean;
  readonly content: string;
  /** Tags (absent when none were ever set). */
  readonly tags?: readonly OrgTag[] | undefined;
  /** When the policy was created or last updated (DescribeEffectivePolicy's LastUpdatedTimestamp). */
  readonly updatedAt?: number | undefined;
}

/** An `orgAttachment` entity: `policyId` attached to `targetId`. */
export interface OrgAttachmentBody {
  readonly targetId: string;
  readonly policyId: string;
}

/** Key of an attachment: listing by target is a key-prefix scan. */
export function attachmentKey(targetId: string, policyId: string): string {
  return `${targetId}|${policyId}`;
}

/** An `orgHandshake` entity. */
export interface HandshakeBody {
  readonly id: string;
  readonly arn: string;
  readonly organizationId: string;
  readonly managementAccount: string;
  readonly managementAccountEmail: string;
  readonly target: string;
  readonly targetType: 'ACCOUNT' | 'EMAIL';
  readonly state: 'REQUESTED' | 'OPEN' | 'CANCELED' | 'ACCEPTED' | 'DECLINED' | 'EXPIRED';
  readonly requestedAt: number;
  readonly expiresAt: number;
  readonly notes?: string | undefined;
}

/** An `orgDelegatedAdmin` entity. */
export interface DelegatedAdminBody {
  readonly accountId: string;
  readonly servicePrincipal: string;
  readonly registeredAt: number;
}

/** An `orgCreateAccount` entity (CreateAccountStatus). */
export interface CreateAccountStatusBody {
  readonly id: string;
  readonly accountName: string;
  readonly state: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  readonly requestedAt: number;
  readonly completedAt?: number | undefined;
  readonly accountId?: string | undefined;
  readonly failureReason?: string | undefined;
}

/** The organization `account` belongs to (as a member or as its management account), if any. */
export async function membershipOf(store: StoreReader, account: string): Promise<MembershipBody | undefined> {
  return (await store.get<MembershipBody>(account, 'orgMembership', MEMBERSHIP_KEY))?.body;
}

/** The organization whose management account is `mgmt`. */
export async function organizationOf(
  store: StoreReader,
  mgmt: string,
): Promise<OrganizationBody | undefined> {
  return (await store.get<OrganizationBody>(mgmt, 'organization', ORG_KEY))?.body;
}

/**
 * The ids from the root down to `account` (root, each OU, the account), as `aws:PrincipalOrgPaths`
 * and SCP levels need them; undefined when the account is not in the organization.
 */
export async function pathOf(
  store: StoreReader,
  org: OrganizationBody,
  account: string,
): Promise<string[] | undefined> {
  const mgmt = org.managementAccount;
  const place = await store.get<OrgAccountBody>(mgmt, 'orgAccount', account);
  if (!place) return undefined;
  const chain: string[] = [account];
  let parent = place.body.parentId;
  // The depth is bounded by AWS's nesting limit (5 OUs); the guard stops a cycle in corrupt data.
  for (let i = 0; i < 16 && parent !== org.rootId; i++) {
    chain.unshift(parent);
    const ou = await store.get<OrgUnitBody>(mgmt, 'orgUnit', parent);
    if (!ou) return undefined;
    parent = ou.body.parentId;
  }
  chain.unshift(org.rootId);
  return chain;
}

/** `aws:PrincipalOrgPaths` / `aws:ResourceOrgPaths` value: `o-x/r-y/ou-…/` (IAM global condition keys). */
export function orgPathString(orgId: string, path: readonly string[]): string {
  // The path ends at the last OU (or the root), not the account: "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/".
  return `${orgId}/${path.slice(0, -1).join('/')}/`;
}

/** The policies of `type` attached directly to `targetId`. */
export async function attachedPolicies(
  store: StoreReader,
  mgmt: string,
  targetId: string,
): Promise<OrgAttachmentBody[]> {
  return (await store.list<OrgAttachmentBody>(mgmt, 'orgAttachment', { keyPrefix: `${targetId}|` })).map(
    (e) => e.body,
  );
}
