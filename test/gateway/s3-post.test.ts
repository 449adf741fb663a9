// S3 browser-based POST uploads through the gateway (issue #18), driven by real clients in front of a
// real S3-compatible store (s3rver): @aws-sdk/s3-presigned-post's createPresignedPost posted with
// Node's fetch + FormData, and boto3's generate_presigned_post posted with requests (python3).
// AWS: "Browser-Based Uploads Using POST (AWS Signature Version 4)",
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-UsingHTTPPOST.html; "POST Policy",
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html; "POST Object",
// https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html; error codes,
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import { GetAccessKeyLastUsedCommand, CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { sigv4Crypto as crypto } from '../../src/authn/sigv4-crypto.js';
import { createUser } from '../contract/accounts-helper.js';
import { ROOT, startIamd, type Creds, type TestServer } from '../contract/harness.js';
import { startS3rver, type Upstream } from './upstreams.js';
import { deriveSigningKey, formatAmzDate } from '../../src/sigv4/index.js';

const ACCOUNT = ROOT.accountId;
let upstream: Upstream;
let server: TestServer;
const auditDir = mkdtempSync(join(tmpdir(), 'iamd-s3-post-audit-'));
const AUDIT_FILE = join(auditDir, 'audit.jsonl');
/** iamd's own temporary directory (TMPDIR), where it spools uploads: empty once each answer is sent. */
const spoolDir = mkdtempSync(join(tmpdir(), 'iamd-s3-post-spool-'));
let uploader: Creds;
let assumer: Creds;

function s3(creds: Creds = ROOT): S3Client {
  return new S3Client({
    endpoint: server.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: creds,
    maxAttempts: 1,
  });
}

/** A user of this account with an access key and, when given, the inline policy `policy`. */
async function newUser(name: string, policy?: object): Promise<Creds> {
  return (await createUser(server.iam(), name, policy)).creds;
}

/** A session of a role allowed s3:PutObject on bkt/* (and nothing else). */
async function uploaderSession(name: string, duration = 3600): Promise<Creds> {
  await server.iam().send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
  await server.iam().send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: 'put',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::bkt/*' }],
      }),
    }),
  );
  const r = await server.sts(assumer).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
      RoleSessionName: 'web',
      DurationSeconds: duration,
    }),
  );
  const c = r.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

before(async () => {
  upstream = await startS3rver();
  server = await startIamd(
    [
      '--upstream',
      `s3=${upstream.url}`,
      '--upstream-credentials',
      's3=S3RVER:S3RVER',
      '--audit-file',
      AUDIT_FILE,
    ],
    { TMPDIR: spoolDir },
  );
  await s3().send(new CreateBucketCommand({ Bucket: 'bkt' }));
  await s3().send(new CreateBucketCommand({ Bucket: 'pub' }));
  assumer = await newUser('assumer', {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
  });
  uploader = await uploaderSession('uploader');
});

after(async () => {
  await server?.stop();
  await upstream?.stop();
  rmSync(auditDir, { recursive: true, force: true });
  rmSync(spoolDir, { recursive: true, force: true });
});

/** Posts a presigned form (fields in order, then the file last) with fetch + FormData. */
async function post(
  url: string,
  fields: Record<string, string>,
  body: string | Uint8Array,
  filename = 'upload.bin',
): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([body]), filename);
  return fetch(url, { method: 'POST', body: form, redirect: 'manual' });
}

async function presign(creds: Creds, options: PresignedPostOptions) {
  return createPresignedPost(s3(creds), options);
}

async function s3Error(res: Response, status: number, code: string, message: string): Promise<string> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.match(text, new RegExp(`<Code>${code}</Code>`));
  const m = /<Message>([^<]*)<\/Message>/.exec(text);
  const unescaped = m?.[1]
    ?.replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
  assert.equal(unescaped, message);
  return text;
}

async function objectText(key: string, bucket = 'bkt'): Promise<{ body: string; type?: string }> {
  const got = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { body: await got.Body!.transformToString(), type: got.ContentType };
}

test('a role allowed s3:PutObject uploads with createPresignedPost; the object reads back identical', async () => {
  const { url, fields } = await presign(uploader, {
    Bucket: 'bkt',
    Key: 'uploads/${filename}',
    Conditions: [
      ['starts-with', '$key', 'uploads/'],
      ['content-length-range', 1, 1024],
    ],
    Fields: { 'Content-Type': 'text/plain', 'x-amz-meta-owner': 'web' },
  });
  assert.equal(url, `${server.url}/bkt`);
  const res = await post(url, fields, 'hello from a browser', 'note.txt');
  assert.equal(res.status, 204, await res.clone().text());
  assert.equal(await res.text(), '');
  const etag = res.headers.get('etag');
  assert.match(etag ?? '', /^"[0-9a-f]{32}"$/);
  assert.equal(res.headers.get('location'), `${server.url}/bkt/uploads/note.txt`);
  const got = await objectText('uploads/note.txt');
  assert.deepEqual(got, { body: 'hello from a browser', type: 'text/plain' });
  const head = await s3().send(new HeadObjectCommand({ Bucket: 'bkt', Key: 'uploads/note.txt' }));
  assert.equal(head.Metadata?.['owner'], 'web');
  assert.equal(head.ETag, etag);
});

test('a user without s3:PutObject is denied with S3 AccessDenied, audited as PostObject', async () => {
  const nobody = await newUser('nobody');
  const { url, fields } = await presign(nobody, { Bucket: 'bkt', Key: 'denied.txt' });
  const res = await post(url, fields, 'x');
  await s3Error(
    res,
    403,
    'AccessDenied',
    `User: arn:aws:iam::${ACCOUNT}:user/nobody is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::bkt/denied.txt" because no identity-based policy allows the s3:PutObject action`,
  );
  await assert.rejects(s3().send(new GetObjectCommand({ Bucket: 'bkt', Key: 'denied.txt' })));
  // CloudTrail records a browser upload as PostObject, a data event of s3.amazonaws.com (S3 User Guide,
  // "Amazon S3 CloudTrail events", https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html).
  let event: Record<string, unknown> | undefined;
  for (let i = 0; i < 50 && event === undefined; i++) {
    const lines = readFileSync(AUDIT_FILE, 'utf8').trim().split('\n');
    event = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find(
        (e) =>
          e['eventName'] === 'PostObject' &&
          (e['requestParameters'] as Record<string, unknown> | null)?.['key'] === 'denied.txt',
      );
    if (event === undefined) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(event, 'PostObject event recorded');
  assert.equal(event['eventSource'], 's3.amazonaws.com');
  assert.equal(event['errorCode'], 'AccessDenied');
  assert.equal(event['eventCategory'], 'Data');
  // The user's key was used (authenticated), as any signed call records it (GetAccessKeyLastUsed).
  const lastUsed = () =>
    server.iam().send(new GetAccessKeyLastUsedCommand({ AccessKeyId: nobody.accessKeyId }));
  let used = await lastUsed();
  for (let i = 0; i < 40 && used.AccessKeyLastUsed?.ServiceName !== 's3'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    used = await lastUsed();
  }
  assert.equal(used.AccessKeyLastUsed?.ServiceName, 's3');
  assert.equal(used.AccessKeyLastUsed?.Region, 'us-east-1');
  assert.ok(used.AccessKeyLastUsed?.LastUsedDate instanceof Date);
});

test('an expired policy is AccessDenied "Invalid according to Policy: Policy expired."', async () => {
  const { url, fields } = await presign(uploader, { Bucket: 'bkt', Key: 'late.txt', Expires: -5 });
  await s3Error(
    await post(url, fields, 'x'),
    403,
    'AccessDenied',
    'Invalid according to Policy: Policy expired.',
  );
});

test('a key outside the starts-with condition fails that condition, as S3 words it', async () => {
  // A ${filename} key is signed as ["starts-with", "$key", "uploads/"] (the SDK, as boto3, does so).
  const { url, fields } = await presign(uploader, { Bucket: 'bkt', Key: 'uploads/${filename}' });
  await s3Error(
    await post(url, { ...fields, key: 'other/${filename}' }, 'x'),
    403,
    'AccessDenied',
    'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "uploads/"]',
  );
  await assert.rejects(s3().send(new GetObjectCommand({ Bucket: 'bkt', Key: 'other/upload.bin' })));
  // An exact key is signed as {"key": …}: S3 names it as an eq condition.
  const exact = await presign(uploader, { Bucket: 'bkt', Key: 'uploads/a.txt' });
  await s3Error(
    await post(exact.url, { ...exact.fields, key: 'uploads/b.txt' }, 'x'),
    403,
    'AccessDenied',
    'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "uploads/a.txt"]',
  );
});

test('too large and too small uploads are EntityTooLarge / EntityTooSmall with the sizes', async () => {
  const { url, fields } = await presign(uploader, {
    Bucket: 'bkt',
    Key: 'sized.txt',
    Conditions: [['content-length-range', 5, 10]],
  });
  const large = await s3Error(
    await post(url, fields, 'x'.repeat(11)),
    400,
    'EntityTooLarge',
    'Your proposed upload exceeds the maximum allowed size',
  );
  assert.match(large, /<ProposedSize>11<\/ProposedSize><MaxSizeAllowed>10<\/MaxSizeAllowed>/);
  const small = await s3Error(
    await post(url, fields, 'x'.repeat(4)),
    400,
    'EntityTooSmall',
    'Your proposed upload is smaller than the minimum allowed size',
  );
  assert.match(small, /<ProposedSize>4<\/ProposedSize><MinSizeAllowed>5<\/MinSizeAllowed>/);
  await assert.rejects(s3().send(new GetObjectCommand({ Bucket: 'bkt', Key: 'sized.txt' })));
  const ok = await post(url, fields, 'x'.repeat(10));
  assert.equal(ok.status, 204);
});

test('a field no condition names is refused: "Extra input fields"; x-ignore- fields are not', async () => {
  const { url, fields } = await presign(uploader, { Bucket: 'bkt', Key: 'extra.txt' });
  await s3Error(
    await post(url, { ...fields, 'x-amz-meta-sneaky': '1' }, 'x'),
    403,
    'AccessDenied',
    'Invalid according to Policy: Extra input fields: x-amz-meta-sneaky',
  );
  const ignored = await post(url, { ...fields, 'x-ignore-submit': 'Upload' }, 'x');
  assert.equal(ignored.status, 204);
});

test('a tampered policy is SignatureDoesNotMatch; an unknown key InvalidAccessKeyId', async () => {
  const { url, fields } = await presign(uploader, {
    Bucket: 'bkt',
    Key: 'tamper.txt',
    Conditions: [['content-length-range', 0, 10]],
  });
  const doc = JSON.parse(Buffer.from(fields['Policy']!, 'base64').toString()) as { conditions: unknown[] };
  doc.conditions = doc.conditions.map((c) =>
    Array.isArray(c) && c[0] === 'content-length-range' ? ['content-length-range', 0, 1e9] : c,
  );
  const tampered = { ...fields, Policy: Buffer.from(JSON.stringify(doc)).toString('base64') };
  await s3Error(
    await post(url, tampered, 'x'),
    403,
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  );
  const ghost = await presign(
    { accessKeyId: 'AKIAGHOSTGHOSTGHOST1', secretAccessKey: 'x'.repeat(40) },
    { Bucket: 'bkt', Key: 'ghost.txt' },
  );
  await s3Error(
    await post(ghost.url, ghost.fields, 'x'),
    403,
    'InvalidAccessKeyId',
    'The AWS Access Key Id you provided does not exist in our records.',
  );
});

test('success_action_status 201 answers a PostResponse; success_action_redirect a 303', async () => {
  const created = await presign(uploader, {
    Bucket: 'bkt',
    Key: 'created.txt',
    Fields: { success_action_status: '201' },
  });
  const r201 = await post(created.url, created.fields, 'created');
  assert.equal(r201.status, 201);
  const etag = r201.headers.get('etag')!;
  assert.equal(
    await r201.text(),
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<PostResponse><Location>${server.url}/bkt/created.txt</Location><Bucket>bkt</Bucket>` +
      `<Key>created.txt</Key><ETag>${etag.replaceAll('"', '&quot;')}</ETag></PostResponse>`,
  );
  const redirected = await presign(uploader, {
    Bucket: 'bkt',
    Key: 'redirected.txt',
    Fields: { success_action_redirect: 'https://app.example/done' },
  });
  const r303 = await post(redirected.url, redirected.fields, 'redirected');
  assert.equal(r303.status, 303);
  const location = new URL(r303.headers.get('location')!);
  assert.equal(location.origin + location.pathname, 'https://app.example/done');
  assert.equal(location.searchParams.get('bucket'), 'bkt');
  assert.equal(location.searchParams.get('key'), 'redirected.txt');
  assert.match(location.searchParams.get('etag') ?? '', /^"[0-9a-f]{32}"$/);
  assert.equal((await objectText('redirected.txt')).body, 'redirected');
});

test('an anonymous POST is allowed only by a bucket policy granting s3:PutObject to "*"', async () => {
  const anon = (bucket: string, key: string) => post(`${server.url}/${bucket}`, { key }, `anon ${key}`);
  await s3Error(await anon('pub', 'a.txt'), 403, 'AccessDenied', 'Access Denied');
  await s3().send(
    new PutBucketPolicyCommand({
      Bucket: 'pub',
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::pub/*' },
        ],
      }),
    }),
  );
  const ok = await anon('pub', 'a.txt');
  assert.equal(ok.status, 204);
  assert.equal((await objectText('a.txt', 'pub')).body, 'anon a.txt');
  await s3Error(await anon('bkt', 'a.txt'), 403, 'AccessDenied', 'Access Denied');
});

test('a 20 MiB file streams through to the upstream intact', async () => {
  const big = new Uint8Array(20 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
  const { url, fields } = await presign(uploader, {
    Bucket: 'bkt',
    Key: 'big.bin',
    Conditions: [['content-length-range', 0, 32 * 1024 * 1024]],
  });
  const res = await post(url, fields, big);
  assert.equal(res.status, 204, await res.clone().text());
  const got = await s3().send(new GetObjectCommand({ Bucket: 'bkt', Key: 'big.bin' }));
  const bytes = await got.Body!.transformToByteArray();
  assert.equal(bytes.length, big.length);
  assert.equal(
    createHash('sha256').update(bytes).digest('hex'),
    createHash('sha256').update(big).digest('hex'),
  );
});

test('boto3 generate_presigned_post (SigV4) + requests.post upload through the gateway', async () => {
  const script = `
import sys, json, boto3, requests
from botocore.config import Config
c = boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1',
    aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], aws_session_token=sys.argv[4],
    config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}))
v2 = boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1',
    aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], aws_session_token=sys.argv[4],
    config=Config(s3={'addressing_style': 'path'}))
out = {}
p = v2.generate_presigned_post('bkt', 'py/v2.txt')
r = requests.post(p['url'], data=p['fields'], files={'file': ('v2.txt', b'v2')})
out['v2'] = [r.status_code, r.text]
p = c.generate_presigned_post('bkt', 'py/\${filename}', Fields={'Content-Type': 'text/csv'},
    Conditions=[{'Content-Type': 'text/csv'}, ['content-length-range', 1, 100]], ExpiresIn=300)
r = requests.post(p['url'], data=p['fields'], files={'file': ('data.csv', b'a,b\\n1,2\\n')})
out['ok'] = [r.status_code, r.text]
r = requests.post(p['url'], data=p['fields'], files={'file': ('big.csv', b'x' * 101)})
out['big'] = [r.status_code, r.text]
print(json.dumps(out))
`;
  // Spawned asynchronously: s3rver runs in this process and must keep answering meanwhile.
  const child = spawn(
    'python3',
    ['-c', script, server.url, uploader.accessKeyId, uploader.secretAccessKey, uploader.sessionToken!],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(status, 0, stderr);
  const out = JSON.parse(stdout) as Record<string, [number, string]>;
  assert.deepEqual(out['ok'], [204, '']);
  assert.equal(out['big']![0], 400);
  assert.match(out['big']![1], /<Code>EntityTooLarge<\/Code>/);
  // boto3's default presigned POST for us-east-1 is SigV2 (AWSAccessKeyId, signature): refused as S3
  // refuses SigV2 for buckets created after June 24, 2020 (every iamd bucket is new).
  assert.equal(out['v2']![0], 400);
  assert.match(
    out['v2']![1],
    /<Code>InvalidRequest<\/Code><Message>The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.<\/Message>/,
  );
});

test('boto3 reads back what it posted', async () => {
  assert.deepEqual(await objectText('py/data.csv'), { body: 'a,b\n1,2\n', type: 'text/csv' });
});

/** The SigV4 fields of a form signing `policy` (any string) with `creds`, as the docs compute them. */
function signedFields(creds: Creds, policy: string): Record<string, string> {
  const amzDate = formatAmzDate(Date.now());
  const date = amzDate.slice(0, 8);
  const key = deriveSigningKey(creds.secretAccessKey, date, 'us-east-1', 's3', crypto);
  return {
    'x-amz-algorithm': 'AWS4-HMAC-SHA256',
    'x-amz-credential': `${creds.accessKeyId}/${date}/us-east-1/s3/aws4_request`,
    'x-amz-date': amzDate,
    ...(creds.sessionToken !== undefined ? { 'x-amz-security-token': creds.sessionToken } : {}),
    policy,
    'x-amz-signature': Buffer.from(crypto.hmac(key, policy)).toString('hex'),
  };
}

test('a correctly signed policy that is not base64 JSON is InvalidPolicyDocument, never a 500', async () => {
  for (const policy of ['not base64!', Buffer.from('{"expiration": ').toString('base64')]) {
    const res = await post(`${server.url}/bkt`, { key: 'bad.txt', ...signedFields(uploader, policy) }, 'x');
    await s3Error(res, 400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
  }
  const noExpiry = Buffer.from(JSON.stringify({ conditions: [] })).toString('base64');
  const res = await post(`${server.url}/bkt`, { key: 'bad.txt', ...signedFields(uploader, noExpiry) }, 'x');
  await s3Error(res, 400, 'InvalidPolicyDocument', 'Invalid Policy: Policy missing expiration.');
});

test('malformed forms get S3 errors: no file, broken multipart, fields over 20 KB before the file', async () => {
  const noFile = new FormData();
  noFile.append('key', 'k');
  await s3Error(
    await fetch(`${server.url}/pub`, { method: 'POST', body: noFile }),
    400,
    'IncorrectNumberOfFilesInPostRequest',
    'POST requires exactly one file upload per request.',
  );
  const broken = await fetch(`${server.url}/pub`, {
    method: 'POST',
    headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
    body: '--xyz\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n--xyz\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\ntruncated',
  });
  await s3Error(
    broken,
    400,
    'MalformedPOSTRequest',
    'The body of your POST request is not well-formed multipart/form-data.',
  );
  await s3Error(
    await post(`${server.url}/pub`, { key: 'k', 'x-ignore-pad': 'p'.repeat(21 * 1024) }, 'x'),
    400,
    'MaxPostPreDataLengthExceededError',
    'Your POST request fields preceding the upload file were too large.',
  );
  // Without a key field S3 names the field it wants.
  await s3Error(
    await post(`${server.url}/pub`, {}, 'x'),
    400,
    'InvalidArgument',
    "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
  );
});

test('fields after the file are ignored, as S3 ignores them', async () => {
  const { url, fields } = await presign(uploader, { Bucket: 'bkt', Key: 'late-field.txt' });
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob(['body']), 'f.txt');
  form.append('x-amz-meta-late', 'ignored');
  const res = await fetch(url, { method: 'POST', body: form });
  assert.equal(res.status, 204, await res.clone().text());
  const head = await s3().send(new HeadObjectCommand({ Bucket: 'bkt', Key: 'late-field.txt' }));
  assert.equal(head.Metadata?.['late'], undefined);
});

test('virtual-hosted addressing: POST / on bkt.s3.localhost uploads to bkt', async () => {
  const { fields } = await presign(uploader, {
    Bucket: 'bkt',
    Key: 'virtual.txt',
    Fields: { success_action_status: '201' },
  });
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob(['virtual']), 'v.txt');
  const encoded = new Response(form);
  const body = Buffer.from(await encoded.arrayBuffer());
  const port = new URL(server.url).port;
  const host = `bkt.s3.localhost:${port}`;
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        headers: {
          host,
          'content-type': encoded.headers.get('content-type')!,
          'content-length': body.length,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  assert.equal(answer.status, 201, answer.body);
  assert.match(
    answer.body,
    new RegExp(`<Location>http://${host}/virtual.txt</Location><Bucket>bkt</Bucket>`),
  );
  assert.equal((await objectText('virtual.txt')).body, 'virtual');
});

test('an upstream that is down answers 503 ServiceUnavailable, and the spool is still removed', async () => {
  const down = await startIamd(['--upstream', 's3=http://127.0.0.1:1'], { TMPDIR: spoolDir });
  try {
    const { url, fields } = await createPresignedPost(
      new S3Client({
        endpoint: down.url,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: ROOT,
        maxAttempts: 1,
      }),
      { Bucket: 'bkt', Key: 'down.txt' },
    );
    await s3Error(
      await post(url, fields, 'x'),
      503,
      'ServiceUnavailable',
      'Please reduce your request rate.',
    );
  } finally {
    await down.stop();
  }
});

test('no spooled upload is left behind in the temporary directory', () => {
  // Every upload above (stored, refused for its size, denied, failed upstream) went through the spool.
  assert.deepEqual(
    readdirSync(spoolDir).filter((n) => n.startsWith('iamd-post-')),
    [],
  );
});

test('an expired session token is ExpiredToken, "The provided token has expired."', async () => {
  const short = await uploaderSession('short-uploader', 900);
  const { url, fields } = await presign(short, { Bucket: 'bkt', Key: 'expired.txt' });
  await server.advance(3600);
  await s3Error(await post(url, fields, 'x'), 400, 'ExpiredToken', 'The provided token has expired.');
});
