/**
 * Who can assume what: a graph over the store's users, roles (and their sessions, through role
 * chains), federated identity providers, AWS services and other accounts, with an edge wherever the
 * policy engine allows `sts:AssumeRole` (or `…WithWebIdentity` / `…WithSAML` for federated principals):
 * the caller's identity-based policies and boundary on one side, the role's trust policy on the other,
 * with AWS's same- and cross-account rules (shared/DOMAIN.md).
 *
 * Conditions cannot be decided without a request, so the analysis is optimistic about them and says
 * so: Allow statements are evaluated without their Condition, and the conditions of the statements an
 * edge relies on are reported as "still applies" (external id, MFA, source IP, token claims…). Deny
 * statements keep their conditions and are evaluated against the principal's own context keys only
 * (so a conditional deny whose key is missing does not cut an edge).
 *
 * Speed: trust policies are indexed by the principals they name (ARN, account, service, provider,
 * wildcard), so a principal is evaluated only against roles whose trust policy can name it.
 */
import type { StoreReader } from '../store/index.js';
import type {
  GroupBody,
  OidcProviderBody,
  RoleBody,
  SamlProviderBody,
  UserBody,
} from '../domain/entities.js';
import { resolveManagedPolicyDocument } from '../domain/managed-policies.js';
import { nameKey } from '../domain/names.js';
import { trustPolicyForEvaluation } from '../domain/trust-principals.js';
import {
  evaluate,
  loadPolicy,
  principalContext,
  type CompiledPolicy,
  type PolicyType,
  type RequestPrincipal,
  type StatementMatch,
} from '../policy/index.js';

/** A node of the graph. */
export interface AccessNode {
  readonly kind: 'user' | 'role' | 'service' | 'federated' | 'account' | 'anyone';
  /** User/role ARN, `arn:aws:iam::ACCOUNT:root`, service name, provider ARN/name, or `*`. */
  readonly id: string;
}

/** A condition an edge still depends on. */
export interface PendingCondition {
  readonly policy: 'trust' | 'identity';
  readonly policyId: string;
  readonly sid?: string | undefined;
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

/** "`from` can assume `role`". */
export interface AssumeEdge {
  readonly from: AccessNode;
  readonly role: string;
  readonly action: string;
  /** The statements that allow it (trust policy and, where needed, identity-based policy). */
  readonly statements: readonly {
    readonly policy: 'trust' | 'identity';
    readonly policyId: string;
    readonly statement: number;
    readonly sid?: string | undefined;
  }[];
  readonly conditions: readonly PendingCondition[];
}

/** A principal with the chain of edges that lets it reach a role. */
export interface Reach {
  readonly principal: AccessNode;
  /** Edges in order: the first leaves `principal`, the last reaches the target (or the reached role). */
  readonly path: readonly AssumeEdge[];
}

interface Loaded {
  readonly compiled: CompiledPolicy;
  /** Whether an Allow statement's Action/NotAction can cover `sts:AssumeRole` (cheap pre-check). */
  readonly mayAllowAssume: boolean;
  /** Conditions removed from Allow statements, by statement index. */
  readonly conditions: ReadonlyMap<number, PendingCondition[]>;
}

interface RoleInfo {
  readonly arn: string;
  readonly account: string;
  readonly roleId: string;
  readonly trust: Loaded;
  /** The index keys of the principals the trust policy names. */
  readonly trustKeys: readonly string[];
  readonly identity: readonly Loaded[];
  readonly boundary?: Loaded | undefined;
}

interface UserInfo {
  readonly arn: string;
  readonly account: string;
  readonly userId: string;
  readonly identity: readonly Loaded[];
  readonly boundary?: Loaded | undefined;
}

/** The loaded graph inputs; build once with {@link loadAccessModel}, query many times. */
export interface AccessModel {
  readonly roles: ReadonlyMap<string, RoleInfo>;
  readonly users: ReadonlyMap<string, UserInfo>;
  readonly accounts: ReadonlySet<string>;
  readonly providers: ReadonlyMap<string, 'oidc' | 'saml'>;
  /** Trust index: key → role ARNs whose trust policy names it. */
  readonly index: ReadonlyMap<string, readonly string[]>;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

/** Parses and compiles `text` with the Condition of every Allow statement removed (recorded instead). */
function loadOptimistic(text: string, type: PolicyType, id: string, side: 'trust' | 'identity'): Loaded {
  const doc = JSON.parse(text) as Record<string, unknown>;
  const conditions = new Map<number, PendingCondition[]>();
  const statements = asList(doc.Statement).map((s, i) => {
    const st = { ...(s as Record<string, unknown>) };
    if (st.Effect === 'Allow' && st.Condition !== undefined) {
      const list: PendingCondition[] = [];
      for (const [operator, block] of Object.entries(st.Condition as Record<string, Record<string, unknown>>))
        for (const [key, values] of Object.entries(block))
          list.push({
            policy: side,
            policyId: id,
            sid: typeof st.Sid === 'string' ? st.Sid : undefined,
            operator,
            key,
            values: asList(values).map(String),
          });
      conditions.set(i, list);
      delete st.Condition;
    }
    return st;
  });
  const stripped = JSON.stringify({ ...doc, Statement: statements });
  const mayAllowAssume = statements.some((st) => {
    if (st.Effect !== 'Allow') return false;
    if (st.NotAction !== undefined)
      return !asList(st.NotAction).some((a) => globMatch(String(a), 'sts:assumerole'));
    return asList(st.Action).some((a) => globMatch(String(a), 'sts:assumerole'));
  });
  return { compiled: loadPolicy(stripped, type, id), conditions, mayAllowAssume };
}

/** IAM action globs (`*`, `?`), case-insensitive. */
function globMatch(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .toLowerCase()
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(action);
}

function trustKeys(text: string): string[] {
  const keys: string[] = [];
  try {
    const doc = JSON.parse(text) as Record<string, unknown>;
    for (const s of asList(doc.Statement) as Record<string, unknown>[]) {
      if (s.Effect !== 'Allow') continue;
      if (s.NotPrincipal !== undefined || s.Principal === '*') {
        keys.push('*');
        continue;
      }
      const p = (s.Principal ?? {}) as Record<string, unknown>;
      for (const a of asList(p.AWS).map(String)) {
        if (a === '*') keys.push('*');
        else if (/^\d{12}$/.test(a)) keys.push(`account:${a}`);
        else if (/^A[A-Z]{3}[A-Z0-9]{12,}$/.test(a)) keys.push(`id:${a}`);
        else {
          const m = /^arn:aws:(?:iam|sts)::(\d{12}):(.*)$/.exec(a);
          if (!m) continue;
          const [, acct, res] = m as unknown as [string, string, string];
          if (res === 'root') keys.push(`account:${acct}`);
          else if (res.startsWith('assumed-role/'))
            keys.push(`session:${acct}:${nameKey(res.split('/')[1] ?? '')}`);
          else if (res.startsWith('role/'))
            keys.push(`session:${acct}:${nameKey(res.slice(res.lastIndexOf('/') + 1))}`);
          else keys.push(`arn:${a}`);
        }
      }
      for (const svc of asList(p.Service).map(String)) keys.push(`service:${svc}`);
      for (const f of asList(p.Federated).map(String)) keys.push(`federated:${f}`);
    }
  } catch {
    keys.push('*');
  }
  return keys;
}

async function managedTexts(store: StoreReader, arns: readonly string[]): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const arn of arns) {
    const doc = await resolveManagedPolicyDocument(store, arn);
    if (doc !== undefined) out.push([arn, doc]);
  }
  return out;
}

async function identityOf(
  store: StoreReader,
  owner: string,
  inline: Readonly<Record<string, string>>,
  attached: readonly string[],
): Promise<Loaded[]> {
  const out = Object.entries(inline).map(([n, t]) =>
    loadOptimistic(t, 'identity', `${owner}:inline/${n}`, 'identity'),
  );
  for (const [arn, t] of await managedTexts(store, attached))
    out.push(loadOptimistic(t, 'identity', arn, 'identity'));
  return out;
}

async function boundaryOf(store: StoreReader, arn: string | undefined): Promise<Loaded | undefined> {
  if (arn === undefined) return undefined;
  const t = await resolveManagedPolicyDocument(store, arn);
  return t === undefined ? undefined : loadOptimistic(t, 'boundary', `boundary:${arn}`, 'identity');
}

/** Loads every account's users, roles and providers from `store`. */
export async function loadAccessModel(store: StoreReader): Promise<AccessModel> {
  const roles = new Map<string, RoleInfo>();
  const users = new Map<string, UserInfo>();
  const providers = new Map<string, 'oidc' | 'saml'>();
  const index = new Map<string, string[]>();
  const accounts = new Set<string>();
  for (const account of await store.listAccounts()) {
    accounts.add(account.id);
    const groups = new Map<string, Loaded[]>();
    for (const g of await store.list<GroupBody>(account.id, 'group'))
      groups.set(g.key, await identityOf(store, g.body.arn, g.body.inlinePolicies, g.body.attachedPolicies));
    for (const u of await store.list<UserBody>(account.id, 'user')) {
      const identity = await identityOf(store, u.body.arn, u.body.inlinePolicies, u.body.attachedPolicies);
      for (const g of u.body.groups) identity.push(...(groups.get(nameKey(g)) ?? []));
      users.set(u.body.arn, {
        arn: u.body.arn,
        account: account.id,
        userId: u.body.userId,
        identity,
        boundary: await boundaryOf(store, u.body.permissionsBoundary),
      });
    }
    for (const r of await store.list<RoleBody>(account.id, 'role')) {
      const b = r.body;
      // Trusted users and roles are bound by unique id, as AssumeRole evaluates them.
      const trustText = trustPolicyForEvaluation(b);
      const keys = [...new Set(trustKeys(trustText))];
      roles.set(b.arn, {
        arn: b.arn,
        trustKeys: keys,
        account: account.id,
        roleId: b.roleId,
        trust: loadOptimistic(trustText, 'trust', `trust:${b.arn}`, 'trust'),
        identity: await identityOf(store, b.arn, b.inlinePolicies, b.attachedPolicies),
        boundary: await boundaryOf(store, b.permissionsBoundary),
      });
      for (const k of keys) {
        let list = index.get(k);
        if (!list) index.set(k, (list = []));
        list.push(b.arn);
      }
    }
    for (const p of await store.list<OidcProviderBody>(account.id, 'oidcProvider'))
      providers.set(p.body.arn, 'oidc');
    for (const p of await store.list<SamlProviderBody>(account.id, 'samlProvider'))
      providers.set(p.body.arn, 'saml');
  }
  return { roles, users, accounts, providers, index };
}

/** The principal the engine sees for a node, with its identity policies. */
interface Subject {
  readonly node: AccessNode;
  readonly principal: RequestPrincipal;
  readonly identity?: readonly Loaded[];
  readonly boundary?: Loaded | undefined;
  readonly keys: readonly string[];
}

function subjectOf(model: AccessModel, node: AccessNode): Subject | undefined {
  switch (node.kind) {
    case 'user': {
      const u = model.users.get(node.id);
      if (!u) return undefined;
      return {
        node,
        principal: { kind: 'AWS', arn: u.arn, account: u.account, userId: u.userId, principalId: u.userId },
        identity: u.identity,
        boundary: u.boundary,
        keys: [`arn:${u.arn}`, `id:${u.userId}`, `account:${u.account}`, '*'],
      };
    }
    case 'role': {
      const r = model.roles.get(node.id);
      if (!r) return undefined;
      const name = r.arn.slice(r.arn.lastIndexOf('/') + 1);
      return {
        node,
        principal: {
          kind: 'AWS',
          arn: `arn:aws:sts::${r.account}:assumed-role/${name}/iamd-analysis`,
          account: r.account,
          roleArn: r.arn,
          userId: `${r.roleId}:iamd-analysis`,
          principalId: r.roleId,
        },
        identity: r.identity,
        boundary: r.boundary,
        keys: [`session:${r.account}:${nameKey(name)}`, `id:${r.roleId}`, `account:${r.account}`, '*'],
      };
    }
    case 'account':
      // Another account's principals, as far as this side can tell: the account's own identity
      // policies are not known here (or delegate), so only the trust side decides.
      return {
        node,
        principal: { kind: 'AWS', arn: node.id, account: node.id.split(':')[4] ?? '' },
        keys: [`account:${node.id.split(':')[4] ?? ''}`, '*'],
      };
    case 'service':
      return { node, principal: { kind: 'Service', service: node.id }, keys: [`service:${node.id}`, '*'] };
    case 'federated':
      return {
        node,
        principal: { kind: 'Federated', provider: node.id },
        keys: [`federated:${node.id}`, '*'],
      };
    case 'anyone':
      return { node, principal: { kind: 'Anonymous' }, keys: ['*'] };
  }
}

function actionFor(model: AccessModel, node: AccessNode): string {
  if (node.kind !== 'federated') return 'sts:AssumeRole';
  const kind = model.providers.get(node.id);
  return kind === 'saml' || node.id.includes(':saml-provider/')
    ? 'sts:AssumeRoleWithSAML'
    : 'sts:AssumeRoleWithWebIdentity';
}

/** Decides one edge; `undefined` when `subject` cannot assume `role`. */
function edge(model: AccessModel, subject: Subject, role: RoleInfo): AssumeEdge | undefined {
  if (subject.node.kind === 'role' && subject.node.id === role.arn) {
    // A role may trust itself; chaining into itself adds nothing to the graph.
    return undefined;
  }
  const action = actionFor(model, subject.node);
  const p = subject.principal;
  if (subject.identity !== undefined && !subject.identity.some((l) => l.mayAllowAssume)) {
    // Without an identity-based Allow, only a trust policy naming the principal itself (or everyone)
    // can let it in; skip roles that trust just its account (the common case, and the costly one).
    const own = p.kind === 'AWS' ? `account:${p.account}` : '';
    if (!role.trustKeys.some((k) => k !== own && subject.keys.includes(k))) return undefined;
  }
  const context = principalContext(p);
  const decision = evaluate(
    { principal: p, action, resource: role.arn, resourceAccount: role.account, context },
    {
      identity: subject.node.kind === 'account' ? [] : (subject.identity?.map((l) => l.compiled) ?? []),
      resource: role.trust.compiled,
      ...(subject.boundary ? { permissionsBoundary: subject.boundary.compiled } : {}),
    },
  );
  // An external account is not held here: its administrators decide its identity side.
  const allowed =
    decision.decision === 'Allow' ||
    (subject.node.kind === 'account' &&
      decision.decision === 'ImplicitDeny' &&
      decision.matched.some((m) => m.source === 'resource' && m.effect === 'Allow'));
  if (!allowed) return undefined;
  const used = decision.matched.filter(
    (m) => m.effect === 'Allow' && (m.source === 'resource' || m.source === 'identity'),
  );
  const conditions: PendingCondition[] = [];
  for (const side of ['resource', 'identity'] as const) {
    const mine = used.filter((m) => m.source === side);
    const loadedFor = (m: StatementMatch): Loaded | undefined =>
      side === 'resource' ? role.trust : subject.identity?.find((l) => l.compiled.id === m.policyId);
    // One unconditional Allow on a side is enough; otherwise every alternative's conditions apply.
    if (mine.length === 0 || mine.some((m) => !loadedFor(m)?.conditions.has(m.statement))) continue;
    for (const m of mine) conditions.push(...(loadedFor(m)?.conditions.get(m.statement) ?? []));
  }
  return {
    from: subject.node,
    role: role.arn,
    action,
    statements: used.map((m) => ({
      policy: m.source === 'resource' ? ('trust' as const) : ('identity' as const),
      policyId: m.policyId,
      statement: m.statement,
      sid: m.sid,
    })),
    conditions,
  };
}

/** Every node that a trust policy could name directly, for `who-can-assume`. */
function candidatesFor(model: AccessModel, role: RoleInfo): AccessNode[] {
  const nodes: AccessNode[] = [];
  const named = role.trustKeys;
  const everyone = named.includes('*');
  const accountsNamed = new Set(named.filter((k) => k.startsWith('account:')).map((k) => k.slice(8)));
  for (const u of model.users.values())
    // A trust policy binds a user by unique id once saved (src/iam/trust-principals.ts).
    if (
      everyone ||
      accountsNamed.has(u.account) ||
      named.includes(`arn:${u.arn}`) ||
      named.includes(`id:${u.userId}`)
    )
      nodes.push({ kind: 'user', id: u.arn });
  for (const r of model.roles.values()) {
    const name = r.arn.slice(r.arn.lastIndexOf('/') + 1);
    if (
      everyone ||
      accountsNamed.has(r.account) ||
      named.includes(`session:${r.account}:${nameKey(name)}`) ||
      named.includes(`id:${r.roleId}`)
    )
      nodes.push({ kind: 'role', id: r.arn });
  }
  for (const a of accountsNamed)
    if (a !== role.account) nodes.push({ kind: 'account', id: `arn:aws:iam::${a}:root` });
  for (const k of named) {
    if (k.startsWith('service:')) nodes.push({ kind: 'service', id: k.slice(8) });
    if (k.startsWith('federated:')) nodes.push({ kind: 'federated', id: k.slice(10) });
    if (k.startsWith('arn:') && !model.users.has(k.slice(4)))
      nodes.push({ kind: 'account', id: `arn:aws:iam::${k.split(':')[5] ?? ''}:root` });
  }
  if (everyone) nodes.push({ kind: 'anyone', id: '*' });
  return nodes;
}

/**
 * Every principal that can assume `roleArn`, directly or through a chain of roles, each with its
 * shortest path. Order: by path length, then principal.
 */
export function whoCanAssume(model: AccessModel, roleArn: string): Reach[] {
  const target = model.roles.get(roleArn);
  if (!target) return [];
  const out = new Map<string, Reach>();
  // Backwards breadth-first search: `queue` holds roles whose assumers are still to be found, with
  // the path from that role to the target.
  const queue: { role: RoleInfo; tail: AssumeEdge[] }[] = [{ role: target, tail: [] }];
  const visited = new Set<string>([roleArn]);
  while (queue.length > 0) {
    const { role, tail } = queue.shift()!;
    for (const node of candidatesFor(model, role)) {
      const subject = subjectOf(model, node);
      if (!subject) continue;
      const e = edge(model, subject, role);
      if (!e) continue;
      const key = `${node.kind}|${node.id}`;
      const path = [e, ...tail];
      if (!out.has(key) && !(node.kind === 'role' && node.id === roleArn))
        out.set(key, { principal: node, path });
      if (node.kind === 'role' && !visited.has(node.id)) {
        visited.add(node.id);
        const r = model.roles.get(node.id);
        if (r) queue.push({ role: r, tail: path });
      }
    }
  }
  return [...out.values()].sort(
    (a, b) => a.path.length - b.path.length || a.principal.id.localeCompare(b.principal.id),
  );
}

/** Every role `principalArn` (a user, role or `arn:aws:iam::A:root` of another account) can reach, transitively. */
export function reach(model: AccessModel, principalArn: string): Reach[] {
  const start: AccessNode | undefined = model.users.has(principalArn)
    ? { kind: 'user', id: principalArn }
    : model.roles.has(principalArn)
      ? { kind: 'role', id: principalArn }
      : /^arn:aws:iam::\d{12}:root$/.test(principalArn)
        ? { kind: 'account', id: principalArn }
        : model.providers.has(principalArn)
          ? { kind: 'federated', id: principalArn }
          : /\.amazonaws\.com$/.test(principalArn)
            ? { kind: 'service', id: principalArn }
            : undefined;
  if (!start) return [];
  const out: Reach[] = [];
  const visited = new Set<string>(start.kind === 'role' ? [start.id] : []);
  const queue: { node: AccessNode; path: AssumeEdge[] }[] = [{ node: start, path: [] }];
  while (queue.length > 0) {
    const { node, path } = queue.shift()!;
    const subject = subjectOf(model, node);
    if (!subject) continue;
    const roleArns = new Set<string>();
    for (const k of subject.keys) for (const arn of model.index.get(k) ?? []) roleArns.add(arn);
    for (const arn of roleArns) {
      if (visited.has(arn)) continue;
      const role = model.roles.get(arn)!;
      const e = edge(model, subject, role);
      if (!e) continue;
      visited.add(arn);
      const next = [...path, e];
      out.push({ principal: { kind: 'role', id: arn }, path: next });
      queue.push({ node: { kind: 'role', id: arn }, path: next });
    }
  }
  return out;
}

/** Text lines for a list of reaches (CLI). */
export function renderReaches(list: readonly Reach[], heading: string): string {
  const lines = [heading];
  if (list.length === 0) lines.push('  (none)');
  for (const r of list) {
    lines.push(`  ${r.principal.kind} ${r.principal.id}`);
    for (const e of r.path) {
      lines.push(`    ${e.from.kind} ${e.from.id} --${e.action}--> ${e.role}`);
      for (const s of e.statements)
        lines.push(
          `      by ${s.policy} policy ${s.policyId} statement ${s.statement}${s.sid ? ` (${s.sid})` : ''}`,
        );
      for (const c of e.conditions)
        lines.push(`      if ${c.operator} ${c.key} ${JSON.stringify(c.values)} (${c.policy} policy)`);
    }
  }
  return lines.join('\n');
}
