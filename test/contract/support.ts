/**
 * Assertions the contract tests share. Every error test asserts code AND message (STYLE.md); the IAM
 * tests also pin the SDK's `$fault` (`client` for every 4xx AWS error, as the SDK derives it from the
 * modelled error or the HTTP status; AWS SDK for JavaScript v3, "Error handling").
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { Creds } from './harness.js';

/** The parts of an SDK v3 service error these tests assert. */
export interface SdkError {
  name: string;
  message: string;
  $fault: string;
  $metadata: { httpStatusCode?: number };
}

/** Awaits `p`, which must reject, and returns the SDK error. */
export async function rejection(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    return e as SdkError;
  }
  assert.fail('expected the call to fail');
}

/**
 * Asserts that `p` fails with an AWS error: `name` is the SDK's error name (the wire code, or for
 * modelled errors the shape name, e.g. `MalformedPolicyDocumentException`), plus HTTP status and (when
 * given) message. Returns the error's request id (for `iamd explain` and the audit trail).
 */
export async function expectAwsError(
  p: Promise<unknown>,
  name: string,
  status: number,
  message?: string,
): Promise<string> {
  let requestId = '';
  await assert.rejects(p, (e: unknown) => {
    const err = e as {
      name?: string;
      message?: string;
      $metadata?: { httpStatusCode?: number; requestId?: string };
    };
    assert.ok(err.$metadata !== undefined, `an SDK service error, not ${String(e)}`);
    assert.equal(err.name, name, `error name (message: ${err.message})`);
    assert.equal(err.$metadata.httpStatusCode, status, 'HTTP status');
    if (message !== undefined) assert.equal(err.message, message);
    requestId = err.$metadata.requestId ?? '';
    return true;
  });
  return requestId;
}

/**
 * Asserts that `p` fails with a typed SDK client error: name, `$fault` `client`, HTTP status and AWS's
 * exact message.
 */
export async function expectClientError(
  p: Promise<unknown>,
  name: string,
  status: number,
  message: string,
): Promise<void> {
  const err = await rejection(p);
  assert.equal(err.name, name, `${err.name}: ${err.message}`);
  assert.equal(err.$fault, 'client');
  assert.equal(err.$metadata.httpStatusCode, status);
  assert.equal(err.message, message);
}

/** A finished AWS CLI run. */
export interface AwsCliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs Debian's AWS CLI (`/usr/bin/aws`, installed by `.ci/run`) with `creds` as its only credentials,
 * `home` as its HOME (no user config), no pager and no instance-metadata lookups.
 */
export function runAwsCli(creds: Creds, home: string, args: readonly string[]): AwsCliRun {
  const r = spawnSync('/usr/bin/aws', args, {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      ...(creds.sessionToken ? { AWS_SESSION_TOKEN: creds.sessionToken } : {}),
      AWS_PAGER: '',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
