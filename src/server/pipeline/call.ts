/**
 * One call's state, as the pipeline's steps fill it in: `decode` sets the service, operation and
 * input; `authenticate` the principal and region; `authorize` the decision; `execute` the output or
 * `fail` the error; `record` reads all of it for the audit trail; `render` turns the outcome into the
 * answer. One object per request, every member set in the constructor (one shape for V8).
 */
import type { AuthorizationRequest } from '../../api/operation.js';
import type { Principal } from '../../domain/principal.js';
import type { AuthorizationRecord, RequestFacts } from '../../authz/index.js';
import type { CallFacts } from '../../audit/event.js';
import type { IncomingCall } from './incoming.js';
import type { WireError } from './errors.js';

/** The services whose calls the audit trail records. */
export type AuditedService = CallFacts['service'];

/** What the report-only level records of a denial it let through. */
export interface WouldDeny {
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly explanation?: string | undefined;
}

/** The answer: status, body, and what the access log wants to know. */
export interface CallResult {
  readonly status: number;
  readonly body: string;
  readonly requestId: string;
  readonly action?: string | undefined;
  readonly principalArn?: string | undefined;
  readonly errorCode?: string | undefined;
}

/** A {@link CallResult} with its content type, ready to write. */
export interface Answer extends CallResult {
  readonly contentType: string;
}

/** The anonymous caller of an unsigned call (one shared object). */
export const ANONYMOUS: Principal = Object.freeze({ type: 'Anonymous' });

/** One request on its way through the pipeline. Also the request facts the authorizer reads. */
export class Call implements RequestFacts {
  /** The AWS `RequestId` (body, `x-amzn-RequestId` header, audit event, access log). */
  readonly requestId: string;
  /** Server time, read once: the whole call happens at this instant. */
  readonly now: number;
  readonly incoming: IncomingCall;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly secureTransport: boolean;

  /** The service answering (set by decode/authenticate; the audit event's `eventSource`). */
  service: AuditedService;
  /** The wire operation name, once known. */
  operation: string | undefined = undefined;
  /** The decoded, validated input. */
  input: Record<string, unknown> | undefined = undefined;
  principal: Principal = ANONYMOUS;
  /** The SigV4 credential scope's region (`us-east-1` when unsigned). */
  region = 'us-east-1';

  /** Whether the call asked the authorizer (every call that needs permission must). */
  authorized = false;
  /** The last decision, and what it decided (kept for the audit trail's decision trace). */
  authorization: AuthorizationRecord | undefined = undefined;
  authorizationRequest: AuthorizationRequest | undefined = undefined;
  /** The first denial the report-only level let through. */
  wouldDeny: WouldDeny | undefined = undefined;

  /** Other accounts that get a copy of the call's audit event (cross-account AssumeRole). */
  alsoIn: string[] | undefined = undefined;
  /** Unsigned federation calls: who the caller is for the audit trail, and the event's account. */
  callerIdentity: Readonly<Record<string, unknown>> | undefined = undefined;
  callerAccount: string | undefined = undefined;
  /** Whether the call ran its one store transaction. */
  transacted = false;
  /** Whether its audit events are written (inside that transaction). */
  recorded = false;

  /** The outcome: the operation's output, or the error the client gets. */
  output: Record<string, unknown> | undefined = undefined;
  error: WireError | undefined = undefined;

  constructor(
    incoming: IncomingCall,
    requestId: string,
    now: number,
    service: AuditedService,
    userAgent: string,
  ) {
    this.incoming = incoming;
    this.requestId = requestId;
    this.now = now;
    this.service = service;
    this.sourceIp = incoming.sourceIp;
    this.userAgent = userAgent;
    this.secureTransport = incoming.secureTransport;
  }

  /** The ARN the access log and reports name (undefined for anonymous callers). */
  get principalArn(): string | undefined {
    return this.principal.type === 'Anonymous' ? undefined : this.principal.arn;
  }

  /** The caller's account ('' when anonymous). */
  get account(): string {
    return this.principal.type === 'Anonymous' ? '' : this.principal.account;
  }

  /**
   * The answer for `body` (200) or for the call's error; `errorCode` is the code as the wire format
   * names it (default: the error's own).
   */
  answer(status: number, contentType: string, body: string, errorCode?: string): Answer {
    return {
      status,
      body,
      requestId: this.requestId,
      contentType,
      action: this.operation,
      principalArn: this.principalArn,
      errorCode: errorCode ?? this.error?.code,
    };
  }
}
