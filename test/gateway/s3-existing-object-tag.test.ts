// s3:ExistingObjectTag/<key> through the gateway, in front of a real s3rver, driven by the real SDK v3
// S3 client. AWS: "s3:ExistingObjectTag/<tag-key> – Use this condition key to verify that an existing
// object tag has the specific tag key and value" (S3 User Guide, "Tagging and access control
// policies", https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-and-policies.html); the
// actions that carry it are the Service Authorization Reference's
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html). iamd reads
// the tags from the upstream (GetObjectTagging) only when a decision looked the key up: a counting
// proxy between iamd and s3rver proves which requests reach the upstream.
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  S3Client,
  CopyObjectCommand,
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { auditFileEvents, s3Client, startRecordingProxy, type RecordingProxy } from './setup.js';
import { expectAwsError } from '../contract/support.js';
import { createUser } from '../contract/accounts-helper.js';
import { ROOT, startIamd, type Creds, type TestServer } from '../contract/harness.js';
import { signedFetch } from '../contract/signed-fetch.js';
import { startS3rver, type Upstream } from './upstreams.js';

const ACCOUNT = ROOT.accountId;
const TAG = 's3:ExistingObjectTag/class';
let upstream: Upstream;
let server: TestServer;
const auditDir = mkdtempSync(join(tmpdir(), 'iamd-s3-tag-audit-'));
const AUDIT_FILE = join(auditDir, 'audit.jsonl');

/** What the counting proxy does with a GetObjectTagging request (the test switches it). */
let taggingMode: 'pass' | 'fail' | 'garbage' | 'hang' = 'pass';
/** A proxy in front of s3rver that records each request and can break GetObjectTagging answers. */
let proxy: RecordingProxy;
/** Every request the upstream was sent through the proxy: `METHOD /path?query`. */
const seen = (): string[] => proxy.seen.map((r) => `${r.method} ${r.url}`);

const isTagging = (req: IncomingMessage): boolean =>
  req.method === 'GET' && /[?&]tagging(=|&|$)/.test(req.url ?? '');

/** Answers (or leaves hanging) a GetObjectTagging request as `taggingMode` says. */
function breakTagging(req: IncomingMessage, res: ServerResponse): boolean {
  if (!isTagging(req) || taggingMode === 'pass') return false;
  if (taggingMode === 'fail') {
    res.writeHead(500, { 'content-type': 'application/xml' });
    res.end('<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>');
  } else if (taggingMode === 'garbage') {
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end('<Tagging><TagSet><Tag><Key>class</Key><Value>public</Value></Tag>');
  }
  return true;
}

/** The GetObjectTagging requests the upstream received since `from`. */
const taggingCalls = (from: number): string[] =>
  seen()
    .slice(from)
    .filter((l) => l.startsWith('GET ') && /[?&]tagging(=|&|$)/.test(l));

const s3 = (creds: Creds = ROOT) => s3Client(server.url, creds);

const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

/** A user of this account with an access key and, when given, the inline policy `policy`. */
async function newUser(name: string, policy?: string): Promise<Creds> {
  return (await createUser(server.iam(), name, policy)).creds;
}

let assumer: Creds | undefined;

/** A session of a new role whose only policy is `policy` (assumed by a user allowed sts:AssumeRole). */
async function roleSession(role: string, policy: string): Promise<Creds> {
  await server.iam().send(
    new CreateRoleCommand({
      RoleName: role,
      AssumeRolePolicyDocument: doc({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'sts:AssumeRole',
      }),
    }),
  );
  await server
    .iam()
    .send(new PutRolePolicyCommand({ RoleName: role, PolicyName: 'p', PolicyDocument: policy }));
  assumer ??= await newUser('assumer', doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }));
  const r = await server
    .sts(assumer)
    .send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`, RoleSessionName: 'sess' }),
    );
  const c = r.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

/** Puts `key` in `bucket` (as the root) with `class` = `tag`, or untagged. */
async function putObject(bucket: string, key: string, tag?: string): Promise<void> {
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body of ${key}` }));
  if (tag !== undefined)
    await s3().send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: key,
        Tagging: { TagSet: [{ Key: 'class', Value: tag }] },
      }),
    );
}

async function read(creds: Creds, bucket: string, key: string, versionId?: string): Promise<string> {
  const got = await s3(creds).send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return got.Body!.transformToString();
}

/** AWS's same-account denial text for s3:GetObject by an implicit deny (troubleshoot-403-errors.html). */
const implicitDeny = (who: string, resource: string, action = 's3:GetObject'): string =>
  `User: ${who} is not authorized to perform: ${action} on resource: "${resource}" because no identity-based policy allows the ${action} action`;

const READ_PUBLIC = doc({
  Effect: 'Allow',
  Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging'],
  Resource: 'arn:aws:s3:::tags/*',
  Condition: { StringEquals: { [TAG]: 'public' } },
});
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/tag-reader/sess`;
let reader: Creds;

before(async () => {
  upstream = await startS3rver();
  proxy = await startRecordingProxy(upstream.url);
  proxy.intercept = breakTagging;
  const via = proxy.url;
  server = await startIamd(
    ['--upstream', `s3=${via}`, '--upstream-credentials', 's3=S3RVER:S3RVER', '--audit-file', AUDIT_FILE],
    { IAMD_UPSTREAM_TIMEOUT_MS: '1500' },
  );
  await s3().send(new CreateBucketCommand({ Bucket: 'tags' }));
  await putObject('tags', 'public.txt', 'public');
  await putObject('tags', 'secret.txt', 'secret');
  await putObject('tags', 'plain.txt');
  await putObject('tags', 'dir/a b+é.txt', 'public');
  reader = await roleSession('tag-reader', READ_PUBLIC);
});

after(async () => {
  await server?.stop();
  await proxy?.stop();
  await upstream?.stop();
  rmSync(auditDir, { recursive: true, force: true });
});

test('a role allowed s3:GetObject only on class=public reads such an object, not a secret or untagged one', async () => {
  const from = seen().length;
  assert.equal(await read(reader, 'tags', 'public.txt'), 'body of public.txt');
  assert.equal(await read(reader, 'tags', 'dir/a b+é.txt'), 'body of dir/a b+é.txt');
  const head = await s3(reader).send(new HeadObjectCommand({ Bucket: 'tags', Key: 'public.txt' }));
  assert.equal(head.$metadata.httpStatusCode, 200);
  await expectAwsError(
    read(reader, 'tags', 'secret.txt'),
    'AccessDenied',
    403,
    implicitDeny(SESSION, 'arn:aws:s3:::tags/secret.txt'),
  );
  await expectAwsError(
    read(reader, 'tags', 'plain.txt'),
    'AccessDenied',
    403,
    implicitDeny(SESSION, 'arn:aws:s3:::tags/plain.txt'),
  );
  // One GetObjectTagging per decision that looked the key up, for the object named (encoded as S3's).
  assert.deepEqual(taggingCalls(from), [
    'GET /tags/public.txt?tagging=',
    'GET /tags/dir/a%20b%2B%C3%A9.txt?tagging=',
    'GET /tags/public.txt?tagging=',
    'GET /tags/secret.txt?tagging=',
    'GET /tags/plain.txt?tagging=',
  ]);
  // The key works on every action that carries it, GetObjectTagging included.
  const tagging = await s3(reader).send(new GetObjectTaggingCommand({ Bucket: 'tags', Key: 'public.txt' }));
  assert.deepEqual(tagging.TagSet, [{ Key: 'class', Value: 'public' }]);
  await expectAwsError(
    s3(reader).send(new GetObjectTaggingCommand({ Bucket: 'tags', Key: 'secret.txt' })),
    'AccessDenied',
    403,
    implicitDeny(SESSION, 'arn:aws:s3:::tags/secret.txt', 's3:GetObjectTagging'),
  );
});

test('a missing object has no tags: denied as on AWS without s3:ListBucket (403, not 404)', async () => {
  const from = seen().length;
  await expectAwsError(
    read(reader, 'tags', 'missing.txt'),
    'AccessDenied',
    403,
    implicitDeny(SESSION, 'arn:aws:s3:::tags/missing.txt'),
  );
  assert.deepEqual(taggingCalls(from), ['GET /tags/missing.txt?tagging=']);
  // Nothing but the tagging request reached the upstream: the denied GetObject was never forwarded.
  assert.deepEqual(seen().slice(from), ['GET /tags/missing.txt?tagging=']);
});

test('IfExists and Null see an object without the tag as lacking the key', async () => {
  // IAM User Guide, "Condition operators": …IfExists is true when the key is not in the request; Null
  // is true for a key that is absent (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
  const ifExists = await newUser(
    'ifexists-reader',
    doc({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::tags/*',
      Condition: { StringEqualsIfExists: { [TAG]: 'public' } },
    }),
  );
  const tagged = await newUser(
    'tagged-reader',
    doc({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::tags/*',
      Condition: { Null: { [TAG]: 'false' } },
    }),
  );
  assert.equal(await read(ifExists, 'tags', 'public.txt'), 'body of public.txt');
  assert.equal(await read(ifExists, 'tags', 'plain.txt'), 'body of plain.txt');
  await expectAwsError(
    read(ifExists, 'tags', 'secret.txt'),
    'AccessDenied',
    403,
    implicitDeny(`arn:aws:iam::${ACCOUNT}:user/ifexists-reader`, 'arn:aws:s3:::tags/secret.txt'),
  );
  assert.equal(await read(tagged, 'tags', 'public.txt'), 'body of public.txt');
  assert.equal(await read(tagged, 'tags', 'secret.txt'), 'body of secret.txt');
  await expectAwsError(
    read(tagged, 'tags', 'plain.txt'),
    'AccessDenied',
    403,
    implicitDeny(`arn:aws:iam::${ACCOUNT}:user/tagged-reader`, 'arn:aws:s3:::tags/plain.txt'),
  );
});

test('a policy without the key makes no GetObjectTagging call upstream', async () => {
  const plain = await newUser(
    'plain-reader',
    doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::tags/*' }),
  );
  const nobody = await newUser('tagless-nobody');
  // A statement with the key whose action does not match is never consulted either.
  const writer = await newUser(
    'tag-writer',
    doc(
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::tags/*' },
      {
        Effect: 'Deny',
        Action: 's3:GetObjectAcl',
        Resource: '*',
        Condition: { StringEquals: { [TAG]: 'secret' } },
      },
    ),
  );
  const from = seen().length;
  assert.equal(await read(plain, 'tags', 'secret.txt'), 'body of secret.txt');
  assert.equal(await read(writer, 'tags', 'secret.txt'), 'body of secret.txt');
  await expectAwsError(
    read(nobody, 'tags', 'secret.txt'),
    'AccessDenied',
    403,
    implicitDeny(`arn:aws:iam::${ACCOUNT}:user/tagless-nobody`, 'arn:aws:s3:::tags/secret.txt'),
  );
  // The root's own request (no policy takes part) neither.
  assert.equal(await read(ROOT, 'tags', 'secret.txt'), 'body of secret.txt');
  assert.deepEqual(taggingCalls(from), []);
  assert.deepEqual(seen().slice(from), [
    'GET /tags/secret.txt?x-id=GetObject',
    'GET /tags/secret.txt?x-id=GetObject',
    'GET /tags/secret.txt?x-id=GetObject',
  ]);
});

test('a Deny on s3:ExistingObjectTag in a bucket policy denies the tagged object only', async () => {
  await s3().send(new CreateBucketCommand({ Bucket: 'guarded' }));
  await putObject('guarded', 'public.txt', 'public');
  await putObject('guarded', 'secret.txt', 'secret');
  await putObject('guarded', 'plain.txt');
  await s3().send(
    new PutBucketPolicyCommand({
      Bucket: 'guarded',
      Policy: doc({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::guarded/*',
        Condition: { StringEquals: { [TAG]: 'secret' } },
      }),
    }),
  );
  const user = await newUser(
    'guarded-reader',
    doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }),
  );
  const from = seen().length;
  assert.equal(await read(user, 'guarded', 'public.txt'), 'body of public.txt');
  assert.equal(await read(user, 'guarded', 'plain.txt'), 'body of plain.txt');
  await expectAwsError(
    read(user, 'guarded', 'secret.txt'),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${ACCOUNT}:user/guarded-reader is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::guarded/secret.txt" with an explicit deny in a resource-based policy`,
  );
  // The bucket policy applies to the root as well (an explicit deny binds every principal).
  await expectAwsError(read(ROOT, 'guarded', 'secret.txt'), 'AccessDenied', 403);
  assert.equal(taggingCalls(from).length, 4);
});

test('a request for a version asks for that version’s tags (versionId passed)', async () => {
  const from = seen().length;
  assert.equal(await read(reader, 'tags', 'public.txt', 'v+1/x'), 'body of public.txt');
  await expectAwsError(
    read(reader, 'tags', 'secret.txt', 'v2'),
    'AccessDenied',
    403,
    implicitDeny(SESSION, 'arn:aws:s3:::tags/secret.txt', 's3:GetObjectVersion'),
  );
  assert.deepEqual(taggingCalls(from), [
    'GET /tags/public.txt?tagging=&versionId=v%2B1%2Fx',
    'GET /tags/secret.txt?tagging=&versionId=v2',
  ]);
});

test('a copy reads the source object’s tags for its s3:GetObject', async () => {
  const copier = await roleSession(
    'tag-copier',
    doc(
      { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::tags/copies/*' },
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::tags/*',
        Condition: { StringEquals: { [TAG]: 'public' } },
      },
    ),
  );
  const from = seen().length;
  await s3(copier).send(
    new CopyObjectCommand({ Bucket: 'tags', Key: 'copies/p', CopySource: 'tags/public.txt' }),
  );
  await expectAwsError(
    s3(copier).send(
      new CopyObjectCommand({ Bucket: 'tags', Key: 'copies/s', CopySource: 'tags/secret.txt' }),
    ),
    'AccessDenied',
    403,
    implicitDeny(`arn:aws:sts::${ACCOUNT}:assumed-role/tag-copier/sess`, 'arn:aws:s3:::tags/secret.txt'),
  );
  assert.deepEqual(taggingCalls(from), ['GET /tags/public.txt?tagging=', 'GET /tags/secret.txt?tagging=']);
});

test('an upstream that fails, answers garbage or hangs on GetObjectTagging gives 503 ServiceUnavailable', async () => {
  // S3's 503 text, as the gateway answers when the upstream is down (src/gateway/wire-errors.ts).
  const message = 'Please reduce your request rate.';
  try {
    for (const mode of ['fail', 'garbage', 'hang'] as const) {
      taggingMode = mode;
      const started = Date.now();
      await expectAwsError(read(reader, 'tags', 'public.txt'), 'ServiceUnavailable', 503, message);
      assert.ok(Date.now() - started < 10_000, mode);
    }
  } finally {
    taggingMode = 'pass';
  }
  assert.equal(await read(reader, 'tags', 'public.txt'), 'body of public.txt');
});

/** GET /_iamd/explain/ID, SigV4-signed for service iam by the account root. */
async function explain(requestId: string): Promise<{ status: number; text: string }> {
  const res = await signedFetch(server.url, ROOT, 'iam', `/_iamd/explain/${requestId}`);
  return { status: res.status, text: await res.text() };
}

test('the audit event and iamd explain carry the decision made with the tags', async () => {
  const requestId = await expectAwsError(read(reader, 'tags', 'secret.txt'), 'AccessDenied', 403);
  assert.notEqual(requestId, '');
  await new Promise((r) => setTimeout(r, 300));
  const [event] = auditFileEvents(AUDIT_FILE, (e) => e['requestID'] === requestId);
  assert.ok(event, 'the denied GetObject is recorded');
  assert.equal(event['errorCode'], 'AccessDenied');
  assert.equal(event['eventName'], 'GetObject');
  const trace = event['iamdAuthorization'] as { request: { context: Record<string, unknown> } };
  assert.equal(trace.request.context[TAG], 'secret');
  const answer = await explain(requestId);
  assert.equal(answer.status, 200, answer.text);
  assert.ok(answer.text.includes(TAG), answer.text);
  assert.ok(answer.text.includes('secret'), answer.text);
});

test('at the report-only level the first decision (without tags) is not reported; the one with them is', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'iamd-s3-tag-report-'));
  const auditFile = join(dir, 'audit.jsonl');
  const via = proxy.url;
  const other = await startIamd([
    '--auth',
    'report-only',
    '--upstream',
    `s3=${via}`,
    '--upstream-credentials',
    's3=S3RVER:S3RVER',
    '--audit-file',
    auditFile,
  ]);
  try {
    await other.iam().send(new CreateUserCommand({ UserName: 'r' }));
    await other
      .iam()
      .send(new PutUserPolicyCommand({ UserName: 'r', PolicyName: 'p', PolicyDocument: READ_PUBLIC }));
    const key = await other.iam().send(new CreateAccessKeyCommand({ UserName: 'r' }));
    const client = new S3Client({
      endpoint: other.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: {
        accessKeyId: key.AccessKey!.AccessKeyId!,
        secretAccessKey: key.AccessKey!.SecretAccessKey!,
      },
      maxAttempts: 1,
    });
    for (const k of ['public.txt', 'secret.txt']) {
      const got = await client.send(new GetObjectCommand({ Bucket: 'tags', Key: k }));
      assert.equal(await got.Body!.transformToString(), `body of ${k}`);
    }
    await new Promise((r) => setTimeout(r, 300));
    const events = auditFileEvents(auditFile, (e) => e['eventName'] === 'GetObject');
    const of = (k: string) =>
      events.find((e) => (e['requestParameters'] as Record<string, unknown>)['key'] === k);
    assert.ok(of('public.txt'));
    assert.equal(of('public.txt')?.['iamdReportOnly'], undefined);
    const secret = of('secret.txt')?.['iamdReportOnly'] as Record<string, unknown> | undefined;
    assert.equal(secret?.['errorCode'], 'AccessDenied');
    // The pipeline's record keeps the authorizer's wording (the resource unquoted), as for every
    // report-only gateway denial.
    assert.equal(
      secret?.['errorMessage'],
      `User: arn:aws:iam::${ACCOUNT}:user/r is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::tags/secret.txt because no identity-based policy allows the s3:GetObject action`,
    );
  } finally {
    await other.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
