/**
 * Customer managed policies and their versions (CreatePolicy … ListEntitiesForPolicy), plus the
 * policy helpers the other access handlers share: document checks, policy ARN parsing, and looking a
 * managed policy up whether it is the caller's or AWS's.
 *
 * Facts (IAM User Guide, "IAM and AWS STS quotas"; API reference of each action): a managed policy
 * document is at most 6,144 characters, whitespace not counted; a policy keeps at most 5 versions; the
 * default version cannot be deleted; a policy with non-default versions or attachments cannot be deleted.
 */
import type { CallContext, ContextValue, Operation } from '../api/operation.js';
import { iamOperation, type IamOperation } from '../api/typed-operation.js';
import { type AwsError, errors } from '../errors/index.js';
import { makeUniqueId } from '../credentials/ids.js';
import { validatePolicy } from '../policy/index.js';
import type { Entity, StoreTx } from '../store/index.js';
import { StoreConflict } from '../store/index.js';
import {
  callerAccount,
  inputTags,
  matchesPathPrefix,
  paginate,
  requestTagContext,
  resourceTagContext,
} from './common.js';
import { iamArn, nameKey } from '../domain/names.js';
import type {
  GroupBody,
  ManagedPolicyBody,
  PolicyVersionBody,
  RoleBody,
  UserBody,
} from '../domain/entities.js';
import { CASE_SENSITIVE_TAG_KEYS, checkCaseSensitiveTagDuplicates, taggingOperations } from './tagging.js';
import {
  awsPolicyUsage,
  listAwsManagedPolicies,
  type AwsManagedPolicy,
} from '../domain/aws-managed-catalog.js';
import { findManagedPolicy, parsePolicyArn, type ResolvedPolicy } from '../domain/managed-policies.js';

// ---------------------------------------------------------------------------------------------
// Shared helpers (used by roles, inline, attached, boundaries, authorization details)
// ---------------------------------------------------------------------------------------------

/** The policy-document kinds `validatePolicy` knows. */
export type PolicyDocumentType = 'identity' | 'trust' | 'boundary';

/**
 * IAM returns policy documents URL-encoded (RFC 3986) inside the XML (GetRolePolicy API reference:
 * "The policy document returned in this structure is URL-encoded compliant with RFC 3986").
 */
export function encodeDocument(text: string): string {
  return encodeURIComponent(text);
}

/**
 * A document's size as IAM counts it for quotas: characters, "IAM doesn't count white space when
 * calculating the size of a policy" (IAM quotas page, "IAM object quotas" notes).
 */
export function policySize(text: string): number {
  let n = 0;
  for (const ch of text) if (!/\s/.test(ch)) n++;
  return n;
}

/** Validates a policy document; throws `MalformedPolicyDocument` with the validator's first message. */
export function checkPolicyDocument(text: string, type: PolicyDocumentType): void {
  const result = validatePolicy(text, type);
  const first = result.errors[0];
  if (first !== undefined) throw errors.malformedPolicy(first.message);
}

/**
 * Adds `delta` to a customer policy's attachment or boundary counter inside a transaction. A missing
 * policy is ignored (it may have been deleted since; AWS policies are counted on demand instead).
 */
export async function bumpPolicyCounter(
  tx: StoreTx,
  account: string,
  arn: string,
  field: 'attachmentCount' | 'permissionsBoundaryUsageCount',
  delta: number,
): Promise<void> {
  const parts = parsePolicyArn(arn);
  if (parts === undefined || parts.account !== account) return;
  const e = await tx.get<ManagedPolicyBody>(account, 'policy', nameKey(parts.name));
  if (e === undefined || e.body.arn !== arn) return;
  const body: ManagedPolicyBody = { ...e.body, [field]: Math.max(0, e.body[field] + delta) };
  await tx.update(account, 'policy', e.key, body, { expectedVersion: e.version });
}

/** `Policy ARN was not found.` (DeletePolicy, TagPolicy, DetachRolePolicy recordings). */
export function policyNotFound(arn: string): AwsError {
  return errors.noSuchEntity(`Policy ${arn} was not found.`);
}

/** `Policy ARN does not exist or is not attachable.` (AttachRolePolicy, ListEntitiesForPolicy recordings). */
export function policyNotAttachable(arn: string): AwsError {
  return errors.noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
}

// ---------------------------------------------------------------------------------------------
// Wire shapes
// ---------------------------------------------------------------------------------------------

/** The `Policy` wire structure of a customer managed policy (Tags only when asked and non-empty). */
export function localPolicyWire(
  b: ManagedPolicyBody,
  tags: 'omit' | 'nonEmpty' | 'always',
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    PolicyName: b.policyName,
    PolicyId: b.policyId,
    Arn: b.arn,
    Path: b.path,
    DefaultVersionId: b.defaultVersionId,
    AttachmentCount: b.attachmentCount,
    PermissionsBoundaryUsageCount: b.permissionsBoundaryUsageCount,
    IsAttachable: true,
    CreateDate: b.createDate,
    UpdateDate: b.updateDate,
  };
  if (b.description !== undefined) out.Description = b.description;
  if (tags === 'always' || (tags === 'nonEmpty' && b.tags.length > 0))
    out.Tags = b.tags.map((t) => ({ ...t }));
  return out;
}

/** The `Policy` wire structure of an AWS managed policy with this account's usage counts. */
export function awsPolicyWire(
  p: AwsManagedPolicy,
  usage: { attachmentCount: number; permissionsBoundaryUsageCount: number } | undefined,
  withTags: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    PolicyName: p.name,
    PolicyId: p.policyId,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: usage?.attachmentCount ?? 0,
    PermissionsBoundaryUsageCount: usage?.permissionsBoundaryUsageCount ?? 0,
    IsAttachable: p.attachable,
    CreateDate: p.createDate,
    UpdateDate: p.updateDate,
  };
  // GetPolicy on an AWS policy returns `Tags: []` (recorded: test_get_aws_managed_policy).
  if (withTags) out.Tags = [];
  return out;
}

function versionWire(
  b: ManagedPolicyBody,
  v: PolicyVersionBody,
  withDocument: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    VersionId: v.versionId,
    IsDefaultVersion: v.versionId === b.defaultVersionId,
    CreateDate: v.createDate,
  };
  if (withDocument) out.Document = encodeDocument(v.document);
  return out;
}

/** All versions of a customer policy, newest first, with documents (GetAccountAuthorizationDetails). */
export function localPolicyVersionList(b: ManagedPolicyBody): Record<string, unknown>[] {
  return sortedVersions(b).map((v) => versionWire(b, v, true));
}

function versionNumber(id: string): number {
  return Number.parseInt(id.slice(1), 10);
}

/** Newest first, as ListPolicyVersions returns them (recorded: v3, v2, v1). */
function sortedVersions(b: ManagedPolicyBody): PolicyVersionBody[] {
  return [...b.versions].sort((x, y) => versionNumber(y.versionId) - versionNumber(x.versionId));
}

// ---------------------------------------------------------------------------------------------
// Operation helpers
// ---------------------------------------------------------------------------------------------

const MAX_POLICY_SIZE = 6144;
const MAX_VERSIONS = 5;

function checkManagedDocument(text: string): void {
  checkPolicyDocument(text, 'identity');
  // Recorded AWS text: "Cannot exceed quota for PolicySize: 6144" (ministryofjustice/cloud-platform-environments#14473).
  if (policySize(text) > MAX_POLICY_SIZE)
    throw errors.limitExceeded(`Cannot exceed quota for PolicySize: ${MAX_POLICY_SIZE}`);
}

/**
 * Authorizes `action` on the policy ARN, then resolves it. The resource is the ARN the caller named
 * (IAM authorizes on the requested resource even when it does not exist).
 */
async function authorizedPolicy(
  ctx: CallContext,
  account: string,
  arn: string,
  action: string,
  extra?: Record<string, ContextValue>,
): Promise<ResolvedPolicy | undefined> {
  const found = await findManagedPolicy(ctx.store, account, arn);
  const tags = found?.kind === 'local' ? found.entity.body.tags : [];
  // AWS managed policies (`arn:aws:iam::aws:policy/…`) are readable from every account: IAM decides
  // on them with the caller's identity policies alone, as for a resource in the caller's own account.
  // Without this the ARN's account `aws` made every call cross-account and even the root was denied.
  const resourceAccount = arn.startsWith('arn:aws:iam::aws:') ? account : undefined;
  await ctx.authorize({
    action,
    resource: arn,
    resourceAccount,
    context: { ...resourceTagContext(tags), ...extra },
  });
  return found;
}

/** Re-reads a customer policy inside a transaction (it may have changed since the check). */
async function reread(
  tx: StoreTx,
  account: string,
  found: Entity<ManagedPolicyBody>,
  arn: string,
): Promise<Entity<ManagedPolicyBody>> {
  const e = await tx.get<ManagedPolicyBody>(account, 'policy', found.key);
  if (e === undefined || e.body.arn !== arn) throw policyNotFound(arn);
  return e;
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

/** CreatePolicy: a customer managed policy with version v1 as default. */
export const createPolicy = iamOperation<'CreatePolicy'>({
  service: 'iam',
  name: 'CreatePolicy',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const name = input.PolicyName;
    const path = input.Path ?? '/';
    const document = input.PolicyDocument;
    const tags = inputTags(input.Tags);
    const arn = iamArn(account, 'policy', path, name);
    await ctx.authorize({ action: 'iam:CreatePolicy', resource: arn, context: requestTagContext(tags) });
    checkCaseSensitiveTagDuplicates(tags);
    checkManagedDocument(document);
    const body: ManagedPolicyBody = {
      policyName: name,
      policyId: makeUniqueId('ANPA', (n) => ctx.services.random(n)),
      arn,
      path,
      description: input.Description,
      createDate: ctx.now,
      updateDate: ctx.now,
      defaultVersionId: 'v1',
      nextVersion: 2,
      versions: [{ versionId: 'v1', document, createDate: ctx.now }],
      attachmentCount: 0,
      permissionsBoundaryUsageCount: 0,
      tags,
    };
    return ctx.transact(async (tx) => {
      try {
        await tx.insert(account, 'policy', nameKey(name), body);
      } catch (e) {
        if (e instanceof StoreConflict && e.reason === 'exists')
          throw errors.alreadyExists(
            `A policy called ${name} already exists. Duplicate names are not allowed.`,
          );
        throw e;
      }
      // CreatePolicy's answer has no Description and Tags only when given (recorded: test_policy_tag_lifecycle).
      const wire = localPolicyWire(body, 'nonEmpty');
      delete wire.Description;
      return { Policy: wire };
    });
  },
});

/** GetPolicy: customer or AWS managed. */
export const getPolicy = iamOperation<'GetPolicy'>({
  service: 'iam',
  name: 'GetPolicy',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const arn = input.PolicyArn;
    const found = await authorizedPolicy(ctx, account, arn, 'iam:GetPolicy');
    if (found === undefined) throw policyNotFound(arn);
    if (found.kind === 'local') return { Policy: localPolicyWire(found.entity.body, 'always') };
    const usage = await awsPolicyUsage(ctx.store, account);
    return { Policy: awsPolicyWire(found.entry, usage.get(arn), true) };
  },
});

/** ListPolicies: Scope All | AWS | Local, OnlyAttached, PathPrefix, PolicyUsageFilter. */
export const listPolicies = iamOperation<'ListPolicies'>({
  service: 'iam',
  name: 'ListPolicies',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    // Real IAM names no ARN here: its denial reads "… iam:ListPolicies on resource: policy path / because
    // no identity-based policy allows the iam:ListPolicies action" (the path is PathPrefix, default `/`).
    // Only a `*` resource in a policy matches that, as on AWS (ListPolicies supports no resource type).
    await ctx.authorize({
      action: 'iam:ListPolicies',
      resource: `policy path ${input.PathPrefix ?? '/'}`,
    });
    const scope = input.Scope ?? 'All';
    const onlyAttached = input.OnlyAttached === true;
    const usageFilter = input.PolicyUsageFilter;
    type Row = {
      arn: string;
      attach: number;
      boundary: number;
      path: string;
      wire: () => Record<string, unknown>;
    };
    const rows: Row[] = [];
    if (scope !== 'AWS') {
      for (const e of await ctx.store.list<ManagedPolicyBody>(account, 'policy')) {
        const b = e.body;
        rows.push({
          arn: b.arn,
          attach: b.attachmentCount,
          boundary: b.permissionsBoundaryUsageCount,
          path: b.path,
          wire: () => {
            const w = localPolicyWire(b, 'omit');
            delete w.Description; // ListPolicies does not return descriptions (API reference).
            return w;
          },
        });
      }
    }
    if (scope !== 'Local') {
      const usage = await awsPolicyUsage(ctx.store, account);
      for (const p of listAwsManagedPolicies()) {
        const u = usage.get(p.arn);
        // Deprecated AWS policies are served only to accounts that still use them (reference README).
        if (p.deprecated && u === undefined) continue;
        rows.push({
          arn: p.arn,
          attach: u?.attachmentCount ?? 0,
          boundary: u?.permissionsBoundaryUsageCount ?? 0,
          path: p.path,
          wire: () => awsPolicyWire(p, u, false),
        });
      }
    }
    const kept = rows
      .filter((r) => matchesPathPrefix(r.path, input.PathPrefix))
      .filter((r) => !onlyAttached || r.attach > 0)
      .filter((r) =>
        usageFilter === 'PermissionsPolicy'
          ? r.attach > 0
          : usageFilter === 'PermissionsBoundary'
            ? r.boundary > 0
            : true,
      )
      .sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
    const { page, ...rest } = paginate(kept, (r) => r.arn, input, ctx.services);
    return { Policies: page.map((r) => r.wire()), ...rest };
  },
});

/** DeletePolicy: refused for AWS policies, attached policies and policies with extra versions. */
export const deletePolicy = iamOperation<'DeletePolicy'>({
  service: 'iam',
  name: 'DeletePolicy',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const arn = input.PolicyArn;
    const found = await authorizedPolicy(ctx, account, arn, 'iam:DeletePolicy');
    if (found?.kind === 'aws') throw errors.accessDenied('Cannot delete policies outside your own account.');
    if (found === undefined) throw policyNotFound(arn);
    return ctx.transact(async (tx) => {
      const e = await reread(tx, account, found.entity, arn);
      if (e.body.attachmentCount > 0 || e.body.permissionsBoundaryUsageCount > 0)
        throw errors.deleteConflict('Cannot delete a policy attached to entities.');
      // AWS text quoted in rebuy-de/aws-nuke#1.
      if (e.body.versions.length > 1)
        throw errors.deleteConflict(
          "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
        );
      await tx.delete(account, 'policy', e.key);
      return {};
    });
  },
});

/** CreatePolicyVersion: at most five versions; optionally the new default. */
export const createPolicyVersion = iamOperation<'CreatePolicyVersion'>({
  service: 'iam',
  name: 'CreatePolicyVersion',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const arn = input.PolicyArn;
    const document = input.PolicyDocument;
    const found = await authorizedPolicy(ctx, account, arn, 'iam:CreatePolicyVersion');
    if (found?.kind === 'aws') throw errors.accessDenied('Cannot update policies outside your own account.');
    if (found === undefined) throw policyNotFound(arn);
    checkManagedDocument(document);
    const setAsDefault = input.SetAsDefault === true;
    return ctx.transact(async (tx) => {
      const e = await reread(tx, account, found.entity, arn);
      if (e.body.versions.length >= MAX_VERSIONS)
        throw errors.limitExceeded(
          'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
        );
      const version: PolicyVersionBody = {
        versionId: `v${e.body.nextVersion}`,
        document,
        createDate: ctx.now,
      };
      const body: ManagedPolicyBody = {
        ...e.body,
        versions: [...e.body.versions, version],
        nextVersion: e.body.nextVersion + 1,
        defaultVersionId: setAsDefault ? version.versionId : e.body.defaultVersionId,
        updateDate: setAsDefault ? ctx.now : e.body.updateDate,
      };
      await tx.update(account, 'policy', e.key, body, { expectedVersion: e.version });
      return { PolicyVersion: versionWire(body, version, false) };
    });
  },
});

function versionNotFound(arn: string, versionId: string): AwsError {
  return errors.noSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);
}

/** GetPolicyVersion: the document URL-encoded; AWS policies expose their default version. */
export const getPolicyVersion = iamOperation<'GetPolicyVersion'>({
  service: 'iam',
  name: 'GetPolicyVersion',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const arn = input.PolicyArn;
    const versionId = input.VersionId;
    const found = await authorizedPolicy(ctx, account, arn, 'iam:GetPolicyVersion');
    if (found === undefined) throw versionNotFound(arn, versionId);
    if (found.kind === 'aws') {
      // Only the default version's document is in the catalog.
      if (versionId !== found.entry.defaultVersionId) throw versionNotFound(arn, versionId);
      return {
        PolicyVersion: {
          Document: encodeDocument(found.entry.document),
          VersionId: versionId,
          IsDefaultVersion: true,
          CreateDate: found.entry.updateDate,
        },
      };
    }
    const b = found.entity.body;
    const v = b.versions.find((x) => x.versionId === versionId);
    if (v === undefined) throw versionNotFound(arn, versionId);
    return { PolicyVersion: versionWire(b, v, true) };
  },
});

/** ListPolicyVersions: newest first. */
export const listPolicyVersions = iamOperation<'ListPolicyVersions'>({
  service: 'iam',
  name: 'ListPolicyVersions',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const arn = input.PolicyArn;
    const found = await authorizedPolicy(ctx, account, arn, 'iam:ListPolicyVersions');
    if (found === undefined) throw policyNotFound(arn);
    if (found.kind === 'aws') {
      const p = found.entry;
      return {
        Versions: [{ VersionId: p.defaultVersionId, IsDefaultVersion: true, CreateDate: p.updateDate }],
        IsTruncated: false,
      };
    }
    const b = found.entity.body;
    // Sort key: a zero-padded complement of the version number keeps newest-first ascending.
    const { page, ...rest } = paginate(
      sortedVersions(b),
      (v) => String(1_000_000_000 - versionNumber(v.versionId)).padStart(10, '0'),
      input,
      ctx.services,
    );
    return { Versions: page.map((v) => versionWire(b, v, false)), ...rest };
  },
});

/** DeletePolicyVersion: never the default version. */
export const deletePolicyVersion = iamOperation<'DeletePolicyVersion'>({
  service: 'iam',
  name: 'DeletePolicyVersion',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const arn = input.PolicyArn;
    const versionId = input.VersionId;
    const found = await authorizedPolicy(ctx, account, arn, 'iam:DeletePolicyVersion');
    if (found?.kind === 'aws')
      throw errors.accessDenied('Cannot delete policy versions for policies outside your own account.');
    if (found === undefined) throw versionNotFound(arn, versionId);
    return ctx.transact(async (tx) => {
      const e = await reread(tx, account, found.entity, arn);
      if (!e.body.versions.some((v) => v.versionId === versionId)) throw versionNotFound(arn, versionId);
      if (e.body.defaultVersionId === versionId)
        throw errors.deleteConflict('Cannot delete the default version of a policy.');
      const body: ManagedPolicyBody = {
        ...e.body,
        versions: e.body.versions.filter((v) => v.versionId !== versionId),
      };
      await tx.update(account, 'policy', e.key, body, { expectedVersion: e.version });
      return {};
    });
  },
});

/** SetDefaultPolicyVersion. */
export const setDefaultPolicyVersion = iamOperation<'SetDefaultPolicyVersion'>({
  service: 'iam',
  name: 'SetDefaultPolicyVersion',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const arn = input.PolicyArn;
    const versionId = input.VersionId;
    const found = await authorizedPolicy(ctx, account, arn, 'iam:SetDefaultPolicyVersion');
    if (found?.kind === 'aws') throw errors.accessDenied('Cannot update policies outside your own account.');
    if (found === undefined) throw versionNotFound(arn, versionId);
    return ctx.transact(async (tx) => {
      const e = await reread(tx, account, found.entity, arn);
      if (!e.body.versions.some((v) => v.versionId === versionId)) throw versionNotFound(arn, versionId);
      const body: ManagedPolicyBody = { ...e.body, defaultVersionId: versionId, updateDate: ctx.now };
      await tx.update(account, 'policy', e.key, body, { expectedVersion: e.version });
      return {};
    });
  },
});

/** TagPolicy, UntagPolicy and ListPolicyTags: customer policies only; keys are case-sensitive. */
const policyTagging = taggingOperations<'Policy', ManagedPolicyBody>({
  noun: 'Policy',
  resourceId: (input) => input.PolicyArn,
  keys: CASE_SENSITIVE_TAG_KEYS,
  async load(ctx, arn, action, extra) {
    const found = await authorizedPolicy(ctx, callerAccount(ctx), arn, action, extra);
    if (found?.kind !== 'local') throw policyNotFound(arn);
    return found.entity;
  },
  writeTags(ctx, arn, loaded, change) {
    const account = callerAccount(ctx);
    return ctx.transact(async (tx) => {
      const e = await reread(tx, account, loaded, arn);
      const body: ManagedPolicyBody = { ...e.body, tags: change(e.body.tags) };
      await tx.update(account, 'policy', e.key, body, { expectedVersion: e.version });
      return {};
    });
  },
});

/** TagPolicy. */
export const tagPolicy: IamOperation<'TagPolicy'> = policyTagging.tag;

/** UntagPolicy: keys compared case-sensitively (recorded: removing `a` keeps `A`). */
export const untagPolicy: IamOperation<'UntagPolicy'> = policyTagging.untag;

/** ListPolicyTags. */
export const listPolicyTags: IamOperation<'ListPolicyTags'> = policyTagging.list;

/** ListEntitiesForPolicy: users, groups and roles using a managed policy (attached or as boundary). */
export const listEntitiesForPolicy = iamOperation<'ListEntitiesForPolicy'>({
  service: 'iam',
  name: 'ListEntitiesForPolicy',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const arn = input.PolicyArn;
    const found = await authorizedPolicy(ctx, account, arn, 'iam:ListEntitiesForPolicy');
    if (found === undefined) throw policyNotAttachable(arn);
    const filter = input.EntityFilter;
    const usage = input.PolicyUsageFilter;
    const uses = (attached: readonly string[], boundary: string | undefined): boolean =>
      (usage !== 'PermissionsBoundary' && attached.includes(arn)) ||
      (usage !== 'PermissionsPolicy' && boundary === arn);
    type Row = { sort: string; type: 'User' | 'Group' | 'Role'; wire: Record<string, unknown> };
    const rows: Row[] = [];
    const want = (t: string): boolean => filter === undefined || filter === t;
    if (want('User'))
      for (const e of await ctx.store.list<UserBody>(account, 'user'))
        if (
          matchesPathPrefix(e.body.path, input.PathPrefix) &&
          uses(e.body.attachedPolicies, e.body.permissionsBoundary)
        )
          rows.push({
            sort: `1:${e.key}`,
            type: 'User',
            wire: { UserName: e.body.userName, UserId: e.body.userId },
          });
    if (want('Group'))
      for (const e of await ctx.store.list<GroupBody>(account, 'group'))
        if (matchesPathPrefix(e.body.path, input.PathPrefix) && uses(e.body.attachedPolicies, undefined))
          rows.push({
            sort: `0:${e.key}`,
            type: 'Group',
            wire: { GroupName: e.body.groupName, GroupId: e.body.groupId },
          });
    if (want('Role'))
      for (const e of await ctx.store.list<RoleBody>(account, 'role'))
        if (
          matchesPathPrefix(e.body.path, input.PathPrefix) &&
          uses(e.body.attachedPolicies, e.body.permissionsBoundary)
        )
          rows.push({
            sort: `2:${e.key}`,
            type: 'Role',
            wire: { RoleName: e.body.roleName, RoleId: e.body.roleId },
          });
    rows.sort((a, b) => (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0));
    const { page, ...rest } = paginate(rows, (r) => r.sort, input, ctx.services);
    return {
      PolicyGroups: page.filter((r) => r.type === 'Group').map((r) => r.wire),
      PolicyUsers: page.filter((r) => r.type === 'User').map((r) => r.wire),
      PolicyRoles: page.filter((r) => r.type === 'Role').map((r) => r.wire),
      ...rest,
    };
  },
});

/** Every managed-policy operation of this module, for `src/iam/index.ts`. */
export const managedPolicyOperations: readonly Operation[] = [
  createPolicy,
  getPolicy,
  listPolicies,
  deletePolicy,
  createPolicyVersion,
  getPolicyVersion,
  listPolicyVersions,
  deletePolicyVersion,
  setDefaultPolicyVersion,
  tagPolicy,
  untagPolicy,
  listPolicyTags,
  listEntitiesForPolicy,
];
