// POST Object's pure parts (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html):
// which requests are one, the key with ${filename}, the form's fields as PutObject headers (tagging
// as x-amz-tagging), and S3's answers (303 with bucket/key/etag, 201 PostResponse, 200, 204).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GatewayError } from '../errors.js';
import { classifyS3 } from './classify.js';
import {
  isPostObject,
  postAnswer,
  postObjectHeaders,
  postObjectKey,
  postPutRequest,
  withElements,
} from './post-object.js';

const form = { 'content-type': 'multipart/form-data; boundary=xyz' };

test('a multipart POST to a bucket, path-style or virtual-hosted, is a POST Object; others are not', () => {
  const req = (path: string, host = 'localhost:4566', headers: Record<string, string> = form) => ({
    method: 'POST',
    host,
    path,
    query: '',
    headers,
  });
  assert.equal(isPostObject(req('/bkt'), ['s3.localhost']), true);
  assert.equal(isPostObject(req('/bkt/'), ['s3.localhost']), true);
  assert.equal(isPostObject(req('/', 'bkt.s3.localhost:4566'), ['s3.localhost']), true);
  assert.equal(isPostObject(req('/bkt/key'), ['s3.localhost']), false);
  assert.equal(isPostObject(req('/'), ['s3.localhost']), false);
  assert.equal(
    isPostObject(req('/bkt', 'localhost', { 'content-type': 'application/xml' }), ['s3.localhost']),
    false,
  );
  assert.equal(isPostObject({ ...req('/bkt'), method: 'PUT' }, []), false);
});

test('the key replaces ${filename}; a form without a key is InvalidArgument as S3 words it', () => {
  assert.equal(postObjectKey([['Key', 'up/${filename}']], 'a b.txt'), 'up/a b.txt');
  assert.throws(
    () => postObjectKey([['acl', 'private']], 'f'),
    (e: unknown) =>
      e instanceof GatewayError &&
      e.code === 'InvalidArgument' &&
      e.message ===
        "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
  );
});

test('a key over 1,024 bytes (after ${filename}) is KeyTooLongError', () => {
  assert.equal(postObjectKey([['key', 'k'.repeat(1024)]], 'f').length, 1024);
  assert.throws(
    () => postObjectKey([['key', 'k'.repeat(1020) + '${filename}']], 'long.txt'),
    (e: unknown) =>
      e instanceof GatewayError && e.code === 'KeyTooLongError' && e.message === 'Your key is too long',
  );
});

test('form fields become the PutObject headers S3 applies; authentication fields do not', () => {
  const headers = postObjectHeaders([
    ['key', 'k'],
    ['Content-Type', 'text/plain'],
    ['Cache-Control', 'no-cache'],
    ['x-amz-meta-owner', 'me'],
    ['x-amz-storage-class', 'STANDARD'],
    ['x-amz-server-side-encryption', 'AES256'],
    ['acl', 'public-read'],
    ['tagging', '<Tagging><TagSet><Tag><Key>a b</Key><Value>1&amp;2</Value></Tag></TagSet></Tagging>'],
    ['x-amz-credential', 'AKID/20260101/us-east-1/s3/aws4_request'],
    ['x-amz-signature', 'abc'],
    ['x-amz-security-token', 'tok'],
    ['policy', 'p'],
    ['success_action_status', '201'],
  ]);
  assert.deepEqual(
    { ...headers },
    {
      'content-type': 'text/plain',
      'cache-control': 'no-cache',
      'x-amz-meta-owner': 'me',
      'x-amz-storage-class': 'STANDARD',
      'x-amz-server-side-encryption': 'AES256',
      'x-amz-acl': 'public-read',
      'x-amz-tagging': 'a%20b=1%262',
    },
  );
  assert.throws(
    () => postObjectHeaders([['tagging', '<Tagging>']]),
    (e: unknown) => e instanceof GatewayError && e.code === 'MalformedXML',
  );
  assert.throws(
    () => postObjectHeaders([['x-amz-meta-a', 'line\nbreak']]),
    (e: unknown) =>
      e instanceof GatewayError &&
      e.code === 'InvalidArgument' &&
      e.message === 'the value of form field `x-amz-meta-a` is not a valid header value',
  );
});

test('the PutObject the form stands for classifies as PutObject with the PUT condition keys, authType POST', () => {
  const headers = postObjectHeaders([
    ['acl', 'public-read'],
    ['tagging', '<Tagging><TagSet><Tag><Key>team</Key><Value>x</Value></Tag></TagSet></Tagging>'],
  ]);
  const c = classifyS3(postPutRequest('bkt', 'dir/a b+c.txt', headers), { baseHosts: [], authType: 'POST' });
  assert.equal(c.kind, 'classified');
  if (c.kind !== 'classified') return;
  assert.equal(c.operation, 'PutObject');
  assert.equal(c.key, 'dir/a b+c.txt');
  const a = c.authorizations[0]!;
  assert.equal(a.action, 's3:PutObject');
  assert.equal(a.resource, 'arn:aws:s3:::bkt/dir/a b+c.txt');
  assert.equal(a.context['s3:x-amz-acl'], 'public-read');
  assert.equal(a.context['s3:RequestObjectTag/team'], 'x');
  assert.equal(a.context['s3:authType'], 'POST');
});

test('property: any key round-trips through the PutObject path the classifier reads', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1 }), (key) => {
      const c = classifyS3(postPutRequest('bkt', key, {}), { baseHosts: [] });
      assert.equal(c.kind === 'classified' ? c.key : undefined, key);
    }),
  );
});

test('answers: redirect 303 with bucket, key and etag; 201 PostResponse; 200; 204 by default', () => {
  const url = 'http://localhost/bkt/a%20b';
  const r303 = postAnswer(
    [['success_action_redirect', 'https://app.example/done?x=1']],
    'bkt',
    'a b',
    '"e"',
    url,
  );
  assert.equal(r303.status, 303);
  assert.equal(r303.headers['location'], 'https://app.example/done?x=1&bucket=bkt&key=a+b&etag=%22e%22');
  const r201 = postAnswer([['success_action_status', '201']], 'bkt', 'a<b', '"e"', url);
  assert.equal(r201.status, 201);
  assert.equal(
    r201.body,
    '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>http://localhost/bkt/a%20b</Location>' +
      '<Bucket>bkt</Bucket><Key>a&lt;b</Key><ETag>&quot;e&quot;</ETag></PostResponse>',
  );
  assert.equal(r201.headers['etag'], '"e"');
  assert.equal(r201.headers['location'], url);
  assert.equal(postAnswer([['success_action_status', '200']], 'bkt', 'k', '"e"', url).status, 200);
  assert.equal(postAnswer([['success_action_status', '418']], 'bkt', 'k', '"e"', url).status, 204);
  // Not a URL: S3 answers with the status instead.
  assert.equal(postAnswer([['success_action_redirect', 'not a url']], 'bkt', 'k', '"e"', url).status, 204);
});

test('size refusals carry their elements after <Message>', () => {
  assert.equal(
    withElements('<Error><Code>EntityTooLarge</Code><Message>m</Message><RequestId>r</RequestId></Error>', [
      ['ProposedSize', '21'],
      ['MaxSizeAllowed', '20'],
    ]),
    '<Error><Code>EntityTooLarge</Code><Message>m</Message><ProposedSize>21</ProposedSize>' +
      '<MaxSizeAllowed>20</MaxSizeAllowed><RequestId>r</RequestId></Error>',
  );
});
