/**
 * An entry point, and the one loop that runs a request through it. Entry points differ only in how
 * they decode and render, and in their operations: the Query API (src/server/dispatch.ts), JSON 1.1
 * (src/server/cloudtrail/lookup-events.ts), and next the gateway's services (a REST-XML or JSON decoder,
 * its error format in src/server/pipeline/render.ts, and its operations).
 */
import type { Answer, AuditedService, Call } from './call.js';
import { toWireError, type WireError } from './errors.js';
import type { IncomingCall } from './incoming.js';
import type { Pipeline } from './pipeline.js';
import { recordCall, type RecordOptions } from './step-record.js';

/** One entry point: a decoder, an executor over the shared steps, and a renderer. */
export interface EntryPoint<Op> {
  /** The service a call is recorded under until decoding says otherwise. */
  readonly service: AuditedService;
  /** How the entry point's calls are recorded. */
  readonly record?: RecordOptions | undefined;
  /**
   * decode (and authenticate, where the wire format puts it: the Query API needs the form's `Action`
   * before, and the credential scope's service to pick the model after): the request → the operation
   * to run, with `call.operation` and `call.input` set.
   */
  decode(call: Call): Promise<Op>;
  /** execute: runs the operation, authorizing through the pipeline; returns its output. */
  execute(call: Call, op: Op): Promise<Record<string, unknown> | undefined>;
  /** render: the output as the wire format's answer. */
  render(call: Call, op: Op, output: Record<string, unknown> | undefined): Answer;
  /** render an error in the wire format. */
  renderError(call: Call, err: WireError): Answer;
  /** Whether a failed call is recorded (default: once its operation name is known). */
  recordsFailure?(call: Call): boolean;
}

/**
 * Runs `incoming` through `entry`: decode → (authenticate) → execute (→ authorize) → record → render.
 * Every throw becomes the entry point's error answer (unexpected ones are logged, never sent).
 */
export async function runCall<Op>(
  p: Pipeline,
  entry: EntryPoint<Op>,
  incoming: IncomingCall,
): Promise<Answer> {
  const call = p.begin(incoming, entry.service);
  try {
    const op = await entry.decode(call);
    const output = await entry.execute(call, op);
    // Nothing changes the call's state after it returns, so its events can be built then.
    recordCall(p, call, entry.record);
    return entry.render(call, op, output);
  } catch (thrown) {
    const err = toWireError(thrown, (e) => p.deps.logError(e, call.requestId));
    call.error = err;
    if (entry.recordsFailure !== undefined ? entry.recordsFailure(call) : call.operation !== undefined)
      recordCall(p, call, entry.record);
    return entry.renderError(call, err);
  }
}
