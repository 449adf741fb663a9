/**
 * Contract tests of the request path with the real AWS SDK v3: authentication outcomes and the
 * error shapes AWS uses for them (shared/reference/aws-errors.md §1).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetCallerIdentityCommand, GetAccessKeyInfoCommand } from '@aws-sdk/client-sts';
import { GetUserCommand } from '@aws-sdk/client-iam';
import { startIamd, ROOT, type TestServer } from './harness.js';

let server: TestServer;
before(async () => {
  server = await startIamd();
});
after(async () => {
  await server.stop();
});

test('GetCallerIdentity as the account root', async () => {
  const out = await server.sts().send(new GetCallerIdentityCommand({}));
  assert.equal(out.Account, ROOT.accountId);
  assert.equal(out.Arn, `arn:aws:iam::${ROOT.accountId}:root`);
  assert.equal(out.UserId, ROOT.accountId);
  assert.match(out.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
});

test('an unknown access key is InvalidClientTokenId (403)', async () => {
  const err = await server
    .sts({ accessKeyId: 'AKIAZZZZZZZZZZZZZZZZ', secretAccessKey: 'x'.repeat(40) })
    .send(new GetCallerIdentityCommand({}))
    .then(
      () => undefined,
      (e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode: number } },
    );
  assert.ok(err);
  assert.equal(err.name, 'InvalidClientTokenId');
  assert.equal(err.message, 'The security token included in the request is invalid');
  assert.equal(err.$metadata.httpStatusCode, 403);
});

test('a wrong secret is SignatureDoesNotMatch (403) and never says which part differed', async () => {
  const err = await server
    .iam({ accessKeyId: ROOT.accessKeyId, secretAccessKey: 'wrong'.repeat(8) })
    .send(new GetUserCommand({}))
    .then(
      () => undefined,
      (e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode: number } },
    );
  assert.ok(err);
  assert.equal(err.name, 'SignatureDoesNotMatch');
  assert.equal(
    err.message,
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );
  assert.equal(err.$metadata.httpStatusCode, 403);
});

test('an unsigned call is MissingAuthenticationToken with the AWS error envelope', async () => {
  const r = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
  });
  assert.equal(r.status, 403);
  const body = await r.text();
  const id = r.headers.get('x-amzn-requestid');
  assert.ok(id);
  assert.match(body, /<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/);
  assert.match(
    body,
    /<Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code><Message>Request is missing Authentication Token<\/Message>/,
  );
  assert.ok(body.includes(`<RequestId>${id}</RequestId>`));
});

test('GetAccessKeyInfo recovers the account of a key iamd minted and of the configured root key', async () => {
  const out = await server.sts().send(new GetAccessKeyInfoCommand({ AccessKeyId: ROOT.accessKeyId }));
  assert.equal(out.Account, ROOT.accountId);
});
