/**
 * `iamd export`: the state of accounts written in the seed-file format (seed.ts), so that seeding the
 * export into an empty store gives the same state again (the round trip issue 9 asks for). Secrets —
 * secret access keys and password hashes — are left out unless asked for. Generated ids and dates
 * (`AIDA…`, `CreateDate`) are not part of a seed; documents are written as parsed JSON.
 *
 * Not exported: MFA devices (their seeds belong to a person's authenticator), non-default managed
 * policy versions, service-specific credentials and certificates.
 */
import { stringify } from 'yaml';
import type { StoreReader } from '../store/index.js';
import { nameKey } from '../domain/names.js';
import { roleForDisplay } from '../domain/trust-principals.js';
import { accessKeySecretAad } from '../domain/access-keys.js';
import { PASSWORD_POLICY_KEY } from '../domain/account.js';
import type {
  AccessKeyBody,
  GroupBody,
  InstanceProfileBody,
  LoginProfileBody,
  ManagedPolicyBody,
  OidcProviderBody,
  PasswordPolicyBody,
  RoleBody,
  SamlProviderBody,
  TagBody,
  UserBody,
} from '../domain/entities.js';
import { exportOrganizations } from './org-seed.js';

/** Options for {@link exportSeed}. */
export interface ExportOptions {
  /** Only these accounts (default: every account). */
  readonly accounts?: readonly string[] | undefined;
  /** Include secret access keys and password hashes (needs `unsealSecret`). */
  readonly withSecrets?: boolean | undefined;
  /** Opens a sealed secret (the master key's `unsealSecret`). */
  readonly unsealSecret?: ((sealed: string, aad: string) => string) | undefined;
}

type Out = Record<string, unknown>;

/** A policy document as an object when it is JSON (the usual case), else its text. */
function doc(text: string): unknown {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : text;
  } catch {
    return text;
  }
}

/** Tags as a `{key: value}` mapping, or AWS's list when a key would not keep its order in a mapping. */
function tags(list: readonly TagBody[]): unknown {
  if (list.some((t) => /^\d+$/.test(t.Key))) return list.map((t) => ({ Key: t.Key, Value: t.Value }));
  return Object.fromEntries(list.map((t) => [t.Key, t.Value]));
}

/** Sets `out[k] = v` unless `v` is undefined, an empty list or an empty mapping (seeds stay short). */
function put(out: Out, k: string, v: unknown): void {
  if (v === undefined) return;
  if (Array.isArray(v) && v.length === 0) return;
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0) return;
  out[k] = v;
}

/** `/` is IAM's default path; a seed leaves it out. */
function path(p: string): string | undefined {
  return p === '/' ? undefined : p;
}

function inline(p: Readonly<Record<string, string>>): Out {
  const out: Out = {};
  for (const [k, v] of Object.entries(p)) out[k] = doc(v);
  return out;
}

/** The seed document (`{version: 1, accounts: [...]}`) for the store's accounts. */
export async function exportSeed(store: StoreReader, options: ExportOptions = {}): Promise<Out> {
  const all = await store.listAccounts();
  const chosen = options.accounts
    ? all.filter((a) => options.accounts?.includes(a.id))
    : [...all].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const accounts: Out[] = [];
  for (const a of chosen) accounts.push(await exportAccount(store, a.id, a.alias, options));
  const out: Out = { version: 1, accounts };
  put(
    out,
    'organizations',
    await exportOrganizations(
      store,
      chosen.map((a) => a.id),
    ),
  );
  return out;
}

async function exportAccount(
  store: StoreReader,
  id: string,
  alias: string | undefined,
  options: ExportOptions,
): Promise<Out> {
  const secretOf = (k: AccessKeyBody): string | undefined =>
    options.withSecrets && options.unsealSecret
      ? options.unsealSecret(k.sealedSecret, accessKeySecretAad(id, k.accessKeyId))
      : undefined;
  const key = (k: AccessKeyBody): Out => {
    const out: Out = { accessKeyId: k.accessKeyId };
    put(out, 'secretAccessKey', secretOf(k));
    if (k.status !== 'Active') out.status = k.status;
    return out;
  };
  const out: Out = { id };
  put(out, 'alias', alias);
  put(
    out,
    'rootAccessKeys',
    (await store.list<AccessKeyBody>(id, 'accessKey', { index: '' })).map((e) => key(e.body)),
  );
  const pp = (await store.get<PasswordPolicyBody>(id, 'setting', PASSWORD_POLICY_KEY))?.body;
  if (pp) {
    // ExpirePasswords is derived from MaxPasswordAge (UpdateAccountPasswordPolicy takes no such member).
    const { ExpirePasswords: _derived, ...members } = pp;
    put(
      out,
      'passwordPolicy',
      Object.fromEntries(Object.entries(members).filter(([, v]) => v !== undefined)),
    );
  }
  put(
    out,
    'policies',
    (await store.list<ManagedPolicyBody>(id, 'policy')).map(({ body: p }) => {
      const o: Out = { name: p.policyName };
      put(o, 'path', path(p.path));
      put(o, 'description', p.description);
      const v = p.versions.find((x) => x.versionId === p.defaultVersionId);
      o.document = doc(v?.document ?? '');
      put(o, 'tags', tags(p.tags));
      return o;
    }),
  );
  put(
    out,
    'groups',
    (await store.list<GroupBody>(id, 'group')).map(({ body: g }) => {
      const o: Out = { name: g.groupName };
      put(o, 'path', path(g.path));
      put(o, 'policies', inline(g.inlinePolicies));
      put(o, 'managedPolicies', [...g.attachedPolicies]);
      return o;
    }),
  );
  const users: Out[] = [];
  for (const { body: u } of await store.list<UserBody>(id, 'user')) {
    const o: Out = { name: u.userName };
    put(o, 'path', path(u.path));
    put(o, 'permissionsBoundary', u.permissionsBoundary);
    put(o, 'tags', tags(u.tags));
    put(o, 'groups', [...u.groups]);
    put(o, 'policies', inline(u.inlinePolicies));
    put(o, 'managedPolicies', [...u.attachedPolicies]);
    put(
      o,
      'accessKeys',
      (await store.list<AccessKeyBody>(id, 'accessKey', { index: nameKey(u.userName) })).map((e) =>
        key(e.body),
      ),
    );
    const lp = (await store.get<LoginProfileBody>(id, 'loginProfile', nameKey(u.userName)))?.body;
    // Without secrets the profile is left out: a seed needs a password or its hash to make one.
    if (lp && options.withSecrets)
      o.loginProfile = { passwordHash: lp.passwordHash, passwordResetRequired: lp.passwordResetRequired };
    users.push(o);
  }
  put(out, 'users', users);
  const roles: Out[] = [];
  for (const { body } of await store.list<RoleBody>(id, 'role')) {
    // The trust policy as GetRole shows it: a deleted trusted user or role appears as its unique id.
    const r = await roleForDisplay(store, body);
    const o: Out = { name: r.roleName };
    put(o, 'path', path(r.path));
    put(o, 'description', r.description);
    if (r.maxSessionDuration !== 3600) o.maxSessionDuration = r.maxSessionDuration;
    o.assumeRolePolicy = doc(r.assumeRolePolicyDocument);
    put(o, 'permissionsBoundary', r.permissionsBoundary);
    put(o, 'tags', tags(r.tags));
    put(o, 'policies', inline(r.inlinePolicies));
    put(o, 'managedPolicies', [...r.attachedPolicies]);
    roles.push(o);
  }
  put(out, 'roles', roles);
  put(
    out,
    'instanceProfiles',
    (await store.list<InstanceProfileBody>(id, 'instanceProfile')).map(({ body: p }) => {
      const o: Out = { name: p.instanceProfileName };
      put(o, 'path', path(p.path));
      put(o, 'roles', [...p.roles]);
      put(o, 'tags', tags(p.tags));
      return o;
    }),
  );
  put(
    out,
    'oidcProviders',
    (await store.list<OidcProviderBody>(id, 'oidcProvider')).map(({ body: p }) => {
      const o: Out = { url: p.url.includes('://') ? p.url : `https://${p.url}` };
      put(o, 'clientIds', [...p.clientIds]);
      put(o, 'thumbprints', [...p.thumbprints]);
      put(o, 'tags', tags(p.tags));
      return o;
    }),
  );
  put(
    out,
    'samlProviders',
    (await store.list<SamlProviderBody>(id, 'samlProvider')).map(({ body: p }) => {
      const o: Out = { name: p.name, metadataDocument: p.metadataDocument };
      put(o, 'tags', tags(p.tags));
      return o;
    }),
  );
  return out;
}

/** The export as text: JSON (two-space indent) or YAML. */
export function formatSeed(seed: Out, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(seed, null, 2)}\n` : stringify(seed, { lineWidth: 0 });
}
