/**
 * Bad HTTP input on the Query endpoint gets an AWS-shaped XML error (never fastify's JSON, never a
 * 500): an oversized body, an unsupported method, any path. The server keeps answering afterwards.
 * Error envelope: shared/reference/aws-errors.md §0; InvalidAction text: AWS common errors.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { startIamd, type TestServer } from './harness.js';

let server: TestServer;
before(async () => {
  server = await startIamd();
});
after(async () => {
  await server.stop();
});

function errorOf(body: string): { code: string; message: string; requestId: string } {
  return {
    code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? '',
    message: /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? '',
    requestId: /<RequestId>([^<]*)<\/RequestId>/.exec(body)?.[1] ?? '',
  };
}

test('a body over 1 MiB is RequestEntityTooLarge (413) in the AWS error envelope', async () => {
  const r = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `Action=GetCallerIdentity&Version=2011-06-15&Pad=${'x'.repeat(1024 * 1024 + 10)}`,
  });
  assert.equal(r.status, 413);
  const body = await r.text();
  assert.match(body, /^<ErrorResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/">/);
  const e = errorOf(body);
  assert.equal(e.code, 'RequestEntityTooLarge');
  assert.equal(e.message, 'the request body must be at most 1048576 bytes');
  assert.equal(e.requestId, r.headers.get('x-amzn-requestid'));
});

test('an unsupported method is InvalidAction (400) with AWS text', async () => {
  const r = await fetch(server.url, { method: 'PUT', body: 'x' });
  assert.equal(r.status, 400);
  const e = errorOf(await r.text());
  assert.equal(e.code, 'InvalidAction');
  assert.equal(
    e.message,
    'The action or operation requested is invalid. Verify that the action is typed correctly.',
  );
});

test('any path reaches the Query endpoint (an unsigned call there is MissingAuthenticationToken)', async () => {
  const r = await fetch(`${server.url}/some/other/path`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
  });
  assert.equal(r.status, 403);
  const e = errorOf(await r.text());
  assert.equal(e.code, 'MissingAuthenticationToken');
  assert.equal(e.message, 'Request is missing Authentication Token');
});

test('iamd endpoints keep their own JSON answers, and the server still serves signed calls', async () => {
  const health = await fetch(`${server.url}/health`);
  assert.deepEqual(await health.json(), { status: 'ok' });
  const missing = await fetch(`${server.url}/_iamd/nothing-here`);
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { statusCode: 404, message: 'not found' });
  const who = await server.sts().send(new GetCallerIdentityCommand({}));
  assert.equal(who.Account, '111122223333');
});
