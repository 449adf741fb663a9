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
  runCall,
  type Answer,
  type AuthenticateOptions,
  type Call,
  type EntryPoint,
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
  const entry = queryEntryPoint(p, api);
  return (incoming) => runCall(p, entry, incoming);
}

/** The Query API as an {@link EntryPoint}: form decoder, Query XML renderer, IAM and STS operations. */
export function queryEntryPoint(p: Pipeline, api: QueryApi): EntryPoint<Operation> {
  const authn: AuthenticateOptions = {
    auth: authenticator(p.deps.resolver, SIGNED_SERVICES, new SigningKeyCache(1024)),
    throttle: true,
    recordKeyUse: true,
  };
  const stsOps = api.operations.sts;
  const throttle = p.deps.throttle;
  const modelOf = (call: Call): ServiceModel => api.models[call.service === 'iam' ? 'iam' : 'sts'];
  return {
    service: 'sts',
    async decode(call) {
      const incoming = call.incoming;
      // The form (body, then query-string members the body lacks) and its Action.
      const params = decodeForm(incoming.body);
      if (incoming.query !== '')
        for (const [k, v] of decodeForm(incoming.query)) if (!params.has(k)) params.set(k, v);
      call.operation = params.get('Action');
      // authenticate: the signature's scope names the service (and so the model).
      const sig = parseSigV4(incoming);
      if (sig) {
        if (sig.service === 'iam') call.service = 'iam';
        await authenticateCall(p, call, sig, authn);
      } else {
        const op = call.operation !== undefined ? stsOps.get(call.operation) : undefined;
        if (op === undefined || (op.auth ?? 'signed') === 'signed') throw missingAuthentication();
        // Unsigned calls (web identity, SAML) have no authenticated account yet: they count against
        // their source address. Keying them on the RoleArn's account would let anyone exhaust it.
        if (throttle && !throttle.allowAddress('sts', call.sourceIp, call.now)) throw errors.throttling();
      }
      // The input, against the service's model.
      const decoded = decodeOperationInput(modelOf(call), params);
      call.operation = decoded.operation;
      call.input = decoded.input;
      const operation = api.operations[call.service === 'iam' ? 'iam' : 'sts'].get(decoded.operation);
      if (!operation)
        throw new AwsError('NotImplemented', `iamd does not implement ${decoded.operation} yet`);
      if (!sig && (operation.auth ?? 'signed') === 'signed') throw missingAuthentication();
      return operation;
    },
    // The handler authorizes through the pipeline (ctx.authorize → authorizeCall).
    execute: (call, operation) => executeCall(p, call, operation),
    render: (call, operation, output) =>
      call.answer(200, 'text/xml', renderResult(modelOf(call), operation.name, output, call.requestId)),
    renderError: (call, err) =>
      call.answer(err.status, 'text/xml', renderError(modelOf(call), err, call.requestId)),
  };
}
