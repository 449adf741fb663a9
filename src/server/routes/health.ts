/**
 * Health endpoints for load balancers: `GET /health` says the process is up, `GET /ready` that it can
 * serve (the store answers). The reason stays in the log; the probe's answer does not reveal
 * internal addresses.
 */
import type { FastifyInstance } from 'fastify';

/** Registers `/health` and `/ready` (`ready` resolves when the store answers, rejects when not). */
export function healthRoutes(ready: (() => Promise<void>) | undefined): (app: FastifyInstance) => void {
  return (app) => {
    app.get('/health', async () => ({ status: 'ok' }));
    app.get('/ready', async (req, reply) => {
      try {
        await ready?.();
        return { status: 'ready' };
      } catch (err) {
        req.log.warn({ err }, 'not ready');
        return reply.code(503).send({ status: 'unavailable' });
      }
    });
  };
}
