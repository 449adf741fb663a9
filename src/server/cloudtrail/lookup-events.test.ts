/**
 * CloudTrail LookupEvents as a pipeline entry point, in process: JSON 1.1 errors under their AWS names
 * (Smithy, "AWS JSON 1.1 protocol": `{"__type", "message"}`), the decoder's refusals, strict
 * authentication, and which failures are recorded.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../core/clock.js';
import { PolicyCache } from '../../authz/index.js';
import type { AuditWriter } from '../../audit/writer.js';
import type { AuditRecord } from '../../store/index.js';
import { signRequest } from '../../console/signer.js';
import { ACCOUNT, openWorld, ROOT, type World } from '../../../test/support/world.js';
import { Pipeline, type IncomingCall } from '../pipeline/index.js';
import { LOOKUP_EVENTS_TARGET, makeJsonHandler } from './lookup-events.js';

let world: World;
let permissive: World;
before(async () => {
  world = await openWorld('enforce');
  permissive = await openWorld('permissive');
});
after(async () => {
  await world.close();
  await permissive.close();
});

function handler(w: World): { handle: ReturnType<typeof makeJsonHandler>; added: AuditRecord[] } {
  const added: AuditRecord[] = [];
  const audit = {
    add: (r: AuditRecord) => void added.push(r),
    notify: () => undefined,
    flush: async () => undefined,
  };
  const p = new Pipeline({
    store: w.store,
    clock: systemClock,
    resolver: w.resolver,
    services: w.services,
    policyCache: new PolicyCache(w.store),
    audit: audit as unknown as AuditWriter,
    logError: () => undefined,
  });
  return { handle: makeJsonHandler(p), added };
}

function lookup(
  body: string,
  creds: { accessKeyId: string; secretAccessKey: string } | null = ROOT,
  target = LOOKUP_EVENTS_TARGET,
): IncomingCall {
  const base = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target };
  const headers =
    creds === null
      ? base
      : signRequest({ method: 'POST', host: 'iamd.test', path: '/', query: '', headers: base, body }, creds, {
          service: 'cloudtrail',
          region: 'us-east-1',
          now: Date.now(),
        });
  return {
    method: 'POST',
    path: '/',
    query: '',
    headers,
    body,
    sourceIp: '192.0.2.1',
    secureTransport: false,
  };
}

test('the root looks up its account: a JSON 1.1 answer, and the lookup is recorded at once', async () => {
  const { handle, added } = handler(world);
  const answer = await handle(lookup('{"MaxResults": 5}'));
  assert.equal(answer.status, 200);
  assert.equal(answer.contentType, 'application/x-amz-json-1.1');
  assert.ok(Array.isArray((JSON.parse(answer.body) as { Events: unknown[] }).Events));
  assert.equal(added.length, 1);
  assert.equal(added[0]!.account, ACCOUNT);
  assert.equal(added[0]!.eventName, 'LookupEvents');
});

test('decoder refusals: an unknown target, a body that is not a JSON object, bad input', async () => {
  const { handle, added } = handler(world);
  const unknown = await handle(lookup('{}', ROOT, 'CloudTrail_20131101.StartLogging'));
  assert.deepEqual(
    [unknown.status, JSON.parse(unknown.body)],
    [
      400,
      {
        __type: 'UnknownOperationException',
        message: 'iamd does not implement CloudTrail_20131101.StartLogging',
      },
    ],
  );
  assert.equal(added.length, 0, 'nobody authenticated: nothing recorded');
  const notJson = await handle(lookup('[1]'));
  assert.deepEqual(JSON.parse(notJson.body), {
    __type: 'SerializationException',
    message: 'the request body is not a JSON object',
  });
  const tooMany = await handle(lookup('{"MaxResults": 51}'));
  assert.deepEqual(
    [tooMany.status, JSON.parse(tooMany.body)],
    [400, { __type: 'InvalidMaxResultsException', message: 'MaxResults must be between 1 and 50.' }],
  );
  assert.equal(added.at(-1)?.record.errorCode, 'InvalidMaxResultsException');
});

test('authentication errors carry their JSON 1.1 names', async () => {
  const { handle } = handler(world);
  const unsigned = await handle(lookup('{}', null));
  assert.deepEqual(
    [unsigned.status, JSON.parse(unsigned.body)],
    [
      403,
      { __type: 'MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' },
    ],
  );
  const unknown = await handle(lookup('{}', { accessKeyId: 'AKIAUNKNOWN000000001', secretAccessKey: 'x' }));
  assert.deepEqual(JSON.parse(unknown.body), {
    __type: 'UnrecognizedClientException',
    message: 'The security token included in the request is invalid',
  });
  assert.equal(unknown.errorCode, 'UnrecognizedClientException');
});

test('at the permissive level a stand-in root cannot read the audit trail (strict authentication)', async () => {
  const { handle } = handler(permissive);
  const answer = await handle(
    lookup('{}', { accessKeyId: 'AKIADUMMYDUMMY000001', secretAccessKey: 'testing' }),
  );
  assert.equal(answer.status, 403);
  assert.equal((JSON.parse(answer.body) as { __type: string }).__type, 'InvalidSignatureException');
});
