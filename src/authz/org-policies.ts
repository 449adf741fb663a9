/**
 * The organization side of a decision: an account's organization id and path (for
 * `aws:PrincipalOrgID` / `aws:PrincipalOrgPaths` / `aws:ResourceOrgID` / `aws:ResourceOrgPaths`), the
 * SCPs that bind its principals and the RCPs that bind its resources, one level per node from the
 * root down to the account.
 *
 * AWS's rules (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html,
 * .../orgs_manage_policies_rcps.html, and the IAM User Guide "Policy evaluation logic"):
 * - SCPs and RCPs do not affect the management account (its principals, its resources).
 * - They apply only while their type is enabled on the root.
 * - Every level (root, each OU, the account) must allow; a deny at any level wins.
 * - Service-linked roles are not affected by SCPs ("SCPs don't affect service-linked roles").
 * - RCPs apply only to the services that support them (RCP_SERVICES below).
 * - A closed member account (CloseAccount: PENDING_CLOSURE, then SUSPENDED) can no longer be used: "the
 *   resources won't be available" during the 90 days before they are deleted
 *   (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CloseAccount.html), and a
 *   suspended account's credentials are refused by every service. iamd enforces this with one more
 *   level that denies everything, below the account's own SCPs (its principals) and RCPs (its
 *   resources, for the services RCPs cover — `sts:AssumeRole` into one of its roles included), so
 *   the denial, the audit trail and `iamd explain` name it ({@link CLOSED_ACCOUNT_POLICY}) the
 *   way they name any organization policy. The AWS error for a suspended account's credentials is
 *   not documented; the denial reads as an explicit deny by the organization, which it is.
 */
import type { Principal } from '../domain/principal.js';
import type { StoreReader } from '../store/index.js';
import {
  membershipOf,
  organizationOf,
  orgPathString,
  pathOf,
  attachedPolicies,
  type OrgAccountBody,
  type OrgPolicyBody,
  type OrgPolicyType,
} from '../domain/organizations.js';
import { loadPolicy, type CompiledPolicy } from '../policy/index.js';

/** What one account's organization means for decisions. */
export interface AccountOrgPolicies {
  /** The organization id, when the account is in one. */
  readonly orgId?: string | undefined;
  /** `o-…/r-…/ou-…/` (the path down to the account's parent), when in an organization. */
  readonly orgPath?: string | undefined;
  /** SCP levels binding this account's principals; undefined when SCPs do not apply. */
  readonly scps?: readonly (readonly CompiledPolicy[])[] | undefined;
  /** RCP levels binding this account's resources; undefined when RCPs do not apply. */
  readonly rcps?: readonly (readonly CompiledPolicy[])[] | undefined;
}

/**
 * Services whose resources RCPs govern ("List of AWS services that support RCPs",
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
 */
export const RCP_SERVICES: ReadonlySet<string> = new Set([
  's3',
  'sts',
  'kms',
  'sqs',
  'secretsmanager',
  'ecr',
  'aoss',
  'cognito-idp',
  'logs',
  'dynamodb',
]);

const NONE: AccountOrgPolicies = {};

/** The level a closed account gets: no principal of it may act, nobody may use its resources. */
export const CLOSED_ACCOUNT_POLICY: Pick<OrgPolicyBody, 'name' | 'id' | 'content'> = {
  name: 'AccountClosed',
  id: 'CloseAccount',
  content: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}',
};

const CLOSED_ACCOUNT_RCP =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}';

/** Whether `account` was closed (CloseAccount) while a member of the organization of `mgmt`. */
async function isClosed(store: StoreReader, mgmt: string, account: string): Promise<boolean> {
  const place = await store.get<OrgAccountBody>(mgmt, 'orgAccount', account);
  return place?.body.closedAt !== undefined;
}

/**
 * The policy id the engine reports (and `iamd explain` prints): the policy's name and id and the
 * target it is attached to, e.g. `DenyCreateUser (p-abcd1234) attached to ou-ab12-cdefghij`.
 */
export function orgPolicyId(policy: Pick<OrgPolicyBody, 'name' | 'id'>, targetId: string): string {
  return `${policy.name} (${policy.id}) attached to ${targetId}`;
}

/** One SCP or RCP as it applies at one level: the policy and the root, OU or account it is attached to. */
export interface OrgPolicyAtLevel {
  readonly policy: OrgPolicyBody;
  readonly targetId: string;
}

/**
 * The policies of `type` attached to each node of `path` (root first, the account last): the raw
 * documents, which the live engine compiles ({@link gatherAccountOrg}), the IAM policy simulator
 * reports statement by statement (src/iam/simulate.ts) and DescribeEffectivePolicy merges (management
 * policy types, src/organizations/effective-policies.ts).
 */
export async function orgPolicyLevels(
  store: StoreReader,
  mgmt: string,
  path: readonly string[],
  type: OrgPolicyType,
): Promise<OrgPolicyAtLevel[][]> {
  const out: OrgPolicyAtLevel[][] = [];
  for (const targetId of path) {
    const level: OrgPolicyAtLevel[] = [];
    for (const a of await attachedPolicies(store, mgmt, targetId)) {
      const p = await store.get<OrgPolicyBody>(mgmt, 'orgPolicy', a.policyId);
      if (p && p.body.type === type) level.push({ policy: p.body, targetId });
    }
    out.push(level);
  }
  return out;
}

async function levels(
  store: StoreReader,
  mgmt: string,
  path: readonly string[],
  type: 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY',
): Promise<CompiledPolicy[][]> {
  const kind = type === 'SERVICE_CONTROL_POLICY' ? 'scp' : 'rcp';
  return (await orgPolicyLevels(store, mgmt, path, type)).map((level) =>
    level.map((l) => loadPolicy(l.policy.content, kind, orgPolicyId(l.policy, l.targetId))),
  );
}

/**
 * The SCP levels that bind the principals of `account` (root first), or undefined when SCPs do not
 * apply to it: not in an organization, the management account, or SCPs not enabled on the root.
 */
export async function scpLevelsOf(
  store: StoreReader,
  account: string,
): Promise<{ readonly orgId: string; readonly levels?: OrgPolicyAtLevel[][] | undefined } | undefined> {
  const m = await membershipOf(store, account);
  if (!m) return undefined;
  const org = await organizationOf(store, m.managementAccount);
  if (!org || org.id !== m.organizationId) return undefined;
  const path = await pathOf(store, org, account);
  if (!path || account === org.managementAccount) return { orgId: org.id };
  const levels = org.enabledPolicyTypes.includes('SERVICE_CONTROL_POLICY')
    ? await orgPolicyLevels(store, org.managementAccount, path, 'SERVICE_CONTROL_POLICY')
    : undefined;
  if (await isClosed(store, org.managementAccount, account)) {
    const closed: OrgPolicyBody = {
      ...CLOSED_ACCOUNT_POLICY,
      arn: '',
      description: 'the account is closed',
      type: 'SERVICE_CONTROL_POLICY',
      awsManaged: true,
    };
    return { orgId: org.id, levels: [...(levels ?? []), [{ policy: closed, targetId: account }]] };
  }
  return { orgId: org.id, levels };
}

/** Reads the organization facts of `account` from the store. */
export async function gatherAccountOrg(store: StoreReader, account: string): Promise<AccountOrgPolicies> {
  const m = await membershipOf(store, account);
  if (!m) return NONE;
  const org = await organizationOf(store, m.managementAccount);
  if (!org || org.id !== m.organizationId) return NONE;
  const path = await pathOf(store, org, account);
  if (!path) return { orgId: org.id };
  const orgPath = orgPathString(org.id, path);
  if (account === org.managementAccount) return { orgId: org.id, orgPath };
  const enabled = new Set(org.enabledPolicyTypes);
  const scps = enabled.has('SERVICE_CONTROL_POLICY')
    ? await levels(store, org.managementAccount, path, 'SERVICE_CONTROL_POLICY')
    : undefined;
  const rcps = enabled.has('RESOURCE_CONTROL_POLICY')
    ? await levels(store, org.managementAccount, path, 'RESOURCE_CONTROL_POLICY')
    : undefined;
  if (await isClosed(store, org.managementAccount, account)) {
    const id = orgPolicyId(CLOSED_ACCOUNT_POLICY, account);
    return {
      orgId: org.id,
      orgPath,
      scps: [...(scps ?? []), [loadPolicy(CLOSED_ACCOUNT_POLICY.content, 'scp', id)]],
      rcps: [...(rcps ?? []), [loadPolicy(CLOSED_ACCOUNT_RCP, 'rcp', id)]],
    };
  }
  return { orgId: org.id, orgPath, scps, rcps };
}

/** Whether `principal` is a session of a service-linked role (path `/aws-service-role/`), which SCPs do not bind. */
export function isServiceLinkedRoleSession(principal: Principal): boolean {
  return principal.type === 'AssumedRole' && principal.roleArn.includes(':role/aws-service-role/');
}

/** Whether RCPs govern `action` (by its service prefix). */
export function rcpGoverns(action: string): boolean {
  const colon = action.indexOf(':');
  return RCP_SERVICES.has((colon < 0 ? action : action.slice(0, colon)).toLowerCase());
}
