/**
 * The Query endpoint's fastify routes (`GET`/`POST` on any path iamd's own endpoints do not use: the
 * path is part of what SigV4 signs, and AWS's Query endpoints answer on any path), and how an answer
 * is chosen and logged. Requests carrying `X-Amz-Target` share `POST /` and go to the JSON 1.1 entry
 * point. Requests that arrive over the network are normally served by the fast path
 * (src/server/routes/fast-path.ts); these routes serve the rest — `app.inject` (the console's calls,
 * tests) — through the same {@link answerCall}.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fromFastify, type Answer, type IncomingCall } from '../pipeline/index.js';
import { isOwnEndpoint } from './paths.js';
import { queryErrorHandler } from './query-errors.js';

/** The entry points that share the Query endpoint. */
export interface QueryEntryPoints {
  /** The Query API (IAM, STS). */
  readonly dispatch: (call: IncomingCall) => Promise<Answer>;
  /** AWS JSON 1.1 requests (`X-Amz-Target`, e.g. CloudTrail LookupEvents). */
  readonly jsonTarget?: ((call: IncomingCall) => Promise<Answer>) | undefined;
}

/** The entry point a request goes to: JSON 1.1 targets (`X-Amz-Target`) or the Query dispatcher. */
export function answerCall(entry: QueryEntryPoints): (call: IncomingCall) => Promise<Answer> {
  const json = entry.jsonTarget;
  const query = entry.dispatch;
  if (json === undefined) return query;
  return (call) => (call.headers['x-amz-target'] !== undefined ? json(call) : query(call));
}

/** The access log line of one call (no secrets: names, ARNs, codes and timing only). */
export function logCall(log: FastifyBaseLogger, result: Answer, started: number): void {
  // pino's loggers (fastify's default) answer isLevelEnabled; skipping the record object is the point.
  if ((log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.('info') === false) return;
  log.info(
    {
      requestId: result.requestId,
      action: result.action,
      principalArn: result.principalArn,
      status: result.status,
      error: result.errorCode,
      ms: Math.round((performance.now() - started) * 100) / 100,
    },
    'request',
  );
}

/** The Query routes as an encapsulated plugin (its error handler renders Query XML). */
export function queryRoutes(
  answer: (call: IncomingCall) => Promise<Answer>,
): (app: FastifyInstance) => Promise<void> {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const started = performance.now();
    const result = await answer(fromFastify(req));
    logCall(req.log, result, started);
    return reply
      .code(result.status)
      .header('content-type', result.contentType)
      .header('x-amzn-RequestId', result.requestId)
      .send(result.body);
  };
  return async (app) => {
    queryErrorHandler(app);
    app.route({ method: ['GET', 'POST'], url: '/', handler });
    app.route({
      method: ['GET', 'POST'],
      url: '/*',
      handler: (req, reply) =>
        isOwnEndpoint(req.url)
          ? reply.code(404).send({ statusCode: 404, message: 'not found' })
          : handler(req, reply),
    });
  };
}
