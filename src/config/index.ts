/**
 * Configuration: command-line options and environment, read once, validated together (every problem
 * reported before exiting) and frozen. No other module reads `process.env`.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** How strictly requests are enforced (issue 9 adds the permissive levels). */
export type AuthMode = 'enforce';

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
  /** The region reported where a region is needed (IMDS, audit `awsRegion` default). */
  readonly region: string;
}

/** The default port: 4566 would clash with LocalStack users' setups, so iamd uses 4599. */
export const DEFAULT_PORT = 4599;

/** The default data directory: `$IAMD_DATA_DIR`, else `~/.iamd`. */
export function defaultDataDir(env: Readonly<Record<string, string | undefined>>): string {
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
}

/** Thrown with every configuration problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

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
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    host: options.host ?? env.IAMD_HOST ?? '127.0.0.1',
    port,
    dataDir: memory ? undefined : (options.data ?? defaultDataDir(env)),
    memory,
    accountId,
    rootAccessKeyId,
    rootSecretAccessKey,
    masterKey: env.IAMD_MASTER_KEY,
    logLevel: options.logLevel ?? env.IAMD_LOG_LEVEL ?? 'info',
    testClock,
    authMode: 'enforce' as const,
    region: env.IAMD_REGION ?? 'us-east-1',
  });
}
