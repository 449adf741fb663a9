/**
 * Starts a real `iamd serve` for the development-level tests without the contract harness's fixed root
 * environment (moto-style suites bring only dummy credentials), and hands out SDK clients.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';

/** The `iamd` executable. */
export const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));

/** Static SDK credentials. */
export interface Creds {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** A running iamd and what it printed on start. */
export interface DevServer {
  readonly url: string;
  readonly process: ChildProcess;
  /** stderr up to and including the start-up lines. */
  readonly startup: string;
  /** Milliseconds from spawn to the "listening" line, measured by the test. */
  readonly wallMs: number;
  /** Everything the server wrote to stdout so far (its JSON log lines). */
  logs(): string;
  iam(creds: Creds): IAMClient;
  sts(creds: Creds): STSClient;
  stop(): Promise<void>;
}

/** Spawns `iamd serve --port 0 ARGS` with `env` added (no root-key environment unless given). */
export async function startDevServer(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<DevServer> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--log-level', 'warn', ...args], {
    env: { ...stripIamdEnv(process.env), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let wallMs = 0;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`iamd did not start:\n${stderr}`)), 20_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /iamd listening on (http:\/\/\S+)/.exec(stderr);
      if (m?.[1] !== undefined && wallMs === 0) wallMs = performance.now() - started;
      // The banner and the `point the AWS CLI` line follow the listening line.
      if (m?.[1] !== undefined && /point the AWS CLI/.test(stderr)) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`iamd exited with ${code}:\n${stderr}`));
    });
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const config = (creds: Creds) => ({
    endpoint: url,
    region: 'us-east-1',
    credentials: creds,
    maxAttempts: 1,
  });
  return {
    url,
    process: child,
    startup: stderr,
    wallMs,
    logs: () => stdout,
    iam: (c) => new IAMClient(config(c)),
    sts: (c) => new STSClient(config(c)),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The environment without IAMD_* variables, so a developer's own settings do not leak into tests. */
export function stripIamdEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (!k.startsWith('IAMD_') && v !== undefined) out[k] = v;
  return out;
}

/** Asserts an SDK error's name, HTTP status and message (STYLE.md: every error test asserts code and message). */
export async function rejectsWith(
  p: Promise<unknown>,
  name: string,
  status: number,
  message: string,
): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    assert.equal(err.name, name, `error name (message: ${err.message})`);
    assert.equal(err.$metadata?.httpStatusCode, status);
    assert.equal(err.message, message);
    return true;
  });
}
