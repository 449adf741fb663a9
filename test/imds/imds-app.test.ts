/**
 * The IMDS and container credentials apps without a socket (`app.inject()`), over a real in-memory
 * store and the real credential cache. AWS behaviour pinned here, with its source:
 * - EC2 User Guide, "Use IMDSv2" / "Query responses and error messages": token TTL 1–21600, 400 for a
 *   missing or invalid TTL, 401 for a missing (when IMDSv2 is required), expired or invalid token,
 *   404 for what does not exist;
 * - AWS Security Blog 2019-11-19 ("Add defense in depth against open firewalls, reverse proxies, and
 *   SSRF vulnerabilities"): token PUTs with `X-Forwarded-For` are refused;
 * - aws/aws-cli#2060: a role EC2 may not assume gives `Code: AssumeRoleUnauthorizedAccess` and
 *   "EC2 cannot assume the role NAME.  Please see documentation at …" (HTTP 200);
 * - amazon-ecs-agent: unknown credentials id → 400 `InvalidIdInRequest` "CredentialsV2Request: Credentials not found".
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { openMemoryStore } from '../../src/store/memory/index.js';
import type { Store } from '../../src/store/index.js';
import { adjustableClock, type AdjustableClock } from '../../src/core/clock.js';
import type { InstanceProfileBody, RoleBody } from '../../src/domain/entities.js';
import type { AuditRecord } from '../../src/store/index.js';
import { RuntimeCredentials } from '../../src/imds/index.js';
import { buildContainerApp, buildImdsApp } from '../../src/server/imds-app.js';
import { issueMarker, openMarker } from '../../src/credentials/list-marker.js';

/** Key of the list markers this harness's calls issue. */
const MARKER_KEY = randomBytes(32);

const ACCOUNT = '111122223333';
const EC2_TRUST =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
const ECS_TRUST =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
const LAMBDA_TRUST =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
const CONTAINER_TOKEN = 'container-token-0123456789';

function role(name: string, trust: string): RoleBody {
  return {
    roleName: name,
    roleId: `AROA${name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
    arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    path: '/',
    createDate: 0,
    assumeRolePolicyDocument: trust,
    maxSessionDuration: 3600,
    tags: [],
    inlinePolicies: {},
    attachedPolicies: [],
  };
}

function profile(name: string, roles: string[]): InstanceProfileBody {
  return {
    instanceProfileName: name,
    instanceProfileId: 'AIPAEXAMPLEPROFILE01',
    arn: `arn:aws:iam::${ACCOUNT}:instance-profile/${name}`,
    path: '/',
    createDate: 0,
    roles,
    tags: [],
  };
}

let store: Store;
let clock: AdjustableClock;
let imds: FastifyInstance;
let imdsV2: FastifyInstance;
let container: FastifyInstance;
const audited: AuditRecord[] = [];

before(async () => {
  store = await openMemoryStore();
  clock = adjustableClock({ now: () => Date.UTC(2026, 0, 1, 12, 0, 0) });
  await store.transact(async (tx) => {
    await tx.insert(ACCOUNT, 'role', 'web-role', role('web-role', EC2_TRUST));
    await tx.insert(ACCOUNT, 'role', 'task-role', role('task-role', ECS_TRUST));
    await tx.insert(ACCOUNT, 'instanceProfile', 'web', profile('web', ['web-role']));
    await tx.insert(ACCOUNT, 'instanceProfile', 'empty', profile('empty', []));
  });
  const credentials = new RuntimeCredentials({
    store,
    clock,
    region: 'eu-west-1',
    audit: (r) => audited.push(r),
    services: {
      random: (n) => randomBytes(n),
      sealSession: (c) => `sealed:${c.accessKeyId}`,
      sealSecret: () => '',
      unsealSecret: () => '',
      issueMarker: (position) => issueMarker(MARKER_KEY, position),
      openMarker: (marker) => openMarker(MARKER_KEY, marker),
    },
  });
  const instances = [
    { instanceId: 'i-0123456789abcdef0', profileName: 'web', account: ACCOUNT, from: undefined },
    { instanceId: 'i-00000000000000001', profileName: 'empty', account: ACCOUNT, from: '10.0.0.2' },
    { instanceId: 'i-00000000000000002', profileName: 'missing', account: ACCOUNT, from: '10.0.0.3' },
  ];
  const common = {
    credentials,
    instances,
    clock,
    region: 'eu-west-1',
    tokenKey: randomBytes(32),
    logLevel: 'silent',
  };
  imds = buildImdsApp({ ...common, v2Only: false, tokenKey: randomBytes(32) });
  imdsV2 = buildImdsApp({ ...common, v2Only: true });
  container = buildContainerApp({
    credentials,
    tasks: [{ taskId: 't1', roleName: 'task-role', account: ACCOUNT }],
    token: CONTAINER_TOKEN,
    logLevel: 'silent',
  });
});
after(async () => {
  await Promise.all([imds.close(), imdsV2.close(), container.close()]);
  await store.close();
});

async function token(app: FastifyInstance, ttl = '21600', remoteAddress?: string): Promise<string> {
  const r = await app.inject({
    method: 'PUT',
    url: '/latest/api/token',
    headers: { 'x-aws-ec2-metadata-token-ttl-seconds': ttl },
    remoteAddress,
  });
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['x-aws-ec2-metadata-token-ttl-seconds'], ttl);
  return r.body;
}

test('token PUT: missing, zero, too large or non-numeric TTL is 400', async () => {
  for (const ttl of [undefined, '0', '21601', 'abc', '-5', '1.5']) {
    const r = await imds.inject({
      method: 'PUT',
      url: '/latest/api/token',
      headers: ttl === undefined ? {} : { 'x-aws-ec2-metadata-token-ttl-seconds': ttl },
    });
    assert.equal(r.statusCode, 400, `ttl ${ttl}`);
    assert.match(r.body, /<title>400 - Bad Request<\/title>/);
  }
  assert.equal((await token(imds, '1')).length > 0, true);
  assert.equal((await token(imds, '21600')).length > 0, true);
});

test('token PUT with X-Forwarded-For is refused (403); GET on the token path is 405', async () => {
  const r = await imds.inject({
    method: 'PUT',
    url: '/latest/api/token',
    headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60', 'x-forwarded-for': '203.0.113.9' },
  });
  assert.equal(r.statusCode, 403);
  assert.match(r.body, /<h1>403 - Forbidden<\/h1>/);
  const g = await imds.inject({ method: 'GET', url: '/latest/api/token' });
  assert.equal(g.statusCode, 405);
});

test('IMDSv1 reads work unless v2 is required; a wrong or expired token is 401', async () => {
  const v1 = await imds.inject({ url: '/latest/meta-data/instance-id' });
  assert.equal(v1.statusCode, 200);
  assert.equal(v1.body, 'i-0123456789abcdef0');
  const v1Required = await imdsV2.inject({ url: '/latest/meta-data/instance-id' });
  assert.equal(v1Required.statusCode, 401);
  assert.match(v1Required.body, /<title>401 - Unauthorized<\/title>/);

  const t = await token(imdsV2, '2');
  const ok = await imdsV2.inject({
    url: '/latest/meta-data/instance-id',
    headers: { 'x-aws-ec2-metadata-token': t },
  });
  assert.equal(ok.statusCode, 200);
  const forged = `${t.slice(0, -2)}AA`;
  const bad = await imdsV2.inject({
    url: '/latest/meta-data/instance-id',
    headers: { 'x-aws-ec2-metadata-token': forged },
  });
  assert.equal(bad.statusCode, 401);
  // A token from the other app (other key) is invalid too, even with IMDSv1 allowed: a sent token is checked.
  const foreign = await imds.inject({
    url: '/latest/meta-data/instance-id',
    headers: { 'x-aws-ec2-metadata-token': t },
  });
  assert.equal(foreign.statusCode, 401);
  clock.advance(2000);
  const expired = await imdsV2.inject({
    url: '/latest/meta-data/instance-id',
    headers: { 'x-aws-ec2-metadata-token': t },
  });
  assert.equal(expired.statusCode, 401);
});

test('a token is bound to its instance', async () => {
  const t = await token(imds, '60', '10.0.0.2');
  const own = await imds.inject({
    url: '/latest/meta-data/instance-id',
    headers: { 'x-aws-ec2-metadata-token': t },
    remoteAddress: '10.0.0.2',
  });
  assert.equal(own.body, 'i-00000000000000001');
  const other = await imds.inject({
    url: '/latest/meta-data/instance-id',
    headers: { 'x-aws-ec2-metadata-token': t },
  });
  assert.equal(other.statusCode, 401);
});

test('metadata paths: listings, placement, identity document, unknown paths 404', async () => {
  const get = (url: string) => imds.inject({ url });
  assert.equal((await get('/latest/meta-data/')).body, 'iam/\ninstance-id\nplacement/');
  assert.equal((await get('/latest/meta-data/placement/region')).body, 'eu-west-1');
  assert.equal((await get('/latest/meta-data/placement/availability-zone')).body, 'eu-west-1a');
  assert.equal((await get('/latest/meta-data/iam/')).body, 'info\nsecurity-credentials/');
  const doc = JSON.parse((await get('/latest/dynamic/instance-identity/document')).body) as Record<
    string,
    unknown
  >;
  assert.equal(doc.instanceId, 'i-0123456789abcdef0');
  assert.equal(doc.accountId, ACCOUNT);
  assert.equal(doc.region, 'eu-west-1');
  const missing = await get('/latest/meta-data/no-such-thing');
  assert.equal(missing.statusCode, 404);
  assert.match(missing.body, /<h1>404 - Not Found<\/h1>/);
  assert.equal((await get('/latest/meta-data/iam/security-credentials/other-role')).statusCode, 404);
});

test('iam/info and security-credentials: the documented documents, the same credentials on every read', async () => {
  const info = await imds.inject({ url: '/latest/meta-data/iam/info' });
  // IMDS's own JSON layout: two-space indent, ` : ` separators.
  assert.match(
    info.body,
    /^\{\n {2}"Code" : "Success",\n {2}"LastUpdated" : "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",\n/,
  );
  const i = JSON.parse(info.body) as Record<string, string>;
  assert.deepEqual(Object.keys(i), ['Code', 'LastUpdated', 'InstanceProfileArn', 'InstanceProfileId']);
  assert.equal(i.InstanceProfileArn, `arn:aws:iam::${ACCOUNT}:instance-profile/web`);
  assert.equal((await imds.inject({ url: '/latest/meta-data/iam/security-credentials/' })).body, 'web-role');
  const read = async () =>
    JSON.parse(
      (await imds.inject({ url: '/latest/meta-data/iam/security-credentials/web-role' })).body,
    ) as Record<string, string>;
  const a = await read();
  assert.deepEqual(Object.keys(a), [
    'Code',
    'LastUpdated',
    'Type',
    'AccessKeyId',
    'SecretAccessKey',
    'Token',
    'Expiration',
  ]);
  assert.equal(a.Code, 'Success');
  assert.equal(a.Type, 'AWS-HMAC');
  assert.match(a.AccessKeyId ?? '', /^ASIA[A-Z2-7]{16}$/);
  assert.equal(Date.parse(a.Expiration ?? '') - Date.parse(a.LastUpdated ?? ''), 6 * 3600 * 1000);
  clock.advance(60_000);
  assert.deepEqual(await read(), a);
  // The CloudTrail event of EC2's AssumeRole.
  const event = audited.find((r) => r.eventName === 'AssumeRole' && r.errorCode === undefined);
  assert.ok(event);
  assert.deepEqual(event.record.userIdentity, { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' });
  assert.equal(event.record.sourceIPAddress, 'ec2.amazonaws.com');
  assert.deepEqual(
    (event.record.requestParameters as Record<string, unknown>).roleSessionName,
    'i-0123456789abcdef0',
  );
  assert.equal(event.account, ACCOUNT);
  // Version-7 request and event ids, like every other audit event (issue #16 item 10).
  const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  assert.match(event.requestId, v7);
  assert.match(event.eventId, v7);
  assert.ok(!JSON.stringify(event.record).includes(a.SecretAccessKey ?? 'unset'));
});

test('rotation: new credentials an hour before expiry, not before', async () => {
  const read = async () =>
    JSON.parse(
      (await imds.inject({ url: '/latest/meta-data/iam/security-credentials/web-role' })).body,
    ) as Record<string, string>;
  const a = await read();
  const expires = Date.parse(a.Expiration ?? '');
  clock.advance(expires - 3600_000 - clock.now() - 1000);
  assert.equal((await read()).AccessKeyId, a.AccessKeyId);
  clock.advance(1000);
  const b = await read();
  assert.notEqual(b.AccessKeyId, a.AccessKeyId);
  assert.equal(Date.parse(b.LastUpdated ?? ''), clock.now() - (clock.now() % 1000));
  assert.ok(Date.parse(b.Expiration ?? '') > expires);
});

test('a profile without a role, or a missing profile: no iam/ data (404)', async () => {
  for (const from of ['10.0.0.2', '10.0.0.3']) {
    const get = (url: string) => imds.inject({ url, remoteAddress: from });
    assert.equal((await get('/latest/meta-data/')).body, 'instance-id\nplacement/');
    assert.equal((await get('/latest/meta-data/iam/info')).statusCode, 404);
    assert.equal((await get('/latest/meta-data/iam/security-credentials/')).statusCode, 404);
  }
});

test('a role that no longer trusts EC2: AssumeRoleUnauthorizedAccess (200), and back to Success once fixed', async () => {
  await store.transact((tx) => tx.update(ACCOUNT, 'role', 'web-role', role('web-role', LAMBDA_TRUST)));
  const r = await imds.inject({ url: '/latest/meta-data/iam/security-credentials/web-role' });
  assert.equal(r.statusCode, 200);
  const doc = JSON.parse(r.body) as Record<string, string>;
  assert.deepEqual(Object.keys(doc), ['Code', 'Message', 'LastUpdated']);
  assert.equal(doc.Code, 'AssumeRoleUnauthorizedAccess');
  assert.equal(
    doc.Message,
    'EC2 cannot assume the role web-role.  Please see documentation at http://docs.amazonwebservices.com/IAM/latest/UserGuide/RolesTroubleshooting.html.',
  );
  assert.equal(
    JSON.parse((await imds.inject({ url: '/latest/meta-data/iam/info' })).body).Code,
    'AssumeRoleUnauthorizedAccess',
  );
  const denied = audited.filter((e) => e.errorCode === 'AccessDenied');
  assert.equal(denied.length, 1);
  await imds.inject({ url: '/latest/meta-data/iam/security-credentials/web-role' });
  assert.equal(audited.filter((e) => e.errorCode === 'AccessDenied').length, 1, 'a denial is audited once');
  await store.transact((tx) => tx.update(ACCOUNT, 'role', 'web-role', role('web-role', EC2_TRUST)));
  const fixed = JSON.parse(
    (await imds.inject({ url: '/latest/meta-data/iam/security-credentials/web-role' })).body,
  );
  assert.equal(fixed.Code, 'Success');
});

test('removing the role from the profile: security-credentials/ is 404 at once', async () => {
  await store.transact((tx) => tx.update(ACCOUNT, 'instanceProfile', 'web', profile('web', [])));
  assert.equal((await imds.inject({ url: '/latest/meta-data/iam/security-credentials/' })).statusCode, 404);
  assert.equal(
    (await imds.inject({ url: '/latest/meta-data/iam/security-credentials/web-role' })).statusCode,
    404,
  );
  await store.transact((tx) => tx.update(ACCOUNT, 'instanceProfile', 'web', profile('web', ['web-role'])));
});

test('container endpoint: the token is required, unknown ids are the ECS agent 400, and the document', async () => {
  const noAuth = await container.inject({ url: '/v2/credentials/t1' });
  assert.equal(noAuth.statusCode, 401);
  assert.deepEqual(JSON.parse(noAuth.body), {
    code: 'AccessDenied',
    message: 'the Authorization header does not carry the container credentials token',
    HTTPErrorCode: 401,
  });
  const wrong = await container.inject({
    url: '/v2/credentials/t1',
    headers: { authorization: `${CONTAINER_TOKEN}x` },
  });
  assert.equal(wrong.statusCode, 401);
  const unknown = await container.inject({
    url: '/v2/credentials/t9',
    headers: { authorization: CONTAINER_TOKEN },
  });
  assert.equal(unknown.statusCode, 400);
  assert.deepEqual(JSON.parse(unknown.body), {
    code: 'InvalidIdInRequest',
    message: 'CredentialsV2Request: Credentials not found',
    HTTPErrorCode: 400,
  });
  const ok = await container.inject({
    url: '/v2/credentials/t1',
    headers: { authorization: CONTAINER_TOKEN },
  });
  assert.equal(ok.statusCode, 200);
  const doc = JSON.parse(ok.body) as Record<string, string>;
  assert.deepEqual(Object.keys(doc), ['RoleArn', 'AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration']);
  assert.equal(doc.RoleArn, `arn:aws:iam::${ACCOUNT}:role/task-role`);
  const ecsEvent = audited.find(
    (e) => (e.record.userIdentity as { invokedBy?: string }).invokedBy === 'ecs-tasks.amazonaws.com',
  );
  assert.ok(ecsEvent);
});
