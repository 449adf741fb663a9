/**
 * IAM users and roles named in a role's trust policy are bound to their unique ids when the policy is
 * saved. IAM User Guide, "AWS JSON policy elements: Principal", IAM role principals
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles):
 * "If your Principal element in a role trust policy contains an ARN that points to a specific IAM role,
 * then that ARN transforms to the role unique principal ID when you save the policy … if you delete the
 * role, then you break the relationship … the principal ID appears in resource-based policies because
 * AWS can no longer map it back to a valid ARN"; the same holds for users ("Example policies for IAM
 * roles", https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_policy-examples.html).
 *
 * iamd keeps the document as written and, beside it, the ARN → unique id map resolved at save time
 * (`RoleBody.trustPrincipalIds`). Evaluation sees the document with each such ARN replaced by its id,
 * which the engine matches against the caller's unique id only; reading shows the principal's ARN
 * while the principal with that id exists and the bare id once it is gone. A trust policy saved by an
 * iamd without this map keeps its old meaning (ARNs match by name).
 */
import type { StoreReader } from '../store/index.js';
import { errors } from '../errors/index.js';
import { nameKey } from './names.js';
import type { RoleBody, UserBody } from './entities.js';

/** A user or role ARN as written in a Principal element; group 3 is the name (after any path). */
const ENTITY_ARN = /^arn:aws:iam::(\d{12}):(user|role)\/(?:.*\/)?([^/]+)$/;

type PrincipalValueVisitor = (value: string) => string;

/**
 * Calls `visit` for every string in every statement's `Principal.AWS` / `NotPrincipal.AWS` and puts
 * back what it returns. Returns whether anything changed. INVARIANT: `doc` is a parsed, validated
 * policy document.
 */
function mapAwsPrincipals(doc: unknown, visit: PrincipalValueVisitor): boolean {
  let changed = false;
  const raw = (doc as { Statement?: unknown } | null)?.Statement;
  const statements = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  for (const st of statements) {
    if (st === null || typeof st !== 'object') continue;
    for (const el of ['Principal', 'NotPrincipal']) {
      const principal = (st as Record<string, unknown>)[el];
      if (principal === null || typeof principal !== 'object') continue;
      const holder = principal as Record<string, unknown>;
      const aws = holder['AWS'];
      if (typeof aws === 'string') {
        const next = visit(aws);
        if (next !== aws) {
          holder['AWS'] = next;
          changed = true;
        }
      } else if (Array.isArray(aws)) {
        holder['AWS'] = aws.map((v: unknown) => {
          if (typeof v !== 'string') return v;
          const next = visit(v);
          if (next !== v) changed = true;
          return next;
        });
      }
    }
  }
  return changed;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

interface EntityRef {
  readonly account: string;
  readonly kind: 'user' | 'role';
  readonly name: string;
}

function entityRef(arn: string): EntityRef | undefined {
  const m = ENTITY_ARN.exec(arn);
  if (!m) return undefined;
  const [, account, kind, name] = m as unknown as [string, string, 'user' | 'role', string];
  return { account, kind, name };
}

function uniqueIdOf(kind: 'user' | 'role', body: unknown): string {
  return kind === 'user' ? (body as UserBody).userId : (body as RoleBody).roleId;
}

/**
 * Resolves every IAM user or role ARN in a trust policy's Principal elements to the unique id of the
 * principal it names now, and refuses a principal that does not exist (MalformedPolicyDocument
 * `Invalid principal in policy: "AWS":"<arn>"`, AWS's text; shared/reference/aws-errors.md). Only
 * accounts this iamd holds are checked: for another account iamd cannot know what exists, so the ARN
 * is kept as written and left out of the map (no caller of this iamd can ever be that principal).
 * Account, service, federated and assumed-role session principals are not entities and are left alone
 * (AWS keeps session ARNs as written: "Role session principals" on the Principal page).
 * INVARIANT: `text` has passed the trust-policy validation.
 */
export async function resolveTrustPrincipals(
  store: StoreReader,
  text: string,
): Promise<Record<string, string>> {
  const ids = Object.create(null) as Record<string, string>;
  const doc = parse(text);
  if (doc === undefined) return ids;
  const arns: string[] = [];
  mapAwsPrincipals(doc, (v) => {
    arns.push(v);
    return v;
  });
  for (const arn of arns) {
    const ref = entityRef(arn);
    if (ref === undefined || ids[arn] !== undefined) continue;
    if ((await store.getAccount(ref.account)) === undefined) continue;
    const e = await store.get<{ arn: string }>(ref.account, ref.kind, nameKey(ref.name));
    if (e === undefined || e.body.arn !== arn)
      throw errors.malformedPolicy(`Invalid principal in policy: "AWS":"${arn}"`);
    ids[arn] = uniqueIdOf(ref.kind, e.body);
  }
  return ids;
}

/** Evaluated trust documents by stored text; the map's JSON is checked so a changed map recomputes. */
const evaluatedCache = new Map<string, { readonly ids: string; readonly text: string }>();
const EVALUATED_CACHE_LIMIT = 10_000;

/**
 * The trust policy the engine evaluates for `role`: its document with every user or role ARN bound at
 * save time replaced by that principal's unique id. Cached by document, so AssumeRole does no extra
 * work per request once a role's policy has been seen.
 */
export function trustPolicyForEvaluation(role: RoleBody): string {
  const ids = role.trustPrincipalIds;
  const text = role.assumeRolePolicyDocument;
  if (ids === undefined) return text;
  const idsKey = JSON.stringify(ids);
  const hit = evaluatedCache.get(text);
  if (hit !== undefined && hit.ids === idsKey) return hit.text;
  const doc = parse(text);
  const out =
    doc !== undefined && mapAwsPrincipals(doc, (v) => (Object.hasOwn(ids, v) ? (ids[v] as string) : v))
      ? JSON.stringify(doc)
      : text;
  if (evaluatedCache.size >= EVALUATED_CACHE_LIMIT) evaluatedCache.clear();
  evaluatedCache.set(text, { ids: idsKey, text: out });
  return out;
}

/** The current ARN of the user or role whose unique id is `id` in `account`, if there is one. */
async function currentArn(store: StoreReader, ref: EntityRef, id: string): Promise<string | undefined> {
  const byName = await store.get(ref.account, ref.kind, nameKey(ref.name));
  if (byName !== undefined && uniqueIdOf(ref.kind, byName.body) === id)
    return (byName.body as { arn: string }).arn;
  // A user renamed by UpdateUser keeps its id (and its place in the policy) under a new ARN.
  if (ref.kind !== 'user') return undefined;
  const all = await store.list<UserBody>(ref.account, 'user');
  return all.find((u) => u.body.userId === id)?.body.arn;
}

/**
 * The trust policy as GetRole, ListRoles, GetAccountAuthorizationDetails and export show it: each
 * bound user or role shows its ARN while the principal with that unique id exists, and the bare id
 * (`AIDA…`/`AROA…`) once it is deleted, as AWS shows it. The text is unchanged when nothing differs.
 */
export async function trustPolicyForDisplay(store: StoreReader, role: RoleBody): Promise<string> {
  const ids = role.trustPrincipalIds;
  const text = role.assumeRolePolicyDocument;
  if (ids === undefined || Object.keys(ids).length === 0) return text;
  const shown = Object.create(null) as Record<string, string>;
  for (const [arn, id] of Object.entries(ids)) {
    const ref = entityRef(arn);
    if (ref === undefined) continue;
    shown[arn] = (await currentArn(store, ref, id)) ?? id;
  }
  const doc = parse(text);
  if (doc === undefined) return text;
  return mapAwsPrincipals(doc, (v) => shown[v] ?? v) ? JSON.stringify(doc) : text;
}

/** `role` with its trust policy as it is shown (see {@link trustPolicyForDisplay}). */
export async function roleForDisplay(store: StoreReader, role: RoleBody): Promise<RoleBody> {
  const shown = await trustPolicyForDisplay(store, role);
  return shown === role.assumeRolePolicyDocument ? role : { ...role, assumeRolePolicyDocument: shown };
}

/**
 * The trust policy evaluated for a role that does not exist: it trusts no AWS principal, so the engine
 * produces the very AccessDenied a real role whose trust policy does not name the caller produces.
 */
export const TRUSTS_NOBODY =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"nobody.iamd.invalid"},"Action":"sts:AssumeRole"}]}';
