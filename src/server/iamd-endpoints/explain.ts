/**
 * `GET /_iamd/explain/REQUEST_ID`: the {@link Explanation} of a call recorded in the caller's account,
 * as JSON. SigV4 with service `iam` (e.g. `curl --aws-sigv4 aws:amz:us-east-1:iam --user KEY:SECRET`),
 * authorized by the iamd-specific action `iamd:Explain` (the account root has it).
 */
import type { FastifyInstance } from 'fastify';
import { explainEvent, type Explanation } from '../../explain/index.js';
import type { Pipeline } from '../pipeline/index.js';
import type { SignedCalls } from './signed-call.js';

/** Registers the explain route on `app` (whose error handler renders iamd JSON). */
export function explainRoute(p: Pipeline, calls: SignedCalls): (app: FastifyInstance) => void {
  return (app) => {
    app.get<{ Params: { requestId: string } }>('/_iamd/explain/:requestId', async (req, reply) => {
      const call = await calls.begin(req);
      await calls.authorize(call, { action: 'iamd:Explain', resource: '*' });
      await p.deps.audit.flush();
      const account = call.account;
      const page = await p.deps.store.queryAudit({ account, requestId: req.params.requestId, limit: 1 });
      const event = page.events[0];
      if (!event)
        return reply.code(404).send({
          __type: 'NotFound',
          message: `no call with request id \`${req.params.requestId}\` is recorded in account ${account}`,
        });
      const explanation: Explanation = explainEvent(event, account);
      return reply.send(explanation);
    });
  };
}
