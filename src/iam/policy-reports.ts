/**
 * Reports computed from the policies themselves: GetContextKeysForCustomPolicy,
 * GetContextKeysForPrincipalPolicy, ListPoliciesGrantingServiceAccess and GetHumanReadableSummary.
 *
 * AWS pages: API_GetContextKeysForPrincipalPolicy ("the policies attached to the user, the user's groups
 * … and the policies in PolicyInputList"), API_ListPoliciesGrantingServiceAccess (per namespace, the
 * managed and inline policies that allow the entity to use the service; for a user also its groups'
 * policies; `EntityType`/`EntityName` are given for inline policies only), API_GetHumanReadableSummary.
 */
import type { CallContext, Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import { AwsError } from '../errors/index.js';
import { parseArn } from '../core/arn.js';
import type { StoreReader } from '../store/index.js';
import { callerAccount, paginate } from './common.js';
import { nameKey } from '../domain/names.js';
import type { GroupBody, RoleBody, UserBody } from '../domain/entities.js';
import { checkPolicyDocument } from './managed-policies.js';
import { resolveManagedPolicyDocument } from '../domain/managed-policies.js';
import { contextKeysOf } from './context-keys.js';

/** One policy of an entity, with where it comes from. */
export interface EntityPolicy {
  readonly name: string;
  readonly type: 'INLINE' | 'MANAGED';
  /** Managed policies only. */
  readonly arn?: string | undefined;
  /** The user, group or role the inline policy is embedded in. */
  readonly entityType: 'USER' | 'GROUP' | 'ROLE';
  readonly entityName: string;
  readonly text: string;
}

async function policiesOf(
  store: StoreReader,
  inline: Readonly<Record<string, string>>,
  attached: readonly string[],
  entityType: EntityPolicy['entityType'],
  entityName: string,
): Promise<EntityPolicy[]> {
  const out: EntityPolicy[] = Object.entries(inline).map(([name, text]) => ({
    name,
    type: 'INLINE' as const,
    entityType,
    entityName,
    text,
  }));
  for (const arn of attached) {
    const text = await resolveManagedPolicyDocument(store, arn);
    if (text === undefined) continue;
    out.push({
      name: arn.slice(arn.lastIndexOf('/') + 1),
      type: 'MANAGED',
      arn,
      entityType,
      entityName,
      text,
    });
  }
  return out;
}

/**
 * The identity policies of the user, group or role `arn` in the caller's account (a user's include its
 * groups'). InvalidInput for an ARN that names no IAM user, group or role; NoSuchEntity when it does
 * not exist. Another account's entity is reported as not found: no account learns what another owns.
 */
export async function entityPolicies(ctx: CallContext, arn: string): Promise<EntityPolicy[]> {
  const account = callerAccount(ctx);
  const parsed = parseArn(arn);
  const slash = parsed?.resource.indexOf('/') ?? -1;
  const kind = parsed && slash > 0 ? parsed.resource.slice(0, slash) : undefined;
  const name = parsed?.resource.slice(parsed.resource.lastIndexOf('/') + 1) ?? '';
  if (
    parsed === undefined ||
    parsed.service !== 'iam' ||
    name === '' ||
    !['user', 'group', 'role'].includes(kind ?? '')
  )
    throw new AwsError('InvalidInput', `ARN ${arn} is not valid.`);
  const store = ctx.store;
  const missing = (): AwsError =>
    new AwsError('NoSuchEntity', `The ${kind ?? 'entity'} with name ${name} cannot be found.`);
  if (parsed.account !== account) throw missing();
  if (kind === 'user') {
    const u = await store.get<UserBody>(account, 'user', nameKey(name));
    if (!u || u.body.arn !== arn) throw missing();
    const out = await policiesOf(
      store,
      u.body.inlinePolicies,
      u.body.attachedPolicies,
      'USER',
      u.body.userName,
    );
    for (const g of u.body.groups) {
      const group = await store.get<GroupBody>(account, 'group', nameKey(g));
      if (group)
        out.push(
          ...(await policiesOf(
            store,
            group.body.inlinePolicies,
            group.body.attachedPolicies,
            'GROUP',
            group.body.groupName,
          )),
        );
    }
    return out;
  }
  if (kind === 'group') {
    const g = await store.get<GroupBody>(account, 'group', nameKey(name));
    if (!g || g.body.arn !== arn) throw missing();
    return policiesOf(store, g.body.inlinePolicies, g.body.attachedPolicies, 'GROUP', g.body.groupName);
  }
  const r = await store.get<RoleBody>(account, 'role', nameKey(name));
  if (!r || r.body.arn !== arn) throw missing();
  return policiesOf(store, r.body.inlinePolicies, r.body.attachedPolicies, 'ROLE', r.body.roleName);
}

function inputDocuments(list: readonly string[] | undefined): string[] {
  const docs = [...(list ?? [])];
  for (const d of docs) checkPolicyDocument(d, 'identity');
  return docs;
}

/** GetContextKeysForCustomPolicy: the keys of the given documents. */
export const getContextKeysForCustomPolicy = iamOperation<'GetContextKeysForCustomPolicy'>({
  service: 'iam',
  name: 'GetContextKeysForCustomPolicy',
  async handle(input, ctx) {
    callerAccount(ctx);
    await ctx.authorize({ action: 'iam:GetContextKeysForCustomPolicy', resource: '*' });
    return { ContextKeyNames: contextKeysOf(inputDocuments(input.PolicyInputList)) };
  },
});

/** GetContextKeysForPrincipalPolicy: the keys of the entity's policies and of PolicyInputList. */
export const getContextKeysForPrincipalPolicy = iamOperation<'GetContextKeysForPrincipalPolicy'>({
  service: 'iam',
  name: 'GetContextKeysForPrincipalPolicy',
  async handle(input, ctx) {
    const arn = input.PolicySourceArn;
    await ctx.authorize({ action: 'iam:GetContextKeysForPrincipalPolicy', resource: arn });
    const extra = inputDocuments(input.PolicyInputList);
    const own = (await entityPolicies(ctx, arn)).map((p) => p.text);
    return { ContextKeyNames: contextKeysOf([...own, ...extra]) };
  },
});

function statementsOf(text: string): Record<string, unknown>[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  const s = (doc as { Statement?: unknown } | null)?.Statement;
  const list = Array.isArray(s) ? s : s !== undefined ? [s] : [];
  return list.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object');
}

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Whether a glob (`*`, `?`) matches `text`, case-insensitively (action names are). */
function globMatches(glob: string, text: string): boolean {
  const re = new RegExp(
    '^' +
      glob
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
    'i',
  );
  return re.test(text);
}

/**
 * Whether a policy allows some action of service `namespace`: an Allow statement whose `Action` has a
 * pattern whose service part matches the namespace (`*`, `s3:*`, `s3:Get*`), or whose `NotAction` does
 * not exclude the whole service (`s3:*` or `*`).
 */
export function grantsServiceAccess(text: string, namespace: string): boolean {
  return statementsOf(text).some((st) => {
    if (st.Effect !== 'Allow') return false;
    if (st.Action !== undefined)
      return strings(st.Action).some((a) => {
        if (a === '*') return true;
        const colon = a.indexOf(':');
        return colon > 0 && globMatches(a.slice(0, colon), namespace);
      });
    if (st.NotAction !== undefined)
      return !strings(st.NotAction).some(
        (a) => a === '*' || globMatches(a, `${namespace}:*`) || a.toLowerCase() === `${namespace}:*`,
      );
    return false;
  });
}

/** ListPoliciesGrantingServiceAccess: per requested namespace, the entity's policies that allow it. */
export const listPoliciesGrantingServiceAccess = iamOperation<'ListPoliciesGrantingServiceAccess'>({
  service: 'iam',
  name: 'ListPoliciesGrantingServiceAccess',
  async handle(input, ctx) {
    const arn = input.Arn;
    await ctx.authorize({ action: 'iam:ListPoliciesGrantingServiceAccess', resource: arn });
    const policies = await entityPolicies(ctx, arn);
    const namespaces = input.ServiceNamespaces;
    const entries = namespaces.map((ns) => ({
      ServiceNamespace: ns,
      Policies: policies
        .filter((p) => grantsServiceAccess(p.text, ns))
        .map((p) =>
          p.type === 'MANAGED'
            ? { PolicyName: p.name, PolicyType: 'MANAGED', PolicyArn: p.arn }
            : {
                PolicyName: p.name,
                PolicyType: 'INLINE',
                EntityType: p.entityType,
                EntityName: p.entityName,
              },
        ),
    }));
    // The namespaces are the unit of paging (at most 200 are accepted, all fit one page).
    const { page, IsTruncated, Marker } = paginate(
      entries.map((e, i) => ({ e, k: String(i).padStart(4, '0') })),
      (x) => x.k,
      { Marker: input.Marker, MaxItems: 200 },
      ctx.services,
    );
    return {
      PoliciesGrantingServiceAccess: page.map((x) => x.e),
      IsTruncated,
      ...(Marker ? { Marker } : {}),
    };
  },
});

/** One statement in words: effect, actions, resources, conditions. Deterministic. */
function describeStatement(st: Record<string, unknown>): string {
  const effect = st.Effect === 'Deny' ? 'Denies' : 'Allows';
  const acts =
    st.Action !== undefined
      ? strings(st.Action).join(', ')
      : `every action except ${strings(st.NotAction).join(', ')}`;
  const res =
    st.Resource !== undefined
      ? strings(st.Resource).join(', ')
      : st.NotResource !== undefined
        ? `every resource except ${strings(st.NotResource).join(', ')}`
        : 'the resource the policy is attached to';
  let line = `${effect} ${acts} on ${res}`;
  if (st.Principal !== undefined) line += ` for principal ${JSON.stringify(st.Principal)}`;
  if (st.NotPrincipal !== undefined) line += ` for every principal except ${JSON.stringify(st.NotPrincipal)}`;
  const cond = st.Condition;
  if (cond !== null && typeof cond === 'object') {
    const parts: string[] = [];
    for (const [op, block] of Object.entries(cond as Record<string, unknown>))
      if (block !== null && typeof block === 'object')
        for (const [key, v] of Object.entries(block as Record<string, unknown>))
          parts.push(`${key} ${op} ${strings(v).join(' or ') || JSON.stringify(v)}`);
    if (parts.length > 0) line += ` when ${parts.join(' and ')}`;
  }
  return `${line}.`;
}

/** A policy document in words, one line per statement. */
export function summarizePolicy(text: string): string {
  return statementsOf(text)
    .map((st) => (typeof st.Sid === 'string' && st.Sid !== '' ? `${st.Sid}: ` : '') + describeStatement(st))
    .join('\n');
}

/**
 * GetHumanReadableSummary for a managed policy (its default version) or a user, group or role (each of
 * its policies in turn). Only English is written: another `Locale` gives `NOT_SUPPORTED` and no content.
 */
export const getHumanReadableSummary = iamOperation<'GetHumanReadableSummary'>({
  service: 'iam',
  name: 'GetHumanReadableSummary',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const arn = input.EntityArn;
    const locale = input.Locale ?? 'en-US';
    await ctx.authorize({ action: 'iam:GetHumanReadableSummary', resource: arn });
    const parsed = parseArn(arn);
    let sections: { title: string; text: string }[];
    if (parsed?.service === 'iam' && parsed.resource.startsWith('policy/')) {
      const text =
        parsed.account === account || parsed.account === 'aws'
          ? await resolveManagedPolicyDocument(ctx.store, arn)
          : undefined;
      if (text === undefined)
        throw new AwsError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
      sections = [{ title: '', text }];
    } else {
      sections = (await entityPolicies(ctx, arn)).map((p) => ({
        title:
          p.type === 'MANAGED'
            ? `${p.name} (managed policy ${p.arn ?? ''})`
            : `${p.name} (inline policy of ${p.entityType.toLowerCase()} ${p.entityName})`,
        text: p.text,
      }));
    }
    if (!/^en(-|_|$)/i.test(locale)) return { Locale: locale, SummaryState: 'NOT_SUPPORTED' };
    const content = sections
      .map((s) => (s.title ? `${s.title}:\n` : '') + summarizePolicy(s.text))
      .join('\n\n')
      .slice(0, 10_000);
    return {
      SummaryContent: content || 'No permissions are granted.',
      Locale: locale,
      SummaryState: 'AVAILABLE',
    };
  },
});

/** The policy report operations. */
export const policyReportOperations: readonly Operation[] = [
  getContextKeysForCustomPolicy,
  getContextKeysForPrincipalPolicy,
  listPoliciesGrantingServiceAccess,
  getHumanReadableSummary,
];
