/**
 * iamd's own endpoints (`/_iamd/*`, and moto's `/moto-api/reset`) as one encapsulated fastify plugin:
 * its error handler (iamd JSON) applies to these routes only, so the Query endpoint keeps its XML.
 *
 * - `GET /_iamd/explain/:requestId` (src/server/iamd-endpoints/explain.ts)
 * - `GET /_iamd/who-can-assume` (src/server/iamd-endpoints/who-can-assume.ts)
 * - `POST /_iamd/reset`, `POST /moto-api/reset`: at the development levels only (src/devmode/reset.ts)
 * - `POST /_iamd/clock`: with `--test-clock` only
 */
import type { FastifyInstance } from 'fastify';
import type { AdjustableClock } from '../../core/clock.js';
import type { ResetAnswer, ResetCall } from '../../devmode/reset.js';
import { fromFastify, type Pipeline } from '../pipeline/index.js';
import { explainRoute } from './explain.js';
import { iamdErrorHandler, signedCalls } from './signed-call.js';
import { whoCanAssumeRoute } from './who-can-assume.js';

export { iamdErrorHandler, signedCalls, type SignedCalls } from './signed-call.js';

/** What the endpoints need beyond the pipeline. */
export interface IamdEndpointOptions {
  /** The reset route's handler, at the development levels. */
  readonly reset?: ((call: ResetCall) => Promise<ResetAnswer>) | undefined;
  /** The moveable clock of `--test-clock`. */
  readonly testClock?: Pick<AdjustableClock, 'advance' | 'now'> | undefined;
}

/** Builds the plugin; register it with `app.register`. */
export function iamdEndpoints(
  p: Pipeline,
  options: IamdEndpointOptions = {},
): (app: FastifyInstance) => Promise<void> {
  const explain = explainRoute(p, signedCalls(p));
  const whoCanAssume = whoCanAssumeRoute(p, signedCalls(p));
  return async (app) => {
    iamdErrorHandler(app);
    explain(app);
    whoCanAssume(app);
    const reset = options.reset;
    if (reset !== undefined)
      for (const url of ['/_iamd/reset', '/moto-api/reset'])
        app.post(url, async (req, reply) => {
          const answer = await reset(fromFastify(req));
          if (answer.status === 200) req.log.info(answer.body, 'store reset to the seed state');
          return reply.code(answer.status).send(answer.body);
        });
    const clock = options.testClock;
    if (clock !== undefined)
      // Developer flag only (--test-clock): lets tests expire sessions without waiting. It moves the
      // server's clock forward for everyone; it can never extend a session.
      app.post('/_iamd/clock', async (req) => {
        const body = JSON.parse(String(req.body || '{}')) as { advanceSeconds?: unknown };
        const s = Number(body.advanceSeconds);
        if (!Number.isFinite(s) || s < 0) return { error: 'advanceSeconds must be a non-negative number' };
        clock.advance(s * 1000);
        return { now: new Date(clock.now()).toISOString() };
      });
  };
}
