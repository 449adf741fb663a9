/**
 * Configuration: command-line options and environment, read once, validated together (every problem
 * reported before exiting) and frozen. No other module reads `process.env`.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseRuntimeOptions, type RuntimeConfig, type RuntimeOptions } from './runtime-bindings.js';
import pino from 'pino';
import { parseGateway, type GatewayConfig } from './gateway.js';

export type { GatewayConfig, UpstreamConfig } from './gateway.js';

/**
 * How strictly requests are enforced (issue 9). `enforce` (default): signatures, credentials and
 * policies. `permissive`: an access key iamd does not know acts as an account root. `report-only`:
 * denials are logged and audited but the call succeeds. `off` (issue #21): any credentials, no
 * signature or time check, nothing denied, every call still evaluated and audited as at
 * `report-only`. All but `enforce` are development levels.
 */
export type AuthMode = 'enforce' | 'permissive' | 'report-only' | 'off';

/** Every {@link AuthMode}, for validation and help texts. */
export const AUTH_MODES: readonly AuthMode[] = ['enforce', 'permissive', 'report-only', 'off'];

/** Whether `host` names a loopback interface (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h)
  );
}

/** The validated, frozen configuration of one iamd process. */
export interface Config {
  readonly host: string;
  readonly port: number;
  /** Data directory holding `iamd.db` and `master.key`; undefined with `memory`. */
  readonly dataDir: string | undefined;
  readonly memory: boolean;
  /** Account created on a new store (`IAMD_ACCOUNT_ID`), else generated. */
  readonly accountId: string | undefined;
  /** Root access key of that account (`IAMD_ROOT_ACCESS_KEY_ID` / `IAMD_ROOT_SECRET_ACCESS_KEY`). */
  readonly rootAccessKeyId: string | undefined;
  readonly rootSecretAccessKey: string | undefined;
  /** Base64 master key (`IAMD_MASTER_KEY`); otherwise `DATA_DIR/master.key`. */
  readonly masterKey: string | undefined;
  readonly logLevel: string;
  /** Developer flag: enables `POST /_iamd/clock` to move the server clock forward (loudly logged). */
  readonly testClock: boolean;
  readonly authMode: AuthMode;
  /** Lets a development level bind a non-loopback address (`--allow-insecure-bind`). */
  readonly allowInsecureBind: boolean;
  /** Seed file applied at start and on reset (`--seed` / `IAMD_SEED`). */
  readonly seedFile: string | undefined;
  /** The region reported where a region is needed (IMDS, audit `awsRegion` default). */
  readonly region: string;
  /** Audit events older than this many days are deleted (hourly); undefined keeps them forever. */
  readonly auditRetentionDays?: number | undefined;
  /** Also append every audit event as one JSON line to this file. */
  readonly auditFile?: string | undefined;
  /** OIDC: allow `http://` issuers on loopback hosts (`--oidc-allow-http-loopback`; tests, local IdPs). */
  readonly oidcAllowHttpLoopback: boolean;
  /**
   * iamd's public base URL (`--public-url` / `IAMD_PUBLIC_URL`), the prefix of outbound-federation
   * issuers; undefined: the address iamd listens on.
   */
  readonly publicUrl?: string | undefined;
  /** SAML: refuse an assertion id seen before (`--saml-one-time-use`); AWS accepts replays while valid. */
  readonly samlOneTimeUse: boolean;
  /** SAML: audiences/recipients accepted besides AWS's sign-in endpoints (`IAMD_SAML_AUDIENCES`, comma-separated). */
  readonly samlAudiences: readonly string[];
  /** Runtime credentials: IMDS and the container credentials endpoint (`--imds`, `--container-credentials`). */
  readonly runtime: RuntimeConfig;
  /** PostgreSQL URL (`--database` / `IAMD_DATABASE_URL`): the shared store of several nodes; else SQLite. */
  readonly database?: string | undefined;
  /** Pooled PostgreSQL connections per node (`--database-pool-size` / `IAMD_DATABASE_POOL_SIZE`; default 10). */
  readonly databasePoolSize?: number | undefined;
  /**
   * Requests a second per account (issue 16) for IAM (`--rate-limit-iam` / `IAMD_RATE_LIMIT_IAM`) and
   * STS (`--rate-limit-sts` / `IAMD_RATE_LIMIT_STS`); undefined: unlimited (`0` or `off`).
   */
  readonly rateLimits: Readonly<Record<'iam' | 'sts', number | undefined>>;
  /**
   * Lock-out after failed MFA codes and console passwords (issue 16): `--lockout-threshold` /
   * `IAMD_LOCKOUT_THRESHOLD` free failures (default 5; `0` or `off`: no lock-out), then locks from one
   * minute doubling to `--lockout-max-seconds` / `IAMD_LOCKOUT_MAX_SECONDS` (default 3600).
   */
  readonly lockout?: LockoutSettings | undefined;
  /** The enforcing gateway (issue #18): upstreams by service; undefined when none is configured. */
  readonly gateway?: GatewayConfig | undefined;
}

/**
 * Default STS rate: AWS's documented default request quota for STS is 600 requests a second per account
 * per Region (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html, "AWS STS
 * request quotas").
 */
export const DEFAULT_RATE_LIMIT_STS = 600;

/**
 * Default IAM rate. AWS does not publish IAM's control-plane rates (they differ per API and are lower
 * than STS's; https://aws.amazon.com/blogs/security/how-to-monitor-and-query-iam-resources-at-scale-part-2/);
 * iamd takes 100 requests a second per account, a sixth of STS's, as the one budget for every IAM call.
 */
export const DEFAULT_RATE_LIMIT_IAM = 100;

/** Most requests a second a rate limit may name. */
export const MAX_RATE_LIMIT = 1_000_000;

/**
 * A lock-out policy (the arithmetic is src/credentials/lockout.ts, whose `LockoutPolicy` has this
 * shape): `threshold` free failures, then locks from `baseLockMs` doubling to `maxLockMs`; counts are
 * forgotten `resetAfterMs` after the last failure.
 */
export interface LockoutSettings {
  readonly threshold: number;
  readonly baseLockMs: number;
  readonly maxLockMs: number;
  readonly resetAfterMs: number;
}

/** Defaults: 5 free tries, then 1 minute doubling to at most 1 hour; counts forgotten after a day. */
export const DEFAULT_LOCKOUT_POLICY: LockoutSettings = Object.freeze({
  threshold: 5,
  baseLockMs: 60_000,
  maxLockMs: 3_600_000,
  resetAfterMs: 24 * 3_600_000,
});

/** Reads the lock-out policy: a threshold (`0`/`off`: none) and the longest lock. */
function parseLockout(
  thresholdText: string | undefined,
  maxText: string | undefined,
  problems: string[],
): LockoutSettings | undefined {
  const t = thresholdText?.trim().toLowerCase();
  if (t === 'off' || t === '0') return undefined;
  let threshold = DEFAULT_LOCKOUT_POLICY.threshold;
  if (t !== undefined) {
    if (/^\d+$/.test(t) && Number(t) <= 1000) threshold = Number(t);
    else
      problems.push(
        `lock-out threshold \`${thresholdText}\` is not a whole number of failures (1-1000), 0 or off (--lockout-threshold / IAMD_LOCKOUT_THRESHOLD)`,
      );
  }
  let maxLockMs = DEFAULT_LOCKOUT_POLICY.maxLockMs;
  if (maxText !== undefined) {
    const m = maxText.trim();
    if (/^\d+$/.test(m) && Number(m) >= 60 && Number(m) <= 86_400) maxLockMs = Number(m) * 1000;
    else
      problems.push(
        `lock-out maximum \`${maxText}\` is not a whole number of seconds from 60 to 86400 (--lockout-max-seconds / IAMD_LOCKOUT_MAX_SECONDS)`,
      );
  }
  return Object.freeze({ ...DEFAULT_LOCKOUT_POLICY, threshold, maxLockMs });
}

/** Reads one rate limit: a whole number of requests a second, `0` or `off` for none. */
function parseRateLimit(
  text: string | undefined,
  fallback: number,
  source: string,
  problems: string[],
): number | undefined {
  if (text === undefined) return fallback;
  const t = text.trim().toLowerCase();
  if (t === 'off') return undefined;
  if (/^\d+$/.test(t) && Number(t) <= MAX_RATE_LIMIT) return Number(t) === 0 ? undefined : Number(t);
  problems.push(
    `rate limit \`${text}\` is not a whole number of requests a second (1-${MAX_RATE_LIMIT}), 0 or off (${source})`,
  );
  return undefined;
}

/** The default port: 4566 would clash with LocalStack users' setups, so iamd uses 4599. */
export const DEFAULT_PORT = 4599;

/** The default data directory: `$IAMD_DATA_DIR`, else `~/.iamd`. */
/** The process environment, as the entry point (`bin/iamd.js`) hands it down; only config reads it. */
export type Env = Readonly<Record<string, string | undefined>>;

export function defaultDataDir(env: Env): string {
  return env.IAMD_DATA_DIR ?? join(homedir(), '.iamd');
}

/** Raw options as the CLI parsed them. */
export interface ConfigOptions {
  readonly host?: string | undefined;
  readonly port?: string | undefined;
  readonly data?: string | undefined;
  readonly memory?: boolean | undefined;
  readonly logLevel?: string | undefined;
  readonly testClock?: boolean | undefined;
  readonly auditRetentionDays?: string | undefined;
  readonly auditFile?: string | undefined;
  readonly auth?: string | undefined;
  readonly allowInsecureBind?: boolean | undefined;
  readonly seed?: string | undefined;
  readonly oidcAllowHttpLoopback?: boolean | undefined;
  readonly samlOneTimeUse?: boolean | undefined;
  readonly samlAudiences?: string | undefined;
  readonly publicUrl?: string | undefined;
  readonly runtime?: RuntimeOptions | undefined;
  readonly database?: string | undefined;
  readonly databasePoolSize?: string | undefined;
  readonly rateLimitIam?: string | undefined;
  readonly rateLimitSts?: string | undefined;
  readonly lockoutThreshold?: string | undefined;
  readonly lockoutMaxSeconds?: string | undefined;
  /** `--upstream SERVICE=URL`, repeatable. */
  readonly upstreams?: readonly string[] | undefined;
  /** `--upstream-credentials SERVICE=AKID:SECRET`, repeatable. */
  readonly upstreamCredentials?: readonly string[] | undefined;
}

/** Thrown with every configuration problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** pino's levels (`pino.levels.values`) and `silent`. */
const LOG_LEVELS: readonly string[] = [...Object.keys(pino.levels.values), 'silent'];

/** Builds the {@link Config} from CLI options and the environment; throws {@link ConfigError}. */
export function loadConfig(
  options: ConfigOptions,
  env: Readonly<Record<string, string | undefined>>,
): Config {
  const problems: string[] = [];
  const portText = options.port ?? env.IAMD_PORT ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    problems.push(`port \`${portText}\` is not a TCP port (0-65535)`);
  const accountId = env.IAMD_ACCOUNT_ID;
  if (accountId !== undefined && !/^\d{12}$/.test(accountId))
    problems.push(`IAMD_ACCOUNT_ID \`${accountId}\` is not a 12-digit account id`);
  const rootAccessKeyId = env.IAMD_ROOT_ACCESS_KEY_ID;
  const rootSecretAccessKey = env.IAMD_ROOT_SECRET_ACCESS_KEY;
  if ((rootAccessKeyId === undefined) !== (rootSecretAccessKey === undefined))
    problems.push('IAMD_ROOT_ACCESS_KEY_ID and IAMD_ROOT_SECRET_ACCESS_KEY must be set together');
  if (rootAccessKeyId !== undefined && !/^[A-Z0-9]{16,128}$/.test(rootAccessKeyId))
    problems.push('IAMD_ROOT_ACCESS_KEY_ID must be 16-128 upper-case letters and digits');
  if (rootSecretAccessKey !== undefined && rootSecretAccessKey.length < 16)
    problems.push('IAMD_ROOT_SECRET_ACCESS_KEY must be at least 16 characters');
  const memory = options.memory === true || env.IAMD_MEMORY === '1';
  const testClock = options.testClock === true || env.IAMD_TEST_CLOCK === '1';
  const authText = options.auth ?? env.IAMD_AUTH ?? 'enforce';
  const authMode = AUTH_MODES.find((m) => m === authText);
  if (authMode === undefined)
    problems.push(`auth level \`${authText}\` is not one of ${AUTH_MODES.join(', ')} (--auth / IAMD_AUTH)`);
  const logLevel = options.logLevel ?? env.IAMD_LOG_LEVEL ?? 'info';
  // An unknown level made pino throw at start-up ("unknown level"); it joins the problem list instead.
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(
      `log level \`${logLevel}\` is not one of ${LOG_LEVELS.join(', ')} (--log-level / IAMD_LOG_LEVEL)`,
    );
  const host = options.host ?? env.IAMD_HOST ?? '127.0.0.1';
  const allowInsecureBind = options.allowInsecureBind === true || env.IAMD_ALLOW_INSECURE_BIND === '1';
  // A development level on a reachable address would let anyone act as any account's root.
  if (authMode !== undefined && authMode !== 'enforce' && !isLoopbackHost(host) && !allowInsecureBind)
    problems.push(
      `auth level \`${authMode}\` refuses to bind the non-loopback address \`${host}\` (pass --allow-insecure-bind to insist)`,
    );
  const seedFile = options.seed ?? env.IAMD_SEED;
  if (seedFile === '') problems.push('the seed file name is empty (--seed / IAMD_SEED)');
  const samlAudiences = (options.samlAudiences ?? env.IAMD_SAML_AUDIENCES ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  for (const a of samlAudiences)
    if (!/^(https?:\/\/|urn:)\S+$/.test(a)) problems.push(`SAML audience \`${a}\` is not a URL or URN`);
  const publicUrl = options.publicUrl ?? env.IAMD_PUBLIC_URL;
  if (publicUrl !== undefined && !/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(publicUrl))
    problems.push(
      `public URL \`${publicUrl}\` is not an http(s) URL without query or fragment (--public-url / IAMD_PUBLIC_URL)`,
    );
  const runtime = parseRuntimeOptions(options.runtime ?? {}, env);
  problems.push(...runtime.problems);
  const database = options.database ?? env.IAMD_DATABASE_URL;
  if (database !== undefined && !/^postgres(ql)?:\/\/./.test(database))
    problems.push(
      'the database URL must start with postgres:// or postgresql:// (--database / IAMD_DATABASE_URL)',
    );
  if (database !== undefined && memory) problems.push('--memory and --database cannot be used together');
  const poolText = options.databasePoolSize ?? env.IAMD_DATABASE_POOL_SIZE;
  const databasePoolSize = poolText === undefined ? undefined : Number(poolText);
  if (
    poolText !== undefined &&
    !(/^\d+$/.test(poolText) && Number(poolText) >= 1 && Number(poolText) <= 1000)
  )
    problems.push(`database pool size \`${poolText}\` is not a number from 1 to 1000`);
  const retentionText = options.auditRetentionDays ?? env.IAMD_AUDIT_RETENTION_DAYS;
  if (retentionText !== undefined && !(/^\d+$/.test(retentionText) && Number(retentionText) >= 1))
    problems.push(`audit retention \`${retentionText}\` is not a whole number of days (1 or more)`);
  const auditFile = options.auditFile ?? env.IAMD_AUDIT_FILE;
  if (auditFile === '') problems.push('the audit file name is empty (--audit-file / IAMD_AUDIT_FILE)');
  const rateLimits = Object.freeze({
    iam: parseRateLimit(
      options.rateLimitIam ?? env.IAMD_RATE_LIMIT_IAM,
      DEFAULT_RATE_LIMIT_IAM,
      '--rate-limit-iam / IAMD_RATE_LIMIT_IAM',
      problems,
    ),
    sts: parseRateLimit(
      options.rateLimitSts ?? env.IAMD_RATE_LIMIT_STS,
      DEFAULT_RATE_LIMIT_STS,
      '--rate-limit-sts / IAMD_RATE_LIMIT_STS',
      problems,
    ),
  });
  const lockout = parseLockout(
    options.lockoutThreshold ?? env.IAMD_LOCKOUT_THRESHOLD,
    options.lockoutMaxSeconds ?? env.IAMD_LOCKOUT_MAX_SECONDS,
    problems,
  );
  const gateway = parseGateway(options.upstreams, options.upstreamCredentials, env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    gateway,
    auditRetentionDays: retentionText === undefined ? undefined : Number(retentionText),
    auditFile,
    host,
    port,
    dataDir: memory ? undefined : (options.data ?? defaultDataDir(env)),
    memory,
    accountId,
    rootAccessKeyId,
    rootSecretAccessKey,
    masterKey: env.IAMD_MASTER_KEY,
    logLevel,
    testClock,
    authMode: authMode ?? 'enforce',
    allowInsecureBind,
    seedFile,
    region: env.IAMD_REGION ?? 'us-east-1',
    oidcAllowHttpLoopback:
      options.oidcAllowHttpLoopback === true || env.IAMD_OIDC_ALLOW_HTTP_LOOPBACK === '1',
    samlOneTimeUse: options.samlOneTimeUse === true || env.IAMD_SAML_ONE_TIME_USE === '1',
    samlAudiences: Object.freeze(samlAudiences),
    publicUrl: publicUrl?.replace(/\/+$/, ''),
    runtime: Object.freeze(runtime.value),
    database,
    databasePoolSize,
    rateLimits,
    lockout,
  });
}
