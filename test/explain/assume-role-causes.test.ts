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
import { CreateRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { signedFetch as signedFetchOf } from '../contract/signed-fetch.js';
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
async function explainCli(requestId: string, account?: string): Promise<Answer> {
  for (let i = 0; i < 40; i++) {
    const args = [BIN, 'explain', requestId, '--data', dir, '--json'];
    if (account !== undefined) args.push('--account', account);
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
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
  assert.match(a.headline, /cross-account request: none of .*dave's own identity-based policies allows/);
  // The role's account sees that its trust policy allows it and the caller's account does not.
  const theirs = await explainCli(
    await deniedRequestId(dave.creds, 'arn:aws:iam::444455556666:role/shared'),
    '444455556666',
  );
  assert.equal(theirs.cause, 'cross-account-no-identity-permission');
  assert.match(theirs.fix, /^Nothing to change in this account: an administrator of account 111122223333/);
});

/** A signed JSON request to iamd (explain endpoint or LookupEvents) with `creds`. */
const signedFetch = (
  creds: Creds,
  service: string,
  path: string,
  init?: { method?: string; body?: string; headers?: Record<string, string> },
) => signedFetchOf(server.url, creds, service, path, init);

test("issue #16 item 2: the caller's account learns neither whether the other account's role exists nor its trust policy; the role's account sees the full reason", async () => {
  const other = createAccount(dir, '777788889999');
  const otherIam = server.iam(rootCreds(other));
  const SECRET = 'sekrit-ext-42';
  await otherIam.send(
    new CreateRoleCommand({
      RoleName: 'untrusting',
      AssumeRolePolicyDocument: trust('arn:aws:iam::123456789012:root'),
    }),
  );
  await otherIam.send(
    new CreateRoleCommand({
      RoleName: 'vendor',
      AssumeRolePolicyDocument: trust(carol.arn, 'sts:AssumeRole', {
        StringEquals: { 'sts:ExternalId': SECRET },
      }),
    }),
  );
  const arn = (n: string) => `arn:aws:iam::777788889999:role/${n}`;
  const missing = await deniedRequestId(carol.creds, arn('missing'));
  const untrusting = await deniedRequestId(carol.creds, arn('untrusting'));
  const wrongId = await deniedRequestId(carol.creds, arn('vendor'), { ExternalId: 'guess' });
  const noId = await deniedRequestId(carol.creds, arn('vendor'));

  // The caller's account (iamd explain's default copy): one plain answer for all four.
  const mine = await Promise.all([missing, untrusting, wrongId, noId].map((id) => explainCli(id)));
  for (const [i, a] of mine.entries()) {
    assert.equal(a.cause, 'cross-account-resource-denied');
    const role = [arn('missing'), arn('untrusting'), arn('vendor'), arn('vendor')][i]!;
    assert.equal(
      a.headline,
      `This is a cross-account request: ${carol.arn}'s own policies allow \`sts:AssumeRole\` on \`${role}\`, but account 777788889999, which owns it, did not allow the call.`,
    );
    const all = JSON.stringify(a);
    assert.ok(!all.includes(SECRET), all);
    assert.ok(!all.includes('123456789012'), all);
    // Same details and fix for a missing role, an untrusting one and an unmet ExternalId.
    assert.deepEqual(a.details, mine[0]!.details);
    assert.equal(a.fix, mine[0]!.fix);
  }
  // The same through the explain endpoint, signed by the caller account's root.
  const viaHttp = await signedFetch(
    { accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey },
    'iam',
    `/_iamd/explain/${wrongId}`,
  );
  assert.equal(viaHttp.status, 200);
  const httpAnswer = (await viaHttp.json()) as Answer;
  assert.equal(httpAnswer.cause, 'cross-account-resource-denied');
  assert.ok(!JSON.stringify(httpAnswer).includes(SECRET));
  // LookupEvents in the caller's account carries no trust policy either.
  const lookup = await signedFetch(
    { accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey },
    'cloudtrail',
    '/',
    {
      method: 'POST',
      body: JSON.stringify({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }],
      }),
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
      },
    },
  );
  assert.equal(lookup.status, 200);
  const trail = await lookup.text();
  assert.ok(trail.includes(wrongId), 'the failed call is in the caller account trail');
  assert.ok(!trail.includes(SECRET), 'no trust policy condition value in the caller account trail');

  // The role's account has the failed calls recorded (not the one to a role that does not exist) and
  // sees the full reason: its trust policy and the condition that failed.
  const theirs = async (id: string) => {
    const r = await signedFetch(rootCreds(other), 'iam', `/_iamd/explain/${id}`);
    return { status: r.status, body: (await r.json()) as Answer & { message?: string } };
  };
  const gone = await theirs(missing);
  assert.equal(gone.status, 404);
  assert.equal(
    gone.body.message,
    `no call with request id \`${missing}\` is recorded in account 777788889999`,
  );
  assert.equal((await theirs(untrusting)).body.cause, 'cross-account-trust-does-not-name-caller');
  const wrong = (await theirs(wrongId)).body;
  assert.equal(wrong.cause, 'trust-condition-not-met');
  assert.match(wrong.fix, new RegExp(`wants \\["${SECRET}"\\] but the request had "guess"`));
  const absent = (await theirs(noId)).body;
  assert.equal(absent.cause, 'trust-condition-not-met');
  assert.match(absent.fix, /the request did not supply that key/);
  // iamd explain --account shows the same view; the default (caller's) view points to it.
  const cli = await explainCli(wrongId, '777788889999');
  assert.equal(cli.cause, 'trust-condition-not-met');
  const text = spawnSync(process.execPath, [BIN, 'explain', wrongId, '--data', dir], { encoding: 'utf8' });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /Cause: {4}cross-account-resource-denied \(cross-account\)/);
  assert.match(
    text.stdout,
    /\(This is account 111122223333's view; the call is also recorded in account 777788889999: add --account 777788889999 for its view\.\)/,
  );
  assert.ok(!text.stdout.includes(SECRET));
});

test('the explain endpoint answers the same, for the account root, over SigV4 (service iam)', async () => {
  const id = await deniedRequestId(dave.creds, roleArn('account-trust'));
  const r = await signedFetch(
    { accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey },
    'iam',
    `/_iamd/explain/${id}`,
  );
  assert.equal(r.status, 200);
  const a = (await r.json()) as Answer;
  assert.equal(a.cause, 'no-identity-permission');
  // A user without iamd:Explain is refused, with AWS's message form.
  const r2 = await signedFetch(dave.creds, 'iam', `/_iamd/explain/${id}`);
  assert.equal(r2.status, 403);
  assert.deepEqual(await r2.json(), {
    __type: 'AccessDenied',
    message: `User: ${dave.arn} is not authorized to perform: iamd:Explain on resource: * because no identity-based policy allows the iamd:Explain action`,
  });
});
