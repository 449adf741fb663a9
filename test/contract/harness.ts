/**
 * Contract-test harness: starts a real `iamd serve` process (in-memory store, free port, fixed root
 * credentials, test clock) and hands out real AWS SDK v3 clients pointed at it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';

/** Fixed root credentials of the test account (deterministic, as issue 3 asks). */
export const ROOT = {
  accountId: '111122223333',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
} as const;

/**
 * Arguments that turn request throttling off (issue 16). Servers run with the default rates (IAM 100,
 * STS 600 a second per account) unless a test passes these: only the load tests, which drive one
 * account far past AWS's rates on purpose, do.
 */
export const UNTHROTTLED: readonly string[] = ['--rate-limit-iam', 'off', '--rate-limit-sts', 'off'];

/** Static credentials for an SDK client. */
export interface Creds {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** A running iamd for one test file. */
export interface TestServer {
  readonly url: string;
  readonly process: ChildProcess;
  iam(creds?: Creds): IAMClient;
  sts(creds?: Creds): STSClient;
  /** Moves the server clock forward (test clock). */
  advance(seconds: number): Promise<void>;
  stop(): Promise<void>;
}

const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));

/** Starts `iamd serve --memory --port 0 --test-clock` and waits until it listens. */
export async function startIamd(
  extraArgs: readonly string[] = [],
  extraEnv: Record<string, string> = {},
): Promise<TestServer> {
  return startIamdWith(['--memory'], extraArgs, extraEnv);
}

/**
 * Starts `iamd serve --data DIR --port 0 --test-clock` (a SQLite store in `dir` that other processes —
 * `iamd accounts create`, a second server — can share), with the same fixed root credentials.
 */
export async function startIamdOnData(dir: string, extraArgs: readonly string[] = []): Promise<TestServer> {
  return startIamdWith(['--data', dir], extraArgs, {});
}

async function startIamdWith(
  storeArgs: readonly string[],
  extraArgs: readonly string[],
  extraEnv: Record<string, string>,
): Promise<TestServer> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', ...storeArgs, '--port', '0', '--test-clock', '--log-level', 'warn', ...extraArgs],
    {
      env: {
        ...process.env,
        IAMD_ACCOUNT_ID: ROOT.accountId,
        IAMD_ROOT_ACCESS_KEY_ID: ROOT.accessKeyId,
        IAMD_ROOT_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`iamd did not start:\n${stderr}`)), 20_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /iamd listening on (http:\/\/[^\s]+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`iamd exited with ${code}:\n${stderr}`));
    });
  });
  child.stdout!.resume();
  const clientConfig = (creds: Creds = ROOT) => ({
    endpoint: url,
    region: 'us-east-1',
    credentials: {
      accessKeyId: creds.accessKeyId,
      secretAccessKey: creds.secretAccessKey,
      sessionToken: creds.sessionToken,
    },
    maxAttempts: 1,
  });
  return {
    url,
    process: child,
    iam: (creds) => new IAMClient(clientConfig(creds)),
    sts: (creds) => new STSClient(clientConfig(creds)),
    async advance(seconds) {
      const r = await fetch(`${url}/_iamd/clock`, {
        method: 'POST',
        body: JSON.stringify({ advanceSeconds: seconds }),
      });
      if (!r.ok) throw new Error(`clock: ${r.status}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
