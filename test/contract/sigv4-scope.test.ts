/**
 * SigV4 leniencies closed at the server (issue #16 item 5): the credential scope's region must be one
 * the service serves, and a second Authorization header is refused, with AWS's codes and texts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ROOT, startIamd, type TestServer } from './harness.js';
import { expectAwsError } from './support.js';

let server: TestServer;

before(async () => {
  server = await startIamd();
});

after(async () => {
  await server?.stop();
});

const creds = { accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey };

// SignatureDoesNotMatch 403 "Credential should be scoped to a valid region, not '<region>'. "
// (https://github.com/cognitect-labs/aws-api/issues/27, raw STS XML; JuliaCloud/AWS.jl#565, IAM).
test('a scope naming a region the service does not serve is SignatureDoesNotMatch', async () => {
  const iam = new IAMClient({ region: 'moon-1', endpoint: server.url, credentials: creds, maxAttempts: 1 });
  await expectAwsError(
    iam.send(new GetUserCommand({})),
    'SignatureDoesNotMatch',
    403,
    "Credential should be scoped to a valid region, not 'moon-1'. ",
  );
  const sts = new STSClient({
    region: 'aws-global',
    endpoint: server.url,
    credentials: creds,
    maxAttempts: 1,
  });
  await expectAwsError(
    sts.send(new GetCallerIdentityCommand({})),
    'SignatureDoesNotMatch',
    403,
    "Credential should be scoped to a valid region, not 'aws-global'. ",
  );
  // STS's regional endpoints, and IAM clients that sign with their configured region when pointed at
  // a custom endpoint (as every client reaching iamd is), are served.
  for (const region of ['eu-west-1', 'ap-southeast-2']) {
    const ok = new STSClient({ region, endpoint: server.url, credentials: creds, maxAttempts: 1 });
    assert.equal((await ok.send(new GetCallerIdentityCommand({}))).Account, ROOT.accountId);
    const iamOk = new IAMClient({ region, endpoint: server.url, credentials: creds, maxAttempts: 1 });
    assert.equal((await iamOk.send(new GetUserCommand({}))).User?.Arn, `arn:aws:iam::${ROOT.accountId}:root`);
  }
});

/** Sends `request` on a fresh connection and returns the answer's text. */
function rawHttp(request: string): Promise<string> {
  const { port, hostname } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    sock.on('connect', () => sock.end(request));
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

// Two Authorization headers are one header joined with `,` (RFC 9110 section 5.3); AWS then meets the
// second algorithm as a token without `=`: IncompleteSignature 400 "'AWS4-HMAC-SHA256' not a valid
// key=value pair (missing equal-sign) in Authorization header: '…'." (envoyproxy/envoy#23702).
test('a second Authorization header is IncompleteSignature', async () => {
  const auth = `AWS4-HMAC-SHA256 Credential=${ROOT.accessKeyId}/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`;
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const answer = await rawHttp(
    [
      'POST / HTTP/1.1',
      `Host: ${new URL(server.url).host}`,
      'Content-Type: application/x-www-form-urlencoded',
      'X-Amz-Date: 20260101T000000Z',
      `Authorization: ${auth}`,
      `Authorization: ${auth}`,
      `Content-Length: ${body.length}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
  assert.match(answer, /^HTTP\/1\.1 400 /);
  assert.match(answer, /<Code>IncompleteSignature<\/Code>/);
  const text = answer
    .replaceAll('&apos;', "'")
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
  assert.ok(
    text.includes(
      `<Message>'AWS4-HMAC-SHA256' not a valid key=value pair (missing equal-sign) in Authorization header: '${auth},${auth}'.</Message>`,
    ),
    answer,
  );
});
