/**
 * Which emulated instance or task gets which role: the `--instance` and `--task` options, and the
 * `HOST:PORT` listen addresses. Pure parsing; every function returns a problem text instead of throwing,
 * so the config layer can report every mistake at once.
 */

/** An emulated EC2 instance bound to an instance profile. */
export interface InstanceBinding {
  /** `i-` followed by 8 or 17 hex digits (EC2 API reference, Instance `InstanceId`). */
  readonly instanceId: string;
  readonly profileName: string;
  /** The profile's account; undefined means the server's default account. */
  readonly account: string | undefined;
  /** Client address this instance answers (when several instances share one endpoint). */
  readonly from: string | undefined;
}

/** An emulated ECS task bound to a task role. */
export interface TaskBinding {
  /** The path id: credentials are at `/v2/credentials/ID`, as the ECS agent serves them. */
  readonly taskId: string;
  readonly roleName: string;
  readonly account: string | undefined;
}

/** A `HOST:PORT` to listen on. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** A parse result: the value, or the problem in words. */
export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** IAM name pattern `[\w+=,.@-]+` (IAM API reference, InstanceProfileName / RoleName). */
const IAM_NAME = /^[\w+=,.@-]{1,128}$/;
const TASK_ID = /^[A-Za-z0-9-]{1,64}$/;

/** Splits `NAME[@ACCOUNT]`: the last `@` followed by 12 digits is the account (names may contain `@`). */
function nameAndAccount(text: string): { name: string; account: string | undefined } {
  const at = text.lastIndexOf('@');
  if (at > 0 && /^\d{12}$/.test(text.slice(at + 1)))
    return { name: text.slice(0, at), account: text.slice(at + 1) };
  return { name: text, account: undefined };
}

/** Parses `i-0123456789abcdef0=PROFILE[@ACCOUNT][,from=ADDRESS]`. */
export function parseInstanceBinding(spec: string): Parsed<InstanceBinding> {
  const eq = spec.indexOf('=');
  const bad = (why: string): Parsed<InstanceBinding> => ({
    ok: false,
    problem: `--instance \`${spec}\`: ${why} (expected i-0123456789abcdef0=PROFILE[@ACCOUNT][,from=ADDRESS])`,
  });
  if (eq < 0) return bad('missing `=`');
  const instanceId = spec.slice(0, eq);
  if (!INSTANCE_ID.test(instanceId)) return bad(`\`${instanceId}\` is not an instance id`);
  const [target = '', ...options] = spec.slice(eq + 1).split(',');
  const { name, account } = nameAndAccount(target);
  if (!IAM_NAME.test(name)) return bad(`\`${name}\` is not an instance profile name`);
  let from: string | undefined;
  for (const o of options) {
    if (!o.startsWith('from=') || o.length === 'from='.length) return bad(`unknown option \`${o}\``);
    from = o.slice('from='.length);
  }
  return { ok: true, value: { instanceId, profileName: name, account, from } };
}

/** Parses `TASK_ID=ROLE[@ACCOUNT]`. */
export function parseTaskBinding(spec: string): Parsed<TaskBinding> {
  const eq = spec.indexOf('=');
  const bad = (why: string): Parsed<TaskBinding> => ({
    ok: false,
    problem: `--task \`${spec}\`: ${why} (expected TASK_ID=ROLE[@ACCOUNT])`,
  });
  if (eq < 0) return bad('missing `=`');
  const taskId = spec.slice(0, eq);
  if (!TASK_ID.test(taskId)) return bad(`\`${taskId}\` is not a task id (letters, digits, -)`);
  const { name, account } = nameAndAccount(spec.slice(eq + 1));
  if (!IAM_NAME.test(name)) return bad(`\`${name}\` is not a role name`);
  return { ok: true, value: { taskId, roleName: name, account } };
}

/** Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (host 127.0.0.1). */
export function parseListenAddress(option: string, text: string): Parsed<ListenAddress> {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    return {
      ok: false,
      problem: `${option} \`${text}\` is not HOST:PORT (port 0-65535; 0 picks a free one)`,
    };
  const host = m[1] ?? (m[2] === '' || m[2] === undefined ? '127.0.0.1' : m[2]);
  return { ok: true, value: { host, port } };
}

/**
 * The instance a client address belongs to: the one whose `from` is that address; otherwise the one
 * instance without `from` when there is exactly one. IPv4-mapped IPv6 (`::ffff:a.b.c.d`) matches `a.b.c.d`.
 */
export function instanceForAddress<T extends InstanceBinding>(
  instances: readonly T[],
  address: string,
): T | undefined {
  const plain = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  const exact = instances.find((i) => i.from !== undefined && (i.from === plain || i.from === address));
  if (exact) return exact;
  const open = instances.filter((i) => i.from === undefined);
  return open.length === 1 ? open[0] : undefined;
}

/** The runtime-credential part of the configuration (`Config.runtime`). */
export interface RuntimeConfig {
  /** IMDS listen address (`--imds HOST:PORT` / `IAMD_IMDS`); undefined: no IMDS. */
  readonly imds: ListenAddress | undefined;
  readonly imdsInstances: readonly InstanceBinding[];
  /** `--imds-v2-only` / `IAMD_IMDS_V2_ONLY=1`: IMDSv1 reads get 401. */
  readonly imdsV2Only: boolean;
  /** Container credentials listen address (`--container-credentials HOST:PORT` / `IAMD_CONTAINER_CREDENTIALS`). */
  readonly containerCredentials: ListenAddress | undefined;
  readonly containerTasks: readonly TaskBinding[];
  /** `IAMD_CONTAINER_AUTHORIZATION_TOKEN`; generated (and printed once) when unset. */
  readonly containerToken: string | undefined;
}

/** Raw runtime options as the CLI parsed them. */
export interface RuntimeOptions {
  readonly imds?: string | undefined;
  readonly instances?: readonly string[] | undefined;
  readonly imdsV2Only?: boolean | undefined;
  readonly containerCredentials?: string | undefined;
  readonly tasks?: readonly string[] | undefined;
}

/** Validates the runtime options and environment; every problem is returned, nothing thrown. */
export function parseRuntimeOptions(
  options: RuntimeOptions,
  env: Readonly<Record<string, string | undefined>>,
): { readonly value: RuntimeConfig; readonly problems: readonly string[] } {
  const problems: string[] = [];
  const address = (option: string, text: string | undefined): ListenAddress | undefined => {
    if (text === undefined) return undefined;
    const r = parseListenAddress(option, text);
    if (!r.ok) problems.push(r.problem);
    return r.ok ? r.value : undefined;
  };
  const imdsText = options.imds ?? env.IAMD_IMDS;
  const imds = address('--imds', imdsText);
  const imdsInstances: InstanceBinding[] = [];
  for (const spec of options.instances ?? []) {
    const r = parseInstanceBinding(spec);
    if (r.ok) imdsInstances.push(r.value);
    else problems.push(r.problem);
  }
  const containerText = options.containerCredentials ?? env.IAMD_CONTAINER_CREDENTIALS;
  const containerCredentials = address('--container-credentials', containerText);
  const containerTasks: TaskBinding[] = [];
  for (const spec of options.tasks ?? []) {
    const r = parseTaskBinding(spec);
    if (r.ok) containerTasks.push(r.value);
    else problems.push(r.problem);
  }
  const containerToken = env.IAMD_CONTAINER_AUTHORIZATION_TOKEN;
  if (imdsText !== undefined && (options.instances ?? []).length === 0)
    problems.push('--imds needs at least one --instance i-…=PROFILE');
  if (imdsText === undefined && (options.instances ?? []).length > 0)
    problems.push('--instance needs --imds HOST:PORT');
  if (containerText !== undefined && (options.tasks ?? []).length === 0)
    problems.push('--container-credentials needs at least one --task ID=ROLE');
  if (containerText === undefined && (options.tasks ?? []).length > 0)
    problems.push('--task needs --container-credentials HOST:PORT');
  if (containerToken !== undefined && (containerToken.length < 16 || /[\r\n]/.test(containerToken)))
    problems.push('IAMD_CONTAINER_AUTHORIZATION_TOKEN must be at least 16 characters on one line');
  const ids = imdsInstances.map((i) => i.instanceId);
  for (const id of new Set(ids.filter((x, n) => ids.indexOf(x) !== n)))
    problems.push(`--instance ${id} is given twice`);
  const tids = containerTasks.map((t) => t.taskId);
  for (const id of new Set(tids.filter((x, n) => tids.indexOf(x) !== n)))
    problems.push(`--task ${id} is given twice`);
  return {
    value: {
      imds,
      imdsInstances,
      imdsV2Only: options.imdsV2Only === true || env.IAMD_IMDS_V2_ONLY === '1',
      containerCredentials,
      containerTasks,
      containerToken,
    },
    problems,
  };
}
