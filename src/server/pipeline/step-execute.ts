/**
 * The execute step: the operation's handler runs over a {@link HandlerContext} — the call as a handler
 * may see it. The context's callbacks are the pipeline's own steps (authorize, record in a transaction)
 * over the same {@link Call}; a handler never sees HTTP or the call's other state.
 */
import {
  operationAction,
  type AuthorizationRequest,
  type CallContext,
  type Operation,
  type Services,
} from '../../api/operation.js';
import type { Principal } from '../../domain/principal.js';
import type { AwsError } from '../../errors/index.js';
import type { StoreReader, StoreTx } from '../../store/index.js';
import type { Call } from './call.js';
import type { Pipeline } from './pipeline.js';
import { authorizeCall, letThrough } from './step-authorize.js';
import { transactCall } from './step-record.js';

/** What a handler sees of its call (see {@link CallContext}); one per call, no closures. */
class HandlerContext implements CallContext {
  readonly requestId: string;
  readonly now: number;
  readonly principal: Principal;
  readonly store: StoreReader;
  readonly services: Services;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly secureTransport: boolean;
  readonly region: string;
  readonly refuse: ((denial: AwsError, action: string) => void) | undefined;
  readonly #p: Pipeline;
  readonly #call: Call;

  constructor(p: Pipeline, call: Call) {
    this.#p = p;
    this.#call = call;
    this.requestId = call.requestId;
    this.now = call.now;
    this.principal = call.principal;
    this.store = p.deps.store;
    this.services = p.deps.services;
    this.sourceIp = call.sourceIp;
    this.userAgent = call.userAgent;
    this.secureTransport = call.secureTransport;
    this.region = call.region;
    // The `off` level (issue #21): refusals that are enforcement rather than input checks (a root
    // assuming a role) are let through and reported like a policy denial.
    this.refuse =
      p.deps.reportOnly !== undefined && p.deps.resolver.checksNothing
        ? (denial, action) => letThrough(p, call, action, denial, undefined)
        : undefined;
  }

  authorize(request: AuthorizationRequest): Promise<void> {
    return authorizeCall(this.#p, this.#call, request, true);
  }

  transact<T extends Record<string, unknown> | undefined>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return transactCall(this.#p, this.#call, fn);
  }

  alsoRecordIn(account: string): void {
    const call = this.#call;
    if (account === call.account) return;
    if (call.alsoIn === undefined) call.alsoIn = [account];
    else if (!call.alsoIn.includes(account)) call.alsoIn.push(account);
  }

  identifyCaller(identity: Readonly<Record<string, unknown>>, account: string): void {
    this.#call.callerIdentity = identity;
    this.#call.callerAccount = account;
  }
}

/**
 * Runs `operation` on the call's input; sets and returns its output. A signed call of an operation that
 * needs permission must have asked the authorizer: a handler that forgot is a bug, not a grant.
 */
export async function executeCall(
  p: Pipeline,
  call: Call,
  operation: Operation,
): Promise<Record<string, unknown> | undefined> {
  const output = await operation.handle(call.input ?? {}, new HandlerContext(p, call));
  if (!call.authorized && (operation.auth ?? 'signed') === 'signed' && operationAction(operation) !== null)
    throw new Error(`operation ${operation.name} completed without authorization`);
  call.output = output;
  return output;
}
