/**
 * The runtime-credential endpoints on the wire, each its own fastify instance and listener (on AWS
 * they are separate endpoints too: IMDS at 169.254.169.254, the ECS agent at 169.254.170.2):
 *
 * - the EC2 instance metadata service, IMDSv1 and IMDSv2 (EC2 User Guide, "Use instance metadata",
 *   "Use IMDSv2", "Query responses and error messages"): 400 for a token PUT with a missing or invalid
 *   TTL, 401 for a missing (when IMDSv2 is required), expired or invalid token, 403 for a token PUT that
 *   carries `X-Forwarded-For` (AWS Security Blog, 2019-11-19, "Add defense in depth against open
 *   firewalls, reverse proxies, and SSRF vulnerabilities": IMDSv2 refuses token requests with that
 *   header), 404 for unknown paths, 405 for other methods. The PUT response hop limit (a TTL of 1 on
 *   the token's IP packets, so it cannot leave the instance) has no equivalent here: this endpoint is a
 *   TCP listener, so reachability is set by the address it binds to (127.0.0.1 by default);
 * - the container credentials endpoint behind `AWS_CONTAINER_CREDENTIALS_FULL_URI`: `GET
 *   /v2/credentials/TASK` with `Authorization` equal to the configured token (compared in constant
 *   time), answering `{RoleArn, AccessKeyId, SecretAccessKey, Token, Expiration}` as the ECS agent does.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Services } from '../api/operation.js';
import type { Clock } from '../core/clock.js';
import type { AuditRecord, StoreReader } from '../store/index.js';
import { firstAccount } from '../accounts/index.js';
import {
  checkTtl,
  containerCredentialsDocument,
  containerNotFoundDocument,
  errorPage,
  instanceForAddress,
  issueToken,
  metadataAnswer,
  needsCredentialState,
  RuntimeCredentials,
  TOKEN_HEADER,
  TOKEN_PATH,
  TTL_HEADER,
  verifyToken,
  type InstanceBinding,
  type InstanceFacts,
  type ListenAddress,
  type MetadataAnswer,
  type TaskBinding,
} from '../imds/index.js';

/** Options of {@link buildImdsApp}. */
export interface ImdsAppOptions {
  readonly credentials: RuntimeCredentials;
  /** Instances with their account resolved. */
  readonly instances: readonly (InstanceBinding & { readonly account: string })[];
  /** Refuse IMDSv1 reads (`--imds-v2-only`, EC2's `HttpTokens: required`). */
  readonly v2Only: boolean;
  readonly clock: Clock;
  readonly region: string;
  /** MAC key of the IMDSv2 tokens. */
  readonly tokenKey: Uint8Array;
  readonly logLevel: string;
}

/** Options of {@link buildContainerApp}. */
export interface ContainerAppOptions {
  readonly credentials: RuntimeCredentials;
  readonly tasks: readonly (TaskBinding & { readonly account: string })[];
  /** The value `Authorization` must carry (`AWS_CONTAINER_AUTHORIZATION_TOKEN`). */
  readonly token: string;
  readonly logLevel: string;
}

function bareApp(logLevel: string): FastifyInstance {
  const app = Fastify({
    logger: {
      level: logLevel,
      redact: ['req.headers.authorization', `req.headers["${TOKEN_HEADER}"]`],
    },
    bodyLimit: 4096,
    // One line per request is written by the handlers themselves (STYLE.md, Logging).
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    requestIdHeader: false,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  return app;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function send(reply: FastifyReply, a: MetadataAnswer): FastifyReply {
  return reply.code(a.status).header('content-type', a.contentType).send(a.body);
}

/** "503 – The request could not be completed. Retry the request." (EC2 User Guide, query responses.) */
function unavailable(reply: FastifyReply): FastifyReply {
  return reply.code(503).header('content-type', 'text/plain').send('503 - Service Unavailable');
}

/** Builds the IMDS app (not listening). */
export function buildImdsApp(o: ImdsAppOptions): FastifyInstance {
  const app = bareApp(o.logLevel);
  const launchedAt = o.clock.now();
  const architecture = process.arch === 'arm64' ? 'arm64' : 'x86_64';
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const url = req.raw.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const instance = instanceForAddress(o.instances, req.ip);
    // A client that is no instance: the closest AWS state is "IMDS turned off" (403).
    if (instance === undefined) return send(reply, errorPage(403));
    const now = o.clock.now();
    if (path === TOKEN_PATH || path === `${TOKEN_PATH}/`) {
      if (req.method !== 'PUT') return send(reply, errorPage(405));
      if (req.headers['x-forwarded-for'] !== undefined) return send(reply, errorPage(403));
      const ttl = checkTtl(header(req, TTL_HEADER));
      if (!ttl.ok) return send(reply, errorPage(400));
      return reply
        .code(200)
        .header('content-type', 'text/plain')
        .header(TTL_HEADER, String(ttl.seconds))
        .send(issueToken(o.tokenKey, instance.instanceId, now, ttl.seconds));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(reply, errorPage(405));
    const token = header(req, TOKEN_HEADER);
    if (token !== undefined ? !verifyToken(o.tokenKey, token, instance.instanceId, now) : o.v2Only)
      return send(reply, errorPage(401));
    const facts: InstanceFacts = {
      instanceId: instance.instanceId,
      account: instance.account,
      region: o.region,
      launchedAt,
      architecture,
    };
    let state;
    try {
      state = needsCredentialState(path)
        ? await o.credentials.resolve({
            kind: 'instance',
            account: instance.account,
            instanceId: instance.instanceId,
            profileName: instance.profileName,
          })
        : undefined;
    } catch (err) {
      req.log.error({ err }, 'imds: credential lookup failed');
      return unavailable(reply);
    }
    const answer = metadataAnswer(path, facts, state);
    req.log.info(
      { imds: instance.instanceId, method: req.method, path, status: answer.status },
      'imds request',
    );
    return send(reply, answer);
  };
  app.route({ method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'], url: '*', handler });
  return app;
}

/** Constant-time comparison of two secrets of any length (hash first, so lengths leak nothing). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Builds the container credentials app (not listening). */
export function buildContainerApp(o: ContainerAppOptions): FastifyInstance {
  const app = bareApp(o.logLevel);
  const json = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).header('content-type', 'application/json').send(body);
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const given = header(req, 'authorization');
    if (given === undefined || !sameSecret(given, o.token))
      return json(
        reply,
        401,
        JSON.stringify({
          code: 'AccessDenied',
          message: 'the Authorization header does not carry the container credentials token',
          HTTPErrorCode: 401,
        }),
      );
    const url = req.raw.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const m = /^\/v2\/credentials\/([^/]+)$/.exec(path);
    const task = m ? o.tasks.find((t) => t.taskId === decodeURIComponent(m[1]!)) : undefined;
    if (req.method !== 'GET' || task === undefined) return json(reply, 400, containerNotFoundDocument());
    let state;
    try {
      state = await o.credentials.resolve({
        kind: 'task',
        account: task.account,
        taskId: task.taskId,
        roleName: task.roleName,
      });
    } catch (err) {
      req.log.error({ err }, 'container credentials: lookup failed');
      return unavailable(reply);
    }
    req.log.info({ task: task.taskId, status: state.status }, 'container credentials request');
    // A task whose role is missing or does not trust ecs-tasks.amazonaws.com has no credentials in the
    // agent (ECS refuses to start it, "ECS was unable to assume the role"): the agent's not-found answer.
    if (state.status !== 'ok') return json(reply, 400, containerNotFoundDocument());
    return json(reply, 200, containerCredentialsDocument(state));
  };
  app.route({ method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'], url: '*', handler });
  return app;
}

/** The configuration the runtime endpoints read (fields of `Config`). */
export interface RuntimeEndpointConfig {
  readonly imds: ListenAddress | undefined;
  readonly imdsInstances: readonly InstanceBinding[];
  readonly imdsV2Only: boolean;
  readonly containerCredentials: ListenAddress | undefined;
  readonly containerTasks: readonly TaskBinding[];
  readonly containerToken: string | undefined;
  readonly region: string;
  readonly logLevel: string;
}

/** What the composition root hands over. */
export interface RuntimeEndpointDeps {
  readonly store: StoreReader;
  readonly clock: Clock;
  readonly services: Services;
  readonly audit: (record: AuditRecord) => void;
  /** The account used by bindings without `@ACCOUNT`; when undefined, the store's only account. */
  readonly defaultAccount: string | undefined;
}

/** Running runtime endpoints. */
export interface RuntimeEndpoints {
  readonly imdsUrl: string | undefined;
  readonly containerUrl: string | undefined;
  /** The container token, when iamd generated it (print it once). */
  readonly generatedContainerToken: string | undefined;
  close(): Promise<void>;
}

/** Starts the configured runtime endpoints; undefined when none is configured. */
export async function startRuntimeEndpoints(
  config: RuntimeEndpointConfig,
  deps: RuntimeEndpointDeps,
): Promise<RuntimeEndpoints | undefined> {
  if (config.imds === undefined && config.containerCredentials === undefined) return undefined;
  let fallback = deps.defaultAccount;
  if (fallback === undefined) {
    // The first-created account, as `iamd serve` uses (README: `--instance i-…=PROFILE`).
    fallback = firstAccount(await deps.store.listAccounts())?.id;
  }
  const accountOf = (what: string, account: string | undefined): string => {
    const a = account ?? fallback;
    if (a === undefined) throw new Error(`${what}: this store holds no account yet; name one with @ACCOUNT`);
    return a;
  };
  const credentials = new RuntimeCredentials({
    store: deps.store,
    services: deps.services,
    clock: deps.clock,
    region: config.region,
    audit: deps.audit,
  });
  const apps: FastifyInstance[] = [];
  let imdsUrl: string | undefined;
  let containerUrl: string | undefined;
  let generatedContainerToken: string | undefined;
  try {
    if (config.imds !== undefined) {
      const app = buildImdsApp({
        credentials,
        instances: config.imdsInstances.map((i) => ({
          ...i,
          account: accountOf(`--instance ${i.instanceId}`, i.account),
        })),
        v2Only: config.imdsV2Only,
        clock: deps.clock,
        region: config.region,
        tokenKey: randomBytes(32),
        logLevel: config.logLevel,
      });
      apps.push(app);
      imdsUrl = await app.listen({ host: config.imds.host, port: config.imds.port });
    }
    if (config.containerCredentials !== undefined) {
      const token = config.containerToken ?? randomBytes(24).toString('base64url');
      if (config.containerToken === undefined) generatedContainerToken = token;
      const app = buildContainerApp({
        credentials,
        tasks: config.containerTasks.map((t) => ({
          ...t,
          account: accountOf(`--task ${t.taskId}`, t.account),
        })),
        token,
        logLevel: config.logLevel,
      });
      apps.push(app);
      containerUrl = await app.listen({
        host: config.containerCredentials.host,
        port: config.containerCredentials.port,
      });
    }
  } catch (err) {
    await Promise.all(apps.map((a) => a.close()));
    throw err;
  }
  return {
    imdsUrl,
    containerUrl,
    generatedContainerToken,
    async close() {
      await Promise.all(apps.map((a) => a.close()));
    },
  };
}
