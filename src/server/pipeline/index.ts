/**
 * The request pipeline (DESIGN.md, "The request path"): every entry point — the Query API (IAM, STS),
 * JSON 1.1 (CloudTrail), iamd's own endpoints, the console's calls (injected into the Query API), the
 * reset route and, next, the gateway — runs one {@link Call} through the same named steps:
 *
 *   decode → authenticate → authorize → execute → record → render
 *
 * An entry point is a decoder (its wire format → operation and input), an {@link ErrorFormat} and
 * renderer, and its operations; it never re-implements a step. The steps:
 *
 * - decode: per entry point (src/server/dispatch.ts for Query, src/server/cloudtrail/ for JSON 1.1).
 * - authenticate: {@link authenticateCall} over src/authn's one authentication.
 * - authorize: {@link authorizeCall} (handlers reach it through `ctx.authorize`).
 * - execute: {@link executeCall} (the handler's context is the pipeline's view of the call).
 * - record: {@link recordCall} / {@link transactCall} (CloudTrail-shaped events, in the transaction).
 * - render: the entry point's result renderer; errors via {@link toWireError} and one
 *   {@link ErrorFormat} per wire format (src/server/pipeline/render.ts).
 */
export {
  Call,
  ANONYMOUS,
  type Answer,
  type AuditedService,
  type CallResult,
  type WouldDeny,
} from './call.js';
export { Pipeline, type PipelineDeps, type ReportOnlyDenial } from './pipeline.js';
export { fromFastify, fromNode, headerValue, type IncomingCall } from './incoming.js';
export { ServiceError, toWireError, type WireError } from './errors.js';
export {
  AMZ_JSON_11,
  DEFAULT_QUERY_NAMESPACE,
  iamdJsonError,
  iamdJsonErrors,
  json11Errors,
  json11Type,
  queryXmlErrors,
  type ErrorFormat,
  type RenderedError,
} from './render.js';
export {
  authenticateCall,
  authenticateSignedCall,
  noteKeyUse,
  type AuthenticateOptions,
} from './step-authenticate.js';
export { authorizeCall, authorizeWithFetched, letThrough, safeExplain } from './step-authorize.js';
export { executeCall } from './step-execute.js';
export { runCall, type EntryPoint } from './run.js';
export { auditEvents, recordCall, transactCall, type RecordOptions } from './step-record.js';
