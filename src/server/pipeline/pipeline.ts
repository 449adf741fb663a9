/**
 * What every entry point's calls share: the process-wide dependencies (store, clock, resolver,
 * policy cache, audit writer, enforcement level) and the pipeline's own process state — the queue of
 * work that runs after an answer is written, and when each long-term key last had its use recorded.
 * Built once by the composition root; the steps (authenticate, authorize, execute, record) take it.
 */
import type { Services } from '../../api/operation.js';
import type { Clock } from '../../core/clock.js';
import { timeOrderedUuid } from '../../core/uuid.js';
import type { Store } from '../../store/index.js';
import type { PolicyCache } from '../../authz/index.js';
import type { AuditWriter } from '../../audit/writer.js';
import type { CredentialResolver } from '../../authn/resolve.js';
import type { Throttle } from '../throttle.js';
import { Call, type AuditedService } from './call.js';
import { headerValue, type IncomingCall } from './incoming.js';

/** A denial the `report-only` level let through. */
export interface ReportOnlyDenial {
  readonly requestId: string;
  readonly action: string;
  readonly principalArn: string;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** Everything the pipeline needs, built once by the composition root. */
export interface PipelineDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly resolver: CredentialResolver;
  readonly services: Services;
  readonly policyCache: PolicyCache;
  readonly audit: AuditWriter;
  /** Logs unexpected errors (never sent to the client). */
  readonly logError: (err: unknown, requestId: string) => void;
  /**
   * Set at the `report-only` level (issue 9): a denial does not stop the call; it is handed here (to be
   * logged as a warning) and recorded in the call's audit event as `iamdReportOnly`.
   */
  readonly reportOnly?: ((denial: ReportOnlyDenial) => void) | undefined;
  /** Per-account request rates (issue 16); absent: unlimited. */
  readonly throttle?: Throttle | undefined;
}

/** The shared half of the pipeline: its dependencies and process state. */
export class Pipeline {
  /** When each long-term key last had its use recorded (key|service|region → ms). */
  readonly keyUse = new Map<string, number>();
  private deferred: { readonly requestId: string; readonly fn: () => void }[] = [];

  constructor(readonly deps: PipelineDeps) {}

  /** A new call for `incoming`, answered by `service`: the clock is read and the request id drawn here. */
  begin(incoming: IncomingCall, service: AuditedService): Call {
    const now = this.deps.clock.now();
    return new Call(
      incoming,
      // Time-ordered: request and event ids key the audit trail's indexes (src/core/uuid.ts).
      timeOrderedUuid(now, this.deps.services.random),
      now,
      service,
      headerValue(incoming.headers['user-agent']) ?? '',
    );
  }

  /** A fresh time-ordered id (audit event ids). */
  newId(now: number): string {
    return timeOrderedUuid(now, this.deps.services.random);
  }

  /**
   * Runs `fn` once the current answer has been handed to the HTTP layer (setImmediate: after this turn's
   * I/O callbacks and microtasks, so after the response is written), keeping the audit record of a call
   * that changed nothing off its latency. It still runs before the server reads the client's next
   * request, so "explain the call I just made" finds the event; anything reading the trail flushes the
   * writer first.
   */
  afterAnswer(requestId: string, fn: () => void): void {
    // One setImmediate for all the calls answered in this turn of the event loop.
    if (this.deferred.push({ requestId, fn }) === 1) setImmediate(this.runDeferred);
  }

  private readonly runDeferred = (): void => {
    const batch = this.deferred;
    this.deferred = [];
    for (const { requestId, fn } of batch) {
      try {
        fn();
      } catch (err) {
        this.deps.logError(err, requestId);
      }
    }
  };
}
