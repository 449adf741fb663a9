/**
 * The request path (DESIGN.md): form → SigV4 → credentials → operation input → handler (which
 * authorizes through the policy engine) → XML. Nothing here knows about fastify; app.ts adapts HTTP.
 */
import type { AuthorizationRequest, CallContext, Operation, Services } from '../api/operation.js';
import type { Principal } from '../api/principal.js';
import { AwsError, errors, isAwsError } from '../errors/index.js';
import { signingNow, type Clock } from '../core/clock.js';
import { timeOrderedUuid } from '../core/uuid.js';
import { StoreUnavailable, type Store, type StoreTx } from '../store/index.js';
import { authorize, type PolicyCache, type AuthorizationRecord } from '../authz/index.js';
import { buildAuditRecord, type CallFacts } from '../audit/event.js';
import { decisionTrace } from '../audit/trace.js';
import { visibleTrace } from '../explain/visibility.js';
import type { AuditRecord } from '../store/index.js';
import type { AuditWriter } from '../audit/writer.js';
import type { CredentialResolver } from '../authn/resolve.js';
import {
  decodeForm,
  decodeJsonInput,
  decodeOperationInput,
  renderError,
  renderJsonError,
  renderJsonResult,
  renderResult,
  type ServiceModel,
} from '../protocol/index.js';
import { OrgError } from '../organizations/common.js';
import { AMZ_JSON_11, JSON_ERROR_NAMES } from './cloudtrail.js';
import { sigv4Crypto } from './sigv4-crypto.js';
import { parseSigV4, SigningKeyCache, type SigV4Request } from '../sigv4/index.js';
import { authenticate } from '../authn/authenticate.js';
import { explain } from '../policy/index.js';
import { recordAccessKeyUse } from '../iam/access-keys.js';
import type { Throttle } from './throttle.js';

/** The services iamd answers on its Query endpoint. */
export type ServiceName = 'iam' | 'sts' | 'organizations';

/** Operations that need no permission (AWS: GetCallerIdentity; the federation calls are authorized by the trust policy). */
const NO_PERMISSION_NEEDED = new Set([
  'GetCallerIdentity',
  'GetSessionToken',
  'GetAccessKeyInfo',
  'DecodeAuthorizationMessage',
]);

/** The services a Query request may be signed for. */
const SIGNED_SERVICES: readonly string[] = ['iam', 'sts'];
/** The services a JSON 1.1 (Organizations) request may be signed for. */
const SIGNED_JSON_SERVICES: readonly string[] = ['organizations'];

/** Everything dispatch needs, built once by the composition root. */
export interface DispatchDeps {
  readonly store: Store;
  readonly clock: Clock;
  /** Query models (IAM, STS) and JSON 1.1 models (Organizations, answered when `X-Amz-Target` names it). */
  readonly models: Readonly<Record<'iam' | 'sts', ServiceModel>> & { readonly organizations?: ServiceModel };
  readonly operations: Readonly<Record<'iam' | 'sts', ReadonlyMap<string, Operation>>> & {
    readonly organizations?: ReadonlyMap<string, Operation>;
  };
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

/** A denial the `report-only` level let through. */
export interface ReportOnlyDenial {
  readonly requestId: string;
  readonly action: string;
  readonly principalArn: string;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** One HTTP request, reduced to what the request path needs. */
export interface IncomingCall {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly sourceIp: string;
  readonly secureTransport: boolean;
}

/** The answer: status, body, and what the access log wants to know. */
export interface CallResult {
  readonly status: number;
  readonly body: string;
  readonly requestId: string;
  readonly action?: string | undefined;
  readonly principalArn?: string | undefined;
  readonly errorCode?: string | undefined;
  /** The body's content type when it is not XML (JSON 1.1 answers). */
  readonly contentType?: string | undefined;
}

/** Builds the dispatcher. */
export function makeDispatcher(deps: DispatchDeps): (call: IncomingCall) => Promise<CallResult> {
  const signingKeys = new SigningKeyCache(1024);
  /** When each long-term key last had its use recorded (key|service|region → ms). */
  const keyUse = new Map<string, number>();
  const stsOps = deps.operations.sts;
  const random = deps.services.random;
  let deferred: { readonly requestId: string; readonly fn: () => void }[] = [];
  const runDeferred = (): void => {
    const batch = deferred;
    deferred = [];
    for (const { requestId, fn } of batch) {
      try {
        fn();
      } catch (err) {
        deps.logError(err, requestId);
      }
    }
  };
  /**
   * Runs `fn` once the current answer has been handed to the HTTP layer (setImmediate: after this turn's
   * I/O callbacks and microtasks, so after the response is written), keeping the audit record of a call
   * that changed nothing off its latency. It still runs before the server reads the client's next
   * request, so "explain the call I just made" finds the event; anything reading the trail flushes the
   * writer first.
   */
  const afterAnswer = (requestId: string, fn: () => void): void => {
    // One setImmediate for all the calls answered in this turn of the event loop.
    if (deferred.push({ requestId, fn }) === 1) setImmediate(runDeferred);
  };

  return async function dispatch(call: IncomingCall): Promise<CallResult> {
    const now = deps.clock.now();
    // Time-ordered: request and event ids key the audit trail's indexes (src/core/uuid.ts).
    const requestId = timeOrderedUuid(now, random);
    let model: ServiceModel = deps.models.sts;
    let service: ServiceName = 'sts';
    let operationName: string | undefined;
    let principal: Principal = { type: 'Anonymous' };
    let input: Record<string, unknown> | undefined;
    let auditWritten = false;
    const alsoIn: string[] = [];
    let callerIdentity: Readonly<Record<string, unknown>> | undefined;
    let callerAccount: string | undefined;
    let authorization: AuthorizationRecord | undefined;
    let authorizationRequest: AuthorizationRequest | undefined;
    /** The first denial the report-only level let through (recorded in the audit event). */
    let wouldDeny: WouldDeny | undefined;
    let region = 'us-east-1';
    const userAgent = headerValue(call.headers['user-agent']) ?? '';
    // The outcome goes into the one literal: spreading `facts()` and adding members after it made V8
    // build the object member by member on a slow path (≈ 1 µs, on every call's audit event).
    const facts = (outcome: Pick<CallFacts, 'output' | 'error' | 'authorization'>): CallFacts => ({
      eventId: timeOrderedUuid(now, random),
      requestId,
      now,
      service,
      operation: operationName ?? 'Unknown',
      principal,
      recipientAccount: callerAccount ?? recipient(principal),
      region,
      sourceIp: call.sourceIp,
      userAgent,
      input: input ?? {},
      identity: callerIdentity,
      output: outcome.output,
      error: outcome.error,
      authorization: outcome.authorization,
      reportOnly: wouldDeny,
    });
    /** The call's audit events: one per recipient account. */
    const events = (f: CallFacts): AuditRecord[] => auditRecords(f, alsoIn, random);
    // JSON 1.1 (Organizations): `X-Amz-Target: AWSOrganizationsV20161128.<Operation>`, a JSON body.
    const target = headerValue(call.headers['x-amz-target']);
    const jsonModel = deps.models.organizations;
    const json =
      target !== undefined &&
      jsonModel?.targetPrefix !== undefined &&
      target.startsWith(`${jsonModel.targetPrefix}.`);
    if (json) {
      model = jsonModel;
      service = 'organizations';
    }
    try {
      const params = json ? new Map<string, string>() : decodeForm(call.body);
      if (!json && call.query !== '')
        for (const [k, v] of decodeForm(call.query)) if (!params.has(k)) params.set(k, v);
      operationName = json ? target.slice(target.lastIndexOf('.') + 1) : params.get('Action');
      const sigReq: SigV4Request = {
        method: call.method,
        path: call.path,
        query: call.query,
        headers: call.headers,
        body: call.body,
      };
      const sig = parseSigV4(sigReq);
      if (sig) {
        region = sig.region;
        if (!json && sig.service === 'iam') {
          service = 'iam';
          model = deps.models.iam;
        }
        const creds = await authenticate(
          deps.resolver,
          sigReq,
          sig,
          now,
          signingNow(deps.clock),
          json ? SIGNED_JSON_SERVICES : SIGNED_SERVICES,
          sigv4Crypto,
          signingKeys,
        );
        principal = creds.principal;
        // Counted only once the signature holds, against the caller's account (the account whose
        // credentials sign, as AWS applies its rates), so nobody can spend another account's budget.
        // Organizations has no configured rate (src/config rate limits cover IAM and STS).
        if (
          deps.throttle &&
          service !== 'organizations' &&
          !deps.throttle.allowAccount(service, creds.principal.account, now)
        )
          throw errors.throttling();
        // GetAccessKeyLastUsed: long-term keys record their use (best effort, throttled per key).
        if (!creds.principal.session && !creds.unverified) {
          // The store write is throttled to once a minute per key in recordAccessKeyUse; this in-memory
          // check keeps even the read off the request path in between.
          const useKey = `${sig.accessKeyId}|${sig.service}|${sig.region}`;
          const last = keyUse.get(useKey);
          if (last === undefined || now - last >= 60_000 || now < last) {
            if (keyUse.size > 10_000) keyUse.clear();
            keyUse.set(useKey, now);
            void recordAccessKeyUse(
              deps.store,
              creds.principal.account,
              sig.accessKeyId,
              sig.service,
              sig.region,
              now,
            );
          }
        }
      } else {
        const op = operationName !== undefined ? stsOps.get(operationName) : undefined;
        if (!op?.unsigned)
          throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
        // Unsigned calls (web identity, SAML) have no authenticated account yet: they count against
        // their source address. Keying them on the RoleArn's account would let anyone exhaust it.
        if (deps.throttle && !deps.throttle.allowAddress('sts', call.sourceIp, now))
          throw errors.throttling();
      }
      const decoded = json
        ? decodeJson(model, operationName ?? '', call.body)
        : decodeOperationInput(model, params);
      operationName = decoded.operation;
      input = decoded.input;
      const operation = deps.operations[service]?.get(decoded.operation);
      if (!operation)
        throw new AwsError('NotImplemented', `iamd does not implement ${decoded.operation} yet`);
      if (!sig && !operation.unsigned)
        throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');

      /** report-only and off (issues 9, #21): the call goes on; the would-be error is logged and audited. */
      const letThrough = (action: string, denial: AwsError, explanation: string | undefined): void => {
        deps.reportOnly?.({
          requestId,
          action,
          principalArn: principal.type === 'Anonymous' ? 'anonymous' : principal.arn,
          errorCode: denial.code,
          errorMessage: denial.message,
        });
        wouldDeny ??= { errorCode: denial.code, errorMessage: denial.message, explanation };
      };
      let authorized = false;
      let transacted = false;
      const callPrincipal = principal;
      const opName = decoded.operation;
      const ctx: CallContext = {
        requestId,
        now,
        principal: callPrincipal,
        store: deps.store,
        services: deps.services,
        sourceIp: call.sourceIp,
        userAgent,
        secureTransport: call.secureTransport,
        region,
        async authorize(request) {
          authorized = true;
          const facts = {
            now,
            sourceIp: call.sourceIp,
            userAgent,
            secureTransport: call.secureTransport,
            region,
          };
          let denial: AwsError | undefined;
          try {
            authorization = await authorize(deps.policyCache, callPrincipal, facts, request);
            authorizationRequest = request;
            denial = authorization.denial;
          } catch (err) {
            if (!deps.reportOnly || !isAwsError(err) || err.code !== 'AccessDenied') throw err;
            denial = err;
          }
          if (!denial) return;
          if (!deps.reportOnly) throw denial;
          letThrough(
            request.action,
            denial,
            // The event goes to the caller's account (and, cross-account, the resource's too): the
            // paragraph tells only what the caller's account may see (src/explain/visibility.ts).
            authorization?.denial === denial
              ? safeExplain(authorization, recipient(callPrincipal))
              : undefined,
          );
        },
        // The `off` level (issue #21): refusals that are enforcement rather than input checks (a root
        // assuming a role) are let through and reported like a policy denial.
        refuse:
          deps.reportOnly && deps.resolver.checksNothing
            ? (denial, action) => letThrough(action, denial, undefined)
            : undefined,
        identifyCaller(identity, account) {
          callerIdentity = identity;
          callerAccount = account;
        },
        alsoRecordIn(account: string) {
          if (account !== recipient(callPrincipal) && !alsoIn.includes(account)) alsoIn.push(account);
        },
        async transact<T extends Record<string, unknown> | undefined>(
          fn: (tx: StoreTx) => Promise<T>,
        ): Promise<T> {
          if (transacted) throw new Error('transact called twice in one call');
          transacted = true;
          // The function may run more than once (PostgreSQL retries serialization failures), so listeners
          // hear about the events only after the commit.
          let committed: AuditRecord[] = [];
          // When the commit's acknowledgement is lost, the store resolves the outcome from its marker
          // (issue #22): `committed` then holds the events of the attempt that did commit.
          const result = await deps.store.transact(
            async (tx) => {
              const output = await fn(tx);
              committed = events(facts({ output }));
              for (const record of committed) await tx.appendAudit(record);
              return output;
            },
            { requestId },
          );
          auditWritten = true;
          for (const record of committed) deps.audit.notify(record);
          return result;
        },
      };
      const output = await operation.handle(decoded.input, ctx);
      if (!authorized && !NO_PERMISSION_NEEDED.has(opName) && !operation.unsigned) {
        // Every call is authorized by the policy engine; a handler that forgot is a bug, not a grant.
        throw new Error(`operation ${opName} completed without authorization`);
      }
      // Nothing changes the call's state after it returns, so its events can be built then.
      if (!auditWritten)
        afterAnswer(requestId, () => {
          for (const r of events(facts({ output }))) deps.audit.add(r);
        });
      if (json)
        return {
          status: 200,
          body: renderJsonResult(model, opName, output),
          requestId,
          action: opName,
          principalArn: principal.type === 'Anonymous' ? undefined : principal.arn,
          contentType: AMZ_JSON_11,
        };
      return {
        status: 200,
        body: renderResult(model, opName, output, requestId),
        requestId,
        action: opName,
        principalArn: principal.type === 'Anonymous' ? undefined : principal.arn,
      };
    } catch (thrown) {
      let err: AwsError;
      if (isAwsError(thrown)) err = thrown;
      else if (thrown instanceof StoreUnavailable) {
        // The database is down or restarting: a retryable 503, as AWS answers a temporary failure (AWS
        // API reference, "Common Errors": ServiceUnavailable). SDKs retry it with backoff.
        deps.logError(thrown, requestId);
        err = errors.serviceUnavailable();
      } else {
        deps.logError(thrown, requestId);
        err = errors.internalFailure();
      }
      if (operationName !== undefined && !auditWritten)
        afterAnswer(requestId, () => {
          const failure: CallFacts = facts({
            error: { code: err.code, message: err.message },
            authorization:
              authorization && err.code === 'AccessDenied'
                ? decisionTrace(
                    authorization.request,
                    authorization.decision,
                    {
                      policy: authorizationRequest?.resourcePolicy,
                      type: authorizationRequest?.resourcePolicyType,
                    },
                    safeExplain(authorization),
                  )
                : undefined,
          });
          for (const r of events(failure)) deps.audit.add(r);
        });
      if (json)
        return {
          status: err.status,
          body: renderJsonError(
            JSON_ERROR_NAMES[err.code] ?? err.code,
            err.message,
            err instanceof OrgError ? err.fields : {},
          ),
          requestId,
          action: operationName,
          principalArn: principal.type === 'Anonymous' ? undefined : principal.arn,
          errorCode: err.code,
          contentType: AMZ_JSON_11,
        };
      return {
        status: err.status,
        body: renderError(model, { code: err.code, message: err.message, fault: err.fault }, requestId),
        requestId,
        action: operationName,
        principalArn: principal.type === 'Anonymous' ? undefined : principal.arn,
        errorCode: err.code,
      };
    }
  };
}

/** The call's event, plus copies for other accounts sharing one `sharedEventID` (CloudTrail). */
function auditRecords(
  f: CallFacts,
  alsoIn: readonly string[],
  random: (n: number) => Uint8Array,
): AuditRecord[] {
  if (alsoIn.length === 0) return [buildAuditRecord(f)];
  const shared = timeOrderedUuid(f.now, random);
  return [f.recipientAccount, ...alsoIn].map((account) =>
    buildAuditRecord({
      ...f,
      eventId: timeOrderedUuid(f.now, random),
      recipientAccount: account,
      sharedEventId: shared,
    }),
  );
}

/** What the report-only level records of a denial it let through. */
interface WouldDeny {
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly explanation?: string | undefined;
}

function safeExplain(record: AuthorizationRecord, viewer?: string): string | undefined {
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

function recipient(principal: Principal): string {
  return principal.type === 'Anonymous' ? '' : principal.account;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Decodes a JSON 1.1 body for `operation`; model violations become Organizations'
 * `InvalidInputException` with its `Reason` (the Organizations API reference, InvalidInputException).
 */
function decodeJson(
  model: ServiceModel,
  operation: string,
  body: string,
): { operation: string; input: Record<string, unknown> } {
  if (!model.operations.has(operation))
    throw new AwsError('InvalidAction', `The action ${operation} is not valid for this web service.`);
  const r = decodeJsonInput(model, operation, body);
  if (r.ok) return r;
  const v = r.violation;
  // A body that is not JSON or a member of the wrong JSON type has no Reason of its own.
  if (v.reason === 'SERIALIZATION' || v.reason === 'INVALID_TYPE')
    throw new OrgError('InvalidInputException', v.message);
  throw new OrgError('InvalidInputException', v.message, { Reason: v.reason });
}
