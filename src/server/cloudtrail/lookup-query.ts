/**
 * CloudTrail `LookupEvents` input and output (CloudTrail API reference, LookupEvents): the request's
 * `LookupAttributes`, time range, `MaxResults` and `NextToken` → an audit query of the caller's account,
 * and an audit record → one `Events` member. Pure; src/server/cloudtrail/lookup-events.ts serves it.
 */
import type { AuditQuery, AuditRecord } from '../../store/index.js';
import { visibleTrace } from '../../explain/visibility.js';
import { readTrace } from '../../audit/trace.js';
import { ServiceError } from '../pipeline/errors.js';

/** LookupEvents' largest and default `MaxResults` ("The default is 50, and the maximum is 50"). */
const MAX_RESULTS = 50;

/** A CloudTrail error: JSON 1.1 `__type` and HTTP 400 (CloudTrail models all its client errors as 400). */
function cloudTrailError(type: string, message: string): ServiceError {
  return new ServiceError(type, message, 400);
}

function toEpochMs(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  // JSON 1.1 timestamps are epoch seconds (numbers); the CLI sends them so. Strings are ISO-8601.
  const ms = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw cloudTrailError('InvalidTimeRangeException', `${name} is not a timestamp`);
  return ms;
}

/** Turns LookupEvents input into an audit query of `account`. */
export function lookupQuery(input: Record<string, unknown>, account: string): AuditQuery {
  const query: Record<string, unknown> = { account };
  const attrs = input.LookupAttributes;
  if (attrs !== undefined) {
    if (!Array.isArray(attrs))
      throw cloudTrailError('InvalidLookupAttributesException', 'LookupAttributes must be a list');
    // "Currently the list can contain only one item." (LookupEvents API reference)
    if (attrs.length > 1)
      throw cloudTrailError(
        'InvalidLookupAttributesException',
        'You cannot specify more than one lookup attribute.',
      );
    for (const a of attrs as { AttributeKey?: unknown; AttributeValue?: unknown }[]) {
      const value = a.AttributeValue;
      if (typeof value !== 'string' || value.length < 1 || value.length > 2000)
        throw cloudTrailError(
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
            throw cloudTrailError('InvalidLookupAttributesException', 'ReadOnly must be true or false');
          query.readOnly = value === 'true';
          break;
        default:
          throw cloudTrailError(
            'InvalidLookupAttributesException',
            `AttributeKey \`${String(a.AttributeKey)}\` is not one of EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId`,
          );
      }
    }
  }
  const start = toEpochMs(input.StartTime, 'StartTime');
  const end = toEpochMs(input.EndTime, 'EndTime');
  if (start !== undefined && end !== undefined && start > end)
    throw cloudTrailError('InvalidTimeRangeException', 'Start time must be earlier than end time.');
  if (start !== undefined) query.startTime = start;
  if (end !== undefined) query.endTime = end;
  if (input.MaxResults !== undefined) {
    const n = input.MaxResults;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_RESULTS)
      throw cloudTrailError('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.');
    query.limit = n;
  } else query.limit = MAX_RESULTS;
  if (input.NextToken !== undefined) {
    if (typeof input.NextToken !== 'string' || input.NextToken === '')
      throw cloudTrailError('InvalidNextTokenException', 'Invalid NextToken.');
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
