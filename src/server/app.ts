/**
 * The HTTP adapter (the only fastify importer): raw bodies, request ids, access log, routing of the
 * Query endpoint to the dispatcher, health endpoints. A `build()`-style factory kept apart from
 * `listen()` so tests can use `app.inject()`.
 */
import { randomUUID } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { renderError } from '../protocol/index.js';
import type { CallResult, IncomingCall } from './dispatch.js';

/** Options for {@link buildApp}. */
export interface AppOptions {
  readonly dispatch: (call: IncomingCall) => Promise<CallResult>;
  readonly logLevel: string;
  /**
   * Handles AWS JSON 1.1 requests (those carrying `X-Amz-Target`, e.g. CloudTrail LookupEvents), which
   * share `POST /` with the Query protocol.
   */
  readonly jsonTarget?: (call: IncomingCall) => Promise<CallResult & { readonly contentType: string }>;
  /** Extra routes (IMDS, console, dev endpoints) registered by later parts. */
  readonly plugins?: readonly ((app: FastifyInstance) => void)[];
  /** Readiness probe for `GET /ready`: resolves when the store answers, rejects when it does not. */
  readonly ready?: () => Promise<void>;
}

/** Largest request body accepted; IAM's largest input (a 10 kB policy, URL-encoded) fits easily. */
export const BODY_LIMIT = 1024 * 1024;

/** Builds the fastify app (not listening). */
export function buildApp(options: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: {
      level: options.logLevel,
      // Secrets never reach the log (STYLE.md, Logging).
      redact: [
        'req.headers.authorization',
        'req.headers["x-amz-security-token"]',
        '*.SecretAccessKey',
        '*.SessionToken',
        '*.password',
      ],
    },
    bodyLimit: BODY_LIMIT,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    requestIdHeader: false,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.get('/health', async () => ({ status: 'ok' }));
  // For load balancers: /health says the process is up, /ready that it can serve (the store answers).
  // The reason stays in the log; the probe's answer does not reveal internal addresses.
  app.get('/ready', async (req, reply) => {
    try {
      await options.ready?.();
      return { status: 'ready' };
    } catch (err) {
      req.log.warn({ err }, 'not ready');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const started = performance.now();
    const url = req.raw.url ?? '/';
    const q = url.indexOf('?');
    const call: IncomingCall = {
      method: req.method,
      path: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? '' : url.slice(q + 1),
      headers: req.raw.headersDistinct,
      body: typeof req.body === 'string' ? req.body : '',
      sourceIp: req.ip,
      secureTransport: req.protocol === 'https',
    };
    const json = options.jsonTarget !== undefined && req.headers['x-amz-target'] !== undefined;
    const result = json ? await options.jsonTarget!(call) : await options.dispatch(call);
    req.log.info(
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
    return reply
      .code(result.status)
      .header('content-type', 'contentType' in result ? result.contentType : 'text/xml')
      .header('x-amzn-RequestId', result.requestId)
      .send(result.body);
  };
  app.route({ method: ['GET', 'POST'], url: '/', handler });
  // AWS's Query endpoints answer on any path (the path is part of what SigV4 signs), so every path
  // that no other part of iamd claims goes to the dispatcher too.
  app.route({
    method: ['GET', 'POST'],
    url: '/*',
    handler: (req, reply) =>
      OWN_ENDPOINT.test(req.url)
        ? reply.code(404).send({ statusCode: 404, message: 'not found' })
        : handler(req, reply),
  });
  registerErrorRendering(app);
  for (const plugin of options.plugins ?? []) plugin(app);
  return app;
}

/** Paths served by iamd's own (non-AWS) endpoints, which answer errors in JSON. */
const OWN_ENDPOINT = /^\/(console|_iamd|federation|moto-api|health|ready)(\/|\?|$)/;

/** The namespace of error documents that belong to no one service. */
const ERROR_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

/**
 * Errors fastify raises before the dispatcher runs (a body over {@link BODY_LIMIT}, an unreadable
 * request) and methods nothing serves are answered the AWS way on the Query endpoint: an XML
 * `ErrorResponse` with a request id, never fastify's JSON and never a 500 for bad input.
 */
function registerErrorRendering(app: FastifyInstance): void {
  const xmlError = (
    reply: FastifyReply,
    status: number,
    code: string,
    message: string,
    fault: 'Sender' | 'Receiver',
  ) => {
    const requestId = randomUUID();
    return reply
      .code(status)
      .header('content-type', 'text/xml')
      .header('x-amzn-RequestId', requestId)
      .send(renderError({ namespace: ERROR_NAMESPACE }, { code, message, fault }, requestId));
  };
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status =
      typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600
        ? err.statusCode
        : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    if (OWN_ENDPOINT.test(req.url))
      return reply
        .code(status)
        .send({ statusCode: status, message: status >= 500 ? 'internal error' : err.message });
    if (status === 413)
      return xmlError(
        reply,
        413,
        'RequestEntityTooLarge',
        `the request body must be at most ${BODY_LIMIT} bytes`,
        'Sender',
      );
    if (status >= 500)
      return xmlError(
        reply,
        500,
        'InternalFailure',
        'We encountered an internal error. Please try again.',
        'Receiver',
      );
    return xmlError(
      reply,
      400,
      'InvalidParameterValue',
      `the request could not be read: ${err.message}`,
      'Sender',
    );
  });
  app.setNotFoundHandler((req, reply) => {
    if (OWN_ENDPOINT.test(req.url)) return reply.code(404).send({ statusCode: 404, message: 'not found' });
    // AWS's common-errors text for InvalidAction.
    return xmlError(
      reply,
      400,
      'InvalidAction',
      'The action or operation requested is invalid. Verify that the action is typed correctly.',
      'Sender',
    );
  });
}
