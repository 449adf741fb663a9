/**
 * Contract-test helpers for STS: a server on a data directory (so `iamd accounts create` can add a
 * second account next to it, for cross-account cases), principals made through the IAM API, and an
 * assertion on AWS errors (code, HTTP status and message, as STYLE.md asks of every error test).
 */
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { IAMClient } from '@aws-sdk/client-iam';
import { CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { Creds } from './harness.js';

/** The shared error assertion, re-exported for the tests that import it from here. */
export { expectAwsError } from './support.js';

const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));

/** The fields `iamd accounts create --json` prints. */
export interface CreatedAccount {
  readonly AccountId: string;
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
}

/** Root credentials of a created account as SDK credentials. */
export function rootCreds(a: CreatedAccount): Creds {
  return { accessKeyId: a.AccessKeyId, secretAccessKey: a.SecretAccessKey };
}

export { startIamdOnData } from './harness.js';

/** Runs `iamd accounts create --data DIR --json` (works while the server runs on `dir`). */
export function createAccount(dir: string, id?: string): CreatedAccount {
  const args = [
    BIN,
    'accounts',
    'create',
    '--data',
    dir,
    '--json',
    ...(id !== undefined ? ['--id', id] : []),
  ];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`iamd accounts create failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as CreatedAccount;
}

/** A user made through IAM, with an access key and its ARN. */
export interface TestUser {
  readonly name: string;
  readonly arn: string;
  readonly userId: string;
  readonly creds: Creds;
}

/**
 * Creates `name` with an access key and, when given, an inline policy (`policy` is the document, or its
 * JSON text).
 */
export async function createUser(iam: IAMClient, name: string, policy?: object | string): Promise<TestUser> {
  const u = await iam.send(new CreateUserCommand({ UserName: name }));
  const k = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  if (policy !== undefined)
    await iam.send(
      new PutUserPolicyCommand({
        UserName: name,
        PolicyName: 'inline',
        PolicyDocument: typeof policy === 'string' ? policy : JSON.stringify(policy),
      }),
    );
  return {
    name,
    arn: u.User?.Arn ?? '',
    userId: u.User?.UserId ?? '',
    creds: {
      accessKeyId: k.AccessKey?.AccessKeyId ?? '',
      secretAccessKey: k.AccessKey?.SecretAccessKey ?? '',
    },
  };
}

/** Identity policy allowing `actions` on `resource`. */
export function allow(actions: string | string[], resource = '*'): object {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }] };
}

/** A trust policy: `principal` is an `AWS` value (ARN or account), `actions` default `sts:AssumeRole`. */
export function trust(
  principal: string | string[],
  actions: string | string[] = 'sts:AssumeRole',
  condition?: object,
): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: actions,
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  });
}

/** Temporary credentials from an STS answer as SDK credentials. */
export function sessionCreds(
  c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined,
): Creds {
  assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken, 'the answer carries credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/** `User: ARN is not authorized to perform: ACTION on resource: RESOURCE` plus the engine's reason. */
export function denied(arn: string, action: string, resource: string, reason?: string): string {
  return `User: ${arn} is not authorized to perform: ${action} on resource: ${resource}${reason ? ` ${reason}` : ''}`;
}
