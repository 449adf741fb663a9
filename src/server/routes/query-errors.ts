/**
 * Errors of the Query endpoint raised before any service answers — a body over {@link BODY_LIMIT}, an
 * unreadable request, a method nothing serves, a server that is closing — in the AWS Query envelope
 * (an XML `ErrorResponse` with a fresh request id), never fastify's JSON and never a 500 for bad input.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AwsError, errors } from '../../errors/index.js';
import { queryXmlErrors } from '../pipeline/index.js';
import { BODY_LIMIT, isOwnEndpoint } from './paths.js';

/** Errors raised before any service answers: Query XML in the default namespace. */
const EARLY_ERRORS = queryXmlErrors();

/** A body over {@link BODY_LIMIT}. */
export function tooLargeError(): AwsError {
  return new AwsError('RequestEntityTooLarge', `the request body must be at most ${BODY_LIMIT} bytes`);
}

/** The XML `ErrorResponse` of an error raised before any service answers, with its new request id. */
export function errorDocument(err: AwsError): { readonly requestId: string; readonly body: string } {
  const requestId = randomUUID();
  return { requestId, body: EARLY_ERRORS.render(err, requestId).body };
}

function xmlError(reply: FastifyReply, err: AwsError): FastifyReply {
  const doc = errorDocument(err);
  return reply
    .code(err.status)
    .header('content-type', 'text/xml')
    .header('x-amzn-RequestId', doc.requestId)
    .send(doc.body);
}

/** The status of an error fastify raised (4xx/5xx as it says, else 500). */
function statusOf(err: FastifyError): number {
  return typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600
    ? err.statusCode
    : 500;
}

/** Renders an error fastify raised on a Query route (413, unreadable body, …) as Query XML. */
function renderQueryFailure(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status = statusOf(err);
  if (status >= 500) req.log.error({ err }, 'request failed');
  if (status === 413) return xmlError(reply, tooLargeError());
  if (status >= 500) return xmlError(reply, errors.internalFailure());
  return xmlError(
    reply,
    new AwsError('InvalidParameterValue', `the request could not be read: ${err.message}`),
  );
}

/** The Query routes' error handler (set inside their plugin: fastify scopes it to those routes). */
export function queryErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(renderQueryFailure);
}

/**
 * The root error and not-found handlers: iamd's own endpoints without a handler of their own (console,
 * federation, health) answer `{statusCode, message}`; any other path is the Query endpoint's — its
 * errors Query XML, a method nothing serves the Query protocol's `InvalidAction`.
 */
export function rootErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (!isOwnEndpoint(req.url)) return renderQueryFailure(err, req, reply);
    const status = statusOf(err);
    if (status >= 500) req.log.error({ err }, 'request failed');
    return reply
      .code(status)
      .send({ statusCode: status, message: status >= 500 ? 'internal error' : err.message });
  });
  app.setNotFoundHandler((req, reply) => {
    if (isOwnEndpoint(req.url)) return reply.code(404).send({ statusCode: 404, message: 'not found' });
    // AWS's common-errors text for InvalidAction.
    return xmlError(
      reply,
      new AwsError(
        'InvalidAction',
        'The action or operation requested is invalid. Verify that the action is typed correctly.',
      ),
    );
  });
}
