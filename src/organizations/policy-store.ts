/**
 * Writes that several Organizations handlers share: the AWS managed SCP/RCP, default attachments on
 * every root, OU and account while a policy type is enabled, and removing a target's attachments.
 */
import type { StoreTx } from '../store/index.js';
import {
  attachmentKey,
  type OrgAttachmentBody,
  type OrganizationBody,
  type OrgPolicyBody,
  type OrgPolicyType,
} from '../domain/organizations.js';
import { FULL_AWS_ACCESS_ID, orgArn, RCP_FULL_AWS_ACCESS_ID } from './ids.js';

/** The policy types iamd enforces (others are stored and listed only; README "Organizations"). */
export const ENFORCED_TYPES: readonly OrgPolicyType[] = ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'];

/**
 * The AWS managed policy of each enforced type: FullAWSAccess ("Allows access to every operation",
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html) and
 * RCPFullAWSAccess (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
 */
export const AWS_MANAGED: Readonly<
  Record<string, { id: string; name: string; description: string; content: string }>
> = {
  SERVICE_CONTROL_POLICY: {
    id: FULL_AWS_ACCESS_ID,
    name: 'FullAWSAccess',
    description: 'Allows access to every operation',
    content: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
  },
  RESOURCE_CONTROL_POLICY: {
    id: RCP_FULL_AWS_ACCESS_ID,
    name: 'RCPFullAWSAccess',
    description: 'Allows access to every operation',
    content:
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}',
  },
};

/** The AWS managed policy of `type`, stored in the organization (created on first use). */
export async function ensureManagedPolicy(
  tx: StoreTx,
  org: OrganizationBody,
  type: OrgPolicyType,
): Promise<string | undefined> {
  const m = AWS_MANAGED[type];
  if (!m) return undefined;
  if (!(await tx.get(org.managementAccount, 'orgPolicy', m.id))) {
    const body: OrgPolicyBody = {
      id: m.id,
      arn: orgArn.awsPolicy(type, m.id),
      name: m.name,
      description: m.description,
      type,
      awsManaged: true,
      content: m.content,
    };
    await tx.insert(org.managementAccount, 'orgPolicy', m.id, body, type);
  }
  return m.id;
}

/** Attaches `policyId` to `targetId` unless it is attached already. */
export async function attach(tx: StoreTx, mgmt: string, targetId: string, policyId: string): Promise<void> {
  const key = attachmentKey(targetId, policyId);
  if (await tx.get(mgmt, 'orgAttachment', key)) return;
  const body: OrgAttachmentBody = { targetId, policyId };
  await tx.insert(mgmt, 'orgAttachment', key, body, policyId);
}

/** A new OU or account gets the AWS managed policy of every enabled enforced type (AWS attaches it by default). */
export async function attachDefaults(tx: StoreTx, org: OrganizationBody, targetId: string): Promise<void> {
  for (const type of org.enabledPolicyTypes) {
    const id = AWS_MANAGED[type]?.id;
    if (id !== undefined) await attach(tx, org.managementAccount, targetId, id);
  }
}

/** Removes every attachment of `targetId` (the target leaves or is deleted). */
export async function detachAll(tx: StoreTx, mgmt: string, targetId: string): Promise<void> {
  for (const e of await tx.list(mgmt, 'orgAttachment', { keyPrefix: `${targetId}|` }))
    await tx.delete(mgmt, 'orgAttachment', e.key);
}

/** Every target of the organization: the root, each OU, each account. */
export async function allTargets(tx: StoreTx, org: OrganizationBody): Promise<string[]> {
  const mgmt = org.managementAccount;
  return [
    org.rootId,
    ...(await tx.list(mgmt, 'orgUnit')).map((e) => e.key),
    ...(await tx.list(mgmt, 'orgAccount')).map((e) => e.key),
  ];
}
