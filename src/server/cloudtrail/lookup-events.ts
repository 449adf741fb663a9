/**
 * CloudTrail `LookupEvents` (CloudTrail API reference, LookupEvents) on the request pipeline, over the
 * AWS JSON 1.1 protocol: `POST /` with `X-Amz-Target:
 * com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents`, `Content-Type:
 * application/x-amz-json-1.1`, SigV4 with service `cloudtrail`, authorized by `cloudtrail:LookupEvents`,
 * so `aws cloudtrail lookup-events --endpoint-url …` works. Errors are JSON 1.1 errors:
 * `{"__type": "...", "message": "..."}` (Smithy, "AWS JSON 1.1 protocol").
 */
import { authenticator } from '../../authn/authenticate.js';
import { isAwsError } from '../../errors/index.js';
import { SigningKeyCache } from '../../sigv4/index.js';
import {
  AMZ_JSON_11,
  authenticateSignedCall,
  authorizeCall,
  headerValue,
  json11Errors,
  json11Type,
  runCall,
  ServiceError,
  type Answer,
  type AuthenticateOptions,
  type EntryPoint,
  type IncomingCall,
  type Pipeline,
  type RecordOptions,
} from '../pipeline/index.js';
import { lookupEvent, lookupQuery } from './lookup-query.js';

/** The `X-Amz-Target` of LookupEvents. */
export const LOOKUP_EVENTS_TARGET = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';

/**
 * LookupEvents is recorded (a read: at once, so the next lookup sees it) under the JSON error names
 * the caller saw.
 */
const RECORD: RecordOptions = { now: true, codeOf: json11Type };

/** decode: the JSON 1.1 body, which must be an object (empty means `{}`). */
function decodeJsonBody(body: string): Record<string, unknown> {
  try {
    const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through: not JSON
  }
  throw new ServiceError('SerializationException', 'the request body is not a JSON object');
}

/** Builds the JSON 1.1 (`X-Amz-Target`) entry point; the Query route hands such requests here. */
export function makeJsonHandler(p: Pipeline): (incoming: IncomingCall) => Promise<Answer> {
  const entry = lookupEventsEntryPoint(p);
  return (incoming) => runCall(p, entry, incoming);
}

/** LookupEvents as an {@link EntryPoint}: JSON 1.1 decoder and renderer, one operation. */
export function lookupEventsEntryPoint(p: Pipeline): EntryPoint<'LookupEvents'> {
  const authn: AuthenticateOptions = {
    // Administrative reads take no development-level leniency (src/authn/authenticate.ts, strict).
    auth: authenticator(p.deps.resolver, ['cloudtrail'], new SigningKeyCache(256), { strict: true }),
  };
  return {
    service: 'cloudtrail',
    record: RECORD,
    async decode(call) {
      call.operation = 'LookupEvents';
      const incoming = call.incoming;
      const target = headerValue(incoming.headers['x-amz-target']) ?? '';
      if (target !== LOOKUP_EVENTS_TARGET)
        throw new ServiceError('UnknownOperationException', `iamd does not implement ${target}`);
      if (incoming.method !== 'POST') throw new ServiceError('UnknownOperationException', 'use POST');
      await authenticateSignedCall(p, call, authn);
      call.input = decodeJsonBody(incoming.body);
      return 'LookupEvents';
    },
    async execute(call) {
      await authorizeCall(p, call, { action: 'cloudtrail:LookupEvents', resource: '*' }, false);
      const query = lookupQuery(call.input ?? {}, call.account);
      // Denials and reads are written in batches: flush so a lookup sees every call made before it.
      await p.deps.audit.flush();
      const page = await p.deps.store.queryAudit(query).catch((err: unknown) => {
        if (isAwsError(err) && err.code === 'InvalidParameterValue')
          throw new ServiceError('InvalidNextTokenException', 'Invalid NextToken.');
        throw err;
      });
      // The page is not the event's `responseElements` (a read records none): call.output stays unset.
      const out: Record<string, unknown> = { Events: page.events.map(lookupEvent) };
      if (page.nextToken !== undefined) out.NextToken = page.nextToken;
      return out;
    },
    render: (call, _op, output) => call.answer(200, AMZ_JSON_11, JSON.stringify(output)),
    renderError(call, err) {
      const rendered = json11Errors.render(err, call.requestId);
      return call.answer(err.status, rendered.contentType, rendered.body, json11Type(err.code));
    },
    // Only authenticated callers are recorded (an unsigned probe has no account to record it in).
    recordsFailure: (call) => call.principal.type !== 'Anonymous',
  };
}
