/**
 * Tags on Organizations resources: TagResource, UntagResource, ListTagsForResource for accounts, OUs,
 * the root and policies (`ResourceId` is the resource's id), and the `Tags` CreateAccount,
 * CreateOrganizationalUnit and CreatePolicy take (Organizations API reference, API_TagResource.html;
 * "Tagging AWS Organizations resources",
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_tagging.html).
 *
 * Rules: "You can only call this operation from the management account or a member account that is a
 * delegated administrator"; "If any one of the tags is not valid or if you exceed the maximum allowed
 * number of tags for a resource, then the entire request fails"; keys are unique on a resource (a tag
 * with a key already present replaces its value); `aws:` keys are system tags callers cannot set;
 * at most 50 tags per resource (Organizations quotas). Key and value length and characters are checked
 * against the model (TagKey, TagValue) by the JSON decoder.
 */
import type { CallContext, ContextValue, Operation } from '../api/operation.js';
import type { StoreReader, StoreTx } from '../store/index.js';
import {
  ORG_KEY,
  type OrgAccountBody,
  type OrganizationBody,
  type OrgPolicyBody,
  type OrgTag,
  type OrgUnitBody,
} from '../domain/organizations.js';
import { orgArn } from './ids.js';
import { managementCall, OrgError, orgErrors, page, type CallerOrg } from './common.js';

/** Tags one resource may carry ("Maximum number of tags per resource: 50", Organizations quotas). */
export const MAX_TAGS_PER_RESOURCE = 50;

const notFound = (): OrgError =>
  // TargetNotFoundException as the model documents it for the tagging calls (a policy is a target here).
  new OrgError(
    'TargetNotFoundException',
    "We can't find a root, OU, account, or policy with the TargetId that you specified.",
  );

/** Wire `Tags` → tags, checked: unique keys, no system (`aws:`) keys. */
export function inputOrgTags(value: unknown): OrgTag[] {
  if (!Array.isArray(value)) return [];
  const tags = (value as { Key?: unknown; Value?: unknown }[]).map((t) => ({
    key: String(t.Key ?? ''),
    value: String(t.Value ?? ''),
  }));
  const seen = new Set<string>();
  for (const t of tags) {
    if (t.key.toLowerCase().startsWith('aws:'))
      throw orgErrors.invalidInput(
        'INVALID_SYSTEM_TAGS_PARAMETER',
        "You specified a tag key that is a system tag. You can't add, edit, or delete system tag keys because they're reserved for AWS use. System tags don't count against your tags per resource limit.",
      );
    if (seen.has(t.key))
      throw orgErrors.invalidInput(
        'DUPLICATE_TAG_KEY',
        'Tag keys must be unique among the tags attached to the same entity.',
      );
    seen.add(t.key);
  }
  return tags;
}

/** `aws:RequestTag/<key>` and `aws:TagKeys` for a call that sets `tags` (IAM global condition keys). */
export function requestTagContext(tags: readonly OrgTag[]): Record<string, ContextValue> {
  const ctx = Object.create(null) as Record<string, ContextValue>;
  if (tags.length === 0) return ctx;
  for (const t of tags) ctx[`aws:RequestTag/${t.key}`] = t.value;
  ctx['aws:TagKeys'] = tags.map((t) => t.key);
  return ctx;
}

/** The limit check every tagging write makes: the result may have at most 50 tags. */
export function checkTagCount(tags: readonly OrgTag[]): void {
  if (tags.length > MAX_TAGS_PER_RESOURCE)
    throw orgErrors.constraint(
      'MAX_TAG_LIMIT_EXCEEDED',
      'You have exceeded the number of tags allowed on this resource.',
    );
}

/** Wire shape of tags. */
export function tagShapes(tags: readonly OrgTag[] | undefined): { Key: string; Value: string }[] {
  return (tags ?? []).map((t) => ({ Key: t.key, Value: t.value }));
}

/** The ARN a tagging call is authorized on (the resource's own ARN; `*` for a policy, as policies.ts). */
function resourceArn(org: OrganizationBody, id: string): string {
  if (id.startsWith('r-')) return orgArn.root(org.managementAccount, org.id, id);
  if (id.startsWith('ou-')) return orgArn.ou(org.managementAccount, org.id, id);
  if (/^\d{12}$/.test(id)) return orgArn.account(org.managementAccount, org.id, id);
  return '*';
}

type Tagged =
  | { readonly kind: 'root'; readonly body: OrganizationBody; readonly tags: readonly OrgTag[] }
  | { readonly kind: 'orgUnit'; readonly body: OrgUnitBody; readonly tags: readonly OrgTag[] }
  | { readonly kind: 'orgAccount'; readonly body: OrgAccountBody; readonly tags: readonly OrgTag[] }
  | { readonly kind: 'orgPolicy'; readonly body: OrgPolicyBody; readonly tags: readonly OrgTag[] };

/** The resource `id` names in the caller's organization, with its tags. */
async function taggable(reader: StoreReader, c: CallerOrg, id: string): Promise<Tagged> {
  if (id.startsWith('r-')) {
    const org = (await reader.get<OrganizationBody>(c.mgmt, 'organization', ORG_KEY))?.body;
    if (!org || org.rootId !== id) throw notFound();
    return { kind: 'root', body: org, tags: org.rootTags ?? [] };
  }
  if (id.startsWith('ou-')) {
    const ou = (await reader.get<OrgUnitBody>(c.mgmt, 'orgUnit', id))?.body;
    if (!ou) throw notFound();
    return { kind: 'orgUnit', body: ou, tags: ou.tags ?? [] };
  }
  if (id.startsWith('p-')) {
    const p = (await reader.get<OrgPolicyBody>(c.mgmt, 'orgPolicy', id))?.body;
    if (!p) throw notFound();
    // AWS managed policies (FullAWSAccess, …) belong to AWS, not to the organization.
    if (p.awsManaged)
      throw orgErrors.invalidInput(
        'TARGET_NOT_SUPPORTED',
        "You can't perform the specified operation on that target entity.",
      );
    return { kind: 'orgPolicy', body: p, tags: p.tags ?? [] };
  }
  if (/^\d{12}$/.test(id)) {
    const a = (await reader.get<OrgAccountBody>(c.mgmt, 'orgAccount', id))?.body;
    if (!a) throw notFound();
    return { kind: 'orgAccount', body: a, tags: a.tags ?? [] };
  }
  // Resource policies (`rp-…`) and responsibility transfers (`rt-…`) match the model's pattern but
  // iamd has neither.
  throw notFound();
}

async function writeTags(tx: StoreTx, c: CallerOrg, t: Tagged, tags: readonly OrgTag[]): Promise<void> {
  switch (t.kind) {
    case 'root':
      await tx.update(c.mgmt, 'organization', ORG_KEY, { ...t.body, rootTags: tags });
      return;
    case 'orgUnit':
      await tx.update(c.mgmt, 'orgUnit', t.body.id, { ...t.body, tags }, { index: t.body.parentId });
      return;
    case 'orgAccount':
      await tx.update(c.mgmt, 'orgAccount', t.body.id, { ...t.body, tags }, { index: t.body.parentId });
      return;
    case 'orgPolicy':
      await tx.update(c.mgmt, 'orgPolicy', t.body.id, { ...t.body, tags }, { index: t.body.type });
      return;
  }
}

function tagCall(
  ctx: CallContext,
  action: string,
  id: string,
  context?: Readonly<Record<string, ContextValue>>,
): Promise<CallerOrg> {
  return managementCall(ctx, action, (o) => resourceArn(o, id), {
    delegated: true,
    ...(context ? { context } : {}),
  });
}

/** TagResource: adds tags, replacing the value of a key already present. */
export const tagResource: Operation = {
  service: 'organizations',
  name: 'TagResource',
  async handle(input, ctx) {
    const id = input.ResourceId as string;
    const tags = inputOrgTags(input.Tags);
    const c = await tagCall(ctx, 'TagResource', id, requestTagContext(tags));
    return ctx.transact(async (tx) => {
      const t = await taggable(tx, c, id);
      const next = new Map(t.tags.map((x) => [x.key, x.value]));
      for (const x of tags) next.set(x.key, x.value);
      const merged = [...next].map(([key, value]) => ({ key, value }));
      checkTagCount(merged);
      await writeTags(tx, c, t, merged);
      return {};
    });
  },
};

/** UntagResource: removes the tags with the given keys (keys not present are ignored). */
export const untagResource: Operation = {
  service: 'organizations',
  name: 'UntagResource',
  async handle(input, ctx) {
    const id = input.ResourceId as string;
    const keys = (input.TagKeys as string[] | undefined) ?? [];
    if (keys.some((k) => k.toLowerCase().startsWith('aws:')))
      throw orgErrors.invalidInput(
        'INVALID_SYSTEM_TAGS_PARAMETER',
        "You specified a tag key that is a system tag. You can't add, edit, or delete system tag keys because they're reserved for AWS use. System tags don't count against your tags per resource limit.",
      );
    const context = Object.create(null) as Record<string, ContextValue>;
    context['aws:TagKeys'] = keys;
    const c = await tagCall(ctx, 'UntagResource', id, context);
    return ctx.transact(async (tx) => {
      const t = await taggable(tx, c, id);
      const drop = new Set(keys);
      await writeTags(
        tx,
        c,
        t,
        t.tags.filter((x) => !drop.has(x.key)),
      );
      return {};
    });
  },
};

/** ListTagsForResource. */
export const listTagsForResource: Operation = {
  service: 'organizations',
  name: 'ListTagsForResource',
  async handle(input, ctx) {
    const id = input.ResourceId as string;
    const c = await tagCall(ctx, 'ListTagsForResource', id);
    const t = await taggable(ctx.store, c, id);
    // The request has no MaxResults: a page holds every tag a resource can carry.
    const p = page(ctx, tagShapes(t.tags), input, MAX_TAGS_PER_RESOURCE);
    return { Tags: p.items, NextToken: p.NextToken };
  },
};

/** The tagging operations. */
export const tagOperations: readonly Operation[] = [tagResource, untagResource, listTagsForResource];
