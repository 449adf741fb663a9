/**
 * The HTTP adapter (the only fastify importer): raw bodies, request ids, access log, routing of the
 * Query endpoint to the dispatcher, health endpoints. A `build()`-style factory kept apart from
 * `listen()` so tests can use `app.inject()`.
 */
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
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
  for (const plugin of options.plugins ?? []) plugin(app);
  return app;
}
