/**
 * `GET /_iamd/who-can-assume?RoleArn=ARN`: the who-can-assume analysis (src/analysis) as an API, so the
 * console (a client of iamd's API only) and scripts can ask it. SigV4-signed for service `iam`,
 * authorized by the iamd-specific action `iamd:WhoCanAssume` on the role (the account root has it), and
 * limited to roles of the caller's own account. The answer is JSON: `{RoleArn, Principals: Reach[]}`.
 */
import type { FastifyInstance } from 'fastify';
import { AwsError } from '../../errors/index.js';
import { parseArn } from '../../core/arn.js';
import { loadAccessModel, whoCanAssume, type AccessModel } from '../../analysis/index.js';
import type { Pipeline } from '../pipeline/index.js';
import type { SignedCalls } from './signed-call.js';

/** The analysis route. The loaded model is cached until the store changes. */
export function whoCanAssumeRoute(p: Pipeline, calls: SignedCalls): (app: FastifyInstance) => void {
  const store = p.deps.store;
  let model: Promise<AccessModel> | undefined;
  store.onChange(() => {
    model = undefined;
  });
  return (app) => {
    app.get<{ Querystring: { RoleArn?: string } }>('/_iamd/who-can-assume', async (req, reply) => {
      const call = await calls.begin(req);
      const roleArn = String(req.query.RoleArn ?? '');
      const arn = parseArn(roleArn);
      if (!arn || arn.service !== 'iam' || !arn.resource.startsWith('role/'))
        throw new AwsError('ValidationError', `RoleArn \`${roleArn}\` is not a role ARN`);
      await calls.authorize(call, { action: 'iamd:WhoCanAssume', resource: roleArn });
      // The analysis sees every account; answer only about the caller's own roles.
      if (arn.account !== call.account)
        throw new AwsError(
          'AccessDenied',
          `who-can-assume answers only for roles of account ${call.account}`,
        );
      if (!model) {
        const loading = loadAccessModel(store);
        model = loading;
        loading.catch(() => {
          if (model === loading) model = undefined;
        });
      }
      const principals = whoCanAssume(await model, roleArn);
      return reply.send({ RoleArn: roleArn, Principals: principals });
    });
  };
}
