// The gateway in front of a real S3-compatible store (s3rver), driven by unmodified @aws-sdk/client-s3
// and presigned URLs (issue #18): denials in S3's XML with AWS's wording, a read-only role, aws-chunked
// and signed-payload uploads, presigned URLs that work then fail when tampered or expired, a public-read
// bucket policy serving anonymous GETs, ExpiredToken after a session's end, and 503 when the upstream
// is down.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { spawnSync } from 'node:child_process';
import {
  CreateBucketCommand,
  PutObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListBucketsCommand,
  PutBucketPolicyCommand,
  GetBucketPolicyCommand,
  DeleteObjectsCommand,
  CopyObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { CreateRoleCommand, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { startS3Gateway, type S3Gateway, s3Client, s3HeaderSigning } from './setup.js';
import { expectAwsError } from '../contract/support.js';
import { sigv4Crypto as crypto } from '../../src/authn/sigv4-crypto.js';
import { createUser } from '../contract/accounts-helper.js';
import { ROOT, startIamd, type Creds, type TestServer } from '../contract/harness.js';
import { signedFetch } from '../contract/signed-fetch.js';
import { cliRunner } from '../contract/cli-support.js';
import {
  chunkSignature,
  computeSignature,
  credentialScope,
  deriveSigningKey,
  formatAmzDate,
  s3CanonicalOptions,
} from '../../src/sigv4/index.js';

const ACCOUNT = ROOT.accountId;
const auditDir = mkdtempSync(join(tmpdir(), 'iamd-s3-audit-'));
const AUDIT_FILE = join(auditDir, 'audit.jsonl');
let gateway: S3Gateway;
let server: TestServer;

const s3 = (creds: Creds = ROOT, endpoint?: string) => s3Client(endpoint ?? server.url, creds);

before(async () => {
  gateway = await startS3Gateway(['--audit-file', AUDIT_FILE]);
  server = gateway.server;
  await s3().send(new CreateBucketCommand({ Bucket: 'bkt' }));
  await s3().send(new PutObjectCommand({ Bucket: 'bkt', Key: 'hello.txt', Body: 'hello world' }));
});

after(async () => {
  await gateway?.stop();
  rmSync(auditDir, { recursive: true, force: true });
});

test('the account root creates a bucket, writes, lists and reads through the gateway', async () => {
  const got = await s3().send(new GetObjectCommand({ Bucket: 'bkt', Key: 'hello.txt' }));
  assert.equal(await got.Body!.transformToString(), 'hello world');
  const list = await s3().send(new ListObjectsV2Command({ Bucket: 'bkt' }));
  assert.deepEqual(
    list.Contents?.map((c) => c.Key),
    ['hello.txt'],
  );
  const buckets = await s3().send(new ListBucketsCommand({}));
  assert.deepEqual(
    buckets.Buckets?.map((b) => b.Name),
    ['bkt'],
  );
});

/** A user of this account with an access key and no policy. */
async function newUser(name: string): Promise<Creds> {
  return (await createUser(server.iam(), name)).creds;
}

test('a user without permission is denied with S3 XML AccessDenied in AWS words', async () => {
  const creds = await newUser('nobody');
  // S3 User Guide, "Troubleshoot access denied (403 Forbidden) errors":
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
  await expectAwsError(
    s3(creds).send(new GetObjectCommand({ Bucket: 'bkt', Key: 'hello.txt' })),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${ACCOUNT}:user/nobody is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::bkt/hello.txt" because no identity-based policy allows the s3:GetObject action`,
  );
  await expectAwsError(
    s3(creds).send(new ListObjectsV2Command({ Bucket: 'bkt' })),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${ACCOUNT}:user/nobody is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::bkt" because no identity-based policy allows the s3:ListBucket action`,
  );
});

const READ_ONLY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:Get*', 's3:List*'], Resource: '*' }],
});

let assumer: Creds | undefined;

async function readOnlySession(duration = 3600): Promise<Creds> {
  await server.iam().send(
    new CreateRoleCommand({
      RoleName: `reader-${duration}`,
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
      RoleName: `reader-${duration}`,
      PolicyName: 'read',
      PolicyDocument: READ_ONLY,
    }),
  );
  // Roles are assumed by IAM principals, never by a root (STS): a user allowed to assume roles.
  assumer ??= await newUser('assumer').then(async (c) => {
    await server.iam().send(
      new PutUserPolicyCommand({
        UserName: 'assumer',
        PolicyName: 'assume',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
        }),
      }),
    );
    return c;
  });
  const r = await server.sts(assumer).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/reader-${duration}`,
      RoleSessionName: 'sess',
      DurationSeconds: duration,
    }),
  );
  const c = r.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

test('a role with a read-only policy lists and reads but cannot write', async () => {
  const creds = await readOnlySession();
  const list = await s3(creds).send(new ListObjectsV2Command({ Bucket: 'bkt' }));
  assert.ok(list.Contents?.some((c) => c.Key === 'hello.txt'));
  const got = await s3(creds).send(new GetObjectCommand({ Bucket: 'bkt', Key: 'hello.txt' }));
  assert.equal(await got.Body!.transformToString(), 'hello world');
  await expectAwsError(
    s3(creds).send(new PutObjectCommand({ Bucket: 'bkt', Key: 'new.txt', Body: 'x' })),
    'AccessDenied',
    403,
    `User: arn:aws:sts::${ACCOUNT}:assumed-role/reader-3600/sess is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::bkt/new.txt" because no identity-based policy allows the s3:PutObject action`,
  );
});

test('a header-signed request 20 minutes old is RequestTimeTooSkewed, as S3 answers', async () => {
  // https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html — RequestTimeTooSkewed (403).
  const client = s3();
  client.config.systemClockOffset = -20 * 60_000;
  await expectAwsError(
    client.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'hello.txt' })),
    'RequestTimeTooSkewed',
    403,
    'The difference between the request time and the current time is too large.',
  );
});

test('an expired session gets ExpiredToken, "The provided token has expired."', async () => {
  const creds = await readOnlySession(900);
  await s3(creds).send(new ListBucketsCommand({}));
  await server.advance(3600);
  await expectAwsError(
    s3(creds).send(new ListBucketsCommand({})),
    'ExpiredToken',
    400,
    'The provided token has expired.',
  );
});

/** A PUT with an aws-chunked body signed chunk by chunk (AWS's chunked-upload scheme), `tamper`ed or not. */
async function chunkedPut(key: string, payload: string[], tamper: boolean): Promise<Response> {
  const url = new URL(server.url);
  const amzDate = formatAmzDate(Date.now());
  const decoded = payload.reduce((n, c) => n + Buffer.byteLength(c), 0);
  const headers: Record<string, string> = {
    host: url.host,
    'x-amz-date': amzDate,
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': String(decoded),
  };
  const path = `/bkt/${key}`;
  const signedHeaders = Object.keys(headers).sort();
  const p = s3HeaderSigning(amzDate, signedHeaders);
  const req = { method: 'PUT', path, query: '', headers, body: '' };
  const seed = computeSignature(
    req,
    p,
    ROOT.secretAccessKey,
    crypto,
    undefined,
    s3CanonicalOptions('STREAMING-AWS4-HMAC-SHA256-PAYLOAD'),
  );
  const signingKey = deriveSigningKey(ROOT.secretAccessKey, p.date, p.region, p.service, crypto);
  let previous = seed;
  let body = '';
  for (const c of [...payload, '']) {
    const sig = chunkSignature(
      signingKey,
      amzDate,
      credentialScope(p),
      previous,
      crypto.sha256Hex(c),
      crypto,
    );
    previous = sig;
    body += `${Buffer.byteLength(c).toString(16)};chunk-signature=${sig}\r\n${c}\r\n`;
  }
  if (tamper) body = body.replace('second', 'SECOND');
  return fetch(`${server.url}${path}`, {
    method: 'PUT',
    headers: {
      ...headers,
      authorization: `AWS4-HMAC-SHA256 Credential=${ROOT.accessKeyId}/${credentialScope(p)}, SignedHeaders=${signedHeaders.join(';')}, Signature=${seed}`,
    },
    body,
  });
}

test('PutObject with an aws-chunked body: every chunk verified, decoded body stored', async () => {
  const ok = await chunkedPut('chunked.txt', ['first chunk ', 'second chunk'], false);
  assert.equal(ok.status, 200, await ok.text());
  const got = await s3().send(new GetObjectCommand({ Bucket: 'bkt', Key: 'chunked.txt' }));
  assert.equal(await got.Body!.transformToString(), 'first chunk second chunk');
});

test('a tampered aws-chunked body is SignatureDoesNotMatch and nothing is stored', async () => {
  const bad = await chunkedPut('tampered.txt', ['first chunk ', 'second chunk'], true);
  assert.equal(bad.status, 403);
  assert.match(await bad.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
  await expectAwsError(
    s3().send(new GetObjectCommand({ Bucket: 'bkt', Key: 'tampered.txt' })),
    'NoSuchKey',
    404,
  );
});

test('a signed payload hash that does not match the body is XAmzContentSHA256Mismatch', async () => {
  const client = s3();
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = (args as { request: { body: unknown } }).request;
      request.body = 'tampered!!!';
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'tamperBody' },
  );
  await expectAwsError(
    client.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'mismatch.txt', Body: 'original!!!' })),
    'XAmzContentSHA256Mismatch',
    400,
  );
});

test('a presigned GET works, then fails when tampered or expired', async () => {
  const url = await getSignedUrl(s3(), new GetObjectCommand({ Bucket: 'bkt', Key: 'hello.txt' }), {
    expiresIn: 300,
  });
  const ok = await fetch(url);
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), 'hello world');
  const tampered = await fetch(url.replace('hello.txt', 'chunked.txt'));
  assert.equal(tampered.status, 403);
  assert.match(await tampered.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
  const old = await getSignedUrl(s3(), new GetObjectCommand({ Bucket: 'bkt', Key: 'hello.txt' }), {
    expiresIn: 60,
    signingDate: new Date(Date.now() - 120_000),
  });
  const expired = await fetch(old);
  assert.equal(expired.status, 403);
  assert.match(
    await expired.text(),
    // S3 answers an expired presigned URL with AccessDenied (sigv4-query-string-auth.html).
    /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/,
  );
});

test('SigV2 (CLI v1 presign, an AWS KEY:SIG header) is refused as S3 refuses it for new buckets', async () => {
  // "Any new buckets created after June 24, 2020 will not support SigV2 signed requests" (AWS's SigV2
  // deprecation notice); S3's answer is 400 InvalidRequest with the text below. Every iamd bucket is new.
  const refused = async (res: Response): Promise<void> => {
    assert.equal(res.status, 400);
    const body = await res.text();
    assert.match(body, /<Code>InvalidRequest<\/Code>/);
    assert.match(
      body,
      /<Message>The authorization mechanism you have provided is not supported\. Please use AWS4-HMAC-SHA256\.<\/Message>/,
    );
  };
  const header = await fetch(`${server.url}/bkt/hello.txt`, {
    headers: {
      authorization: `AWS ${ROOT.accessKeyId}:bm90IGEgc2lnbmF0dXJl`,
      date: new Date().toUTCString(),
    },
  });
  await refused(header);
  // The AWS CLI v1 presigns with SigV2 unless s3.signature_version is s3v4 (S3 User Guide, "Specifying
  // the Signature Version in Request Authentication").
  const home = mkdtempSync(join(tmpdir(), 'iamd-cli-v1-'));
  const v1 = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  if (v1.status === 0 && /aws-cli\/1\./.test(v1.stdout + v1.stderr)) {
    const cli = cliRunner(
      'aws',
      () => server.url,
      () => home,
    );
    const r = await cli.aws('s3', 'presign', 's3://bkt/hello.txt');
    assert.equal(r.code, 0, r.stderr);
    const url = r.stdout.trim();
    assert.match(url, /[?&]AWSAccessKeyId=/);
    await refused(await fetch(url));
  }
  rmSync(home, { recursive: true, force: true });
});

test('anonymous GET is denied, then served once a public-read bucket policy allows it', async () => {
  const denied = await fetch(`${server.url}/bkt/hello.txt`);
  assert.equal(denied.status, 403);
  assert.match(await denied.text(), /<Code>AccessDenied<\/Code><Message>Access Denied<\/Message>/);
  await expectAwsError(
    s3().send(
      new PutBucketPolicyCommand({ Bucket: 'bkt', Policy: '{"Version":"2012-10-17","Statement":[]' }),
    ),
    'MalformedPolicy',
    400,
    'This policy contains invalid Json',
  );
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bkt/*' }],
  });
  await s3().send(new PutBucketPolicyCommand({ Bucket: 'bkt', Policy: policy }));
  const stored = await s3().send(new GetBucketPolicyCommand({ Bucket: 'bkt' }));
  assert.equal(stored.Policy, policy);
  const served = await fetch(`${server.url}/bkt/hello.txt`);
  assert.equal(served.status, 200);
  assert.equal(await served.text(), 'hello world');
  // The policy allows reads only: an anonymous listing is still denied.
  const list = await fetch(`${server.url}/bkt?list-type=2`);
  assert.equal(list.status, 403);
});

test('an upstream that is down answers 503 ServiceUnavailable, not a hang', async () => {
  const down = await startIamd(['--upstream', 's3=http://127.0.0.1:1']);
  try {
    await expectAwsError(
      s3(ROOT, down.url).send(new GetObjectCommand({ Bucket: 'bkt', Key: 'hello.txt' })),
      'ServiceUnavailable',
      503,
    );
  } finally {
    await down.stop();
  }
});

test('gateway calls are in the audit trail as CloudTrail events of s3.amazonaws.com', async () => {
  await new Promise((r) => setTimeout(r, 500));
  const events = readFileSync(AUDIT_FILE, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const denied = events.find(
    (e) =>
      e['eventSource'] === 's3.amazonaws.com' &&
      e['eventName'] === 'GetObject' &&
      e['errorCode'] === 'AccessDenied',
  );
  assert.ok(denied, 'the denied GetObject is recorded');
  assert.equal(denied['eventCategory'], 'Data');
  assert.deepEqual(denied['requestParameters'], { bucketName: 'bkt', key: 'hello.txt' });
  assert.equal(
    (denied['userIdentity'] as Record<string, unknown>)['arn'],
    `arn:aws:iam::${ACCOUNT}:user/nobody`,
  );
  const created = events.find(
    (e) => e['eventSource'] === 's3.amazonaws.com' && e['eventName'] === 'CreateBucket',
  );
  assert.equal(created?.['eventCategory'], 'Management');
});

test('DeleteObjects is authorized per key: one key outside the allowed prefix denies the request', async () => {
  const creds = await newUser('cleaner');
  await server.iam().send(
    new PutUserPolicyCommand({
      UserName: 'cleaner',
      PolicyName: 'tmp-only',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::bkt/tmp/*' }],
      }),
    }),
  );
  await s3().send(new PutObjectCommand({ Bucket: 'bkt', Key: 'tmp/a', Body: 'a' }));
  await expectAwsError(
    s3(creds).send(
      new DeleteObjectsCommand({
        Bucket: 'bkt',
        Delete: { Objects: [{ Key: 'tmp/a' }, { Key: 'hello.txt' }] },
      }),
    ),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${ACCOUNT}:user/cleaner is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::bkt/hello.txt" because no identity-based policy allows the s3:DeleteObject action`,
  );
  const ok = await s3(creds).send(
    new DeleteObjectsCommand({ Bucket: 'bkt', Delete: { Objects: [{ Key: 'tmp/a' }] } }),
  );
  assert.deepEqual(
    ok.Deleted?.map((d) => d.Key),
    ['tmp/a'],
  );
  const still = await s3().send(new GetObjectCommand({ Bucket: 'bkt', Key: 'hello.txt' }));
  assert.equal(await still.Body!.transformToString(), 'hello world');
});

test('CopyObject needs write on the target and read on the source', async () => {
  const creds = await newUser('copier');
  await server.iam().send(
    new PutUserPolicyCommand({
      UserName: 'copier',
      PolicyName: 'write-copies',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::bkt/copies/*' }],
      }),
    }),
  );
  // The source is in a bucket without the public-read policy another test puts on `bkt`.
  await s3().send(new CreateBucketCommand({ Bucket: 'src-bkt' }));
  await s3().send(new PutObjectCommand({ Bucket: 'src-bkt', Key: 'hello.txt', Body: 'hello world' }));
  const copy = () =>
    s3(creds).send(
      new CopyObjectCommand({ Bucket: 'bkt', Key: 'copies/hello.txt', CopySource: 'src-bkt/hello.txt' }),
    );
  await expectAwsError(
    copy(),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${ACCOUNT}:user/copier is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::src-bkt/hello.txt" because no identity-based policy allows the s3:GetObject action`,
  );
  await server.iam().send(
    new PutUserPolicyCommand({
      UserName: 'copier',
      PolicyName: 'read-source',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::src-bkt/hello.txt' }],
      }),
    }),
  );
  await copy();
  const got = await s3().send(new GetObjectCommand({ Bucket: 'bkt', Key: 'copies/hello.txt' }));
  assert.equal(await got.Body!.transformToString(), 'hello world');
});

/** A GET sent to iamd with `host` as its Host header (virtual-hosted addressing). */
function getWithHost(host: string, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname: url.hostname, port: url.port, path, method: 'GET', headers: { host } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('virtual-hosted addressing: bucket.s3.localhost reaches the same object as the path style', async () => {
  // `bkt` carries a public-read policy (see above): an anonymous GET is allowed either way.
  const port = new URL(server.url).port;
  const virtual = await getWithHost(`bkt.s3.localhost:${port}`, '/hello.txt');
  assert.equal(virtual.status, 200);
  assert.equal(virtual.body, 'hello world');
  const missing = await getWithHost(`src-bkt.s3.localhost:${port}`, '/hello.txt');
  assert.equal(missing.status, 403);
  assert.match(missing.body, /<Code>AccessDenied<\/Code><Message>Access Denied<\/Message>/);
});

test('iamd explain answers for a denied gateway request, by its S3 request id', async () => {
  const creds = await newUser('explain-me');
  let requestId: string | undefined;
  await assert.rejects(
    s3(creds).send(new GetObjectCommand({ Bucket: 'src-bkt', Key: 'hello.txt' })),
    (e: unknown) => {
      assert.ok(e instanceof S3ServiceException);
      requestId = e.$metadata.requestId;
      return true;
    },
  );
  assert.ok(requestId);
  // GET /_iamd/explain/ID, SigV4-signed for service iam by the account root.
  const res = await signedFetch(server.url, ROOT, 'iam', `/_iamd/explain/${requestId}`);
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.ok(text.includes('s3:GetObject'), text);
  assert.ok(text.includes('arn:aws:s3:::src-bkt/hello.txt'), text);
});
