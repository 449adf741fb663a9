/**
 * The authorize step: the call's principal and request facts plus what the operation asks for → the
 * policy engine's decision, kept on the call for the audit trail. A denial throws AWS's `AccessDenied`,
 * except at the `report-only` and `off` levels, where it is recorded and the call goes on.
 */
import type { AuthorizationRequest, ContextValue } from '../../api/operation.js';
import type { AwsError } from '../../errors/index.js';
import { isAwsError } from '../../errors/index.js';
import { authorize, type AuthorizationRecord } from '../../authz/index.js';
import { decisionTrace } from '../../audit/trace.js';
import { visibleTrace } from '../../explain/visibility.js';
import { explain } from '../../policy/index.js';
import type { Call } from './call.js';
import type { Pipeline } from './pipeline.js';

/**
 * Decides `request`, whose context may lack values only an upstream holds (an object's or a table's
 * tags): first without them, strictly (a denial is not yet reported); only when that decision looked up
 * a key `needs` recognises (the record's `absentKeys`, exact under the engine's short-circuiting) is
 * `fetch` asked for them — the extra context, or undefined when there is none — and the request decided
 * again, leniently; that second decision is the call's (audited) one. Without such a lookup the decision
 * cannot depend on the values and costs no fetch: the first decision stands (a denial goes through the
 * lenient step only at the report-only and off levels).
 */
export async function authorizeWithFetched(
  p: Pipeline,
  call: Call,
  request: AuthorizationRequest,
  needs: (absentKeys: readonly string[] | undefined) => boolean,
  fetch: () => Promise<Readonly<Record<string, ContextValue>> | undefined>,
): Promise<void> {
  const before = call.authorization;
  let denial: AwsError | undefined;
  try {
    await authorizeCall(p, call, request, false);
  } catch (err) {
    if (!isAwsError(err) || err.code !== 'AccessDenied') throw err;
    denial = err;
  }
  const record = call.authorization;
  const extra = record !== before && needs(record?.absentKeys) ? await fetch() : undefined;
  if (extra !== undefined) {
    await authorizeCall(p, call, { ...request, context: { ...request.context, ...extra } }, true);
    return;
  }
  if (denial === undefined) return;
  if (p.deps.reportOnly === undefined) throw denial;
  await authorizeCall(p, call, request, true);
}

/**
 * Decides `request` for the call. With `lenient` (the Query API) the enforcement level applies: at
 * `report-only` and `off` a denial is let through (see {@link letThrough}). iamd's own endpoints and
 * CloudTrail pass `false`: a denial always stops them.
 */
export async function authorizeCall(
  p: Pipeline,
  call: Call,
  request: AuthorizationRequest,
  lenient: boolean,
): Promise<void> {
  call.authorized = true;
  const reportOnly = lenient ? p.deps.reportOnly : undefined;
  let denial: AwsError | undefined;
  try {
    // The call is its own request facts (now, source address, user agent, TLS, region).
    const record = await authorize(p.deps.policyCache, call.principal, call, request);
    call.authorization = record;
    call.authorizationRequest = request;
    denial = record.denial;
  } catch (err) {
    if (reportOnly === undefined || !isAwsError(err) || err.code !== 'AccessDenied') throw err;
    denial = err;
  }
  if (denial === undefined) return;
  if (reportOnly === undefined) throw denial;
  const record = call.authorization;
  letThrough(
    p,
    call,
    request.action,
    denial,
    // The event goes to the caller's account (and, cross-account, the resource's too): the paragraph
    // tells only what the caller's account may see (src/explain/visibility.ts).
    record?.denial === denial ? safeExplain(record, call.account) : undefined,
  );
}

/**
 * report-only and off (issues 9, #21): the call goes on; the would-be error is logged and recorded in
 * the call's audit event (the first one only).
 */
export function letThrough(
  p: Pipeline,
  call: Call,
  action: string,
  denial: AwsError,
  explanation: string | undefined,
): void {
  p.deps.reportOnly?.({
    requestId: call.requestId,
    action,
    principalArn: call.principalArn ?? 'anonymous',
    errorCode: denial.code,
    errorMessage: denial.message,
  });
  call.wouldDeny ??= { errorCode: denial.code, errorMessage: denial.message, explanation };
}

/** The explanation paragraph of a decision (as `viewer`'s account may see it); undefined if it fails. */
export function safeExplain(record: AuthorizationRecord, viewer?: string): string | undefined {
  try {
    if (viewer !== undefined) {
      const seen = visibleTrace(decisionTrace(record.request, record.decision, {}, undefined), viewer);
      return explain(seen.trace.decision, seen.trace.request);
    }
    return explain(record.decision, record.request);
  } catch {
    return undefined;
  }
}
