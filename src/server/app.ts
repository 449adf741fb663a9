/**
 * The HTTP adapter (the only fastify importer): a `build()`-style factory kept apart from `listen()`
 * so tests can use `app.inject()`. Routes are registered by per-concern plugins, each with its own
 * error rendering (fastify encapsulation):
 *
 * - src/server/routes/query.ts — the Query endpoint (IAM, STS) and JSON 1.1 targets (CloudTrail), Query
 *   XML errors; src/server/routes/fast-path.ts serves the same routes for network requests
 * - src/server/routes/health.ts — `/health`, `/ready`
 * - src/server/iamd-endpoints/ — `/_iamd/*`, iamd JSON errors (registered by the composition root)
 * - the console, federation endpoint (registered by the composition root)
 * - src/server/routes/query-errors.ts — the root handlers: anything else
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Answer, IncomingCall } from './pipeline/index.js';
import { queryFastPath } from './routes/fast-path.js';
import { healthRoutes } from './routes/health.js';
import { BODY_LIMIT } from './routes/paths.js';
import { rootErrorHandlers } from './routes/query-errors.js';
import { answerCall, queryRoutes } from './routes/query.js';

export { BODY_LIMIT } from './routes/paths.js';

/** Options for {@link buildApp}. */
export interface AppOptions {
  /** The Query API (src/server/dispatch.ts). */
  readonly dispatch: (call: IncomingCall) => Promise<Answer>;
  readonly logLevel: string;
  /**
   * Handles AWS JSON 1.1 requests (those carrying `X-Amz-Target`, e.g. CloudTrail LookupEvents), which
   * share `POST /` with the Query protocol.
   */
  readonly jsonTarget?: ((call: IncomingCall) => Promise<Answer>) | undefined;
  /** Extra routes (IMDS, console, dev endpoints) registered by later parts. */
  readonly plugins?: readonly ((app: FastifyInstance) => void)[];
  /**
   * The gateway (issue #18, src/server/gateway/handler.ts): given the app (for its logger), a handler that
   * claims gated services' requests ahead of every other route (their bodies stream, unread by fastify).
   */
  readonly gateway?:
    ((app: FastifyInstance) => (req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  /** Readiness probe for `GET /ready`: resolves when the store answers, rejects when it does not. */
  readonly ready?: () => Promise<void>;
}

/** Builds the fastify app (not listening). */
export function buildApp(options: AppOptions): FastifyInstance {
  let closing = false;
  // Set once the app exists (fastify calls serverFactory while it is being built).
  const route: {
    fast?: (req: IncomingMessage, res: ServerResponse) => boolean;
    gateway?: (req: IncomingMessage, res: ServerResponse) => boolean;
  } = {};
  const app = Fastify({
    serverFactory: (fastifyHandler) => {
      const server = createServer((req, res) => {
        if (route.gateway !== undefined && !closing && route.gateway(req, res)) return;
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
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  rootErrorHandlers(app);
  healthRoutes(options.ready)(app);
  const answer = answerCall(options);
  route.fast = queryFastPath(answer, app, () => closing);
  route.gateway = options.gateway?.(app);
  void app.register(queryRoutes(answer));
  for (const plugin of options.plugins ?? []) plugin(app);
  return app;
}
