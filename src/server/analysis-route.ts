/**
 * `GET /_iamd/who-can-assume?RoleArn=ARN`: the who-can-assume analysis (src/analysis) as an API, so the
 * console (a client of iamd's API only) and scripts can ask it. SigV4-signed for service `iam`,
 * authorized by the iamd-specific action `iamd:WhoCanAssume` on the role (the account root has it), and
 * limited to roles of the caller's own account. The answer is JSON: `{RoleArn, Principals: Reach[]}`.
 */
import type { FastifyInstance } from 'fastify';
import { AwsError, isAwsError } from '../errors/index.js';
import { parseArn } from '../core/arn.js';
import { authorize } from '../authz/index.js';
import { SigningKeyCache } from '../sigv4/index.js';
import { loadAccessModel, whoCanAssume, type AccessModel } from '../analysis/index.js';
import { authenticate, type AuditApiDeps } from './cloudtrail.js';
import type { IncomingCall } from './dispatch.js';

/** The analysis route as a fastify plugin. The loaded model is cached until the store changes. */
export function whoCanAssumeRoute(deps: AuditApiDeps): (app: FastifyInstance) => void {
  const keys = new SigningKeyCache(64);
  let model: Promise<AccessModel> | undefined;
  deps.store.onChange(() => {
    model = undefined;
  });
  return (app) => {
    app.get<{ Querystring: { RoleArn?: string } }>('/_iamd/who-can-assume', async (req, reply) => {
      const url = req.raw.url ?? '/';
      const q = url.indexOf('?');
      const call: IncomingCall = {
        method: req.method,
        path: q < 0 ? url : url.slice(0, q),
        query: q < 0 ? '' : url.slice(q + 1),
        headers: req.raw.headersDistinct,
        body: '',
        sourceIp: req.ip,
        secureTransport: req.protocol === 'https',
      };
      const now = deps.clock.now();
      try {
        const { principal, region } = await authenticate(deps, call, ['iam'], keys, now);
        if (principal.type === 'Anonymous')
          throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
        const roleArn = String(req.query.RoleArn ?? '');
        const arn = parseArn(roleArn);
        if (!arn || arn.service !== 'iam' || !arn.resource.startsWith('role/'))
          throw new AwsError('ValidationError', `RoleArn \`${roleArn}\` is not a role ARN`);
        const auth = await authorize(
          deps.policyCache,
          principal,
          {
            now,
            sourceIp: call.sourceIp,
            userAgent: call.headers['user-agent']?.[0] ?? '',
            secureTransport: call.secureTransport,
            region,
          },
          { action: 'iamd:WhoCanAssume', resource: roleArn },
        );
        if (auth.denial) throw auth.denial;
        // The analysis sees every account; answer only about the caller's own roles.
        if (arn.account !== principal.account)
          throw new AwsError(
            'AccessDenied',
            `who-can-assume answers only for roles of account ${principal.account}`,
          );
        if (!model) {
          const loading = loadAccessModel(deps.store);
          model = loading;
          loading.catch(() => {
            if (model === loading) model = undefined;
          });
        }
        const principals = whoCanAssume(await model, roleArn);
        return reply.send({ RoleArn: roleArn, Principals: principals });
      } catch (err) {
        if (!isAwsError(err)) throw err;
        return reply.code(err.status).send({ __type: err.code, message: err.message });
      }
    });
  };
}
