/**
 * The request pipeline's steps over an in-process world (memory store, real IAM/STS models, no HTTP):
 * the run loop's order and error mapping, authenticate → execute → authorize → record through the Query
 * entry point, the report-only level, cross-account recording, the one-transaction rule, and the error
 * formats.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Operation } from '../../api/operation.js';
import { systemClock } from '../../core/clock.js';
import { AwsError } from '../../errors/index.js';
import { compileServiceModel, type ServiceModel } from '../../protocol/index.js';
import { StoreUnavailable, type AuditRecord } from '../../store/index.js';
import type { UserBody } from '../../domain/entities.js';
import { PolicyCache } from '../../authz/index.js';
import type { AuditWriter } from '../../audit/writer.js';
import { IAM_OPERATIONS } from '../../iam/index.js';
import { STS_OPERATIONS } from '../../sts/index.js';
import { makeDispatcher } from '../dispatch.js';
import {
  ACCOUNT,
  openWorld,
  ROOT,
  signedQuery,
  unsignedQuery,
  type World,
} from '../../../test/support/world.js';
import {
  fromFastify,
  iamdJsonErrors,
  json11Errors,
  Pipeline,
  queryXmlErrors,
  runCall,
  ServiceError,
  type EntryPoint,
  type ReportOnlyDenial,
} from './index.js';

const model = (name: string): ServiceModel =>
  compileServiceModel(
    JSON.parse(readFileSync(new URL(`../../../../models/${name}.json`, import.meta.url), 'utf8')),
  );
const MODELS = { iam: model('iam'), sts: model('sts') };
const GCI = { Action: 'GetCallerIdentity', Version: '2011-06-15' };
const LIST_USERS = { Action: 'ListUsers', Version: '2010-05-08' };

/** An audit writer that keeps what it is given. */
function recordingAudit(): AuditWriter & { readonly added: AuditRecord[]; readonly notified: AuditRecord[] } {
  const added: AuditRecord[] = [];
  const notified: AuditRecord[] = [];
  return {
    added,
    notified,
    add: (r: AuditRecord) => void added.push(r),
    notify: (r: AuditRecord) => void notified.push(r),
    flush: async () => undefined,
  } as unknown as AuditWriter & { readonly added: AuditRecord[]; readonly notified: AuditRecord[] };
}

/** Waits for the work the pipeline runs after an answer (deferred audit records). */
const afterAnswers = () => new Promise((r) => setImmediate(r));

let world: World;
before(async () => {
  world = await openWorld('enforce');
  // A user with no policy at all, and a key iamd knows for it.
  const body: UserBody = {
    userName: 'nobody',
    userId: 'AIDANOBODYXXXXXXXXXXX',
    arn: `arn:aws:iam::${ACCOUNT}:user/nobody`,
    path: '/',
    createDate: 0,
    tags: [],
    inlinePolicies: {},
    attachedPolicies: [],
    groups: [],
  };
  await world.store.transact(async (tx) => {
    await tx.insert(ACCOUNT, 'user', 'nobody', body);
    await tx.insert(
      ACCOUNT,
      'accessKey',
      NOBODY.accessKeyId,
      {
        accessKeyId: NOBODY.accessKeyId,
        userName: 'nobody',
        sealedSecret: world.services.sealSecret(NOBODY.secretAccessKey, `${ACCOUNT}/${NOBODY.accessKeyId}`),
        status: 'Active',
        createDate: 0,
      },
      'nobody',
    );
    // The key id encodes no account: the resolver finds it through the meta map (as for seeded keys).
    await tx.putMeta(`access-key-account/${NOBODY.accessKeyId}`, ACCOUNT);
  });
});
after(() => world.close());

const NOBODY = { accessKeyId: 'AKIANOBODY0000000001', secretAccessKey: 'nobody-secret-nobody-secret-0001' };

interface Setup {
  readonly pipeline: Pipeline;
  readonly audit: ReturnType<typeof recordingAudit>;
  readonly logged: unknown[];
  readonly reports: ReportOnlyDenial[];
}

function setup(options: { reportOnly?: boolean } = {}): Setup {
  const audit = recordingAudit();
  const logged: unknown[] = [];
  const reports: ReportOnlyDenial[] = [];
  const pipeline = new Pipeline({
    store: world.store,
    clock: systemClock,
    resolver: world.resolver,
    services: world.services,
    policyCache: new PolicyCache(world.store),
    audit,
    logError: (err) => void logged.push(err),
    reportOnly: options.reportOnly ? (d) => void reports.push(d) : undefined,
  });
  return { pipeline, audit, logged, reports };
}

/** The Query API with the real operations, plus `extra` IAM operations replacing theirs. */
function queryApi(p: Pipeline, extra: readonly Operation[] = []) {
  const iam = new Map(IAM_OPERATIONS.map((o) => [o.name, o]));
  const sts = new Map(STS_OPERATIONS.map((o) => [o.name, o]));
  for (const o of extra) (o.service === 'iam' ? iam : sts).set(o.name, o);
  return makeDispatcher(p, { models: MODELS, operations: { iam, sts } });
}

/** `<Code>` and `<Message>` of a Query error document. */
function xmlError(body: string): { code: string; message: string } {
  return {
    code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? '',
    message: /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? '',
  };
}

test('runCall: decode, execute, record (after the answer), render — in that order', async () => {
  const { pipeline, audit } = setup();
  const steps: string[] = [];
  const entry: EntryPoint<string> = {
    service: 'iam',
    async decode(call) {
      steps.push('decode');
      call.operation = 'GetUser';
      call.input = {};
      return 'op';
    },
    async execute(call, op) {
      steps.push(`execute ${op}`);
      call.output = { done: true };
      return call.output;
    },
    render(call, _op, output) {
      steps.push('render');
      return call.answer(200, 'text/plain', JSON.stringify(output));
    },
    renderError: (call, err) => call.answer(err.status, 'text/plain', err.code),
  };
  const answer = await runCall(pipeline, entry, unsignedQuery({}));
  assert.deepEqual(steps, ['decode', 'execute op', 'render']);
  assert.equal(answer.body, '{"done":true}');
  assert.equal(answer.action, 'GetUser');
  assert.equal(audit.added.length, 0, 'recorded only after the answer is written');
  await afterAnswers();
  assert.equal(audit.added.length, 1);
  assert.equal(audit.added[0]!.requestId, answer.requestId);
});

test('runCall: AWS errors render as they are; anything else is masked and logged', async () => {
  const { pipeline, logged } = setup();
  const failing = (thrown: unknown): EntryPoint<void> => ({
    service: 'iam',
    async decode() {
      throw thrown;
    },
    execute: async () => undefined,
    render: (call) => call.answer(200, 'text/plain', ''),
    renderError: (call, err) => call.answer(err.status, 'text/plain', `${err.code}: ${err.message}`),
  });
  const aws = await runCall(
    pipeline,
    failing(new AwsError('NoSuchEntity', 'The user with name x cannot be found.')),
    unsignedQuery({}),
  );
  assert.deepEqual([aws.status, aws.body], [404, 'NoSuchEntity: The user with name x cannot be found.']);
  const own = await runCall(
    pipeline,
    failing(new ServiceError('InvalidTimeRangeException', 'bad range')),
    unsignedQuery({}),
  );
  assert.deepEqual(
    [own.status, own.body, own.errorCode],
    [400, 'InvalidTimeRangeException: bad range', 'InvalidTimeRangeException'],
  );
  assert.equal(logged.length, 0);
  const bug = await runCall(pipeline, failing(new Error('secret internals')), unsignedQuery({}));
  assert.deepEqual(
    [bug.status, bug.body],
    [500, 'InternalFailure: We encountered an internal error. Please try again.'],
  );
  const down = await runCall(pipeline, failing(new StoreUnavailable('db down')), unsignedQuery({}));
  assert.deepEqual(
    [down.status, down.body],
    [503, 'ServiceUnavailable: The request has failed due to a temporary failure of the server.'],
  );
  assert.equal(logged.length, 2);
  assert.equal((logged[0] as Error).message, 'secret internals');
});

test('Query: a signed call is authenticated, executed and rendered in XML', async () => {
  const { pipeline } = setup();
  const answer = await queryApi(pipeline)(signedQuery(GCI, ROOT, { service: 'sts' }));
  assert.equal(answer.status, 200);
  assert.equal(answer.contentType, 'text/xml');
  assert.match(answer.body, new RegExp(`<Arn>arn:aws:iam::${ACCOUNT}:root</Arn>`));
  assert.match(answer.body, new RegExp(`<RequestId>${answer.requestId}</RequestId>`));
  assert.equal(answer.principalArn, `arn:aws:iam::${ACCOUNT}:root`);
});

test('Query: an unsigned call of a signed operation is MissingAuthenticationToken; an unsigned operation is let in', async () => {
  const { pipeline } = setup();
  const missing = await queryApi(pipeline)(unsignedQuery(GCI));
  assert.equal(missing.status, 403);
  assert.deepEqual(xmlError(missing.body), {
    code: 'MissingAuthenticationToken',
    message: 'Request is missing Authentication Token',
  });
  let ran = false;
  const federated: Operation = {
    service: 'sts',
    name: 'AssumeRoleWithWebIdentity',
    auth: 'unsigned',
    async handle() {
      ran = true;
      throw new AwsError(
        'InvalidIdentityToken',
        "Couldn't retrieve verification key from your identity provider",
      );
    },
  };
  const answer = await queryApi(pipeline, [federated])(
    unsignedQuery({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/r`,
      RoleSessionName: 'session',
      WebIdentityToken: 'x'.repeat(10),
    }),
  );
  assert.equal(ran, true, answer.body);
  assert.equal(xmlError(answer.body).code, 'InvalidIdentityToken');
});

test('Query: a handler that forgot to authorize is a bug (InternalFailure), unless its operation needs no permission', async () => {
  const { pipeline, logged } = setup();
  const forgetful: Operation = { service: 'iam', name: 'ListUsers', handle: async () => ({ Users: [] }) };
  const answer = await queryApi(pipeline, [forgetful])(signedQuery(LIST_USERS, ROOT));
  assert.equal(answer.status, 500);
  assert.equal(xmlError(answer.body).code, 'InternalFailure');
  assert.match(String((logged[0] as Error).message), /ListUsers completed without authorization/);
  const free: Operation = { ...forgetful, action: null };
  assert.equal((await queryApi(pipeline, [free])(signedQuery(LIST_USERS, ROOT))).status, 200);
});

test('Query: a denial is AccessDenied with AWS text, and its audit event carries the decision trace', async () => {
  const { pipeline, audit } = setup();
  const answer = await queryApi(pipeline)(signedQuery(LIST_USERS, NOBODY));
  assert.equal(answer.status, 403);
  assert.deepEqual(xmlError(answer.body), {
    code: 'AccessDenied',
    message: `User: arn:aws:iam::${ACCOUNT}:user/nobody is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action`,
  });
  await afterAnswers();
  const record = audit.added.find((r) => r.requestId === answer.requestId)!.record;
  assert.equal(record.errorCode, 'AccessDenied');
  assert.ok(record.iamdAuthorization, 'decision trace recorded');
});

test('Query, report-only: the denial is reported and recorded, and the call goes on', async () => {
  const { pipeline, audit, reports } = setup({ reportOnly: true });
  const answer = await queryApi(pipeline)(signedQuery(LIST_USERS, NOBODY));
  assert.equal(answer.status, 200);
  assert.equal(reports.length, 1);
  assert.equal(reports[0]!.errorCode, 'AccessDenied');
  assert.equal(reports[0]!.action, 'iam:ListUsers');
  await afterAnswers();
  const record = audit.added.find((r) => r.requestId === answer.requestId)!.record;
  assert.equal((record.iamdReportOnly as { errorCode: string }).errorCode, 'AccessDenied');
});

test('Query: alsoRecordIn gives each other account one copy sharing an event id; transact records inside the transaction', async () => {
  const { pipeline, audit } = setup();
  const crossing: Operation = {
    service: 'iam',
    name: 'ListUsers',
    async handle(_input, ctx) {
      await ctx.authorize({ action: 'iam:ListUsers', resource: '*' });
      ctx.alsoRecordIn('444455556666');
      ctx.alsoRecordIn('444455556666');
      ctx.alsoRecordIn(ACCOUNT);
      return ctx.transact(async () => ({ Users: [] }));
    },
  };
  const answer = await queryApi(pipeline, [crossing])(signedQuery(LIST_USERS, ROOT));
  assert.equal(answer.status, 200);
  await afterAnswers();
  assert.equal(audit.added.length, 0, 'a transacted call is not recorded again');
  const events = audit.notified.filter((r) => r.requestId === answer.requestId);
  assert.deepEqual(events.map((r) => r.account).sort(), ['111122223333', '444455556666']);
  assert.equal(events[0]!.record.sharedEventID, events[1]!.record.sharedEventID);
  const stored = await world.store.queryAudit({
    account: '444455556666',
    requestId: answer.requestId,
    limit: 5,
  });
  assert.equal(stored.events.length, 1);
});

test('Query: a second transaction in one call is refused', async () => {
  const { pipeline, logged } = setup();
  const twice: Operation = {
    service: 'iam',
    name: 'ListUsers',
    async handle(_input, ctx) {
      await ctx.authorize({ action: 'iam:ListUsers', resource: '*' });
      await ctx.transact(async () => undefined);
      return ctx.transact(async () => ({ Users: [] }));
    },
  };
  const answer = await queryApi(pipeline, [twice])(signedQuery(LIST_USERS, ROOT));
  assert.equal(xmlError(answer.body).code, 'InternalFailure');
  assert.match(String((logged[0] as Error).message), /transact called twice/);
});

test('error formats: Query XML, JSON 1.1 (AWS JSON names), iamd JSON', () => {
  const denied = new AwsError('AccessDenied', 'no');
  const xml = queryXmlErrors('https://sts.amazonaws.com/doc/2011-06-15/').render(denied, 'rid');
  assert.equal(xml.contentType, 'text/xml');
  assert.equal(
    xml.body,
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error><RequestId>rid</RequestId></ErrorResponse>',
  );
  assert.deepEqual(JSON.parse(json11Errors.render(denied, 'rid').body), {
    __type: 'AccessDeniedException',
    message: 'no',
  });
  assert.deepEqual(
    JSON.parse(
      json11Errors.render(new ServiceError('InvalidNextTokenException', 'Invalid NextToken.'), 'r').body,
    ),
    {
      __type: 'InvalidNextTokenException',
      message: 'Invalid NextToken.',
    },
  );
  assert.deepEqual(JSON.parse(iamdJsonErrors.render(denied, 'rid').body), {
    __type: 'AccessDenied',
    message: 'no',
  });
});

test('fromFastify: an injected request without headersDistinct gets the same header view', () => {
  const call = fromFastify({
    method: 'POST',
    ip: '127.0.0.1',
    protocol: 'http',
    body: 'Action=X',
    raw: { url: '/p?a=1', headers: { host: 'h', 'x-amz-date': '20260101T000000Z' } },
  } as never);
  assert.deepEqual(
    { ...call, headers: { ...call.headers } },
    {
      method: 'POST',
      path: '/p',
      query: 'a=1',
      headers: { host: ['h'], 'x-amz-date': ['20260101T000000Z'] },
      body: 'Action=X',
      sourceIp: '127.0.0.1',
      secureTransport: false,
    },
  );
});
