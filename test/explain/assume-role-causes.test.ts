/**
 * The four causes of an AccessDenied on sts:AssumeRole (shared/DOMAIN.md, "The failure users meet
 * most"; IAM User Guide, "Troubleshoot access denied error messages") each come out of `iamd explain`
 * as their own answer: through the real server, the request id from the SDK error's
 * `$metadata.requestId`, and the CLI reading the same data directory. Plus the explain HTTP endpoint
 * (`GET /_iamd/explain/ID`, SigV4 service `iam`) and a cross-account case.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash, createHmac, type Hash as NodeHash, type Hmac } from 'node:crypto';
import { CreateRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { ROOT, type Creds, type TestServer } from '../contract/harness.js';
import {
  allow,
  createAccount,
  createUser,
  rootCreds,
  startIamdOnData,
  trust,
  type TestUser,
} from '../contract/accounts-helper.js';

/** The SHA-256 checksum the SigV4 signer wants (HMAC when given a secret). */
class Sha256 {
  private readonly h: NodeHash | Hmac;
  constructor(secret?: string | Uint8Array) {
    this.h = secret !== undefined ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data: string | Uint8Array): void {
    this.h.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));
const ACCT = ROOT.accountId;
const roleArn = (name: string) => `arn:aws:iam::${ACCT}:role/${name}`;

let dir: string;
let server: TestServer;
let iam: IAMClient;
let carol: TestUser; // may assume any role
let dave: TestUser; // no permissions
let erin: TestUser; // allowed, but explicitly denied sts:AssumeRole

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iamd-explain-'));
  server = await startIamdOnData(dir);
  iam = server.iam();
  carol = await createUser(iam, 'carol', allow('sts:AssumeRole'));
  dave = await createUser(iam, 'dave');
  erin = await createUser(iam, 'erin', {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
      { Sid: 'NoRoles', Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' },
    ],
  });
  await iam.send(new CreateRoleCommand({ RoleName: 'account-trust', AssumeRolePolicyDocument: trust(ACCT) }));
  // AWS refuses a trust policy naming a missing user ("AWS JSON policy elements: Principal",
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
  await createUser(iam, 'somebody-else');
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'other-trust',
      AssumeRolePolicyDocument: trust(`arn:aws:iam::${ACCT}:user/somebody-else`),
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'partner',
      AssumeRolePolicyDocument: trust(dave.arn, 'sts:AssumeRole', {
        StringEquals: { 'sts:ExternalId': '12345' },
      }),
    }),
  );
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Fails an AssumeRole and returns the request id of the AccessDenied. */
async function deniedRequestId(
  creds: Creds,
  role: string,
  extra: { ExternalId?: string } = {},
): Promise<string> {
  try {
    await server
      .sts(creds)
      .send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'explain-session', ...extra }));
  } catch (e) {
    const err = e as { name?: string; $metadata?: { requestId?: string } };
    assert.equal(err.name, 'AccessDenied');
    assert.ok(err.$metadata?.requestId);
    return err.$metadata.requestId;
  }
  throw new Error('AssumeRole was allowed');
}

interface Answer {
  cause: string;
  headline: string;
  fix: string;
  details: string[];
  errorCode?: string;
  caller?: string;
}

/** `iamd explain ID --data DIR --json`, retried briefly while the audit writer flushes (≤ 50 ms batches). */
async function explainCli(requestId: string): Promise<Answer> {
  for (let i = 0; i < 40; i++) {
    const r = spawnSync(process.execPath, [BIN, 'explain', requestId, '--data', dir, '--json'], {
      encoding: 'utf8',
    });
    if (r.status === 0) return JSON.parse(r.stdout) as Answer;
    assert.equal(r.status, 1, r.stderr);
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`no event for ${requestId}`);
}

test('cause 1: a wrong role ARN (the role does not exist)', async () => {
  const a = await explainCli(await deniedRequestId(carol.creds, roleArn('acount-trust')));
  assert.equal(a.cause, 'role-not-found');
  assert.match(a.headline, /does not exist: check the role ARN/);
  assert.equal(a.errorCode, 'AccessDenied');
  assert.equal(a.caller, carol.arn);
});

test('cause 2: no identity-based permission (trust names the account root only)', async () => {
  const a = await explainCli(await deniedRequestId(dave.creds, roleArn('account-trust')));
  assert.equal(a.cause, 'no-identity-permission');
  assert.match(
    a.headline,
    /None of arn:aws:iam::111122223333:user\/dave's identity-based policies allows `sts:AssumeRole`/,
  );
  assert.match(a.headline, /names only the account \(root\)/);
  assert.match(a.fix, /Attach an identity-based policy allowing `sts:AssumeRole`/);
});

test('cause 3: the trust policy does not name the caller', async () => {
  const a = await explainCli(await deniedRequestId(dave.creds, roleArn('other-trust')));
  assert.equal(a.cause, 'trust-does-not-name-caller');
  assert.match(a.headline, /trust policy of `arn:aws:iam::111122223333:role\/other-trust` does not name/);
  assert.ok(a.details.some((d) => d.includes('do not allow it either')));
  assert.match(a.fix, /"Principal": \{"AWS": "arn:aws:iam::111122223333:user\/dave"\}/);
});

test('cause 3 variant: the trust policy names the caller but its ExternalId condition fails', async () => {
  const a = await explainCli(await deniedRequestId(dave.creds, roleArn('partner'), { ExternalId: 'wrong' }));
  assert.equal(a.cause, 'trust-condition-not-met');
  assert.match(
    a.headline,
    /names arn:aws:iam::111122223333:user\/dave, but a condition of that statement is not met/,
  );
  assert.match(a.fix, /StringEquals on `sts:ExternalId` wants \["12345"\] but the request had "wrong"/);
});

test('cause 4: an explicit deny in the identity-based policy', async () => {
  const a = await explainCli(await deniedRequestId(erin.creds, roleArn('account-trust')));
  assert.equal(a.cause, 'explicit-deny-identity');
  assert.match(
    a.headline,
    /An explicit Deny in one of arn:aws:iam::111122223333:user\/erin's own identity-based policies/,
  );
  assert.ok(a.details.some((d) => d.includes('(Sid `NoRoles`)')));
  assert.match(a.fix, /adding Allow statements will not help/);
});

test('cause 4 variant: an explicit deny in the trust policy', async () => {
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'deny-carol',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: ACCT }, Action: 'sts:AssumeRole' },
          { Effect: 'Deny', Principal: { AWS: carol.arn }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
  const a = await explainCli(await deniedRequestId(carol.creds, roleArn('deny-carol')));
  assert.equal(a.cause, 'explicit-deny-resource');
  assert.match(a.headline, /explicit Deny in the trust policy of the role/);
});

test('cross-account: the other account trusts the caller but the caller has no identity permission', async () => {
  const other = createAccount(dir, '444455556666');
  const otherIam = server.iam(rootCreds(other));
  await otherIam.send(new CreateRoleCommand({ RoleName: 'shared', AssumeRolePolicyDocument: trust(ACCT) }));
  const a = await explainCli(await deniedRequestId(dave.creds, 'arn:aws:iam::444455556666:role/shared'));
  assert.equal(a.cause, 'cross-account-no-identity-permission');
  assert.match(a.headline, /cross-account request: the other account allows it/);
  const b = await explainCli(await deniedRequestId(carol.creds, 'arn:aws:iam::444455556666:role/missing'));
  assert.equal(b.cause, 'role-not-found');
});

test('the explain endpoint answers the same, for the account root, over SigV4 (service iam)', async () => {
  const id = await deniedRequestId(dave.creds, roleArn('account-trust'));
  const url = new URL(`${server.url}/_iamd/explain/${id}`);
  const signer = new SignatureV4({
    service: 'iam',
    region: 'us-east-1',
    credentials: { accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey },
    sha256: Sha256 as never, // structurally the signer's checksum constructor
  });
  const signed = await signer.sign({
    method: 'GET',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host },
  });
  const r = await fetch(url, { headers: signed.headers as Record<string, string> });
  assert.equal(r.status, 200);
  const a = (await r.json()) as Answer;
  assert.equal(a.cause, 'no-identity-permission');
  // A user without iamd:Explain is refused, with AWS's message form.
  const asDave = new SignatureV4({
    service: 'iam',
    region: 'us-east-1',
    credentials: dave.creds,
    sha256: Sha256 as never, // structurally the signer's checksum constructor
  });
  const s2 = await asDave.sign({
    method: 'GET',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host },
  });
  const r2 = await fetch(url, { headers: s2.headers as Record<string, string> });
  assert.equal(r2.status, 403);
  assert.deepEqual(await r2.json(), {
    __type: 'AccessDenied',
    message: `User: ${dave.arn} is not authorized to perform: iamd:Explain on resource: * because no identity-based policy allows the iamd:Explain action`,
  });
});
