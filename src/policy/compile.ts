/**
 * Compiles a validated policy document into matchers, once per (type, text).
 *
 * Evaluation then does no JSON parsing and builds no regular expressions: actions are indexed by
 * service prefix (a request for `s3:GetObject` only visits statements that can name `s3`), ARNs
 * are pre-split into their six components, wildcards are precompiled token lists.
 */
import { compileArnPattern, type ArnPattern } from './arn-pattern.js';
import { compileConditions, type CompiledCondition } from './conditions.js';
import { compileGlob, globMatch, hasWildcard, type Glob } from './glob.js';
import { asList, parsePolicy } from './validate.js';
import type { CompiledPolicy, PolicyType, ResourceGrant, RequestPrincipal, StatementInfo } from './types.js';

/** The actions of one service named by a statement. */
interface ServiceActions {
  any: boolean;
  readonly exact: Set<string>;
  readonly wild: Glob[];
}

/** A compiled `Action`/`NotAction` list (lower-cased: action names are case-insensitive). */
export interface ActionSet {
  any: boolean;
  readonly services: Map<string, ServiceActions>;
  /** Patterns whose service part has a wildcard (`*:Get*`, `s3*:List`). */
  readonly wildServices: { readonly service: Glob; readonly name: Glob }[];
  /** The source patterns, for explanations. */
  readonly source: readonly string[];
}

/** A compiled `Principal`/`NotPrincipal` element. */
export interface PrincipalSet {
  /** `"Principal": "*"`. */
  all: boolean;
  /** `{"AWS": "*"}`. */
  awsAll: boolean;
  readonly accounts: Set<string>;
  readonly arns: Set<string>;
  /** Unique ids of IAM users and roles (`AIDA…`, `AROA…`): how iamd stores a user or role ARN. */
  readonly ids: Set<string>;
  readonly services: Set<string>;
  readonly federated: Set<string>;
  readonly canonical: Set<string>;
}

/** A compiled statement. */
export interface CompiledStatement extends StatementInfo {
  readonly allow: boolean;
  readonly actions: ActionSet;
  readonly notAction: boolean;
  /** `undefined` when the statement has no Resource element (trust policies): every resource. */
  readonly resources: readonly ArnPattern[] | undefined;
  readonly notResource: boolean;
  /** `undefined` when the statement has no Principal element (identity-style policies). */
  readonly principal: PrincipalSet | undefined;
  readonly notPrincipal: boolean;
  readonly conditions: readonly CompiledCondition[];
}

/** The cached, id-independent part of a {@link CompiledPolicy}. */
export interface PolicyBody {
  readonly version: string;
  readonly statements: readonly CompiledStatement[];
  /** Statements that can apply to a service, computed on first use per service. */
  readonly byService: Map<string, readonly CompiledStatement[]>;
  /** One wrapper per id, so repeated loads return the same object. */
  readonly wrappers: Map<string, CompiledPolicy>;
}

function compileActions(list: readonly string[]): ActionSet {
  const set: ActionSet = { any: false, services: new Map(), wildServices: [], source: list };
  for (const raw of list) {
    const a = raw.toLowerCase();
    if (a === '*') {
      set.any = true;
      continue;
    }
    const c = a.indexOf(':');
    const svc = a.slice(0, c);
    const name = a.slice(c + 1);
    if (hasWildcard(svc)) {
      set.wildServices.push({ service: compileGlob(svc), name: compileGlob(name) });
      continue;
    }
    let entry = set.services.get(svc);
    if (!entry) {
      entry = { any: false, exact: new Set(), wild: [] };
      set.services.set(svc, entry);
    }
    if (name === '*') entry.any = true;
    else if (hasWildcard(name)) entry.wild.push(compileGlob(name));
    else entry.exact.add(name);
  }
  return set;
}

/** True when the (lower-cased) action is named by the set. */
export function actionInSet(set: ActionSet, svc: string, name: string): boolean {
  if (set.any) return true;
  const e = set.services.get(svc);
  if (e !== undefined) {
    if (e.any || e.exact.has(name)) return true;
    for (const g of e.wild) if (globMatch(g, name)) return true;
  }
  for (const w of set.wildServices) if (globMatch(w.service, svc) && globMatch(w.name, name)) return true;
  return false;
}

function couldNameService(set: ActionSet, svc: string): boolean {
  return set.any || set.services.has(svc) || set.wildServices.some((w) => globMatch(w.service, svc));
}

const ACCOUNT_ROOT = /^arn:[^:]+:iam::(\d{12}):root$/;
/** A user's or role's unique id ("IAM identifiers", unique identifiers). */
const UNIQUE_ID = /^A[A-Z]{3}[A-Z0-9]{12,}$/;

function compilePrincipal(p: unknown): PrincipalSet {
  const set: PrincipalSet = {
    all: false,
    awsAll: false,
    accounts: new Set(),
    arns: new Set(),
    ids: new Set(),
    services: new Set(),
    federated: new Set(),
    canonical: new Set(),
  };
  if (p === '*') {
    set.all = true;
    return set;
  }
  const obj = p as Record<string, unknown>;
  // "AWS JSON policy elements: Principal": an account id and the account's `root` ARN both name
  // the account; `{"AWS": "*"}` is everyone, like `"*"`.
  for (const v of asList(obj['AWS'])) {
    if (v === '*') set.awsAll = true;
    else if (/^\d{12}$/.test(v)) set.accounts.add(v);
    else if (UNIQUE_ID.test(v)) set.ids.add(v);
    else {
      const m = ACCOUNT_ROOT.exec(v);
      if (m) set.accounts.add(m[1] as string);
      else set.arns.add(v);
    }
  }
  for (const v of asList(obj['Service'])) {
    if (v === '*') set.all = true;
    else set.services.add(v.toLowerCase());
  }
  for (const v of asList(obj['Federated'])) set.federated.add(v);
  for (const v of asList(obj['CanonicalUser'])) set.canonical.add(v);
  return set;
}

/**
 * How a Principal element names the request's principal, strongest first; `undefined` when it
 * does not. A role ARN names the role's sessions ("Role trust policies": a policy naming a role
 * ARN matches every session of it); `root`/account ids name the account.
 */
export function principalGrant(set: PrincipalSet, p: RequestPrincipal): ResourceGrant | undefined {
  if (set.all) return 'public';
  switch (p.kind) {
    case 'AWS':
      if (set.awsAll) return 'public';
      if (set.arns.has(p.arn)) return p.roleArn !== undefined ? 'session' : 'principal';
      if (p.roleArn !== undefined && set.arns.has(p.roleArn)) return 'role';
      // "AWS JSON policy elements: Principal" (IAM roles): a user or role ARN is saved as the
      // principal's unique id, so it names that principal only, never a re-created namesake.
      if (p.principalId !== undefined && set.ids.has(p.principalId))
        return p.roleArn !== undefined ? 'role' : 'principal';
      if (set.accounts.has(p.account)) return 'account';
      return undefined;
    case 'Anonymous':
      return set.awsAll ? 'public' : undefined;
    case 'Service':
      return set.services.has(p.service.toLowerCase()) ? 'service' : undefined;
    case 'Federated':
      return set.federated.has(p.provider) ? 'federated' : undefined;
  }
}

/**
 * Whether a `NotPrincipal` element leaves the request's principal out. "AWS JSON policy elements:
 * NotPrincipal" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html):
 * AWS validates the account first, then the user; for a role session the account, then the role,
 * then the session. So an IAM principal is left out only when every one of those is listed: the
 * account's ARN alone leaves out the account (its root user) but none of its users, roles,
 * sessions or federated users; a user needs its ARN and its account's; a session its own ARN, its
 * role's and its account's. Other principal kinds are left out when the element names them.
 */
export function notPrincipalExcludes(set: PrincipalSet, p: RequestPrincipal): boolean {
  if (set.all) return true;
  if (p.kind !== 'AWS') return principalGrant(set, p) !== undefined;
  if (set.awsAll) return true;
  if (!set.accounts.has(p.account)) return false;
  if (p.arn.endsWith(':root') && p.roleArn === undefined) return true;
  if (p.roleArn !== undefined && !set.arns.has(p.roleArn)) return false;
  return set.arns.has(p.arn);
}

function compileStatement(s: Record<string, unknown>, index: number, variables: boolean): CompiledStatement {
  const effect = s['Effect'] === 'Deny' ? 'Deny' : 'Allow';
  const actionEl = s['Action'] ?? s['NotAction'];
  const resourceEl = s['Resource'] ?? s['NotResource'];
  const principalEl = s['Principal'] ?? s['NotPrincipal'];
  const cond = s['Condition'];
  return {
    index,
    sid: typeof s['Sid'] === 'string' ? s['Sid'] : undefined,
    effect,
    allow: effect === 'Allow',
    actions: compileActions(asList(actionEl)),
    notAction: s['Action'] === undefined && s['NotAction'] !== undefined,
    resources:
      resourceEl === undefined ? undefined : asList(resourceEl).map((r) => compileArnPattern(r, variables)),
    notResource: s['Resource'] === undefined && s['NotResource'] !== undefined,
    principal: principalEl === undefined ? undefined : compilePrincipal(principalEl),
    notPrincipal: s['Principal'] === undefined && s['NotPrincipal'] !== undefined,
    conditions:
      typeof cond === 'object' && cond !== null
        ? compileConditions(cond as Record<string, unknown>, variables)
        : [],
  };
}

/** Statements of a policy that can apply to a (lower-cased) service prefix. */
export function candidates(body: PolicyBody, svc: string): readonly CompiledStatement[] {
  let list = body.byService.get(svc);
  if (list === undefined) {
    list = body.statements.filter((st) => st.notAction || couldNameService(st.actions, svc));
    // Bound the memo: service prefixes come from requests, which callers do not control.
    if (body.byService.size > 1024) body.byService.clear();
    body.byService.set(svc, list);
  }
  return list;
}

const CACHE_LIMIT = 10_000;
const cache = new Map<string, PolicyBody>();

/**
 * Parses and compiles a policy; cached by (type, text), so storing documents as text costs nothing
 * at evaluation time.
 * INVARIANT: `text` already passed `validatePolicy` for this type; throws TypeError otherwise.
 */
export function loadPolicy(text: string, type: PolicyType, id?: string): CompiledPolicy {
  const key = `${type}\u0000${text}`;
  let body = cache.get(key);
  if (body === undefined) {
    // Managed-policy version rules are the writer's business; here any stored document loads.
    const parsed = parsePolicy(text, type, { requireCurrentVersion: false });
    if (parsed.errors.length > 0 || parsed.doc === undefined) {
      const first = parsed.errors[0];
      throw new TypeError(
        `loadPolicy: invalid ${type} policy: ${first ? `${first.path}: ${first.message}` : ''}`,
      );
    }
    const version = typeof parsed.doc['Version'] === 'string' ? parsed.doc['Version'] : '2008-10-17';
    // Policy variables are only recognised under Version 2012-10-17 ("IAM policy elements: Variables").
    const variables = version === '2012-10-17';
    body = {
      version,
      statements: parsed.statements.map((s, i) => compileStatement(s, i, variables)),
      byService: new Map(),
      wrappers: new Map(),
    };
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, body);
  }
  const pid = id ?? `${type}-policy`;
  let wrapper = body.wrappers.get(pid);
  if (wrapper === undefined) {
    wrapper = Object.freeze({
      id: pid,
      type,
      version: body.version,
      statements: body.statements.map(({ index, sid, effect }) => ({ index, sid, effect })),
      body,
    });
    if (body.wrappers.size > 64) body.wrappers.clear();
    body.wrappers.set(pid, wrapper);
  }
  return wrapper;
}
