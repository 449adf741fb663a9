/**
 * The HTTP adapter (the only fastify importer): raw bodies, request ids, access log, routing of the
 * Query endpoint to the dispatcher, health endpoints. A `build()`-style factory kept apart from
 * `listen()` so tests can use `app.inject()`.
 *
 * The Query endpoint is the hot path: requests that arrive over the network for it are served by a
 * plain Node handler in front of fastify ({@link queryFastPath}), which costs a fraction of fastify's
 * routing, hooks and reply machinery per request. Everything else — iamd's own endpoints, other
 * methods, and requests injected with `app.inject()` (the console's calls, tests) — goes through
 * fastify, whose Query routes answer through the same {@link answerCall}.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { AwsError, errors } from '../errors/index.js';
import {
  fromFastify,
  fromNode,
  queryXmlErrors,
  type Answer as CallAnswer,
  type IncomingCall,
} from './pipeline/index.js';

/** Options for {@link buildApp}. */
export interface AppOptions {
  readonly dispatch: (call: IncomingCall) => Promise<CallAnswer>;
  readonly logLevel: string;
  /**
   * Handles AWS JSON 1.1 requests (those carrying `X-Amz-Target`, e.g. CloudTrail LookupEvents), which
   * share `POST /` with the Query protocol.
   */
  readonly jsonTarget?: ((call: IncomingCall) => Promise<CallAnswer>) | undefined;
  /** Extra routes (IMDS, console, dev endpoints) registered by later parts. */
  readonly plugins?: readonly ((app: FastifyInstance) => void)[];
  /** Readiness probe for `GET /ready`: resolves when the store answers, rejects when it does not. */
  readonly ready?: () => Promise<void>;
}

/** Largest request body accepted; IAM's largest input (a 10 kB policy, URL-encoded) fits easily. */
export const BODY_LIMIT = 1024 * 1024;

/** Builds the fastify app (not listening). */
export function buildApp(options: AppOptions): FastifyInstance {
  let closing = false;
  // Set once the app exists (fastify calls serverFactory while it is being built).
  const route: { fast?: (req: IncomingMessage, res: ServerResponse) => boolean } = {};
  const app = Fastify({
    serverFactory: (fastifyHandler) => {
      const server = createServer((req, res) => {
        if (route.fast === undefined || !route.fast(req, res)) fastifyHandler(req, res);
      });
      // fastify's own default (Node's is 5 s): SDK clients reuse idle keep-alive connections longer.
      server.keepAliveTimeout = 72_000;
      return server;
    },
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

  const answer = answerCall(options);
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
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  route.fast = queryFastPath(answer, app, () => closing);
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

/** Turns an {@link IncomingCall} into its answer: JSON 1.1 targets (`X-Amz-Target`) or the Query dispatcher. */
function answerCall(options: AppOptions): (call: IncomingCall) => Promise<CallAnswer> {
  const json = options.jsonTarget;
  const query = options.dispatch;
  if (json === undefined) return query;
  return (call) => (call.headers['x-amz-target'] !== undefined ? json(call) : query(call));
}

/** The access log line of one call (no secrets: names, ARNs, codes and timing only). */
function logCall(log: FastifyBaseLogger, result: CallAnswer, started: number): void {
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

/**
 * The Query endpoint's network fast path. Claims (returns true for) GET and POST requests on any path
 * iamd's own endpoints do not use, reads the body (at most {@link BODY_LIMIT} bytes, else the same 413
 * `RequestEntityTooLarge` as the fastify route), answers through `answer`, and writes the response in
 * one `end()`. While the server closes, new calls get a 503 `ServiceUnavailable` with `Connection: close`
 * (fastify's `return503OnClosing` for its own routes); calls already running finish normally.
 */
function queryFastPath(
  answer: (call: IncomingCall) => Promise<CallAnswer>,
  app: FastifyInstance,
  isClosing: () => boolean,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const write = (
    res: ServerResponse,
    status: number,
    contentType: string,
    requestId: string,
    body: string,
  ) => {
    const headers: Record<string, string | number> = {
      'content-type': contentType,
      'x-amzn-RequestId': requestId,
      'content-length': Buffer.byteLength(body),
    };
    if (isClosing()) headers['connection'] = 'close';
    res.writeHead(status, headers);
    res.end(body);
  };
  const writeError = (res: ServerResponse, err: AwsError) => {
    const doc = errorDocument(err);
    write(res, err.status, 'text/xml', doc.requestId, doc.body);
  };
  const serve = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const started = performance.now();
    answer(fromNode(req, body)).then(
      (result) => {
        write(res, result.status, result.contentType, result.requestId, result.body);
        // After the answer is on its way: the access log never adds to a call's latency.
        logCall(app.log, result, started);
      },
      (err: unknown) => {
        app.log.error({ err }, 'request failed');
        writeError(res, errors.internalFailure());
      },
    );
  };
  return (req, res) => {
    const method = req.method;
    if ((method !== 'POST' && method !== 'GET') || OWN_ENDPOINT.test(req.url ?? '/')) return false;
    if (isClosing()) {
      writeError(res, errors.serviceUnavailable());
      return true;
    }
    const declared = req.headersDistinct['content-length']?.[0];
    if (declared !== undefined && Number(declared) > BODY_LIMIT) {
      tooLarge(req, res);
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > BODY_LIMIT) {
        refused = true;
        chunks.length = 0;
        tooLarge(req, res);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      serve(
        req,
        res,
        chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
      );
    });
    // A client that goes away mid-request has nobody to answer; the socket is already gone.
    req.on('error', () => undefined);
    return true;
  };

  function tooLarge(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('connection', 'close');
    writeError(res, tooLargeError());
    // The rest of the body is not read: the connection closes once the answer is out.
    res.on('finish', () => req.socket.destroySoon());
  }
}

/** Paths served by iamd's own (non-AWS) endpoints, which answer errors in JSON. */
const OWN_ENDPOINT = /^\/(console|_iamd|federation|moto-api|health|ready)(\/|\?|$)/;

/** Errors raised before any service answers: Query XML in the default namespace. */
const EARLY_ERRORS = queryXmlErrors();

/** A body over {@link BODY_LIMIT}. */
function tooLargeError(): AwsError {
  return new AwsError('RequestEntityTooLarge', `the request body must be at most ${BODY_LIMIT} bytes`);
}

/** The XML `ErrorResponse` of an error raised before any service answers, with its new request id. */
function errorDocument(err: AwsError): { readonly requestId: string; readonly body: string } {
  const requestId = randomUUID();
  return { requestId, body: EARLY_ERRORS.render(err, requestId).body };
}

/**
 * Errors fastify raises before the dispatcher runs (a body over {@link BODY_LIMIT}, an unreadable
 * request) and methods nothing serves are answered the AWS way on the Query endpoint: an XML
 * `ErrorResponse` with a request id, never fastify's JSON and never a 500 for bad input.
 */
function registerErrorRendering(app: FastifyInstance): void {
  const xmlError = (reply: FastifyReply, err: AwsError) => {
    const doc = errorDocument(err);
    return reply
      .code(err.status)
      .header('content-type', 'text/xml')
      .header('x-amzn-RequestId', doc.requestId)
      .send(doc.body);
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
    if (status === 413) return xmlError(reply, tooLargeError());
    if (status >= 500) return xmlError(reply, errors.internalFailure());
    return xmlError(
      reply,
      new AwsError('InvalidParameterValue', `the request could not be read: ${err.message}`),
    );
  });
  app.setNotFoundHandler((req, reply) => {
    if (OWN_ENDPOINT.test(req.url)) return reply.code(404).send({ statusCode: 404, message: 'not found' });
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
