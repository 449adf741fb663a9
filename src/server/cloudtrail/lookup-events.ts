/**
 * CloudTrail `LookupEvents` (CloudTrail API reference, LookupEvents) on the request pipeline, over the
 * AWS JSON 1.1 protocol: `POST /` with `X-Amz-Target:
 * com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents`, `Content-Type:
 * application/x-amz-json-1.1`, SigV4 with service `cloudtrail`, authorized by `cloudtrail:LookupEvents`,
 * so `aws cloudtrail lookup-events --endpoint-url …` works. Errors are JSON 1.1 errors:
 * `{"__type": "...", "message": "..."}` (Smithy, "AWS JSON 1.1 protocol").
 */
import { authenticator, missingAuthentication } from '../../authn/authenticate.js';
import { isAwsError } from '../../errors/index.js';
import { parseSigV4, SigningKeyCache } from '../../sigv4/index.js';
import {
  AMZ_JSON_11,
  authenticateCall,
  authorizeCall,
  headerValue,
  json11Errors,
  json11Type,
  recordCall,
  ServiceError,
  toWireError,
  type Answer,
  type AuthenticateOptions,
  type Call,
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
  const authn: AuthenticateOptions = {
    // Administrative reads take no development-level leniency (src/authn/authenticate.ts, strict).
    auth: authenticator(p.deps.resolver, ['cloudtrail'], new SigningKeyCache(256), { strict: true }),
  };
  const execute = async (call: Call): Promise<string> => {
    await authorizeCall(p, call, { action: 'cloudtrail:LookupEvents', resource: '*' }, false);
    const query = lookupQuery(call.input ?? {}, call.account);
    // Denials and reads are written in batches: flush so a lookup sees every call made before it.
    await p.deps.audit.flush();
    const page = await p.deps.store.queryAudit(query).catch((err: unknown) => {
      if (isAwsError(err) && err.code === 'InvalidParameterValue')
        throw new ServiceError('InvalidNextTokenException', 'Invalid NextToken.');
      throw err;
    });
    recordCall(p, call, RECORD);
    const body: Record<string, unknown> = { Events: page.events.map(lookupEvent) };
    if (page.nextToken !== undefined) body.NextToken = page.nextToken;
    return JSON.stringify(body);
  };
  return async function handle(incoming: IncomingCall): Promise<Answer> {
    const call = p.begin(incoming, 'cloudtrail');
    call.operation = 'LookupEvents';
    try {
      const target = headerValue(incoming.headers['x-amz-target']) ?? '';
      if (target !== LOOKUP_EVENTS_TARGET)
        throw new ServiceError('UnknownOperationException', `iamd does not implement ${target}`);
      if (incoming.method !== 'POST') throw new ServiceError('UnknownOperationException', 'use POST');
      const sig = parseSigV4(incoming);
      if (sig === undefined) throw missingAuthentication();
      await authenticateCall(p, call, sig, authn);
      call.input = decodeJsonBody(incoming.body);
      return call.answer(200, AMZ_JSON_11, await execute(call));
    } catch (thrown) {
      const err = toWireError(thrown, (e) => p.deps.logError(e, call.requestId));
      call.error = err;
      if (call.principal.type !== 'Anonymous') recordCall(p, call, RECORD);
      const rendered = json11Errors.render(err, call.requestId);
      return call.answer(err.status, rendered.contentType, rendered.body, json11Type(err.code));
    }
  };
}
