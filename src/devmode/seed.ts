/**
 * Seed files (issue 9): a declarative description of accounts and their IAM entities, in JSON or YAML,
 * parsed with the `yaml` package so every problem carries the line and column it refers to. This module
 * only parses and checks the shape; the IAM rules themselves (name patterns, policy grammar, limits) are
 * checked when the seed is applied, by the same handlers and model validation the API uses
 * (see apply.ts), and reported at the location of the item that caused them.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { checkOrganization, type SeedOrganization } from './org-seed.js';

/** A location-carrying path into the seed document: keys and list indexes. */
export type SeedPath = readonly (string | number)[];

/** One problem in a seed file, with its place. */
export interface SeedProblem {
  readonly path: SeedPath;
  /** 1-based; 0 when the place is unknown. */
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Thrown with every problem of a seed file (or the one that stopped applying it). Nothing was applied. */
export class SeedError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly SeedProblem[],
  ) {
    super(
      `seed file ${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}, nothing applied\n` +
        problems.map((p) => `  ${formatProblem(file, p)}`).join('\n'),
    );
    this.name = 'SeedError';
  }
}

/** `FILE:LINE:COL: PATH: MESSAGE`, the way compilers print it so editors can jump there. */
export function formatProblem(file: string, p: SeedProblem): string {
  const where = p.line > 0 ? `${file}:${p.line}:${p.column}` : file;
  const path = formatPath(p.path);
  return `${where}: ${path === '' ? '' : `${path}: `}${p.message}`;
}

/** `accounts[0].users[1].name` */
export function formatPath(path: SeedPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out;
}

/** A policy document: JSON text, or the parsed object (serialised with `JSON.stringify`). */
export type SeedDocument = string | Readonly<Record<string, unknown>>;

/** Tags as `{Key: Value}` or as AWS's list of `{Key, Value}`. */
export type SeedTags = readonly { readonly Key: string; readonly Value: string }[];

/** An access key with an id fixed by the file (the secret is generated when omitted). */
export interface SeedAccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey?: string | undefined;
  readonly status: 'Active' | 'Inactive';
}

/** Inline policies by name, attached managed policies (ARNs, or names of this account's policies). */
interface WithPolicies {
  readonly policies: readonly (readonly [string, SeedDocument])[];
  readonly managedPolicies: readonly string[];
}

/** A customer managed policy. */
export interface SeedManagedPolicy {
  readonly name: string;
  readonly path?: string | undefined;
  readonly description?: string | undefined;
  readonly document: SeedDocument;
  readonly tags: SeedTags;
}

/** A group. */
export interface SeedGroup extends WithPolicies {
  readonly name: string;
  readonly path?: string | undefined;
}

/** A user's console password: given in clear (hashed on apply) or as a stored hash (from `export`). */
export interface SeedLoginProfile {
  readonly password?: string | undefined;
  readonly passwordHash?: string | undefined;
  readonly passwordResetRequired: boolean;
}

/** A user. */
export interface SeedUser extends WithPolicies {
  readonly name: string;
  readonly path?: string | undefined;
  readonly permissionsBoundary?: string | undefined;
  readonly tags: SeedTags;
  readonly groups: readonly string[];
  readonly accessKeys: readonly SeedAccessKey[];
  readonly loginProfile?: SeedLoginProfile | undefined;
}

/** A role. */
export interface SeedRole extends WithPolicies {
  readonly name: string;
  readonly path?: string | undefined;
  readonly description?: string | undefined;
  readonly maxSessionDuration?: number | undefined;
  readonly assumeRolePolicy: SeedDocument;
  readonly permissionsBoundary?: string | undefined;
  readonly tags: SeedTags;
}

/** An instance profile and its role (AWS allows at most one). */
export interface SeedInstanceProfile {
  readonly name: string;
  readonly path?: string | undefined;
  readonly roles: readonly string[];
  readonly tags: SeedTags;
}

/** An OpenID Connect identity provider. */
export interface SeedOidcProvider {
  readonly url: string;
  readonly clientIds: readonly string[];
  readonly thumbprints: readonly string[];
  readonly tags: SeedTags;
}

/** A SAML identity provider. */
export interface SeedSamlProvider {
  readonly name: string;
  readonly metadataDocument: string;
  readonly tags: SeedTags;
}

/** One account and everything in it. */
export interface SeedAccount {
  readonly id: string;
  readonly alias?: string | undefined;
  readonly rootAccessKeys: readonly SeedAccessKey[];
  /** UpdateAccountPasswordPolicy's members, as AWS names them. */
  readonly passwordPolicy?: Readonly<Record<string, number | boolean>> | undefined;
  readonly policies: readonly SeedManagedPolicy[];
  readonly groups: readonly SeedGroup[];
  readonly users: readonly SeedUser[];
  readonly roles: readonly SeedRole[];
  readonly instanceProfiles: readonly SeedInstanceProfile[];
  readonly oidcProviders: readonly SeedOidcProvider[];
  readonly samlProviders: readonly SeedSamlProvider[];
}

/** A whole seed file. */
export interface Seed {
  readonly accounts: readonly SeedAccount[];
  /** Organizations (issue 19), applied after the accounts they place. */
  readonly organizations: readonly SeedOrganization[];
}

/**
 * Where a path points in the file (1-based line and column; 0 when unknown): the value's position, or
 * with `atKey` the position of the last mapping key (for "unknown field" problems).
 */
export type Locate = (path: SeedPath, atKey?: boolean) => { line: number; column: number };

/** A parsed, shape-checked seed and a way to point at its parts. */
export interface ParsedSeed {
  readonly file: string;
  readonly seed: Seed;
  readonly locate: Locate;
}

/** The password policy members UpdateAccountPasswordPolicy takes (IAM API reference). */
const PASSWORD_POLICY_MEMBERS: Readonly<Record<string, 'number' | 'boolean'>> = Object.assign(
  Object.create(null) as Record<string, 'number' | 'boolean'>,
  {
    MinimumPasswordLength: 'number',
    RequireSymbols: 'boolean',
    RequireNumbers: 'boolean',
    RequireUppercaseCharacters: 'boolean',
    RequireLowercaseCharacters: 'boolean',
    AllowUsersToChangePassword: 'boolean',
    MaxPasswordAge: 'number',
    PasswordReusePrevention: 'number',
    HardExpiry: 'boolean',
  },
);

/**
 * Parses and shape-checks a seed file (JSON is YAML 1.2, so one parser serves both and gives both
 * positions). Throws {@link SeedError} listing every problem found.
 */
export function parseSeed(text: string, file: string): ParsedSeed {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locate = locator(doc, lineCounter);
  if (doc.errors.length > 0) {
    throw new SeedError(
      file,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: [], line: pos.line, column: pos.col, message: e.message.split('\n')[0] ?? e.message };
      }),
    );
  }
  const problems: SeedProblem[] = [];
  const check = new Checker(problems, locate);
  const seed = check.seed(doc.toJS({ maxAliasCount: 100 }) as unknown);
  if (problems.length > 0) throw new SeedError(file, problems);
  return { file, seed, locate };
}

/** Finds the node a path names (the deepest existing one), for its position. */
function locator(doc: Document, lineCounter: LineCounter): Locate {
  return (path, atKey = false) => {
    let node: unknown = doc.contents;
    let at: Node | undefined = isNode(node) ? node : undefined;
    for (const [i, part] of path.entries()) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === part);
        if (!pair) break;
        node = pair.value;
        const last = i === path.length - 1;
        if (isNode(pair.value) && !(last && atKey)) at = pair.value;
        else if (isNode(pair.key)) at = pair.key;
      } else if (isSeq(node) && typeof part === 'number') {
        node = node.items[part];
        if (isNode(node)) at = node;
        else break;
      } else break;
    }
    const offset = at?.range?.[0];
    if (offset === undefined) return { line: 0, column: 0 };
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && 'range' in v;
}

type Obj = Record<string, unknown>;

/** Collects shape problems with their places; each method returns a typed value (or a placeholder). */
class Checker {
  constructor(
    private readonly problems: SeedProblem[],
    private readonly locate: Locate,
  ) {}

  problem(path: SeedPath, message: string, atKey = false): void {
    const { line, column } = this.locate(path, atKey);
    this.problems.push({ path, line, column, message });
  }

  /** A mapping with only `known` keys (`required` ones present). */
  object(v: unknown, path: SeedPath, known: readonly string[], required: readonly string[] = []): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.problem(path, 'must be a mapping');
      return {};
    }
    const o = v as Obj;
    for (const k of Object.keys(o))
      if (!known.includes(k))
        this.problem([...path, k], `unknown field \`${k}\` (expected one of ${known.join(', ')})`, true);
    for (const k of required) if (o[k] === undefined) this.problem(path, `\`${k}\` is required`);
    return o;
  }

  list(v: unknown, path: SeedPath): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.problem(path, 'must be a list');
      return [];
    }
    return v;
  }

  string(v: unknown, path: SeedPath, pattern?: RegExp, patternText?: string): string | undefined {
    if (v === undefined) return undefined;
    // YAML reads `123456789012` and `true` as numbers and booleans; ids and names are strings.
    if (typeof v === 'number' && Number.isSafeInteger(v)) v = String(v);
    if (typeof v !== 'string') {
      this.problem(path, 'must be a string');
      return undefined;
    }
    if (pattern && !pattern.test(v)) this.problem(path, `\`${v}\` ${patternText ?? `must match ${pattern}`}`);
    return v;
  }

  strings(v: unknown, path: SeedPath): string[] {
    return this.list(v, path)
      .map((s, i) => this.string(s, [...path, i]))
      .filter((s): s is string => s !== undefined);
  }

  boolean(v: unknown, path: SeedPath): boolean | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') {
      this.problem(path, 'must be true or false');
      return undefined;
    }
    return v;
  }

  integer(v: unknown, path: SeedPath): number | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      this.problem(path, 'must be an integer');
      return undefined;
    }
    return v;
  }

  document(v: unknown, path: SeedPath): SeedDocument {
    if (typeof v === 'string') return v;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Obj;
    this.problem(path, 'must be a policy document (a mapping, or its JSON text)');
    return '';
  }

  tags(v: unknown, path: SeedPath): SeedTags {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v))
      return v.map((t, i) => {
        const o = this.object(t, [...path, i], ['Key', 'Value'], ['Key']);
        return {
          Key: this.string(o.Key, [...path, i, 'Key']) ?? '',
          Value: this.string(o.Value, [...path, i, 'Value']) ?? '',
        };
      });
    if (typeof v === 'object') {
      return Object.entries(v as Obj).map(([Key, value]) => ({
        Key,
        Value: (typeof value === 'boolean' ? String(value) : this.string(value, [...path, Key])) ?? '',
      }));
    }
    this.problem(path, 'must be a mapping of tag keys to values, or a list of {Key, Value}');
    return [];
  }

  inlinePolicies(v: unknown, path: SeedPath): [string, SeedDocument][] {
    if (v === undefined || v === null) return [];
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.problem(path, 'must be a mapping of policy names to documents');
      return [];
    }
    return Object.entries(v as Obj).map(([name, doc]) => [name, this.document(doc, [...path, name])]);
  }

  accessKey(v: unknown, path: SeedPath): SeedAccessKey {
    const o = this.object(v, path, ['accessKeyId', 'secretAccessKey', 'status'], ['accessKeyId']);
    const status = this.string(
      o.status,
      [...path, 'status'],
      /^(Active|Inactive)$/,
      'must be Active or Inactive',
    );
    return {
      // IAM's AccessKeyId shape: 16-128 word characters (IAM API reference, AccessKey).
      accessKeyId:
        this.string(
          o.accessKeyId,
          [...path, 'accessKeyId'],
          /^\w{16,128}$/,
          'must be 16-128 letters and digits',
        ) ?? '',
      secretAccessKey: this.string(
        o.secretAccessKey,
        [...path, 'secretAccessKey'],
        /^\S{1,128}$/,
        'must be 1-128 characters without spaces',
      ),
      status: status === 'Inactive' ? 'Inactive' : 'Active',
    };
  }

  withPolicies(o: Obj, path: SeedPath): WithPolicies {
    return {
      policies: this.inlinePolicies(o.policies, [...path, 'policies']),
      managedPolicies: this.strings(o.managedPolicies, [...path, 'managedPolicies']),
    };
  }

  seed(v: unknown): Seed {
    const o = this.object(v ?? {}, [], ['version', 'accounts', 'organizations']);
    if (o.version !== undefined && o.version !== 1) this.problem(['version'], 'only version 1 is known');
    const ids = new Set<string>();
    const accounts = this.list(o.accounts, ['accounts']).map((a, i) => {
      const account = this.account(a, ['accounts', i]);
      if (ids.has(account.id))
        this.problem(['accounts', i, 'id'], `account \`${account.id}\` is listed twice`);
      ids.add(account.id);
      return account;
    });
    const managers = new Set<string>();
    const organizations = this.list(o.organizations, ['organizations']).map((x, i) => {
      const org = checkOrganization(this, x, ['organizations', i]);
      if (managers.has(org.managementAccount))
        this.problem(
          ['organizations', i, 'managementAccount'],
          `account \`${org.managementAccount}\` manages two organizations`,
        );
      managers.add(org.managementAccount);
      return org;
    });
    return { accounts, organizations };
  }

  account(v: unknown, path: SeedPath): SeedAccount {
    const o = this.object(
      v,
      path,
      [
        'id',
        'alias',
        'rootAccessKeys',
        'passwordPolicy',
        'policies',
        'groups',
        'users',
        'roles',
        'instanceProfiles',
        'oidcProviders',
        'samlProviders',
      ],
      ['id'],
    );
    const each = <T>(key: string, f: (item: unknown, p: SeedPath) => T): T[] =>
      this.list(o[key], [...path, key]).map((item, i) => f(item, [...path, key, i]));
    return {
      id: this.string(o.id, [...path, 'id'], /^\d{12}$/, 'is not a 12-digit account id') ?? '',
      alias: this.string(o.alias, [...path, 'alias']),
      rootAccessKeys: each('rootAccessKeys', (k, p) => this.accessKey(k, p)),
      passwordPolicy:
        o.passwordPolicy === undefined
          ? undefined
          : this.passwordPolicy(o.passwordPolicy, [...path, 'passwordPolicy']),
      policies: each('policies', (p, at) => this.managedPolicy(p, at)),
      groups: each('groups', (g, at) => this.group(g, at)),
      users: each('users', (u, at) => this.user(u, at)),
      roles: each('roles', (r, at) => this.role(r, at)),
      instanceProfiles: each('instanceProfiles', (p, at) => this.instanceProfile(p, at)),
      oidcProviders: each('oidcProviders', (p, at) => this.oidcProvider(p, at)),
      samlProviders: each('samlProviders', (p, at) => this.samlProvider(p, at)),
    };
  }

  passwordPolicy(v: unknown, path: SeedPath): Record<string, number | boolean> {
    const o = this.object(v, path, Object.keys(PASSWORD_POLICY_MEMBERS));
    const out: Record<string, number | boolean> = Object.create(null) as Record<string, number | boolean>;
    for (const [k, value] of Object.entries(o)) {
      const type = PASSWORD_POLICY_MEMBERS[k];
      const parsed =
        type === 'number'
          ? this.integer(value, [...path, k])
          : type === 'boolean'
            ? this.boolean(value, [...path, k])
            : undefined;
      if (parsed !== undefined) out[k] = parsed;
    }
    return out;
  }

  managedPolicy(v: unknown, path: SeedPath): SeedManagedPolicy {
    const o = this.object(v, path, ['name', 'path', 'description', 'document', 'tags'], ['name', 'document']);
    return {
      name: this.string(o.name, [...path, 'name']) ?? '',
      path: this.string(o.path, [...path, 'path']),
      description: this.string(o.description, [...path, 'description']),
      document: o.document === undefined ? '' : this.document(o.document, [...path, 'document']),
      tags: this.tags(o.tags, [...path, 'tags']),
    };
  }

  group(v: unknown, path: SeedPath): SeedGroup {
    const o = this.object(v, path, ['name', 'path', 'policies', 'managedPolicies'], ['name']);
    return {
      name: this.string(o.name, [...path, 'name']) ?? '',
      path: this.string(o.path, [...path, 'path']),
      ...this.withPolicies(o, path),
    };
  }

  user(v: unknown, path: SeedPath): SeedUser {
    const o = this.object(
      v,
      path,
      [
        'name',
        'path',
        'permissionsBoundary',
        'tags',
        'groups',
        'policies',
        'managedPolicies',
        'accessKeys',
        'loginProfile',
      ],
      ['name'],
    );
    let loginProfile: SeedLoginProfile | undefined;
    if (o.loginProfile !== undefined) {
      const lp = [...path, 'loginProfile'];
      const p = this.object(o.loginProfile, lp, ['password', 'passwordHash', 'passwordResetRequired']);
      const password = this.string(p.password, [...lp, 'password']);
      const passwordHash = this.string(
        p.passwordHash,
        [...lp, 'passwordHash'],
        /^scrypt\$/,
        'is not a hash iamd exported',
      );
      if ((password === undefined) === (passwordHash === undefined))
        this.problem(lp, 'give exactly one of `password` and `passwordHash`');
      loginProfile = {
        password,
        passwordHash,
        passwordResetRequired:
          this.boolean(p.passwordResetRequired, [...lp, 'passwordResetRequired']) ?? false,
      };
    }
    return {
      name: this.string(o.name, [...path, 'name']) ?? '',
      path: this.string(o.path, [...path, 'path']),
      permissionsBoundary: this.string(o.permissionsBoundary, [...path, 'permissionsBoundary']),
      tags: this.tags(o.tags, [...path, 'tags']),
      groups: this.strings(o.groups, [...path, 'groups']),
      ...this.withPolicies(o, path),
      accessKeys: this.list(o.accessKeys, [...path, 'accessKeys']).map((k, i) =>
        this.accessKey(k, [...path, 'accessKeys', i]),
      ),
      loginProfile,
    };
  }

  role(v: unknown, path: SeedPath): SeedRole {
    const o = this.object(
      v,
      path,
      [
        'name',
        'path',
        'description',
        'maxSessionDuration',
        'assumeRolePolicy',
        'permissionsBoundary',
        'tags',
        'policies',
        'managedPolicies',
      ],
      ['name', 'assumeRolePolicy'],
    );
    return {
      name: this.string(o.name, [...path, 'name']) ?? '',
      path: this.string(o.path, [...path, 'path']),
      description: this.string(o.description, [...path, 'description']),
      maxSessionDuration: this.integer(o.maxSessionDuration, [...path, 'maxSessionDuration']),
      assumeRolePolicy:
        o.assumeRolePolicy === undefined
          ? ''
          : this.document(o.assumeRolePolicy, [...path, 'assumeRolePolicy']),
      permissionsBoundary: this.string(o.permissionsBoundary, [...path, 'permissionsBoundary']),
      tags: this.tags(o.tags, [...path, 'tags']),
      ...this.withPolicies(o, path),
    };
  }

  instanceProfile(v: unknown, path: SeedPath): SeedInstanceProfile {
    const o = this.object(v, path, ['name', 'path', 'roles', 'tags'], ['name']);
    return {
      name: this.string(o.name, [...path, 'name']) ?? '',
      path: this.string(o.path, [...path, 'path']),
      roles: this.strings(o.roles, [...path, 'roles']),
      tags: this.tags(o.tags, [...path, 'tags']),
    };
  }

  oidcProvider(v: unknown, path: SeedPath): SeedOidcProvider {
    const o = this.object(v, path, ['url', 'clientIds', 'thumbprints', 'tags'], ['url']);
    return {
      url: this.string(o.url, [...path, 'url']) ?? '',
      clientIds: this.strings(o.clientIds, [...path, 'clientIds']),
      thumbprints: this.strings(o.thumbprints, [...path, 'thumbprints']),
      tags: this.tags(o.tags, [...path, 'tags']),
    };
  }

  samlProvider(v: unknown, path: SeedPath): SeedSamlProvider {
    const o = this.object(v, path, ['name', 'metadataDocument', 'tags'], ['name', 'metadataDocument']);
    return {
      name: this.string(o.name, [...path, 'name']) ?? '',
      metadataDocument: this.string(o.metadataDocument, [...path, 'metadataDocument']) ?? '',
      tags: this.tags(o.tags, [...path, 'tags']),
    };
  }
}
