/**
 * The audit trail over HTTP:
 *
 * - CloudTrail `LookupEvents` (CloudTrail API reference, LookupEvents) over the AWS JSON 1.1 protocol:
 *   `POST /` with `X-Amz-Target: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents`,
 *   `Content-Type: application/x-amz-json-1.1`, SigV4 with service `cloudtrail`, authorized by
 *   `cloudtrail:LookupEvents`, so `aws cloudtrail lookup-events --endpoint-url …` works. Errors are
 *   JSON 1.1 errors: `{"__type": "...", "message": "..."}` (Smithy, "AWS JSON 1.1 protocol").
 * - iamd's explain endpoint, `GET /_iamd/explain/REQUEST_ID` (SigV4 with service `iam`, e.g.
 *   `curl --aws-sigv4 aws:amz:us-east-1:iam --user KEY:SECRET`), authorized by `iamd:Explain` (the
 *   account root has it): the {@link Explanation} of a call recorded in the caller's account, as JSON.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Principal } from '../api/principal.js';
import { signingNow, type Clock } from '../core/clock.js';
import { AwsError, errors, isAwsError } from '../errors/index.js';
import type { AuditQuery, AuditRecord, Store } from '../store/index.js';
import { authorize, type PolicyCache } from '../authz/index.js';
import type { CredentialResolver } from '../authn/resolve.js';
import type { AuditWriter } from '../audit/writer.js';
import { buildAuditRecord } from '../audit/event.js';
import { decisionTrace } from '../audit/trace.js';
import { explain } from '../policy/index.js';
import { explainEvent } from '../explain/index.js';
import { visibleTrace } from '../explain/visibility.js';
import { readTrace } from '../audit/trace.js';
import { sigv4Crypto } from './sigv4-crypto.js';
import { checkScope, parseSigV4, SigningKeyCache, verifySigV4, type SigV4Request } from '../sigv4/index.js';
import type { CallResult, IncomingCall } from './dispatch.js';

/** The `X-Amz-Target` of LookupEvents. */
export const LOOKUP_EVENTS_TARGET = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';
/** The JSON 1.1 content type. */
export const AMZ_JSON_11 = 'application/x-amz-json-1.1';

/** LookupEvents' largest and default `MaxResults` ("The default is 50, and the maximum is 50"). */
const MAX_RESULTS = 50;

/** What the audit API needs, built once by the composition root. */
export interface AuditApiDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly resolver: CredentialResolver;
  readonly policyCache: PolicyCache;
  readonly audit: AuditWriter;
}

/** A JSON answer. */
export interface JsonResult extends CallResult {
  readonly contentType: string;
}

/**
 * JSON 1.1 names of iamd's authentication errors (what CloudTrail answers for the same failures:
 * `UnrecognizedClientException`, `InvalidSignatureException`, `ExpiredTokenException`).
 */
export const JSON_ERROR_NAMES: Readonly<Record<string, string>> = {
  InvalidClientTokenId: 'UnrecognizedClientException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
  ExpiredToken: 'ExpiredTokenException',
  AccessDenied: 'AccessDeniedException',
  MissingAuthenticationToken: 'MissingAuthenticationTokenException',
  IncompleteSignature: 'IncompleteSignatureException',
  InternalFailure: 'InternalFailure',
};

/** A CloudTrail error: JSON 1.1 `__type` and HTTP 400 (CloudTrail models all its client errors as 400). */
class CloudTrailError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function header(call: IncomingCall, name: string): string | undefined {
  const v = call.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Authenticates a SigV4 request for one of `services`; returns the principal and the region (iamd-specific JSON endpoints). */
export async function authenticate(
  deps: AuditApiDeps,
  call: IncomingCall,
  services: readonly string[],
  keys: SigningKeyCache,
  now: number,
): Promise<{ principal: Principal; region: string }> {
  const sigReq: SigV4Request = {
    method: call.method,
    path: call.path,
    query: call.query,
    headers: call.headers,
    body: call.body,
  };
  const sig = parseSigV4(sigReq);
  if (!sig) throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
  checkScope(sig, signingNow(deps.clock), services);
  const creds = await deps.resolver.resolve(sig.accessKeyId, sig.securityToken, now);
  verifySigV4(sigReq, sig, creds.secretAccessKey, sigv4Crypto, keys);
  return { principal: creds.principal, region: sig.region };
}

function toEpochMs(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  // JSON 1.1 timestamps are epoch seconds (numbers); the CLI sends them so. Strings are ISO-8601.
  const ms = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms))
    throw new CloudTrailError('InvalidTimeRangeException', `${name} is not a timestamp`);
  return ms;
}

/** Turns LookupEvents input into an audit query of `account`. */
export function lookupQuery(input: Record<string, unknown>, account: string): AuditQuery {
  const query: Record<string, unknown> = { account };
  const attrs = input.LookupAttributes;
  if (attrs !== undefined) {
    if (!Array.isArray(attrs))
      throw new CloudTrailError('InvalidLookupAttributesException', 'LookupAttributes must be a list');
    // "Currently the list can contain only one item." (LookupEvents API reference)
    if (attrs.length > 1)
      throw new CloudTrailError(
        'InvalidLookupAttributesException',
        'You cannot specify more than one lookup attribute.',
      );
    for (const a of attrs as { AttributeKey?: unknown; AttributeValue?: unknown }[]) {
      const value = a.AttributeValue;
      if (typeof value !== 'string' || value.length < 1 || value.length > 2000)
        throw new CloudTrailError(
          'InvalidLookupAttributesException',
          'AttributeValue must be between 1 and 2000 characters',
        );
      switch (a.AttributeKey) {
        case 'EventName':
          query.eventName = value;
          break;
        case 'Username':
          query.username = value;
          break;
        case 'ResourceName':
          query.resourceName = value;
          break;
        case 'ResourceType':
          query.resourceType = value;
          break;
        case 'AccessKeyId':
          query.accessKeyId = value;
          break;
        case 'EventId':
          query.eventId = value;
          break;
        case 'EventSource':
          query.eventSource = value;
          break;
        case 'ReadOnly':
          if (value !== 'true' && value !== 'false')
            throw new CloudTrailError('InvalidLookupAttributesException', 'ReadOnly must be true or false');
          query.readOnly = value === 'true';
          break;
        default:
          throw new CloudTrailError(
            'InvalidLookupAttributesException',
            `AttributeKey \`${String(a.AttributeKey)}\` is not one of EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId`,
          );
      }
    }
  }
  const start = toEpochMs(input.StartTime, 'StartTime');
  const end = toEpochMs(input.EndTime, 'EndTime');
  if (start !== undefined && end !== undefined && start > end)
    throw new CloudTrailError('InvalidTimeRangeException', 'Start time must be earlier than end time.');
  if (start !== undefined) query.startTime = start;
  if (end !== undefined) query.endTime = end;
  if (input.MaxResults !== undefined) {
    const n = input.MaxResults;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_RESULTS)
      throw new CloudTrailError('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.');
    query.limit = n;
  } else query.limit = MAX_RESULTS;
  if (input.NextToken !== undefined) {
    if (typeof input.NextToken !== 'string' || input.NextToken === '')
      throw new CloudTrailError('InvalidNextTokenException', 'Invalid NextToken.');
    query.nextToken = input.NextToken;
  }
  return query as AuditQuery;
}

/**
 * The record as its account may see it: a cross-account call's decision trace is cut to that account's
 * side (src/explain/visibility.ts), the same rule as the explain endpoint.
 */
function visibleRecord(r: AuditRecord): Readonly<Record<string, unknown>> {
  const trace = readTrace(r.record.iamdAuthorization);
  if (trace === undefined) return r.record;
  const seen = visibleTrace(trace, r.account);
  return seen.view === 'full' ? r.record : { ...r.record, iamdAuthorization: seen.trace };
}

/** One LookupEvents `Events` member. */
export function lookupEvent(r: AuditRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    EventId: r.eventId,
    EventName: r.eventName,
    ReadOnly: String(r.readOnly),
    EventTime: Math.floor(r.eventTime / 1000),
    EventSource: r.eventSource,
    Resources: r.resources.map((x) => ({ ResourceType: x.type, ResourceName: x.name })),
    CloudTrailEvent: JSON.stringify(visibleRecord(r)),
  };
  if (r.accessKeyId !== undefined) out.AccessKeyId = r.accessKeyId;
  if (r.username !== undefined) out.Username = r.username;
  return out;
}

function jsonError(type: string, message: string, status: number, requestId: string): JsonResult {
  return {
    status,
    body: JSON.stringify({ __type: type, message }),
    requestId,
    contentType: AMZ_JSON_11,
    errorCode: type,
  };
}

/** Builds the JSON 1.1 (`X-Amz-Target`) handler; app.ts routes such requests here. */
export function makeJsonHandler(deps: AuditApiDeps): (call: IncomingCall) => Promise<JsonResult> {
  const keys = new SigningKeyCache(256);
  return async function handle(call: IncomingCall): Promise<JsonResult> {
    const requestId = randomUUID();
    const now = deps.clock.now();
    const target = header(call, 'x-amz-target') ?? '';
    let principal: Principal = { type: 'Anonymous' };
    let region = 'us-east-1';
    let input: Record<string, unknown> = {};
    let authorization: Awaited<ReturnType<typeof authorize>> | undefined;
    const record = (error?: { code: string; message: string }): void => {
      if (principal.type === 'Anonymous') return;
      deps.audit.add(
        buildAuditRecord({
          eventId: randomUUID(),
          requestId,
          now,
          service: 'cloudtrail',
          operation: 'LookupEvents',
          principal,
          recipientAccount: principal.account,
          region,
          sourceIp: call.sourceIp,
          userAgent: header(call, 'user-agent') ?? '',
          input,
          error,
          authorization:
            error?.code === 'AccessDeniedException' && authorization
              ? decisionTrace(
                  authorization.request,
                  authorization.decision,
                  {},
                  explain(authorization.decision, authorization.request),
                )
              : undefined,
        }),
      );
    };
    try {
      if (target !== LOOKUP_EVENTS_TARGET)
        throw new CloudTrailError('UnknownOperationException', `iamd does not implement ${target}`);
      if (call.method !== 'POST') throw new CloudTrailError('UnknownOperationException', 'use POST');
      const auth = await authenticate(deps, call, ['cloudtrail'], keys, now);
      principal = auth.principal;
      region = auth.region;
      try {
        const parsed: unknown = call.body.trim() === '' ? {} : JSON.parse(call.body);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new Error('not an object');
        input = parsed as Record<string, unknown>;
      } catch {
        throw new CloudTrailError('SerializationException', 'the request body is not a JSON object');
      }
      if (principal.type === 'Anonymous')
        throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
      authorization = await authorize(
        deps.policyCache,
        principal,
        {
          now,
          sourceIp: call.sourceIp,
          userAgent: header(call, 'user-agent') ?? '',
          secureTransport: false,
          region,
        },
        { action: 'cloudtrail:LookupEvents', resource: '*' },
      );
      if (authorization.denial) throw authorization.denial;
      const query = lookupQuery(input, principal.account);
      // Denials and reads are written in batches: flush so a lookup sees every call made before it.
      await deps.audit.flush();
      const page = await deps.store.queryAudit(query).catch((err: unknown) => {
        if (isAwsError(err) && err.code === 'InvalidParameterValue')
          throw new CloudTrailError('InvalidNextTokenException', 'Invalid NextToken.');
        throw err;
      });
      record();
      const body: Record<string, unknown> = { Events: page.events.map(lookupEvent) };
      if (page.nextToken !== undefined) body.NextToken = page.nextToken;
      return {
        status: 200,
        body: JSON.stringify(body),
        requestId,
        contentType: AMZ_JSON_11,
        action: 'LookupEvents',
        principalArn: principal.arn,
      };
    } catch (thrown) {
      let type: string;
      let message: string;
      let status: number;
      if (thrown instanceof CloudTrailError) {
        type = thrown.type;
        message = thrown.message;
        status = thrown.status;
      } else if (isAwsError(thrown)) {
        type = JSON_ERROR_NAMES[thrown.code] ?? thrown.code;
        message = thrown.message;
        status = thrown.status;
      } else {
        const failure = errors.internalFailure();
        type = failure.code;
        message = failure.message;
        status = failure.status;
      }
      record({ code: type, message });
      return { ...jsonError(type, message, status, requestId), action: 'LookupEvents' };
    }
  };
}

/** The `GET /_iamd/explain/:requestId` route (iamd-specific; see the module comment). */
export function explainRoute(deps: AuditApiDeps): (app: FastifyInstance) => void {
  const keys = new SigningKeyCache(64);
  return (app) => {
    app.get<{ Params: { requestId: string } }>('/_iamd/explain/:requestId', async (req, reply) => {
      const url = req.raw.url ?? '/';
      const q = url.indexOf('?');
      const call: IncomingCall = {
        method: req.method,
        path: q < 0 ? url : url.slice(0, q),
        query: q < 0 ? '' : url.slice(q + 1),
        headers: req.raw.headersDistinct,
        body: typeof req.body === 'string' ? req.body : '',
        sourceIp: req.ip,
        secureTransport: req.protocol === 'https',
      };
      const now = deps.clock.now();
      try {
        const { principal, region } = await authenticate(deps, call, ['iam'], keys, now);
        if (principal.type === 'Anonymous')
          throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
        const auth = await authorize(
          deps.policyCache,
          principal,
          {
            now,
            sourceIp: call.sourceIp,
            userAgent: call.headers['user-agent']?.[0] ?? '',
            secureTransport: call.secureTransport,
            region,
          },
          { action: 'iamd:Explain', resource: '*' },
        );
        if (auth.denial) throw auth.denial;
        await deps.audit.flush();
        const page = await deps.store.queryAudit({
          account: principal.account,
          requestId: req.params.requestId,
          limit: 1,
        });
        const event = page.events[0];
        if (!event)
          return reply.code(404).send({
            __type: 'NotFound',
            message: `no call with request id \`${req.params.requestId}\` is recorded in account ${principal.account}`,
          });
        return reply.send(explainEvent(event, principal.account));
      } catch (err) {
        if (!isAwsError(err)) throw err;
        return reply.code(err.status).send({ __type: err.code, message: err.message });
      }
    });
  };
}
