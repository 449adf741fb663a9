/**
 * The record step: the call's CloudTrail-shaped audit events. A call that changed something records
 * inside its own store transaction ({@link transactCall}); any other call records after its answer is
 * written ({@link recordCall}). A cross-account call gets one event per account with a shared event id.
 */
import type { StoreTx, AuditRecord } from '../../store/index.js';
import { buildAuditRecord, type CallFacts } from '../../audit/event.js';
import { decisionTrace } from '../../audit/trace.js';
import type { Call } from './call.js';
import type { Pipeline } from './pipeline.js';
import { safeExplain } from './step-authorize.js';

/** How an entry point records. */
export interface RecordOptions {
  /** The error code as the audit event names it (JSON APIs record their wire names). */
  readonly codeOf?: ((code: string) => string) | undefined;
  /** Hand the events to the writer now rather than after the answer (reads that a lookup must see). */
  readonly now?: boolean | undefined;
}

/** The facts of the call's event, its outcome included. */
function factsOf(p: Pipeline, call: Call, options: RecordOptions | undefined): CallFacts {
  const err = call.error;
  let error: CallFacts['error'];
  let authorization: unknown;
  if (err !== undefined) {
    error = { code: options?.codeOf?.(err.code) ?? err.code, message: err.message };
    const record = call.authorization;
    if (record !== undefined && err.code === 'AccessDenied') {
      const request = call.authorizationRequest;
      authorization = decisionTrace(
        record.request,
        record.decision,
        { policy: request?.resourcePolicy, type: request?.resourcePolicyType },
        safeExplain(record),
      );
    }
  }
  // The outcome goes into the one literal: spreading a base object and adding members after it made V8
  // build the object member by member on a slow path (≈ 1 µs, on every call's audit event).
  return {
    eventId: p.newId(call.now),
    requestId: call.requestId,
    now: call.now,
    service: call.service,
    operation: call.operation ?? 'Unknown',
    principal: call.principal,
    recipientAccount: call.callerAccount ?? call.account,
    region: call.region,
    sourceIp: call.sourceIp,
    userAgent: call.userAgent,
    input: call.input ?? {},
    identity: call.callerIdentity,
    // A failed call has no output (a transaction attempt that did not commit may have left one).
    output: err === undefined ? call.output : undefined,
    error,
    authorization,
    reportOnly: call.wouldDeny,
  };
}

/** The call's audit events: its own, plus copies for other accounts sharing one `sharedEventID`. */
export function auditEvents(p: Pipeline, call: Call, options?: RecordOptions): AuditRecord[] {
  const f = factsOf(p, call, options);
  const alsoIn = call.alsoIn;
  if (alsoIn === undefined) return [buildAuditRecord(f)];
  const shared = p.newId(f.now);
  return [f.recipientAccount, ...alsoIn].map((account) =>
    buildAuditRecord({ ...f, eventId: p.newId(f.now), recipientAccount: account, sharedEventId: shared }),
  );
}

/** Records the call (unless its transaction did), after the answer is written or at once. */
export function recordCall(p: Pipeline, call: Call, options?: RecordOptions): void {
  if (call.recorded) return;
  call.recorded = true;
  const write = (): void => {
    for (const r of auditEvents(p, call, options)) p.deps.audit.add(r);
  };
  if (options?.now === true) write();
  else p.afterAnswer(call.requestId, write);
}

/**
 * Runs the call's writes in ONE store transaction, with its audit events appended inside it, built from
 * the output `fn` returns: a change and its event land together or not at all. At most once per call.
 */
export async function transactCall<T extends Record<string, unknown> | undefined>(
  p: Pipeline,
  call: Call,
  fn: (tx: StoreTx) => Promise<T>,
): Promise<T> {
  if (call.transacted) throw new Error('transact called twice in one call');
  call.transacted = true;
  // The function may run more than once (PostgreSQL retries serialization failures), so listeners hear
  // about the events only after the commit.
  let committed: AuditRecord[] = [];
  // When the commit's acknowledgement is lost, the store resolves the outcome from its marker (issue
  // #22): `committed` then holds the events of the attempt that did commit.
  const result = await p.deps.store.transact(
    async (tx) => {
      const output = await fn(tx);
      call.output = output;
      committed = auditEvents(p, call);
      for (const record of committed) await tx.appendAudit(record);
      return output;
    },
    { requestId: call.requestId },
  );
  call.recorded = true;
  for (const record of committed) p.deps.audit.notify(record);
  return result;
}
