/**
 * Gathers the policies that apply to a principal: identity policies (inline + attached, and the
 * user's groups'), the permissions boundary, and session policies. The result is compiled once
 * and cached until the store reports a change.
 */
import type { Principal, SessionClaims, SessionTag } from '../domain/principal.js';
import type { StoreReader } from '../store/index.js';
import type { GroupBody, RoleBody, UserBody } from '../domain/entities.js';
import { nameKey } from '../domain/names.js';
import { resolveManagedPolicyDocument } from '../domain/managed-policies.js';
import { loadPolicy, type CompiledPolicy } from '../policy/index.js';

/** A principal's policies, compiled. */
export interface PrincipalPolicies {
  readonly identity: readonly CompiledPolicy[];
  readonly permissionsBoundary?: CompiledPolicy | undefined;
  /** Session policies; `undefined` when the session carries none (they then do not limit). */
  readonly session?: readonly CompiledPolicy[] | undefined;
  /** `aws:PrincipalTag` values. */
  readonly tags: readonly SessionTag[];
  /** False when the entity behind the principal no longer exists (deleted user or role). */
  readonly exists: boolean;
}

/** The account root may do everything in its own account: modelled as an allow-all identity policy. */
const ROOT_POLICY_TEXT =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';

/** A valid policy that grants nothing (no action is named `iamd:NoAction`). */
const ALLOWS_NOTHING_TEXT =
  '{"Version":"2012-10-17","Statement":[{"Sid":"NoSessionPolicy","Effect":"Allow","Action":"iamd:NoAction","Resource":"*"}]}';

async function managed(store: StoreReader, arns: readonly string[], id: string): Promise<CompiledPolicy[]> {
  const out: CompiledPolicy[] = [];
  for (const arn of arns) {
    const doc = await resolveManagedPolicyDocument(store, arn);
    if (doc !== undefined) out.push(loadPolicy(doc, 'identity', `${id}:${arn}`));
  }
  return out;
}

function inline(policies: Readonly<Record<string, string>>, id: string): CompiledPolicy[] {
  return Object.entries(policies).map(([name, doc]) => loadPolicy(doc, 'identity', `${id}:inline/${name}`));
}

async function boundary(store: StoreReader, arn: string | undefined): Promise<CompiledPolicy | undefined> {
  if (arn === undefined) return undefined;
  const doc = await resolveManagedPolicyDocument(store, arn);
  // A boundary whose policy was deleted allows nothing (AWS refuses to delete a policy in use as a
  // boundary, so this only guards against inconsistent data).
  return loadPolicy(
    doc ?? '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}',
    'boundary',
    `boundary:${arn}`,
  );
}

async function userPolicies(store: StoreReader, account: string, user: UserBody): Promise<CompiledPolicy[]> {
  const out = [
    ...inline(user.inlinePolicies, user.arn),
    ...(await managed(store, user.attachedPolicies, user.arn)),
  ];
  for (const groupName of user.groups) {
    const group = await store.get<GroupBody>(account, 'group', nameKey(groupName));
    if (!group) continue;
    out.push(...inline(group.body.inlinePolicies, group.body.arn));
    out.push(...(await managed(store, group.body.attachedPolicies, group.body.arn)));
  }
  return out;
}

async function sessionPolicies(
  store: StoreReader,
  docs: readonly string[] | undefined,
  arns: readonly string[] | undefined,
): Promise<CompiledPolicy[] | undefined> {
  if ((docs?.length ?? 0) === 0 && (arns?.length ?? 0) === 0) return undefined;
  const out = (docs ?? []).map((d, i) => loadPolicy(d, 'session', `session:inline/${i}`));
  out.push(...(await managed(store, arns ?? [], 'session')));
  // A session limited by managed policies that have all been deleted since stays limited: to nothing.
  // (The engine reads an empty list as "no session policies", which would give the session everything
  // its role allows. AWS lets a policy used only as a session policy be deleted, as iamd does.)
  if (out.length === 0) out.push(loadPolicy(ALLOWS_NOTHING_TEXT, 'session', 'session:deleted'));
  return out;
}

/**
 * A delegated session (sts:GetDelegatedAccessToken) of a user or the root is limited by the delegation
 * request's permission policy, its session policy; other user and root sessions carry none. A delegated
 * session whose policy cannot be read allows nothing.
 */
async function delegatedLimit(
  store: StoreReader,
  session: SessionClaims | undefined,
): Promise<{ session?: readonly CompiledPolicy[] }> {
  if (session?.delegated !== true) return {};
  return {
    session: (await sessionPolicies(store, session.sessionPolicies, session.sessionPolicyArns)) ?? [
      loadPolicy(ALLOWS_NOTHING_TEXT, 'session', 'session:none'),
    ],
  };
}

/** Loads and compiles the policies of `principal` from `store`. */
export async function gatherPolicies(store: StoreReader, principal: Principal): Promise<PrincipalPolicies> {
  switch (principal.type) {
    case 'Anonymous':
      return { identity: [], tags: [], exists: true };
    case 'Root': {
      const root = loadPolicy(ROOT_POLICY_TEXT, 'identity', 'root');
      // sts:AssumeRoot: the root's permissions less what the task policy denies. AWS's task policies
      // (arn:aws:iam::aws:policy/root-task/…) are deny-only guardrails, so they join the identity
      // policies rather than act as a session filter (which would need an Allow).
      if (principal.session?.assumedRoot === true) {
        const arns = principal.session.sessionPolicyArns ?? [];
        const tasks = await managed(store, arns, 'root-task');
        // A task policy that cannot be read must not leave the root unbounded: nothing is allowed then.
        if (tasks.length !== arns.length || arns.length === 0)
          tasks.push(
            loadPolicy(
              '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}',
              'identity',
              'root-task:missing',
            ),
          );
        return { identity: [root, ...tasks], tags: [], exists: true };
      }
      return {
        identity: [root],
        ...(await delegatedLimit(store, principal.session)),
        tags: [],
        exists: true,
      };
    }
    case 'IAMUser': {
      const user = await store.get<UserBody>(principal.account, 'user', nameKey(principal.userName));
      if (!user || user.body.userId !== principal.userId) return { identity: [], tags: [], exists: false };
      return {
        identity: await userPolicies(store, principal.account, user.body),
        permissionsBoundary: await boundary(store, user.body.permissionsBoundary),
        ...(await delegatedLimit(store, principal.session)),
        tags: user.body.tags.map((t) => ({ key: t.Key, value: t.Value })),
        exists: true,
      };
    }
    case 'AssumedRole': {
      const role = await store.get<RoleBody>(principal.account, 'role', nameKey(principal.roleName));
      const s = principal.session;
      // A role deleted and re-created with the same name has a new id: old sessions do not carry over.
      if (!role || role.body.roleId !== s.roleId) return { identity: [], tags: [], exists: false };
      const tags = new Map<string, SessionTag>();
      for (const t of role.body.tags) tags.set(t.Key.toLowerCase(), { key: t.Key, value: t.Value });
      for (const t of s.tags ?? []) tags.set(t.key.toLowerCase(), t);
      return {
        identity: [
          ...inline(role.body.inlinePolicies, role.body.arn),
          ...(await managed(store, role.body.attachedPolicies, role.body.arn)),
        ],
        permissionsBoundary: await boundary(store, role.body.permissionsBoundary),
        session: await sessionPolicies(store, s.sessionPolicies, s.sessionPolicyArns),
        tags: [...tags.values()],
        exists: true,
      };
    }
    case 'FederatedUser': {
      // GetFederationToken: the broker user's identity policies intersected with the session policies
      // (IAM User Guide, "Session policies"); no session policy means no permissions.
      const s = principal.session;
      const found =
        s.userName !== undefined
          ? await store.get<UserBody>(principal.account, 'user', nameKey(s.userName))
          : undefined;
      // A user deleted and re-created with the same name has a new id: the old user's federation
      // tokens do not carry over to the new one (as for role sessions and the user's own keys).
      const user = found && (s.userId === undefined || found.body.userId === s.userId) ? found : undefined;
      const base = user ? await userPolicies(store, principal.account, user.body) : [];
      const identity =
        s.userName === undefined ? [loadPolicy(ROOT_POLICY_TEXT, 'identity', 'root')] : user ? base : [];
      return {
        identity,
        permissionsBoundary: user ? await boundary(store, user.body.permissionsBoundary) : undefined,
        // The engine reads an empty session list as "no session policies" (no limit), so a federation
        // token without any is given one that allows nothing.
        session: (await sessionPolicies(store, s.sessionPolicies, s.sessionPolicyArns)) ?? [
          loadPolicy(ALLOWS_NOTHING_TEXT, 'session', 'session:none'),
        ],
        tags: (s.tags ?? []).slice(),
        exists: s.userName === undefined || user !== undefined,
      };
    }
  }
}
