/**
 * The Query API entry point (IAM and STS, AWS Query protocol, XML) on the request pipeline:
 * decode (form → Action; the SigV4 scope picks the service) → authenticate → decode the input against
 * the service model → execute (the handler authorizes through the pipeline) → record → render XML.
 * Nothing here knows about fastify; src/server/routes/query.ts adapts HTTP.
 */
import type { Operation } from '../api/operation.js';
import { AwsError, errors } from '../errors/index.js';
import {
  decodeForm,
  decodeOperationInput,
  renderError,
  renderResult,
  type ServiceModel,
} from '../protocol/index.js';
import { parseSigV4, SigningKeyCache } from '../sigv4/index.js';
import { authenticator, missingAuthentication } from '../authn/authenticate.js';
import {
  authenticateCall,
  executeCall,
  recordCall,
  toWireError,
  type Answer,
  type AuthenticateOptions,
  type IncomingCall,
  type Pipeline,
} from './pipeline/index.js';

export type { Answer, CallResult, IncomingCall, ReportOnlyDenial } from './pipeline/index.js';

/** The services iamd answers on its Query endpoint. */
export type ServiceName = 'iam' | 'sts';

/** The services a Query request may be signed for. */
const SIGNED_SERVICES: readonly string[] = ['iam', 'sts'];

/** What the Query API serves: a model and an operation table per service. */
export interface QueryApi {
  readonly models: Readonly<Record<ServiceName, ServiceModel>>;
  readonly operations: Readonly<Record<ServiceName, ReadonlyMap<string, Operation>>>;
}

/** The Query API's answer to one call. */
export type QueryDispatcher = (call: IncomingCall) => Promise<Answer>;

/** Builds the Query API entry point over the shared pipeline. */
export function makeDispatcher(p: Pipeline, api: QueryApi): QueryDispatcher {
  const authn: AuthenticateOptions = {
    auth: authenticator(p.deps.resolver, SIGNED_SERVICES, new SigningKeyCache(1024)),
    throttle: true,
    recordKeyUse: true,
  };
  const stsOps = api.operations.sts;
  const throttle = p.deps.throttle;
  const logError = p.deps.logError;

  return async function dispatch(incoming: IncomingCall): Promise<Answer> {
    const call = p.begin(incoming, 'sts');
    let model: ServiceModel = api.models.sts;
    try {
      // decode: the form (body, then query-string members the body lacks) and its Action.
      const params = decodeForm(incoming.body);
      if (incoming.query !== '')
        for (const [k, v] of decodeForm(incoming.query)) if (!params.has(k)) params.set(k, v);
      call.operation = params.get('Action');
      // authenticate: the signature's scope names the service.
      const sig = parseSigV4(incoming);
      if (sig) {
        if (sig.service === 'iam') {
          call.service = 'iam';
          model = api.models.iam;
        }
        await authenticateCall(p, call, sig, authn);
      } else {
        const op = call.operation !== undefined ? stsOps.get(call.operation) : undefined;
        if (op === undefined || (op.auth ?? 'signed') === 'signed') throw missingAuthentication();
        // Unsigned calls (web identity, SAML) have no authenticated account yet: they count against
        // their source address. Keying them on the RoleArn's account would let anyone exhaust it.
        if (throttle && !throttle.allowAddress('sts', call.sourceIp, call.now)) throw errors.throttling();
      }
      // decode the input against the service's model.
      const decoded = decodeOperationInput(model, params);
      call.operation = decoded.operation;
      call.input = decoded.input;
      const operation = api.operations[call.service as ServiceName].get(decoded.operation);
      if (!operation)
        throw new AwsError('NotImplemented', `iamd does not implement ${decoded.operation} yet`);
      if (!sig && (operation.auth ?? 'signed') === 'signed') throw missingAuthentication();
      // execute (the handler authorizes through the pipeline), record, render.
      const output = await executeCall(p, call, operation);
      // Nothing changes the call's state after it returns, so its events can be built then.
      recordCall(p, call);
      return call.answer(200, 'text/xml', renderResult(model, decoded.operation, output, call.requestId));
    } catch (thrown) {
      const err = toWireError(thrown, (e) => logError(e, call.requestId));
      call.error = err;
      if (call.operation !== undefined) recordCall(p, call);
      return call.answer(err.status, 'text/xml', renderError(model, err, call.requestId));
    }
  };
}
