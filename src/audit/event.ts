/**
 * CloudTrail-shaped audit events (CloudTrail User Guide, "CloudTrail record contents"). Secrets —
 * secret access keys, session tokens, passwords, SAML assertions, web identity tokens, MFA seeds,
 * delegation trade-in tokens — never enter an event: {@link redact} removes them by member name before
 * anything is recorded.
 */
import type { Principal } from '../domain/principal.js';
import type { AuditRecord } from '../store/index.js';
import { isoSeconds } from '../core/clock.js';

/** Member names (any case) whose values are never recorded. */
const SECRET_MEMBER =
  /secret|password|sessiontoken|^token$|assertion|webidentitytoken|privatekey|seed|qrcodepng|authenticationcode|tokencode|signintoken|tradeintoken/i;

/** CloudTrail writes request parameters with a lower-case first letter (`roleSessionName`). */
function lowerFirst(name: string): string {
  return name.length > 0 ? name[0]!.toLowerCase() + name.slice(1) : name;
}

/**
 * What a member name becomes in a record: `null` when its value is never recorded, else the lower-camel
 * name. Member names come from the service models (a few hundred), so the answers are remembered.
 */
const recordedNames = new Map<string, string | null>();

function recordedName(member: string): string | null {
  let name = recordedNames.get(member);
  if (name === undefined) {
    name = SECRET_MEMBER.test(member) ? null : lowerFirst(member);
    if (recordedNames.size < 10_000) recordedNames.set(member, name);
  }
  return name;
}

/**
 * The members of IAM's and STS's structures whose shape is a `timestamp` (every one in the shipped
 * service models; event.test.ts checks the list against them). Handlers give these as milliseconds
 * since the epoch; in a record they are written the way CloudTrail writes dates in
 * `responseElements` ({@link cloudTrailDate}).
 */
export const TIMESTAMP_MEMBERS: ReadonlySet<string> = new Set([
  'CreateDate',
  'EnableDate',
  'Expiration',
  'ExpirationDate',
  'ExpirationTime',
  'GeneratedTime',
  'JobCompletionDate',
  'JobCreationDate',
  'LastAccessedTime',
  'LastAuthenticated',
  'LastAuthenticatedTime',
  'LastUsedDate',
  'PasswordLastUsed',
  'Timestamp',
  'UpdateDate',
  'UpdatedTime',
  'UploadDate',
  'ValidUntil',
]);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A date as CloudTrail writes one inside `responseElements`: the Java "medium" form in UTC,
 * `Jul 18, 2023, 9:14:33 PM` (the AWS documentation's CloudTrail examples show this form, e.g. the
 * MediaStore log example's `"creationTime": "Jul 9, 2018 12:56:54 PM"`; events written since AWS's move
 * to newer Java runtimes carry the comma after the year). Record-level times (`eventTime`,
 * `creationDate`) stay ISO-8601, as in CloudTrail.
 */
export function cloudTrailDate(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const two = (n: number) => (n < 10 ? '0' : '') + n;
  return (
    `${MONTHS[d.getUTCMonth()]!} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ` +
    `${h % 12 === 0 ? 12 : h % 12}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`
  );
}

/**
 * A copy of `value` without secret members, with lower-camel member names, and dates (Date objects, and
 * numbers in {@link TIMESTAMP_MEMBERS}) in CloudTrail's form.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 12) return '…';
  if (typeof value !== 'object') return value;
  if (value === null || value === undefined) return value;
  if (value instanceof Date) return cloudTrailDate(value.getTime());
  if (value instanceof Uint8Array) return undefined;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const k in value) {
    if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
    const name = recordedName(k);
    if (name === null) continue;
    const v = (value as Record<string, unknown>)[k];
    const r =
      typeof v === 'number' && TIMESTAMP_MEMBERS.has(k) && Number.isFinite(v)
        ? cloudTrailDate(v)
        : redact(v, depth + 1);
    if (r !== undefined) out[name] = r;
  }
  return out;
}

/** What every event of one principal shares: its `userIdentity` and the indexed columns it fills. */
interface PrincipalFacts {
  readonly identity: Readonly<Record<string, unknown>>;
  readonly username: string | undefined;
  readonly accessKeyId: string | undefined;
}

/**
 * {@link PrincipalFacts} by principal object. The credential resolver hands out one principal object
 * per cached credential, so a busy caller's facts are worked out once; records only ever serialise
 * them. (Reading them afresh from principals of every kind made these property reads megamorphic, and
 * they ran after the answer, when V8's inline caches had been displaced by the rest of the call.)
 */
const principalFacts = new WeakMap<Principal, PrincipalFacts>();

function factsOf(principal: Principal): PrincipalFacts {
  let facts = principalFacts.get(principal);
  if (facts === undefined) {
    facts = {
      identity: userIdentity(principal),
      username: usernameOf(principal),
      accessKeyId: principal.type === 'Anonymous' ? undefined : principal.accessKeyId,
    };
    principalFacts.set(principal, facts);
  }
  return facts;
}

/** The `username` an event is looked up by (CloudTrail LookupEvents' `Username` attribute). */
function usernameOf(principal: Principal): string | undefined {
  switch (principal.type) {
    case 'IAMUser':
      return principal.userName;
    case 'AssumedRole':
      return principal.session.sessionName;
    case 'Root':
      return 'root';
    case 'FederatedUser':
      return principal.session.federatedName;
    default:
      return undefined;
  }
}

/** CloudTrail `userIdentity` for a principal. */
export function userIdentity(principal: Principal): Record<string, unknown> {
  switch (principal.type) {
    case 'Anonymous':
      return { type: 'Unknown' };
    case 'Root':
    case 'IAMUser': {
      const base: Record<string, unknown> = {
        type: principal.type,
        principalId: principal.userId,
        arn: principal.arn,
        accountId: principal.account,
        accessKeyId: principal.accessKeyId,
      };
      if (principal.type === 'IAMUser') base.userName = principal.userName;
      if (principal.session) base.sessionContext = sessionAttributes(principal.session);
      return base;
    }
    case 'AssumedRole':
      return {
        type: 'AssumedRole',
        principalId: principal.userId,
        arn: principal.arn,
        accountId: principal.account,
        accessKeyId: principal.accessKeyId,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: principal.session.roleId,
            arn: principal.roleArn,
            accountId: principal.account,
            userName: principal.roleName,
          },
          ...sessionAttributes(principal.session),
        },
      };
    case 'FederatedUser':
      return {
        type: 'FederatedUser',
        principalId: principal.userId,
        arn: principal.arn,
        accountId: principal.account,
        accessKeyId: principal.accessKeyId,
        sessionContext: {
          sessionIssuer: {
            type: principal.session.userName === undefined ? 'Root' : 'IAMUser',
            principalId: principal.session.userId ?? principal.account,
            arn:
              principal.session.userName === undefined
                ? `arn:aws:iam::${principal.account}:root`
                : `arn:aws:iam::${principal.account}:user/${principal.session.userName}`,
            accountId: principal.account,
            userName: principal.session.userName,
          },
          ...sessionAttributes(principal.session),
        },
      };
  }
}

function sessionAttributes(s: {
  readonly issuedAt: number;
  readonly mfaAuthenticatedAt?: number | undefined;
  readonly sourceIdentity?: string | undefined;
}): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: {
      creationDate: isoSeconds(s.issuedAt),
      mfaAuthenticated: String(s.mfaAuthenticatedAt !== undefined),
    },
  };
  if (s.sourceIdentity !== undefined) out.sourceIdentity = s.sourceIdentity;
  return out;
}

const readOnlyByName = new Map<string, boolean>();

/** Operations CloudTrail marks `readOnly: true`. */
export function isReadOnly(operation: string): boolean {
  let known = readOnlyByName.get(operation);
  if (known === undefined) {
    known =
      /^(Get|List|Simulate|Generate|Decode|Lookup|Head|Describe|Query|Scan|BatchGet|TransactGet)/.test(
        operation,
      ) &&
      operation !== 'GetSessionToken' &&
      operation !== 'GetFederationToken';
    // Operation names come from the service models (a few hundred); the bound only guards odd callers.
    if (readOnlyByName.size < 10_000) readOnlyByName.set(operation, known);
  }
  return known;
}

/**
 * Whether CloudTrail records the operation as a data event (CloudTrail User Guide, "Logging data
 * events": S3 object-level operations, DynamoDB item-level operations); bucket and table operations are
 * management events.
 */
export function isDataEvent(service: string, operation: string): boolean {
  if (service === 's3')
    return /Object|MultipartUpload|UploadPart|ListParts/.test(operation) && !/Lock/.test(operation);
  if (service === 'dynamodb') return /Item|^Query$|^Scan$|Statement$|^ExecuteTransaction$/.test(operation);
  return false;
}

/** Everything needed to record one call. */
export interface CallFacts {
  readonly eventId: string;
  readonly requestId: string;
  readonly now: number;
  /** `cloudtrail` for LookupEvents (src/server/cloudtrail/); `s3`, `dynamodb` for the gateway (issue #18). */
  readonly service: 'iam' | 'sts' | 'cloudtrail' | 'organizations' | 's3' | 'dynamodb';
  readonly operation: string;
  readonly principal: Principal;
  /** The account the event is recorded in (the caller's, or the resource's). */
  readonly recipientAccount: string;
  readonly region: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: { readonly code: string; readonly message: string } | undefined;
  readonly sharedEventId?: string | undefined;
  /** Decision trace (policy engine explanation) for denials, kept for `iamd explain`. */
  readonly authorization?: unknown;
  /**
   * Set when an AWS service made the call itself (EC2 assuming an instance profile's role): CloudTrail's
   * `userIdentity` is then `{type: 'AWSService', invokedBy: SERVICE}` and `principal` is ignored.
   */
  readonly invokedBy?: string | undefined;
  /** Overrides `userIdentity` (federated callers, who are not iamd principals). */
  readonly identity?: Readonly<Record<string, unknown>> | undefined;
  /**
   * A denial the report-only level let through (issue 9), recorded as `iamdReportOnly` next to
   * CloudTrail's own members.
   */
  readonly reportOnly?: unknown;
}

/** Builds the {@link AuditRecord} of one call. */
export function buildAuditRecord(f: CallFacts): AuditRecord {
  const readOnly = isReadOnly(f.operation);
  const dataEvent = isDataEvent(f.service, f.operation);
  const principal = factsOf(f.principal);
  const identity =
    f.identity ??
    (f.invokedBy !== undefined ? { type: 'AWSService', invokedBy: f.invokedBy } : principal.identity);
  const record: Record<string, unknown> = {
    eventVersion: '1.08',
    userIdentity: identity,
    eventTime: isoSeconds(f.now),
    eventSource: `${f.service}.amazonaws.com`,
    eventName: f.operation,
    awsRegion: f.region,
    sourceIPAddress: f.sourceIp,
    userAgent: f.userAgent,
    requestParameters: redact(f.input) ?? null,
    responseElements: readOnly || f.error ? null : (redact(f.output) ?? null),
    requestID: f.requestId,
    eventID: f.eventId,
    readOnly,
    eventType: 'AwsApiCall',
    managementEvent: !dataEvent,
    recipientAccountId: f.recipientAccount,
    eventCategory: dataEvent ? 'Data' : 'Management',
  };
  if (f.error) {
    record.errorCode = f.error.code;
    record.errorMessage = f.error.message;
  }
  if (f.sharedEventId !== undefined) record.sharedEventID = f.sharedEventId;
  if (f.authorization !== undefined) record.iamdAuthorization = f.authorization;
  if (f.reportOnly !== undefined) record.iamdReportOnly = f.reportOnly;
  const resources = resourcesOf(f.input);
  return {
    eventId: f.eventId,
    eventTime: f.now,
    account: f.recipientAccount,
    eventName: f.operation,
    eventSource: `${f.service}.amazonaws.com`,
    requestId: f.requestId,
    readOnly,
    username: principal.username,
    accessKeyId: principal.accessKeyId,
    errorCode: f.error?.code,
    resources,
    record,
  };
}

/** Input members that name a resource, with CloudTrail's resource type, in the order events list them. */
const RESOURCE_MEMBERS: readonly (readonly [string, string])[] = [
  ['UserName', 'AWS::IAM::User'],
  ['RoleName', 'AWS::IAM::Role'],
  ['RoleArn', 'AWS::IAM::Role'],
  ['GroupName', 'AWS::IAM::Group'],
  ['PolicyArn', 'AWS::IAM::Policy'],
  ['PolicyName', 'AWS::IAM::Policy'],
  ['InstanceProfileName', 'AWS::IAM::InstanceProfile'],
  ['AccessKeyId', 'AWS::IAM::AccessKey'],
  ['SerialNumber', 'AWS::IAM::MFADevice'],
];
const RESOURCE_RANK = new Map(RESOURCE_MEMBERS.map(([member, type], rank) => [member, { type, rank }]));

/**
 * The resources an input names (string members of {@link RESOURCE_MEMBERS}), in that table's order.
 * Walks the input's own members (most inputs have a handful, many none) rather than probing every
 * table entry on inputs of a hundred shapes.
 */
function resourcesOf(input: unknown): { type: string; name: string }[] {
  if (typeof input !== 'object' || input === null) return [];
  const found: { type: string; name: string; rank: number }[] = [];
  for (const member of Object.keys(input)) {
    const entry = RESOURCE_RANK.get(member);
    if (entry === undefined) continue;
    const name = (input as Record<string, unknown>)[member];
    if (typeof name === 'string') found.push({ type: entry.type, name, rank: entry.rank });
  }
  if (found.length > 1) found.sort((a, b) => a.rank - b.rank);
  return found.map(({ type, name }) => ({ type, name }));
}
