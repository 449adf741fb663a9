/**
 * Organizations in seed files and exports (issue 19): an organization, its OUs (nested), where each
 * account sits, its policies and what they are attached to. Ids (o-, r-, ou-, p-) the file gives are
 * kept, so an export seeded into a fresh iamd gives the same ids; missing ones are generated the way
 * the API generates them (organizations/ids.ts).
 *
 * Applying writes the storage shapes of domain/organizations.ts with the Organizations handlers' own
 * checks (policy content `checkContent`, the OU depth limit, attachments per target, policy types that
 * must be enabled), since no API takes caller-chosen ids. An organization whose management account
 * already has one is left as it is (a restart with the same file changes nothing).
 *
 * A target's `policies` lists exactly what is attached to it; when left out, the AWS managed policy of
 * every enabled enforced type (FullAWSAccess, RCPFullAWSAccess) is attached, as AWS does by default.
 */
import type { StoreReader, StoreTx } from '../store/index.js';
import { isAwsError } from '../errors/index.js';
import {
  MEMBERSHIP_KEY,
  ORG_KEY,
  POLICY_TYPES,
  attachedPolicies,
  membershipOf,
  organizationOf,
  type MembershipBody,
  type OrgAccountBody,
  type OrgPolicyBody,
  type OrgPolicyType,
  type OrgUnitBody,
  type OrganizationBody,
  type DelegatedAdminBody,
  type OrgTag,
} from '../domain/organizations.js';
import { newOrganizationId, newOuId, newPolicyId, newRootId, orgArn } from '../organizations/ids.js';
import { AWS_MANAGED, ENFORCED_TYPES, attach, ensureManagedPolicy } from '../organizations/policy-store.js';
import { MAX_ATTACHED_PER_TARGET, checkContent } from '../organizations/policies.js';
import { OU_MAX_DEPTH } from '../organizations/units.js';
import { syntheticEmail } from '../organizations/common.js';
import type { SeedPath, SeedTags } from './seed.js';

/** An account's place in an organization. */
export interface SeedOrgAccount {
  readonly id: string;
  readonly name?: string | undefined;
  readonly email?: string | undefined;
  /** Attached policies (names or ids); undefined = the defaults. */
  readonly policies?: readonly string[] | undefined;
  /** Organizations tags on the account (TagResource). */
  readonly tags?: SeedTags | undefined;
}

/** An organizational unit and what it holds. */
export interface SeedOrgUnit {
  readonly id?: string | undefined;
  readonly name: string;
  readonly policies?: readonly string[] | undefined;
  readonly tags?: SeedTags | undefined;
  readonly accounts: readonly SeedOrgAccount[];
  readonly units: readonly SeedOrgUnit[];
}

/** An organization policy (SCP, RCP or a management policy type). */
export interface SeedOrgPolicy {
  readonly id?: string | undefined;
  readonly name: string;
  readonly type: OrgPolicyType;
  readonly description?: string | undefined;
  readonly content: string | Readonly<Record<string, unknown>>;
  readonly tags?: SeedTags | undefined;
}

/** A delegated administrator registration. */
export interface SeedDelegatedAdmin {
  readonly account: string;
  readonly servicePrincipal: string;
}

/** One organization. */
export interface SeedOrganization {
  readonly managementAccount: string;
  readonly id?: string | undefined;
  readonly rootId?: string | undefined;
  readonly managementAccountEmail?: string | undefined;
  readonly enabledPolicyTypes: readonly OrgPolicyType[];
  readonly trustedServices: readonly string[];
  readonly iamFeatures: readonly string[];
  readonly delegatedAdministrators: readonly SeedDelegatedAdmin[];
  readonly policies: readonly SeedOrgPolicy[];
  /** Policies attached to the root; undefined = the defaults. */
  readonly rootPolicies?: readonly string[] | undefined;
  /** Organizations tags on the root. */
  readonly rootTags?: SeedTags | undefined;
  /** Accounts directly under the root (the management account is placed there unless listed elsewhere). */
  readonly accounts: readonly SeedOrgAccount[];
  readonly units: readonly SeedOrgUnit[];
}

/** What the shape checker of seed.ts offers (so this module reuses its messages and places). */
export interface OrgChecker {
  problem(path: SeedPath, message: string): void;
  object(
    v: unknown,
    path: SeedPath,
    known: readonly string[],
    required?: readonly string[],
  ): Record<string, unknown>;
  list(v: unknown, path: SeedPath): unknown[];
  string(v: unknown, path: SeedPath, pattern?: RegExp, patternText?: string): string | undefined;
  strings(v: unknown, path: SeedPath): string[];
  tags(v: unknown, path: SeedPath): SeedTags;
}

const ACCOUNT_ID = /^\d{12}$/;

function optionalStrings(c: OrgChecker, v: unknown, path: SeedPath): string[] | undefined {
  return v === undefined ? undefined : c.strings(v, path);
}

function checkOrgAccount(c: OrgChecker, v: unknown, path: SeedPath): SeedOrgAccount {
  if (typeof v === 'string' || typeof v === 'number')
    return { id: c.string(v, path, ACCOUNT_ID, 'is not a 12-digit account id') ?? '' };
  const o = c.object(v, path, ['id', 'name', 'email', 'policies', 'tags'], ['id']);
  return {
    id: c.string(o.id, [...path, 'id'], ACCOUNT_ID, 'is not a 12-digit account id') ?? '',
    name: c.string(o.name, [...path, 'name']),
    email: c.string(o.email, [...path, 'email']),
    policies: optionalStrings(c, o.policies, [...path, 'policies']),
    tags: c.tags(o.tags, [...path, 'tags']),
  };
}

function checkUnit(c: OrgChecker, v: unknown, path: SeedPath): SeedOrgUnit {
  const o = c.object(v, path, ['id', 'name', 'policies', 'tags', 'accounts', 'units'], ['name']);
  return {
    id: c.string(o.id, [...path, 'id'], /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/, 'is not an OU id (ou-…)'),
    name: c.string(o.name, [...path, 'name'], /^[\s\S]{1,128}$/, 'must be 1-128 characters') ?? '',
    policies: optionalStrings(c, o.policies, [...path, 'policies']),
    tags: c.tags(o.tags, [...path, 'tags']),
    accounts: c
      .list(o.accounts, [...path, 'accounts'])
      .map((a, i) => checkOrgAccount(c, a, [...path, 'accounts', i])),
    units: c.list(o.units, [...path, 'units']).map((u, i) => checkUnit(c, u, [...path, 'units', i])),
  };
}

function policyType(c: OrgChecker, v: unknown, path: SeedPath): OrgPolicyType {
  const s = c.string(v, path);
  if (s !== undefined && !(POLICY_TYPES as readonly string[]).includes(s))
    c.problem(path, `\`${s}\` is not a policy type (expected one of ${POLICY_TYPES.join(', ')})`);
  return (s ?? 'SERVICE_CONTROL_POLICY') as OrgPolicyType;
}

/** Shape-checks one `organizations[i]` item. */
export function checkOrganization(c: OrgChecker, v: unknown, path: SeedPath): SeedOrganization {
  const o = c.object(
    v,
    path,
    [
      'managementAccount',
      'id',
      'rootId',
      'managementAccountEmail',
      'enabledPolicyTypes',
      'trustedServices',
      'iamFeatures',
      'delegatedAdministrators',
      'policies',
      'rootPolicies',
      'rootTags',
      'accounts',
      'units',
    ],
    ['managementAccount'],
  );
  return {
    managementAccount:
      c.string(
        o.managementAccount,
        [...path, 'managementAccount'],
        ACCOUNT_ID,
        'is not a 12-digit account id',
      ) ?? '',
    id: c.string(o.id, [...path, 'id'], /^o-[a-z0-9]{10,32}$/, 'is not an organization id (o-…)'),
    rootId: c.string(o.rootId, [...path, 'rootId'], /^r-[0-9a-z]{4,32}$/, 'is not a root id (r-…)'),
    managementAccountEmail: c.string(o.managementAccountEmail, [...path, 'managementAccountEmail']),
    enabledPolicyTypes: c
      .list(o.enabledPolicyTypes, [...path, 'enabledPolicyTypes'])
      .map((t, i) => policyType(c, t, [...path, 'enabledPolicyTypes', i])),
    trustedServices: c.strings(o.trustedServices, [...path, 'trustedServices']),
    iamFeatures: c.strings(o.iamFeatures, [...path, 'iamFeatures']),
    delegatedAdministrators: c
      .list(o.delegatedAdministrators, [...path, 'delegatedAdministrators'])
      .map((d, i) => {
        const at = [...path, 'delegatedAdministrators', i];
        const x = c.object(d, at, ['account', 'servicePrincipal'], ['account', 'servicePrincipal']);
        return {
          account: c.string(x.account, [...at, 'account'], ACCOUNT_ID, 'is not a 12-digit account id') ?? '',
          servicePrincipal: c.string(x.servicePrincipal, [...at, 'servicePrincipal']) ?? '',
        };
      }),
    policies: c.list(o.policies, [...path, 'policies']).map((p, i) => {
      const at = [...path, 'policies', i];
      const x = c.object(
        p,
        at,
        ['id', 'name', 'type', 'description', 'content', 'tags'],
        ['name', 'type', 'content'],
      );
      const content = x.content;
      if (
        content !== undefined &&
        typeof content !== 'string' &&
        (typeof content !== 'object' || content === null)
      )
        c.problem([...at, 'content'], 'must be a policy document (a mapping, or its JSON text)');
      return {
        id: c.string(x.id, [...at, 'id'], /^p-[0-9a-zA-Z_]{8,128}$/, 'is not a policy id (p-…)'),
        name: c.string(x.name, [...at, 'name'], /^[\s\S]{1,128}$/, 'must be 1-128 characters') ?? '',
        type: policyType(c, x.type, [...at, 'type']),
        description: c.string(x.description, [...at, 'description']),
        content: (typeof content === 'string' || (typeof content === 'object' && content !== null)
          ? content
          : '') as SeedOrgPolicy['content'],
        tags: c.tags(x.tags, [...at, 'tags']),
      };
    }),
    rootPolicies: optionalStrings(c, o.rootPolicies, [...path, 'rootPolicies']),
    rootTags: c.tags(o.rootTags, [...path, 'rootTags']),
    accounts: c
      .list(o.accounts, [...path, 'accounts'])
      .map((a, i) => checkOrgAccount(c, a, [...path, 'accounts', i])),
    units: c.list(o.units, [...path, 'units']).map((u, i) => checkUnit(c, u, [...path, 'units', i])),
  };
}

/** A problem while applying, at a seed path (apply.ts turns it into a SeedError). */
export class OrgSeedProblem extends Error {
  constructor(
    readonly path: SeedPath,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Applies one organization inside the seed's transaction. Returns how many things were created (0 when
 * the management account already has an organization).
 */
export async function applyOrganization(
  tx: StoreTx,
  s: SeedOrganization,
  path: SeedPath,
  deps: { readonly random: (n: number) => Uint8Array; readonly now: number },
): Promise<number> {
  const mgmt = s.managementAccount;
  if (!(await tx.getAccount(mgmt)))
    throw new OrgSeedProblem(
      [...path, 'managementAccount'],
      `account ${mgmt} is not in the seed or the store`,
    );
  if (await organizationOf(tx, mgmt)) return 0;
  if (await membershipOf(tx, mgmt))
    throw new OrgSeedProblem(
      [...path, 'managementAccount'],
      `account ${mgmt} is already a member of an organization`,
    );
  let created = 0;
  const id = s.id ?? newOrganizationId(deps.random);
  const rootId = s.rootId ?? newRootId(deps.random);
  const org: OrganizationBody = {
    id,
    arn: orgArn.organization(mgmt, id),
    featureSet: 'ALL',
    managementAccount: mgmt,
    managementAccountEmail: s.managementAccountEmail ?? syntheticEmail(mgmt),
    rootId,
    rootArn: orgArn.root(mgmt, id, rootId),
    createdAt: deps.now,
    enabledPolicyTypes: [...new Set(s.enabledPolicyTypes)],
    iamFeatures: [...new Set(s.iamFeatures)],
    trustedServices: [...new Set(s.trustedServices)],
    ...orgTags('rootTags', s.rootTags),
  };
  await tx.insert(mgmt, 'organization', ORG_KEY, org);
  created++;
  for (const type of org.enabledPolicyTypes) await ensureManagedPolicy(tx, org, type);

  // Policies first (targets refer to them by name or id).
  const byRef = new Map<string, OrgPolicyBody>();
  for (const type of org.enabledPolicyTypes) {
    const m = AWS_MANAGED[type];
    if (m) {
      const body = (await tx.get<OrgPolicyBody>(mgmt, 'orgPolicy', m.id))?.body;
      if (body) byRef.set(m.id, body).set(m.name, body);
    }
  }
  for (const [i, p] of s.policies.entries()) {
    const at = [...path, 'policies', i];
    const content = typeof p.content === 'string' ? p.content : JSON.stringify(p.content);
    try {
      checkContent(p.type, content);
    } catch (err) {
      if (isAwsError(err)) throw new OrgSeedProblem([...at, 'content'], `${err.code}: ${err.message}`);
      throw err;
    }
    const pid = p.id ?? newPolicyId(deps.random);
    if (byRef.has(pid) || byRef.has(p.name) || (await tx.get(mgmt, 'orgPolicy', pid)))
      throw new OrgSeedProblem(at, `a policy \`${p.name}\` (or id ${pid}) is listed twice`);
    const body: OrgPolicyBody = {
      id: pid,
      arn: orgArn.policy(mgmt, id, p.type, pid),
      name: p.name,
      description: p.description ?? '',
      type: p.type,
      awsManaged: false,
      content,
      ...orgTags('tags', p.tags),
    };
    await tx.insert(mgmt, 'orgPolicy', pid, body, p.type);
    byRef.set(pid, body).set(p.name, body);
    created++;
  }

  const attachAll = async (
    target: string,
    refs: readonly string[] | undefined,
    at: SeedPath,
  ): Promise<void> => {
    if (refs === undefined) {
      for (const type of org.enabledPolicyTypes) {
        const m = AWS_MANAGED[type];
        if (m) await attach(tx, mgmt, target, m.id);
      }
      return;
    }
    const perType = new Map<string, number>();
    for (const [i, ref] of refs.entries()) {
      const p = byRef.get(ref);
      if (!p)
        throw new OrgSeedProblem([...at, i], `no policy named or with id \`${ref}\` in this organization`);
      if (ENFORCED_TYPES.includes(p.type) && !org.enabledPolicyTypes.includes(p.type))
        throw new OrgSeedProblem(
          [...at, i],
          `PolicyTypeNotEnabledException: This operation can be performed only for enabled policy types.`,
        );
      const n = (perType.get(p.type) ?? 0) + 1;
      perType.set(p.type, n);
      if (n > MAX_ATTACHED_PER_TARGET)
        throw new OrgSeedProblem(
          [...at, i],
          `ConstraintViolationException: you attempted to attach more than ${MAX_ATTACHED_PER_TARGET} policies of type ${p.type} to ${target}`,
        );
      await attach(tx, mgmt, target, p.id);
    }
  };
  await attachAll(rootId, s.rootPolicies, [...path, 'rootPolicies']);

  const placed = new Set<string>();
  const placeAccount = async (a: SeedOrgAccount, parentId: string, at: SeedPath): Promise<void> => {
    if (placed.has(a.id)) throw new OrgSeedProblem(at, `account ${a.id} is placed twice`);
    const acct = await tx.getAccount(a.id);
    if (!acct) throw new OrgSeedProblem(at, `account ${a.id} is not in the seed or the store`);
    if (a.id !== mgmt && (await membershipOf(tx, a.id)))
      throw new OrgSeedProblem(at, `account ${a.id} is already a member of an organization`);
    placed.add(a.id);
    const body: OrgAccountBody = {
      id: a.id,
      arn: orgArn.account(mgmt, id, a.id),
      email: a.email ?? (a.id === mgmt ? org.managementAccountEmail : syntheticEmail(a.id)),
      name: a.name ?? acct.alias ?? a.id,
      status: 'ACTIVE',
      joinedMethod: a.id === mgmt ? 'CREATED' : 'INVITED',
      joinedAt: deps.now,
      parentId,
      ...orgTags('tags', a.tags),
    };
    await tx.insert(mgmt, 'orgAccount', a.id, body, parentId);
    const membership: MembershipBody = { organizationId: id, managementAccount: mgmt };
    await tx.insert(a.id, 'orgMembership', MEMBERSHIP_KEY, membership);
    created++;
    await attachAll(a.id, a.policies, [...at, 'policies']);
  };
  const placeUnit = async (u: SeedOrgUnit, parentId: string, depth: number, at: SeedPath): Promise<void> => {
    if (depth > OU_MAX_DEPTH)
      throw new OrgSeedProblem(
        at,
        `ConstraintViolationException: You have exceeded the maximum depth of ${OU_MAX_DEPTH} for organizational units.`,
      );
    const ouId = u.id ?? newOuId(deps.random, rootId);
    if (!ouId.startsWith(`ou-${rootId.slice(2)}-`))
      throw new OrgSeedProblem([...at, 'id'], `OU id ${ouId} does not belong to root ${rootId}`);
    if (await tx.get(mgmt, 'orgUnit', ouId))
      throw new OrgSeedProblem([...at, 'id'], `OU id ${ouId} is listed twice`);
    const siblings = await tx.list<OrgUnitBody>(mgmt, 'orgUnit', { index: parentId });
    if (siblings.some((e) => e.body.name === u.name))
      throw new OrgSeedProblem(
        [...at, 'name'],
        'DuplicateOrganizationalUnitException: An OU with the same name already exists.',
      );
    const body: OrgUnitBody = {
      id: ouId,
      arn: orgArn.ou(mgmt, id, ouId),
      name: u.name,
      parentId,
      ...orgTags('tags', u.tags),
    };
    await tx.insert(mgmt, 'orgUnit', ouId, body, parentId);
    created++;
    await attachAll(ouId, u.policies, [...at, 'policies']);
    for (const [i, a] of u.accounts.entries()) await placeAccount(a, ouId, [...at, 'accounts', i]);
    for (const [i, c] of u.units.entries()) await placeUnit(c, ouId, depth + 1, [...at, 'units', i]);
  };
  for (const [i, a] of s.accounts.entries()) await placeAccount(a, rootId, [...path, 'accounts', i]);
  for (const [i, u] of s.units.entries()) await placeUnit(u, rootId, 1, [...path, 'units', i]);
  if (!placed.has(mgmt)) await placeAccount({ id: mgmt }, rootId, [...path, 'managementAccount']);

  for (const [i, d] of s.delegatedAdministrators.entries()) {
    const at = [...path, 'delegatedAdministrators', i];
    if (!placed.has(d.account))
      throw new OrgSeedProblem(
        at,
        `AccountNotFoundException: account ${d.account} is not in this organization`,
      );
    if (d.account === mgmt)
      throw new OrgSeedProblem(
        at,
        'ConstraintViolationException: You cannot register the management account as a delegated administrator.',
      );
    const body: DelegatedAdminBody = {
      accountId: d.account,
      servicePrincipal: d.servicePrincipal,
      registeredAt: deps.now,
    };
    await tx.insert(mgmt, 'orgDelegatedAdmin', `${d.account}|${d.servicePrincipal}`, body);
    created++;
  }
  return created;
}

type Out = Record<string, unknown>;

/** A seed's tags as the stored member `k` (left out when there are none, as the API stores them). */
function orgTags<K extends string>(k: K, tags: SeedTags | undefined): Partial<Record<K, OrgTag[]>> {
  if (tags === undefined || tags.length === 0) return {};
  return { [k]: tags.map((t) => ({ key: t.Key, value: t.Value })) } as Partial<Record<K, OrgTag[]>>;
}

/** Stored tags as a seed's `{key: value}` mapping (AWS's list when a key would not keep its order). */
function seedTags(tags: readonly OrgTag[] | undefined): unknown {
  if (tags === undefined || tags.length === 0) return undefined;
  if (tags.some((t) => /^\d+$/.test(t.key))) return tags.map((t) => ({ Key: t.key, Value: t.value }));
  return Object.fromEntries(tags.map((t) => [t.key, t.value]));
}

function docOf(text: string): unknown {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : text;
  } catch {
    return text;
  }
}

/** The `organizations` list of an export: every organization managed by one of `accounts`. */
export async function exportOrganizations(store: StoreReader, accounts: readonly string[]): Promise<Out[]> {
  const out: Out[] = [];
  for (const mgmt of accounts) {
    const org = await organizationOf(store, mgmt);
    if (!org) continue;
    const policies = (await store.list<OrgPolicyBody>(mgmt, 'orgPolicy')).map((e) => e.body);
    const refs = async (target: string): Promise<string[]> =>
      (await attachedPolicies(store, mgmt, target)).map((a) => a.policyId).sort();
    const o: Out = { managementAccount: mgmt, id: org.id, rootId: org.rootId };
    if (org.managementAccountEmail !== syntheticEmail(mgmt))
      o.managementAccountEmail = org.managementAccountEmail;
    if (org.enabledPolicyTypes.length > 0) o.enabledPolicyTypes = [...org.enabledPolicyTypes];
    if (org.trustedServices.length > 0) o.trustedServices = [...org.trustedServices];
    if (org.iamFeatures.length > 0) o.iamFeatures = [...org.iamFeatures];
    const admins = (await store.list<DelegatedAdminBody>(mgmt, 'orgDelegatedAdmin')).map((e) => ({
      account: e.body.accountId,
      servicePrincipal: e.body.servicePrincipal,
    }));
    if (admins.length > 0) o.delegatedAdministrators = admins;
    const own = policies.filter((p) => !p.awsManaged).sort((a, b) => (a.id < b.id ? -1 : 1));
    if (own.length > 0)
      o.policies = own.map((p) => {
        const x: Out = { id: p.id, name: p.name, type: p.type };
        if (p.description !== '') x.description = p.description;
        x.content = docOf(p.content);
        const t = seedTags(p.tags);
        if (t !== undefined) x.tags = t;
        return x;
      });
    // Attachments are always written (an empty list too): a left-out list means "the defaults".
    o.rootPolicies = await refs(org.rootId);
    const rootTags = seedTags(org.rootTags);
    if (rootTags !== undefined) o.rootTags = rootTags;
    const placements = (await store.list<OrgAccountBody>(mgmt, 'orgAccount')).map((e) => e.body);
    const units = (await store.list<OrgUnitBody>(mgmt, 'orgUnit')).map((e) => e.body);
    const accountsUnder = async (parent: string): Promise<Out[]> => {
      const list: Out[] = [];
      for (const a of placements
        .filter((x) => x.parentId === parent)
        .sort((x, y) => (x.id < y.id ? -1 : 1))) {
        const x: Out = { id: a.id };
        const acct = await store.getAccount(a.id);
        if (a.name !== (acct?.alias ?? a.id)) x.name = a.name;
        const defEmail = a.id === mgmt ? org.managementAccountEmail : syntheticEmail(a.id);
        if (a.email !== defEmail) x.email = a.email;
        x.policies = await refs(a.id);
        const t = seedTags(a.tags);
        if (t !== undefined) x.tags = t;
        list.push(x);
      }
      return list;
    };
    const unitsUnder = async (parent: string): Promise<Out[]> => {
      const list: Out[] = [];
      for (const u of units.filter((x) => x.parentId === parent).sort((x, y) => (x.id < y.id ? -1 : 1))) {
        const x: Out = { id: u.id, name: u.name, policies: await refs(u.id) };
        const t = seedTags(u.tags);
        if (t !== undefined) x.tags = t;
        const acc = await accountsUnder(u.id);
        if (acc.length > 0) x.accounts = acc;
        const sub = await unitsUnder(u.id);
        if (sub.length > 0) x.units = sub;
        list.push(x);
      }
      return list;
    };
    const rootAccounts = await accountsUnder(org.rootId);
    if (rootAccounts.length > 0) o.accounts = rootAccounts;
    const rootUnits = await unitsUnder(org.rootId);
    if (rootUnits.length > 0) o.units = rootUnits;
    out.push(o);
  }
  return out;
}
