/**
 * Roles: CreateRole … ListRoleTags, plus helpers the other access handlers share (loading a user,
 * group or role for a call, the role wire shapes, tag checks).
 *
 * Facts: a role's trust policy must name a `Principal` (IAM User Guide, "Roles terms and concepts");
 * `MaxSessionDuration` defaults to 3600 s (recorded GetRole); trust policy size is at most 2,048
 * characters by default (IAM quotas: "Role trust policy length"), AWS's text
 * "Cannot exceed quota for ACLSizePerRole: 2048" (apache/airflow#27331, kubeflow/dashboard#29).
 */
import type { CallContext, ContextValue, Operation } from '../api/operation.js';
import { iamOperation, type Mutable, type IamOperation } from '../api/typed-operation.js';
import type { Role } from '../protocol/shapes/iam.js';
import { type AwsError, errors } from '../errors/index.js';
import { makeUniqueId } from '../credentials/ids.js';
import type { Entity, StoreReader, StoreTx } from '../store/index.js';
import { StoreConflict } from '../store/index.js';
import {
  callerAccount,
  inputTags,
  listOnPath,
  mergeTags,
  requestTagContext,
  resourceTagContext,
} from './common.js';
import { iamArn, nameKey } from '../domain/names.js';
import type { GroupBody, InstanceProfileBody, RoleBody, TagBody, UserBody } from '../domain/entities.js';
import { bumpPolicyCounter, checkPolicyDocument, encodeDocument, policySize } from './managed-policies.js';
import { findManagedPolicy, parsePolicyArn } from '../domain/managed-policies.js';
import {
  CASE_INSENSITIVE_TAG_KEYS_CHECKED,
  checkCaseInsensitiveTagDuplicates,
  taggingOperations,
} from './tagging.js';
import { emptyBag } from '../core/bag.js';
import { resolveTrustPrincipals, roleForDisplay } from '../domain/trust-principals.js';
import { refuseOnProtectedRole } from './protected-roles.js';

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/** The identity kinds that carry policies. */
export type PolicyHolderKind = 'user' | 'group' | 'role';

/** Entity body per holder kind. */
export interface PolicyHolderBodies {
  user: UserBody;
  group: GroupBody;
  role: RoleBody;
}

/** `The role with name x cannot be found.` and its user / group forms (recorded texts). */
export function holderNotFound(kind: PolicyHolderKind, name: string): AwsError {
  return errors.noSuchEntity(`The ${kind} with name ${name} cannot be found.`);
}

function holderTags(kind: PolicyHolderKind, body: unknown): readonly TagBody[] {
  return kind === 'group' ? [] : (body as UserBody | RoleBody).tags;
}

/**
 * Loads a user, group or role for an operation: reads it (to know its ARN with path, its tags and its
 * boundary for the request context), authorizes `action` on it, and only then reports a missing entity,
 * so a caller without permission learns nothing about existence. `iam:PermissionsBoundary` carries the
 * entity's current boundary unless `extra` sets it (IAM condition keys reference). A role only AWS may
 * modify (service-linked, `protected-roles.ts`) refuses the actions that would change it.
 */
export async function loadAuthorized<K extends PolicyHolderKind>(
  ctx: CallContext,
  account: string,
  kind: K,
  name: string,
  action: string,
  extra?: Record<string, ContextValue>,
): Promise<Entity<PolicyHolderBodies[K]>> {
  const e = await ctx.store.get<PolicyHolderBodies[K]>(account, kind, nameKey(name));
  const arn = e !== undefined ? (e.body as { arn: string }).arn : iamArn(account, kind, '/', name);
  const context: Record<string, ContextValue> = emptyBag<ContextValue>();
  if (e !== undefined) {
    Object.assign(context, resourceTagContext(holderTags(kind, e.body)));
    // IAM also offers iam:ResourceTag for users and roles (Service Authorization Reference, IAM).
    for (const t of holderTags(kind, e.body)) context[`iam:ResourceTag/${t.Key}`] = t.Value;
    const boundary = kind === 'group' ? undefined : (e.body as UserBody | RoleBody).permissionsBoundary;
    if (boundary !== undefined) context['iam:PermissionsBoundary'] = boundary;
  }
  Object.assign(context, extra);
  await ctx.authorize({ action, resource: arn, context });
  if (e === undefined) throw holderNotFound(kind, name);
  if (kind === 'role')
    refuseOnProtectedRole((e.body as RoleBody).roleName, (e.body as RoleBody).path, action);
  return e;
}

/** Re-reads a holder inside the transaction (read-modify-write with `expectedVersion`). */
export async function rereadHolder<K extends PolicyHolderKind>(
  tx: StoreTx,
  account: string,
  kind: K,
  name: string,
): Promise<Entity<PolicyHolderBodies[K]>> {
  const e = await tx.get<PolicyHolderBodies[K]>(account, kind, nameKey(name));
  if (e === undefined) throw holderNotFound(kind, name);
  return e;
}

/**
 * Checks a permissions-boundary ARN and resolves it: `InvalidInput` "ARN x is not valid." for a
 * non-policy ARN, `NoSuchEntity` "Scope ARN: x does not exist or is not attachable." for an unknown
 * policy (both recorded for CreateRole / PutRolePermissionsBoundary).
 */
export async function checkBoundaryArn(ctx: CallContext, account: string, arn: string): Promise<void> {
  if (parsePolicyArn(arn) === undefined) throw errors.invalidInput(`ARN ${arn} is not valid.`);
  const found = await findManagedPolicy(ctx.store, account, arn);
  if (found === undefined || (found.kind === 'aws' && !found.entry.attachable))
    throw errors.noSuchEntity(`Scope ARN: ${arn} does not exist or is not attachable.`);
}

/** Which fields a role wire shape carries; each variant follows a recorded AWS answer. */
export type RoleWireVariant = 'create' | 'get' | 'list' | 'embedded' | 'detail';

/**
 * The `Role` wire structure. Recorded shapes (localstack pr-13720 test_iam_roles): CreateRole and
 * UpdateRoleDescription omit MaxSessionDuration and RoleLastUsed; GetRole adds both (RoleLastUsed `{}`
 * when never used); ListRoles has MaxSessionDuration but no Tags, boundary or RoleLastUsed; a role
 * inside an instance profile has only the six basic fields.
 */
export function roleWire(b: RoleBody, variant: RoleWireVariant): Role {
  const out: Mutable<Role> = {
    Path: b.path,
    RoleName: b.roleName,
    RoleId: b.roleId,
    Arn: b.arn,
    CreateDate: b.createDate,
    AssumeRolePolicyDocument: encodeDocument(b.assumeRolePolicyDocument),
  };
  if (variant === 'embedded') return out;
  if (b.description !== undefined) out.Description = b.description;
  if (variant === 'get' || variant === 'list') out.MaxSessionDuration = b.maxSessionDuration;
  if (variant === 'list') return out;
  if (b.permissionsBoundary !== undefined)
    out.PermissionsBoundary = {
      PermissionsBoundaryType: 'Policy',
      PermissionsBoundaryArn: b.permissionsBoundary,
    };
  if (b.tags.length > 0 || variant === 'detail') out.Tags = b.tags.map((t) => ({ ...t }));
  if (variant === 'get' || variant === 'detail')
    out.RoleLastUsed =
      b.lastUsed === undefined ? {} : { LastUsedDate: b.lastUsed.date, Region: b.lastUsed.region };
  return out;
}

const MAX_TRUST_POLICY_SIZE = 2048;

function checkTrustDocument(text: string): void {
  checkPolicyDocument(text, 'trust');
  if (policySize(text) > MAX_TRUST_POLICY_SIZE)
    throw errors.limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${MAX_TRUST_POLICY_SIZE}`);
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

/** CreateRole. */
export const createRole = iamOperation<'CreateRole'>({
  service: 'iam',
  name: 'CreateRole',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const name = input.RoleName;
    const path = input.Path ?? '/';
    const tags = inputTags(input.Tags);
    const boundary = input.PermissionsBoundary;
    const document = input.AssumeRolePolicyDocument;
    const arn = iamArn(account, 'role', path, name);
    const context = requestTagContext(tags);
    if (boundary !== undefined) context['iam:PermissionsBoundary'] = boundary;
    await ctx.authorize({ action: 'iam:CreateRole', resource: arn, context });
    checkCaseInsensitiveTagDuplicates(tags);
    const merged = mergeTags([], tags);
    checkTrustDocument(document);
    const trustPrincipalIds = await resolveTrustPrincipals(ctx.store, document);
    if (boundary !== undefined) await checkBoundaryArn(ctx, account, boundary);
    const body: RoleBody = {
      roleName: name,
      roleId: makeUniqueId('AROA', (n) => ctx.services.random(n)),
      arn,
      path,
      createDate: ctx.now,
      assumeRolePolicyDocument: document,
      trustPrincipalIds,
      description: input.Description,
      maxSessionDuration: input.MaxSessionDuration ?? 3600,
      permissionsBoundary: boundary,
      tags: merged,
      inlinePolicies: Object.create(null) as Record<string, string>,
      attachedPolicies: [],
    };
    return ctx.transact(async (tx) => {
      try {
        await tx.insert(account, 'role', nameKey(name), body);
      } catch (e) {
        if (e instanceof StoreConflict && e.reason === 'exists')
          throw errors.alreadyExists(`Role with name ${name} already exists.`);
        throw e;
      }
      if (boundary !== undefined)
        await bumpPolicyCounter(tx, account, boundary, 'permissionsBoundaryUsageCount', 1);
      return { Role: roleWire(body, 'create') };
    });
  },
});

/** GetRole. */
export const getRole = iamOperation<'GetRole'>({
  service: 'iam',
  name: 'GetRole',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const e = await loadAuthorized(ctx, account, 'role', input.RoleName, 'iam:GetRole');
    return { Role: roleWire(await roleForDisplay(ctx.store, e.body), 'get') };
  },
});

/** ListRoles (PathPrefix, pagination in name order). */
export const listRoles = iamOperation<'ListRoles'>({
  service: 'iam',
  name: 'ListRoles',
  async handle(input, ctx) {
    const { page, ...rest } = await listOnPath<RoleBody>(ctx, input, {
      action: 'iam:ListRoles',
      kind: 'role',
      arnType: 'role',
    });
    const shown = [];
    for (const e of page) shown.push(roleWire(await roleForDisplay(ctx.store, e.body), 'list'));
    return { Roles: shown, ...rest };
  },
});

/** One read-modify-write of a role in the call's single transaction; the output is empty. */
async function updateRoleBody(
  ctx: CallContext,
  account: string,
  name: string,
  change: (b: RoleBody) => RoleBody,
): Promise<Readonly<Record<string, never>>> {
  return ctx.transact(async (tx) => {
    const e = await rereadHolder(tx, account, 'role', name);
    await tx.update(account, 'role', e.key, change(e.body), { expectedVersion: e.version });
    return {};
  });
}

/** UpdateRole: Description and/or MaxSessionDuration. */
export const updateRole = iamOperation<'UpdateRole'>({
  service: 'iam',
  name: 'UpdateRole',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const name = input.RoleName;
    await loadAuthorized(ctx, account, 'role', name, 'iam:UpdateRole');
    const description = input.Description;
    const max = input.MaxSessionDuration;
    return updateRoleBody(ctx, account, name, (b) => ({
      ...b,
      description: description ?? b.description,
      maxSessionDuration: max ?? b.maxSessionDuration,
    }));
  },
});

/** UpdateRoleDescription: returns the role (recorded shape: no MaxSessionDuration / RoleLastUsed). */
export const updateRoleDescription = iamOperation<'UpdateRoleDescription'>({
  service: 'iam',
  name: 'UpdateRoleDescription',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const name = input.RoleName;
    await loadAuthorized(ctx, account, 'role', name, 'iam:UpdateRoleDescription');
    const description = input.Description;
    return ctx.transact(async (tx) => {
      const e = await rereadHolder(tx, account, 'role', name);
      const body: RoleBody = { ...e.body, description };
      await tx.update(account, 'role', e.key, body, { expectedVersion: e.version });
      return { Role: roleWire(await roleForDisplay(tx, body), 'create') };
    });
  },
});

/** UpdateAssumeRolePolicy: replaces the trust policy after validating it as a trust policy. */
export const updateAssumeRolePolicy = iamOperation<'UpdateAssumeRolePolicy'>({
  service: 'iam',
  name: 'UpdateAssumeRolePolicy',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const name = input.RoleName;
    await loadAuthorized(ctx, account, 'role', name, 'iam:UpdateAssumeRolePolicy');
    const document = input.PolicyDocument;
    checkTrustDocument(document);
    const trustPrincipalIds = await resolveTrustPrincipals(ctx.store, document);
    return updateRoleBody(ctx, account, name, (b) => ({
      ...b,
      assumeRolePolicyDocument: document,
      trustPrincipalIds,
    }));
  },
});

/** The instance profiles (in name order) that hold the role `roleName`. */
export async function instanceProfilesOfRole(
  store: StoreReader,
  account: string,
  roleName: string,
): Promise<Entity<InstanceProfileBody>[]> {
  const key = nameKey(roleName);
  return (await store.list<InstanceProfileBody>(account, 'instanceProfile')).filter((p) =>
    p.body.roles.some((r) => nameKey(r) === key),
  );
}

/** DeleteRole: refused while the role is in an instance profile or has policies (recorded texts). */
export const deleteRole = iamOperation<'DeleteRole'>({
  service: 'iam',
  name: 'DeleteRole',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const name = input.RoleName;
    await loadAuthorized(ctx, account, 'role', name, 'iam:DeleteRole');
    return ctx.transact(async (tx) => {
      const e = await rereadHolder(tx, account, 'role', name);
      if ((await instanceProfilesOfRole(tx, account, name)).length > 0)
        throw errors.deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
      if (e.body.attachedPolicies.length > 0)
        throw errors.deleteConflict('Cannot delete entity, must detach all policies first.');
      if (Object.keys(e.body.inlinePolicies).length > 0)
        throw errors.deleteConflict('Cannot delete entity, must delete policies first.');
      if (e.body.permissionsBoundary !== undefined)
        await bumpPolicyCounter(tx, account, e.body.permissionsBoundary, 'permissionsBoundaryUsageCount', -1);
      await tx.delete(account, 'role', e.key);
      return {};
    });
  },
});

/** TagRole, UntagRole and ListRoleTags (tag keys compare case-insensitively). */
const roleTagging = taggingOperations<'Role', RoleBody>({
  noun: 'Role',
  resourceId: (input) => input.RoleName,
  keys: CASE_INSENSITIVE_TAG_KEYS_CHECKED,
  load: (ctx, name, action, extra) => loadAuthorized(ctx, callerAccount(ctx), 'role', name, action, extra),
  writeTags: (ctx, name, _loaded, change) =>
    updateRoleBody(ctx, callerAccount(ctx), name, (b) => ({ ...b, tags: change(b.tags) })),
});

/** TagRole. */
export const tagRole: IamOperation<'TagRole'> = roleTagging.tag;

/** UntagRole. */
export const untagRole: IamOperation<'UntagRole'> = roleTagging.untag;

/** ListRoleTags. */
export const listRoleTags: IamOperation<'ListRoleTags'> = roleTagging.list;

/** Every role operation of this module, for `src/iam/index.ts`. */
export const roleOperations: readonly Operation[] = [
  createRole,
  getRole,
  listRoles,
  updateRole,
  updateRoleDescription,
  updateAssumeRolePolicy,
  deleteRole,
  tagRole,
  untagRole,
  listRoleTags,
];
