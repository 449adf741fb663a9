/**
 * Organization policies: CreatePolicy, UpdatePolicy, DeletePolicy, DescribePolicy, ListPolicies,
 * ListPoliciesForTarget, ListTargetsForPolicy, AttachPolicy, DetachPolicy (Organizations API reference).
 *
 * SCPs and RCPs are validated as the engine reads them and bind every decision (src/authz/org-policies.ts).
 * Other types (tag, backup, AI opt-out, …) are stored and listed but not enforced (README "Organizations").
 *
 * Limits (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html):
 * SCP and RCP documents at most 5,120 characters; at most 5 SCPs / 5 RCPs attached to a root, OU or
 * account; at most 1,000 policies of a type in an organization.
 */
import type { CallContext, Operation } from '../api/operation.js';
import type { StoreReader, StoreTx } from '../store/index.js';
import { validatePolicy } from '../policy/index.js';
import {
  attachmentKey,
  type OrgAttachmentBody,
  type OrgPolicyBody,
  type OrgPolicyType,
  type OrgUnitBody,
} from '../domain/organizations.js';
import { newPolicyId, orgArn, RCP_FULL_AWS_ACCESS_ID, targetKind } from './ids.js';
import { managementCall, OrgError, orgErrors, page, policySummary, type CallerOrg } from './common.js';
import { attach } from './policy-store.js';
import { checkTagCount, inputOrgTags, requestTagContext } from './tags.js';

/** SCP and RCP size limit (characters, whitespace included). */
export const POLICY_MAX_CHARS = 5120;
/** Policies of one type attached to one target. */
export const MAX_ATTACHED_PER_TARGET = 5;
/** Policies of one type in an organization. */
export const MAX_POLICIES_PER_TYPE = 1000;

const malformed = (): OrgError =>
  new OrgError(
    'MalformedPolicyDocumentException',
    'The provided policy document does not meet the requirements of the specified policy type.',
  );

/** Checks a policy document for `type`; throws AWS's error. */
export function checkContent(type: OrgPolicyType, content: string): void {
  if (type === 'SERVICE_CONTROL_POLICY' || type === 'RESOURCE_CONTROL_POLICY') {
    if (content.length > POLICY_MAX_CHARS)
      throw orgErrors.constraint(
        'POLICY_CONTENT_LIMIT_EXCEEDED',
        'You attempted to create a policy larger than the maximum size.',
      );
    const result = validatePolicy(content, type === 'SERVICE_CONTROL_POLICY' ? 'scp' : 'rcp');
    if (result.errors.length > 0) throw malformed();
    if (type === 'RESOURCE_CONTROL_POLICY') {
      // "The effect of Allow is only supported for the RCPFullAWSAccess policy"
      // (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html).
      const doc = JSON.parse(content) as { Statement: unknown };
      const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
      if (statements.some((s) => (s as { Effect?: unknown }).Effect === 'Allow')) throw malformed();
    }
    return;
  }
  // Management policy types (tag, backup, …) have their own JSON syntax; iamd stores them unenforced.
  try {
    const v: unknown = JSON.parse(content);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed();
  } catch {
    throw malformed();
  }
}

async function policyOf(reader: StoreReader, c: CallerOrg, id: string): Promise<OrgPolicyBody> {
  const p = await reader.get<OrgPolicyBody>(c.mgmt, 'orgPolicy', id);
  if (!p) throw orgErrors.policyNotFound();
  return p.body;
}

async function targetExists(reader: StoreReader, c: CallerOrg, id: string): Promise<boolean> {
  switch (targetKind(id)) {
    case 'ROOT':
      return id === c.org.rootId;
    case 'ORGANIZATIONAL_UNIT':
      return (await reader.get<OrgUnitBody>(c.mgmt, 'orgUnit', id)) !== undefined;
    case 'ACCOUNT':
      return (await reader.get(c.mgmt, 'orgAccount', id)) !== undefined;
    default:
      return false;
  }
}

/** The policies of `type` attached to `targetId`. */
async function attachedOfType(
  reader: StoreReader,
  c: CallerOrg,
  targetId: string,
  type: string,
): Promise<OrgPolicyBody[]> {
  const out: OrgPolicyBody[] = [];
  for (const a of await reader.list<OrgAttachmentBody>(c.mgmt, 'orgAttachment', {
    keyPrefix: `${targetId}|`,
  })) {
    const p = await reader.get<OrgPolicyBody>(c.mgmt, 'orgPolicy', a.body.policyId);
    if (p && p.body.type === type) out.push(p.body);
  }
  return out;
}

/** Policy calls are authorized on `*`: the policy's ARN (which carries its type) is not known before the read. */
const policyResource = (_id: string) => (): string => '*';

async function nameTaken(
  tx: StoreTx,
  c: CallerOrg,
  type: string,
  name: string,
  except?: string,
): Promise<boolean> {
  const same = await tx.list<OrgPolicyBody>(c.mgmt, 'orgPolicy', { index: type });
  return same.some((p) => p.body.name === name && p.body.id !== except);
}

/** CreatePolicy. */
export const createPolicy: Operation = {
  service: 'organizations',
  name: 'CreatePolicy',
  async handle(input, ctx) {
    const type = input.Type as OrgPolicyType;
    const name = input.Name as string;
    const content = input.Content as string;
    const description = input.Description as string;
    const tags = inputOrgTags(input.Tags);
    checkTagCount(tags);
    const c = await managementCall(ctx, 'CreatePolicy', () => '*', { context: requestTagContext(tags) });
    checkContent(type, content);
    return ctx.transact(async (tx) => {
      if ((await tx.list(c.mgmt, 'orgPolicy', { index: type })).length >= MAX_POLICIES_PER_TYPE)
        throw orgErrors.constraint(
          'POLICY_NUMBER_LIMIT_EXCEEDED',
          'You attempted to exceed the number of policies that you can have in an organization.',
        );
      if (await nameTaken(tx, c, type, name))
        throw new OrgError('DuplicatePolicyException', 'A policy with the same name already exists.');
      const id = newPolicyId((n) => ctx.services.random(n));
      const body: OrgPolicyBody = {
        id,
        arn: orgArn.policy(c.mgmt, c.org.id, type, id),
        name,
        description,
        type,
        awsManaged: false,
        content,
        updatedAt: ctx.now,
        ...(tags.length > 0 ? { tags } : {}),
      };
      await tx.insert(c.mgmt, 'orgPolicy', id, body, type);
      return { Policy: { PolicySummary: policySummary(body), Content: content } };
    });
  },
};

/** AWS managed policies cannot be changed or deleted (InvalidInputException reason IMMUTABLE_POLICY). */
const awsManagedReadOnly = (): OrgError =>
  orgErrors.invalidInput(
    'IMMUTABLE_POLICY',
    'You specified a policy that is managed by AWS and cannot be modified.',
  );

/** A policy found inside the call's transaction (see {@link changePolicy}). */
interface FoundPolicy {
  readonly tx: StoreTx;
  readonly c: CallerOrg;
  /** The PolicyId as given. */
  readonly id: string;
  readonly policy: OrgPolicyBody;
}

/**
 * The calls that change a policy or its attachments (Update, Delete, Attach, Detach): authorizes
 * `operation`, then in one transaction finds the policy `PolicyId` (PolicyNotFoundException) and
 * hands it to `change`.
 */
async function changePolicy<T extends Record<string, unknown>>(
  input: Record<string, unknown>,
  ctx: CallContext,
  operation: 'UpdatePolicy' | 'DeletePolicy' | 'AttachPolicy' | 'DetachPolicy',
  change: (found: FoundPolicy) => Promise<T>,
): Promise<T> {
  const id = input.PolicyId as string;
  const c = await managementCall(ctx, operation, policyResource(id));
  return ctx.transact(async (tx) => change({ tx, c, id, policy: await policyOf(tx, c, id) }));
}

/** UpdatePolicy. */
export const updatePolicy: Operation = {
  service: 'organizations',
  name: 'UpdatePolicy',
  handle: (input, ctx) =>
    changePolicy(input, ctx, 'UpdatePolicy', async ({ tx, c, id, policy: p }) => {
      if (p.awsManaged) throw awsManagedReadOnly();
      const content = (input.Content as string | undefined) ?? p.content;
      if (input.Content !== undefined) checkContent(p.type, content);
      const name = (input.Name as string | undefined) ?? p.name;
      if (name !== p.name && (await nameTaken(tx, c, p.type, name, p.id)))
        throw new OrgError('DuplicatePolicyException', 'A policy with the same name already exists.');
      const next: OrgPolicyBody = {
        ...p,
        name,
        description: (input.Description as string | undefined) ?? p.description,
        content,
        updatedAt: ctx.now,
      };
      await tx.update(c.mgmt, 'orgPolicy', id, next, { index: p.type });
      return { Policy: { PolicySummary: policySummary(next), Content: next.content } };
    }),
};

/** DeletePolicy: only a policy attached nowhere. */
export const deletePolicy: Operation = {
  service: 'organizations',
  name: 'DeletePolicy',
  handle: (input, ctx) =>
    changePolicy(input, ctx, 'DeletePolicy', async ({ tx, c, id, policy }) => {
      if (policy.awsManaged) throw awsManagedReadOnly();
      if ((await tx.list(c.mgmt, 'orgAttachment', { index: id, limit: 1 })).length > 0)
        throw new OrgError(
          'PolicyInUseException',
          'The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.',
        );
      await tx.delete(c.mgmt, 'orgPolicy', id);
      return {};
    }),
};

/** DescribePolicy. */
export const describePolicy: Operation = {
  service: 'organizations',
  name: 'DescribePolicy',
  async handle(input, ctx) {
    const id = input.PolicyId as string;
    const c = await managementCall(ctx, 'DescribePolicy', policyResource(id), { delegated: true });
    const p = await policyOf(ctx.store, c, id);
    return { Policy: { PolicySummary: policySummary(p), Content: p.content } };
  },
};

/** ListPolicies of one type (`Filter`). */
export const listPolicies: Operation = {
  service: 'organizations',
  name: 'ListPolicies',
  async handle(input, ctx) {
    const type = input.Filter as string;
    const c = await managementCall(ctx, 'ListPolicies', () => '*', { delegated: true });
    const all = await ctx.store.list<OrgPolicyBody>(c.mgmt, 'orgPolicy', { index: type });
    const p = page(
      ctx,
      all.map((e) => policySummary(e.body)),
      input,
    );
    return { Policies: p.items, NextToken: p.NextToken };
  },
};

/** ListPoliciesForTarget: the policies of one type attached directly to a root, OU or account. */
export const listPoliciesForTarget: Operation = {
  service: 'organizations',
  name: 'ListPoliciesForTarget',
  async handle(input, ctx) {
    const target = input.TargetId as string;
    const type = input.Filter as string;
    const c = await managementCall(ctx, 'ListPoliciesForTarget', () => '*', { delegated: true });
    if (!(await targetExists(ctx.store, c, target))) throw orgErrors.targetNotFound();
    const p = page(ctx, (await attachedOfType(ctx.store, c, target, type)).map(policySummary), input);
    return { Policies: p.items, NextToken: p.NextToken };
  },
};

async function targetSummary(
  ctx: CallContext,
  c: CallerOrg,
  id: string,
): Promise<Record<string, unknown> | undefined> {
  const kind = targetKind(id);
  if (kind === 'ROOT') return { TargetId: id, Arn: c.org.rootArn, Name: 'Root', Type: kind };
  if (kind === 'ORGANIZATIONAL_UNIT') {
    const ou = await ctx.store.get<OrgUnitBody>(c.mgmt, 'orgUnit', id);
    return ou && { TargetId: id, Arn: ou.body.arn, Name: ou.body.name, Type: kind };
  }
  const a = await ctx.store.get<{ arn: string; name: string }>(c.mgmt, 'orgAccount', id);
  return a && { TargetId: id, Arn: a.body.arn, Name: a.body.name, Type: 'ACCOUNT' };
}

/** ListTargetsForPolicy. */
export const listTargetsForPolicy: Operation = {
  service: 'organizations',
  name: 'ListTargetsForPolicy',
  async handle(input, ctx) {
    const id = input.PolicyId as string;
    const c = await managementCall(ctx, 'ListTargetsForPolicy', policyResource(id), { delegated: true });
    await policyOf(ctx.store, c, id);
    const targets: Record<string, unknown>[] = [];
    for (const a of await ctx.store.list<OrgAttachmentBody>(c.mgmt, 'orgAttachment', { index: id })) {
      const t = await targetSummary(ctx, c, a.body.targetId);
      if (t) targets.push(t);
    }
    const p = page(ctx, targets, input);
    return { Targets: p.items, NextToken: p.NextToken };
  },
};

/** A policy and a target, both found, inside the call's transaction (see {@link changeAttachment}). */
interface PolicyOnTarget extends FoundPolicy {
  readonly target: string;
  /** Whether the policy is attached to the target directly. */
  readonly attached: boolean;
}

/**
 * AttachPolicy and DetachPolicy: {@link changePolicy}, then the target `TargetId`
 * (TargetNotFoundException, after the policy) and whether the policy is attached to it, for `change`
 * to check and write the attachment.
 */
async function changeAttachment(
  input: Record<string, unknown>,
  ctx: CallContext,
  operation: 'AttachPolicy' | 'DetachPolicy',
  change: (on: PolicyOnTarget) => Promise<void>,
): Promise<Record<string, never>> {
  const target = input.TargetId as string;
  return changePolicy(input, ctx, operation, async (found) => {
    const { tx, c, id } = found;
    if (!(await targetExists(tx, c, target))) throw orgErrors.targetNotFound();
    const attached = (await tx.get(c.mgmt, 'orgAttachment', attachmentKey(target, id))) !== undefined;
    await change({ ...found, target, attached });
    return {};
  });
}

/** AttachPolicy. */
export const attachPolicy: Operation = {
  service: 'organizations',
  name: 'AttachPolicy',
  handle: (input, ctx) =>
    changeAttachment(input, ctx, 'AttachPolicy', async ({ tx, c, id, policy, target, attached }) => {
      if (!c.org.enabledPolicyTypes.includes(policy.type)) throw orgErrors.policyTypeNotEnabled();
      if (attached)
        throw new OrgError(
          'DuplicatePolicyAttachmentException',
          'The selected policy is already attached to the specified target.',
        );
      if ((await attachedOfType(tx, c, target, policy.type)).length >= MAX_ATTACHED_PER_TARGET)
        throw orgErrors.constraint(
          'MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
          'You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.',
        );
      await attach(tx, c.mgmt, target, id);
    }),
};

/** DetachPolicy: a target keeps at least one SCP; RCPFullAWSAccess cannot be detached (RCP syntax page). */
export const detachPolicy: Operation = {
  service: 'organizations',
  name: 'DetachPolicy',
  handle: (input, ctx) =>
    changeAttachment(input, ctx, 'DetachPolicy', async ({ tx, c, id, policy, target, attached }) => {
      if (!attached)
        throw new OrgError(
          'PolicyNotAttachedException',
          "The policy isn't attached to the specified target in the specified root.",
        );
      // "You cannot detach this policy" (RCP syntax page): InvalidInputException NON_DETACHABLE_POLICY.
      if (id === RCP_FULL_AWS_ACCESS_ID)
        throw orgErrors.invalidInput('NON_DETACHABLE_POLICY', "You can't detach this AWS Managed Policy.");
      if (
        policy.type === 'SERVICE_CONTROL_POLICY' &&
        (await attachedOfType(tx, c, target, policy.type)).length <= 1
      )
        throw orgErrors.constraint(
          'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
          'You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.',
        );
      await tx.delete(c.mgmt, 'orgAttachment', attachmentKey(target, id));
    }),
};

/** The policy operations. */
export const policyOperations: readonly Operation[] = [
  createPolicy,
  updatePolicy,
  deletePolicy,
  describePolicy,
  listPolicies,
  listPoliciesForTarget,
  listTargetsForPolicy,
  attachPolicy,
  detachPolicy,
];
