/**
 * Organizational units and the tree: Create/Update/Delete/DescribeOrganizationalUnit,
 * ListOrganizationalUnitsForParent, ListParents, ListChildren (Organizations API reference).
 */
import type { Operation } from '../api/operation.js';
import type { StoreReader } from '../store/index.js';
import type { OrgAccountBody, OrgUnitBody } from '../domain/organizations.js';
import { newOuId, orgArn } from './ids.js';
import { managementCall, orgErrors, ouShape, page, parentExists, type CallerOrg } from './common.js';
import { checkTagCount, inputOrgTags, requestTagContext } from './tags.js';
import { attachDefaults, detachAll } from './policy-store.js';

/**
 * "You can nest OUs up to five levels deep" below the root
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
 */
export const OU_MAX_DEPTH = 5;
/** "Number of OUs in an organization: 1,000" (same page). */
export const OU_MAX_COUNT = 1000;

/** The depth of `parentId` below the root (root 0, its OUs 1, …). */
async function depthOf(reader: StoreReader, c: CallerOrg, parentId: string): Promise<number> {
  let depth = 0;
  let id = parentId;
  while (id !== c.org.rootId && depth <= OU_MAX_DEPTH + 1) {
    const ou = await reader.get<OrgUnitBody>(c.mgmt, 'orgUnit', id);
    if (!ou) break;
    depth++;
    id = ou.body.parentId;
  }
  return depth;
}

async function ouOf(reader: StoreReader, c: CallerOrg, id: string): Promise<OrgUnitBody> {
  const ou = await reader.get<OrgUnitBody>(c.mgmt, 'orgUnit', id);
  if (!ou) throw orgErrors.ouNotFound();
  return ou.body;
}

async function nameTaken(
  reader: StoreReader,
  c: CallerOrg,
  parentId: string,
  name: string,
): Promise<boolean> {
  const siblings = await reader.list<OrgUnitBody>(c.mgmt, 'orgUnit', { index: parentId });
  return siblings.some((s) => s.body.name === name);
}

/** CreateOrganizationalUnit. */
export const createOrganizationalUnit: Operation = {
  service: 'organizations',
  name: 'CreateOrganizationalUnit',
  async handle(input, ctx) {
    const parentId = input.ParentId as string;
    const name = input.Name as string;
    const tags = inputOrgTags(input.Tags);
    checkTagCount(tags);
    const c = await managementCall(
      ctx,
      'CreateOrganizationalUnit',
      (o) => (parentId === o.rootId ? o.rootArn : orgArn.ou(o.managementAccount, o.id, parentId)),
      { context: requestTagContext(tags) },
    );
    return ctx.transact(async (tx) => {
      if (!(await parentExists(tx, c, parentId))) throw orgErrors.parentNotFound();
      if ((await depthOf(tx, c, parentId)) >= OU_MAX_DEPTH)
        throw orgErrors.constraint(
          'OU_DEPTH_LIMIT_EXCEEDED',
          'You attempted to create an OU tree that is too many levels deep.',
        );
      if ((await tx.count(c.mgmt, 'orgUnit')) >= OU_MAX_COUNT)
        throw orgErrors.constraint(
          'OU_NUMBER_LIMIT_EXCEEDED',
          'You attempted to exceed the number of OUs that you can have in an organization.',
        );
      if (await nameTaken(tx, c, parentId, name)) throw orgErrors.duplicateOu();
      const id = newOuId((n) => ctx.services.random(n), c.org.rootId);
      const ou: OrgUnitBody = {
        id,
        arn: orgArn.ou(c.mgmt, c.org.id, id),
        name,
        parentId,
        ...(tags.length > 0 ? { tags } : {}),
      };
      await tx.insert(c.mgmt, 'orgUnit', id, ou, parentId);
      await attachDefaults(tx, c.org, id);
      return { OrganizationalUnit: ouShape(ou) };
    });
  },
};

/** UpdateOrganizationalUnit: renames an OU. */
export const updateOrganizationalUnit: Operation = {
  service: 'organizations',
  name: 'UpdateOrganizationalUnit',
  async handle(input, ctx) {
    const id = input.OrganizationalUnitId as string;
    const name = input.Name as string | undefined;
    const c = await managementCall(ctx, 'UpdateOrganizationalUnit', (o) =>
      orgArn.ou(o.managementAccount, o.id, id),
    );
    return ctx.transact(async (tx) => {
      const ou = await ouOf(tx, c, id);
      if (name === undefined || name === ou.name) return { OrganizationalUnit: ouShape(ou) };
      if (await nameTaken(tx, c, ou.parentId, name)) throw orgErrors.duplicateOu();
      const next: OrgUnitBody = { ...ou, name };
      await tx.update(c.mgmt, 'orgUnit', id, next, { index: ou.parentId });
      return { OrganizationalUnit: ouShape(next) };
    });
  },
};

/** DeleteOrganizationalUnit: only an empty OU (no accounts, no child OUs). */
export const deleteOrganizationalUnit: Operation = {
  service: 'organizations',
  name: 'DeleteOrganizationalUnit',
  async handle(input, ctx) {
    const id = input.OrganizationalUnitId as string;
    const c = await managementCall(ctx, 'DeleteOrganizationalUnit', (o) =>
      orgArn.ou(o.managementAccount, o.id, id),
    );
    return ctx.transact(async (tx) => {
      await ouOf(tx, c, id);
      const children =
        (await tx.list(c.mgmt, 'orgUnit', { index: id, limit: 1 })).length +
        (await tx.list(c.mgmt, 'orgAccount', { index: id, limit: 1 })).length;
      if (children > 0) throw orgErrors.ouNotEmpty();
      await detachAll(tx, c.mgmt, id);
      await tx.delete(c.mgmt, 'orgUnit', id);
      return {};
    });
  },
};

/** DescribeOrganizationalUnit. */
export const describeOrganizationalUnit: Operation = {
  service: 'organizations',
  name: 'DescribeOrganizationalUnit',
  async handle(input, ctx) {
    const id = input.OrganizationalUnitId as string;
    const c = await managementCall(
      ctx,
      'DescribeOrganizationalUnit',
      (o) => orgArn.ou(o.managementAccount, o.id, id),
      {
        delegated: true,
      },
    );
    return { OrganizationalUnit: ouShape(await ouOf(ctx.store, c, id)) };
  },
};

/** ListOrganizationalUnitsForParent. */
export const listOrganizationalUnitsForParent: Operation = {
  service: 'organizations',
  name: 'ListOrganizationalUnitsForParent',
  async handle(input, ctx) {
    const parentId = input.ParentId as string;
    const c = await managementCall(ctx, 'ListOrganizationalUnitsForParent', () => '*', { delegated: true });
    if (!(await parentExists(ctx.store, c, parentId))) throw orgErrors.parentNotFound();
    const ous = await ctx.store.list<OrgUnitBody>(c.mgmt, 'orgUnit', { index: parentId });
    const p = page(
      ctx,
      ous.map((e) => ouShape(e.body)),
      input,
    );
    return { OrganizationalUnits: p.items, NextToken: p.NextToken };
  },
};

/** ListParents: the root or OU directly above an OU or account. */
export const listParents: Operation = {
  service: 'organizations',
  name: 'ListParents',
  async handle(input, ctx) {
    const childId = input.ChildId as string;
    const c = await managementCall(ctx, 'ListParents', () => '*', { delegated: true });
    const ou = await ctx.store.get<OrgUnitBody>(c.mgmt, 'orgUnit', childId);
    const acct = ou ? undefined : await ctx.store.get<OrgAccountBody>(c.mgmt, 'orgAccount', childId);
    const parentId = ou?.body.parentId ?? acct?.body.parentId;
    if (parentId === undefined) throw orgErrors.childNotFound();
    const Type = parentId === c.org.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT';
    return { Parents: [{ Id: parentId, Type }] };
  },
};

/** ListChildren: the OUs or accounts directly under a root or OU. */
export const listChildren: Operation = {
  service: 'organizations',
  name: 'ListChildren',
  async handle(input, ctx) {
    const parentId = input.ParentId as string;
    const type = input.ChildType as 'ACCOUNT' | 'ORGANIZATIONAL_UNIT';
    const c = await managementCall(ctx, 'ListChildren', () => '*', { delegated: true });
    if (!(await parentExists(ctx.store, c, parentId))) throw orgErrors.parentNotFound();
    const kind = type === 'ACCOUNT' ? 'orgAccount' : 'orgUnit';
    const children = await ctx.store.list(c.mgmt, kind, { index: parentId });
    const p = page(
      ctx,
      children.map((e) => ({ Id: e.key, Type: type })),
      input,
    );
    return { Children: p.items, NextToken: p.NextToken };
  },
};

/** The OU operations. */
export const unitOperations: readonly Operation[] = [
  createOrganizationalUnit,
  updateOrganizationalUnit,
  deleteOrganizationalUnit,
  describeOrganizationalUnit,
  listOrganizationalUnitsForParent,
  listParents,
  listChildren,
];
