/**
 * The web console at `/console` (issue 10): a fastify plugin that serves the static browser code from
 * `console/` and a small JSON API for it. The console is a CLIENT of iamd's own API: apart from
 * sign-in (which proves a password, as AWS's sign-in service does), everything it does is a SigV4
 * request signed server-side with the session's temporary credentials and injected into iamd's own
 * HTTP routes, so it is authenticated, authorized and audited like any SDK call. There is no
 * console-only path to data.
 *
 * Why sign on the server rather than in the browser with WebCrypto: the browser would have to hold the
 * secret access key and session token, readable by any script that ever runs in the page; kept on the
 * server behind an HttpOnly cookie they cannot leak to script at all.
 *
 * Security (issue 10, "Security"): the session cookie is HttpOnly, SameSite=Strict, Secure over TLS,
 * and expires no later than the credentials behind it; every POST carries the session's CSRF token
 * (sign-in: a double-submit token), must be JSON, and must come from this origin; every response has a
 * Content Security Policy without inline scripts and no third-party origins.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../api/operation.js';
import type { Clock } from '../core/clock.js';
import type { AuditRecord, Store } from '../store/index.js';
import { encodeQuery } from './signer.js';
import { parseQueryAnswer } from './xml.js';
import { ConsoleSessionStore, type ConsoleCredentials, type ConsoleIdentity } from './sessions.js';
import { loadAssets, type Asset } from './assets.js';
import { API_VERSIONS, makeApiClient, toSigning } from './api-client.js';
import { consoleApi } from './api.js';
import { ConsoleError, SESSION_COOKIE, cookie, setHeaders } from './http.js';

export {
  CONTENT_SECURITY_POLICY,
  PRE_AUTH_COOKIE,
  SESSION_COOKIE,
  cookie,
  normaliseColor,
  parseCookies,
} from './http.js';

/** What the console needs from the composition root. */
export interface ConsoleOptions {
  readonly store: Store;
  readonly services: Services;
  readonly clock: Clock;
  /** The region API calls are signed for. */
  readonly region: string;
  /** Records events that change nothing (failed sign-ins), batched (main.ts's AuditWriter `add`). */
  readonly addAudit?: ((record: AuditRecord) => void) | undefined;
  /** Directory of the static files (default: the repository's `console/`). */
  readonly assetsDir?: string | undefined;
}

/** The console: its fastify plugin and a hook for the federation endpoint's `login`. */
export interface WebConsole {
  /** Registers `/console` routes. */
  plugin(app: FastifyInstance): void;
  /**
   * Starts a console session for temporary credentials (the federation endpoint's `login` action, after
   * it checked the sign-in token) and returns the `Set-Cookie` value to send with its redirect. The
   * credentials are checked with sts:GetCallerIdentity first; throws when they do not work.
   */
  sessionCookieFor(
    credentials: {
      readonly AccessKeyId: string;
      readonly SecretAccessKey: string;
      readonly SessionToken: string;
      readonly Expiration: number;
    },
    secure: boolean,
  ): Promise<string>;
}

/** Builds the console over the server's store, services and clock. */
export function createConsole(options: ConsoleOptions): WebConsole {
  const sessions = new ConsoleSessionStore();
  const assetsDir = options.assetsDir ?? new URL('../../../console/', import.meta.url).pathname;
  let assets: Map<string, Asset> | undefined;
  let app: FastifyInstance | undefined;
  const client = makeApiClient(options, () => app);
  const api = consoleApi({ ...options, sessions, client });

  async function sessionCookieFor(
    credentials: Parameters<WebConsole['sessionCookieFor']>[0],
    secure: boolean,
  ): Promise<string> {
    if (app === undefined) throw new Error('console plugin not registered');
    const creds: ConsoleCredentials = {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiresAt: credentials.Expiration,
    };
    const body = encodeQuery({ Action: 'GetCallerIdentity', Version: API_VERSIONS.sts });
    const res = await client.signedInject(toSigning(creds), 'sts', {
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
      sourceIp: '127.0.0.1',
      userAgent: 'federation-login',
    });
    const answer = parseQueryAnswer(res.body, res.requestId);
    if (!answer.ok) throw new Error(`the credentials do not work: ${answer.error.code}`);
    const arn = String(answer.result.Arn ?? '');
    const account = String(answer.result.Account ?? '');
    const type: ConsoleIdentity['type'] = arn.includes(':federated-user/')
      ? 'FederatedUser'
      : arn.includes(':assumed-role/')
        ? 'AssumedRole'
        : arn.endsWith(':root')
          ? 'Root'
          : 'IAMUser';
    const identity: ConsoleIdentity = {
      type,
      account,
      arn,
      displayName: arn.slice(arn.lastIndexOf('/') + 1) || arn,
      mfa: false,
    };
    const now = options.clock.now();
    const s = sessions.create(identity, creds, now);
    return cookie(SESSION_COOKIE, s.id, (s.expiresAt - now) / 1000, secure);
  }

  function plugin(instance: FastifyInstance): void {
    app = instance;
    assets = loadAssets(assetsDir);
    // The console's own calls enter through `app.inject` and reach the pipeline like any other request
    // (src/server/pipeline/incoming.ts gives inject's request object the header view node would).
    const shell = assets.get('index.html');

    const sendShell = async (_req: FastifyRequest, reply: FastifyReply) => {
      setHeaders(reply);
      if (shell === undefined) return reply.code(500).type('text/plain').send('console assets are missing');
      return reply.type(shell.type).send(shell.body);
    };

    instance.get('/console', sendShell);
    instance.get('/console/*', async (req, reply) => {
      const path = (req.raw.url ?? '').split('?')[0] ?? '';
      if (path.startsWith('/console/static/')) {
        const asset = assets?.get(path.slice('/console/static/'.length));
        setHeaders(reply, true);
        if (asset === undefined) return reply.code(404).type('text/plain').send('not found');
        if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
        return reply.type(asset.type).header('etag', asset.etag).send(asset.body);
      }
      if (path.startsWith('/console/api/'))
        return runApi('GET', path.slice('/console/api/'.length), req, reply);
      return sendShell(req, reply);
    });
    instance.post('/console/api/:name', async (req, reply) =>
      runApi('POST', (req.params as { name: string }).name, req, reply),
    );
  }

  async function runApi(
    method: string,
    name: string,
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<unknown> {
    setHeaders(reply);
    const handler = api[`${method} ${name}`];
    if (handler === undefined)
      return reply.code(404).send({ error: { code: 'NotFound', message: 'no such console API' } });
    try {
      const out = await handler(req, reply);
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(out));
    } catch (e) {
      if (e instanceof ConsoleError)
        return reply
          .code(e.status)
          .type('application/json; charset=utf-8')
          .send(JSON.stringify({ ok: false, error: { code: e.code, message: e.message } }));
      req.log.error({ err: e }, 'console error');
      return reply
        .code(500)
        .send(JSON.stringify({ ok: false, error: { code: 'InternalFailure', message: 'console error' } }));
    }
  }

  return { plugin, sessionCookieFor };
}
