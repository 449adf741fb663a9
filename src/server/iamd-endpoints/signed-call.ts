/**
 * The iamd-endpoint half of the pipeline: `/_iamd/*` routes are SigV4-signed for service `iam`,
 * authenticated strictly (src/authn/authenticate.ts) and authorized by an iamd-specific action; their
 * errors are iamd JSON (`{"__type", "message"}`), rendered by the scoped error handler of
 * {@link iamdErrorHandler}.
 */
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthorizationRequest } from '../../api/operation.js';
import { authenticator } from '../../authn/authenticate.js';
import { isAwsError } from '../../errors/index.js';
import { SigningKeyCache } from '../../sigv4/index.js';
import {
  authenticateSignedCall,
  authorizeCall,
  fromFastify,
  iamdJsonError,
  ServiceError,
  type AuthenticateOptions,
  type Call,
  type Pipeline,
} from '../pipeline/index.js';

/** Runs decode → authenticate for one iamd endpoint; {@link SignedCalls.authorize} then decides. */
export interface SignedCalls {
  /** The request as an authenticated {@link Call}; throws the authentication error. */
  begin(req: FastifyRequest): Promise<Call>;
  /** Authorizes `request` for `call`; a denial always throws (no development-level leniency). */
  authorize(call: Call, request: AuthorizationRequest): Promise<void>;
}

/** The signed-call steps of iamd's own endpoints over `p` (one signing-key cache per endpoint). */
export function signedCalls(p: Pipeline, cacheSize = 64): SignedCalls {
  const authn: AuthenticateOptions = {
    auth: authenticator(p.deps.resolver, ['iam'], new SigningKeyCache(cacheSize), { strict: true }),
  };
  return {
    async begin(req) {
      const call = p.begin(fromFastify(req), 'iam');
      await authenticateSignedCall(p, call, authn);
      return call;
    },
    authorize: (call, request) => authorizeCall(p, call, request, false),
  };
}

/**
 * The error handler of iamd's own endpoints (fastify encapsulation: it applies to the routes of the
 * plugin that sets it): AWS-shaped errors as iamd JSON with their status; anything fastify raises
 * (an unreadable body, …) as `{statusCode, message}`; an unexpected throw as a logged 500 that says
 * nothing more.
 */
export function iamdErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    if (isAwsError(err) || err instanceof ServiceError)
      return reply.code(err.status).send(iamdJsonError(err));
    const code = (err as Partial<FastifyError>).statusCode;
    const status = typeof code === 'number' && code >= 400 && code < 600 ? code : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    return reply
      .code(status)
      .send({ statusCode: status, message: status >= 500 ? 'internal error' : err.message });
  });
}
