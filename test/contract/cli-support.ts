/**
 * Driving the AWS CLI against a real iamd: `/usr/bin/aws` (CLI v2, Debian `awscli`) when installed,
 * else `aws` on PATH (v1). Credentials come from the environment, as the CLI docs describe
 * ("Environment variables to configure the AWS CLI"); the user's own config and any pager are kept out.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './harness.js';

/** The aws binary to use, or undefined when none is installed. */
export function findAws(): string | undefined {
  if (existsSync('/usr/bin/aws')) return '/usr/bin/aws';
  const r = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? 'aws' : undefined;
}

/** What one CLI run gave. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs CLI commands as the account root against the server at `url()`, with `home()` as HOME. */
export function cliRunner(
  bin: string | undefined,
  url: () => string,
  home: () => string,
): {
  aws(...args: string[]): Promise<CliResult>;
  ok(...args: string[]): Promise<Record<string, unknown>>;
} {
  /** Runs `aws ARGS --endpoint-url URL --output json`. */
  const aws = (...args: string[]): Promise<CliResult> =>
    new Promise((resolve) => {
      execFile(
        bin!,
        [...args, '--endpoint-url', url(), '--output', 'json'],
        {
          env: {
            PATH: process.env.PATH ?? '/usr/bin:/bin',
            HOME: home(),
            AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
            AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
            AWS_DEFAULT_REGION: 'us-east-1',
            AWS_CONFIG_FILE: join(home(), 'config'),
            AWS_SHARED_CREDENTIALS_FILE: join(home(), 'credentials'),
            AWS_PAGER: '',
          },
          timeout: 30_000,
        },
        (err, stdout, stderr) => {
          const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
          resolve({ code, stdout, stderr });
        },
      );
    });
  /** Runs a command that must succeed and parses its JSON output. */
  const ok = async (...args: string[]): Promise<Record<string, unknown>> => {
    const r = await aws(...args);
    assert.equal(r.code, 0, `aws ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout.trim() === '' ? {} : (JSON.parse(r.stdout) as Record<string, unknown>);
  };
  return { aws, ok };
}
