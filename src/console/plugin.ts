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
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../api/operation.js';
import { signingNow, type Clock } from '../core/clock.js';
import { isValidScopeRegion } from '../sigv4/index.js';
import type { AuditRecord, Store } from '../store/index.js';
import { validatePolicy, type PolicyType } from '../policy/index.js';
import { encodeQuery, signRequest, type SigningCredentials } from './signer.js';
import { parseQueryAnswer, type QueryAnswer } from './xml.js';
import {
  ConsoleSessionStore,
  randomToken,
  sameToken,
  type ConsoleCredentials,
  type ConsoleIdentity,
  type ConsoleSession,
} from './sessions.js';
import { signIn } from './signin.js';

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

/** Session cookie name; the CSRF cookie used before sign-in. */
export const SESSION_COOKIE = 'iamd-console';
export const PRE_AUTH_COOKIE = 'iamd-console-csrf';

const API_VERSIONS = { iam: '2010-05-08', sts: '2011-06-15' } as const;
type QueryService = keyof typeof API_VERSIONS;

/** CSP: scripts, styles and fetches from this origin only; images also as data: (the MFA QR code PNG). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

/** Loads the static files once at start (a handful of small files; no build step). */
function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const ext = name.slice(name.lastIndexOf('.'));
    const type = CONTENT_TYPES[ext];
    if (type === undefined || !/^[a-z0-9-]+\.[a-z]+$/.test(name)) continue;
    const body = readFileSync(new URL(name, dir.endsWith('/') ? `file://${dir}` : `file://${dir}/`));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
    assets.set(name, { body, type, etag });
  }
  return assets;
}

/** Parses a `Cookie` header into a null-prototype map. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** A `Set-Cookie` value for the console (Path=/console, HttpOnly, SameSite=Strict, Secure over TLS). */
export function cookie(name: string, value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${name}=${value}`,
    'Path=/console',
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** A hex colour `#rrggbb` from `#rrggbb` / `rrggbb`, else the default (AWS's switch-role colours). */
export function normaliseColor(value: unknown): string {
  const s = typeof value === 'string' ? value.trim() : '';
  const m = /^#?([0-9a-fA-F]{6})$/.exec(s);
  return m ? `#${m[1]!.toLowerCase()}` : '#2e7d32';
}

class ConsoleError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function jsonBody(req: FastifyRequest): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(typeof req.body === 'string' && req.body !== '' ? req.body : '{}');
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ConsoleError(400, 'BadRequest', 'the request body is not a JSON object');
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Builds the console over the server's store, services and clock. */
export function createConsole(options: ConsoleOptions): WebConsole {
  const sessions = new ConsoleSessionStore();
  const assetsDir = options.assetsDir ?? new URL('../../../console/', import.meta.url).pathname;
  let assets: Map<string, Asset> | undefined;
  let app: FastifyInstance | undefined;

  /** Sends one signed request into iamd's own routes and returns status, headers and body. */
  async function signedInject(
    creds: SigningCredentials,
    service: string,
    request: {
      method: 'GET' | 'POST';
      path: string;
      /** Raw query string (already encoded), signed as part of the canonical request. */
      query?: string;
      headers: Record<string, string>;
      body: string;
      sourceIp: string;
      userAgent: string;
    },
  ): Promise<{ status: number; body: string; requestId: string }> {
    if (app === undefined) throw new Error('console plugin not registered');
    const host = 'iamd.console';
    const headers = signRequest(
      {
        method: request.method,
        host,
        path: request.path,
        query: request.query ?? '',
        headers: request.headers,
        body: request.body,
      },
      creds,
      // Signed with real time, which the server checks signatures against (a moved test clock expires
      // sessions, not signatures), for a region the service serves (src/sigv4/regions.ts).
      {
        service,
        region: isValidScopeRegion(service, options.region) ? options.region : 'us-east-1',
        now: signingNow(options.clock),
      },
    );
    const res = await app.inject({
      method: request.method,
      url: request.query ? `${request.path}?${request.query}` : request.path,
      headers: { ...headers, 'user-agent': `iamd-console ${request.userAgent}`.slice(0, 512) },
      payload: request.method === 'POST' ? request.body : undefined,
      remoteAddress: request.sourceIp,
    });
    const rid = res.headers['x-amzn-requestid'];
    return { status: res.statusCode, body: res.body, requestId: typeof rid === 'string' ? rid : '' };
  }

  /** One Query-protocol call (iam or sts) signed with `creds`. */
  async function queryCall(
    creds: SigningCredentials,
    service: QueryService,
    action: string,
    params: Readonly<Record<string, string>>,
    req: FastifyRequest,
  ): Promise<QueryAnswer & { status: number }> {
    const body = encodeQuery({ Action: action, Version: API_VERSIONS[service], ...params });
    const res = await signedInject(creds, service, {
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
      sourceIp: req.ip,
      userAgent: str(req.headers['user-agent']),
    });
    return { ...parseQueryAnswer(res.body, res.requestId), status: res.status };
  }

  const toSigning = (c: ConsoleCredentials): SigningCredentials => ({
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    sessionToken: c.sessionToken,
  });

  /** AssumeRole with the signed-in identity's own credentials (never the current role's: AWS does the same). */
  async function assume(
    session: ConsoleSession,
    account: string,
    roleName: string,
    req: FastifyRequest,
  ): Promise<
    | { ok: true; arn: string; roleArn: string; creds: ConsoleCredentials }
    | { ok: false; status: number; requestId: string; error: { code: string; message: string } }
  > {
    const roleArn = `arn:aws:iam::${account}:role/${roleName}`;
    // The console names the role session after the signed-in user, as AWS's console does.
    const sessionName = session.identity.displayName.replace(/[^\w+=,.@-]/g, '-').slice(0, 64) || 'console';
    const answer = await queryCall(
      toSigning(session.creds),
      'sts',
      'AssumeRole',
      { RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: '3600' },
      req,
    );
    if (!answer.ok)
      return { ok: false, status: answer.status, requestId: answer.requestId, error: answer.error };
    const c = answer.result.Credentials as Record<string, string> | undefined;
    const user = answer.result.AssumedRoleUser as Record<string, string> | undefined;
    if (c === undefined || user === undefined)
      return {
        ok: false,
        status: 500,
        requestId: answer.requestId,
        error: { code: 'InternalFailure', message: 'AssumeRole answered without credentials' },
      };
    const expiresAt = Math.min(Date.parse(c.Expiration ?? ''), session.expiresAt);
    return {
      ok: true,
      arn: user.Arn ?? '',
      roleArn,
      creds: {
        accessKeyId: c.AccessKeyId ?? '',
        secretAccessKey: c.SecretAccessKey ?? '',
        sessionToken: c.SessionToken ?? '',
        expiresAt,
      },
    };
  }

  /**
   * The credentials the console acts with now: the role's while switched (re-assumed shortly before
   * they expire, as AWS's console does), else the signed-in identity's.
   */
  async function activeCreds(session: ConsoleSession, req: FastifyRequest): Promise<SigningCredentials> {
    const sw = session.switched;
    if (sw === undefined) return toSigning(session.creds);
    if (sw.creds.expiresAt - options.clock.now() > 60_000) return toSigning(sw.creds);
    const again = await assume(session, sw.account, sw.roleName, req);
    if (!again.ok) {
      session.switched = undefined;
      throw new ConsoleError(403, again.error.code, `the role session ended: ${again.error.message}`);
    }
    session.switched = { ...sw, arn: again.arn, creds: again.creds };
    return toSigning(again.creds);
  }

  function sessionOf(req: FastifyRequest): ConsoleSession | undefined {
    return sessions.get(parseCookies(req.headers.cookie)[SESSION_COOKIE], options.clock.now());
  }

  /** Every POST: JSON, same origin, and the CSRF token (OWASP CSRF cheat sheet: synchronizer token + origin check). */
  function checkPost(req: FastifyRequest, expected: string | undefined): void {
    const type = str(req.headers['content-type']);
    if (!type.startsWith('application/json'))
      throw new ConsoleError(415, 'UnsupportedMediaType', 'console requests must be JSON');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null') {
      const host = str(req.headers.host);
      if (origin !== `${req.protocol}://${host}`)
        throw new ConsoleError(403, 'InvalidOrigin', 'the request came from another origin');
    }
    if (!sameToken(str(req.headers['x-csrf-token']), expected))
      throw new ConsoleError(403, 'InvalidCsrfToken', 'the CSRF token is missing or wrong; reload the page');
  }

  function requireSession(req: FastifyRequest): ConsoleSession {
    const s = sessionOf(req);
    if (s === undefined)
      throw new ConsoleError(401, 'NotSignedIn', 'the console session has ended; sign in again');
    checkPost(req, s.csrf);
    return s;
  }

  function sessionView(s: ConsoleSession): Record<string, unknown> {
    const sw = s.switched;
    return {
      signedIn: true,
      csrf: s.csrf,
      identity: s.identity,
      expiresAt: new Date(s.expiresAt).toISOString(),
      passwordResetRequired: s.passwordResetRequired,
      switched:
        sw === undefined
          ? null
          : {
              account: sw.account,
              roleName: sw.roleName,
              roleArn: sw.roleArn,
              arn: sw.arn,
              displayName: sw.displayName,
              color: sw.color,
            },
    };
  }

  const secureOf = (req: FastifyRequest): boolean => req.protocol === 'https';

  function setHeaders(reply: FastifyReply, cacheable = false): void {
    reply
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', cacheable ? 'no-cache' : 'no-store');
  }

  async function resolveAccount(text: string): Promise<string> {
    const t = text.trim();
    if (/^\d{12}$/.test(t)) return t;
    const byAlias = t === '' ? undefined : await options.store.getAccountByAlias(t.toLowerCase());
    if (byAlias === undefined)
      throw new ConsoleError(400, 'InvalidInput', `\`${t}\` is not an account id or alias`);
    return byAlias.id;
  }

  /** The console's JSON API; each handler returns the JSON to send. */
  const api: Record<string, (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>> = {
    async 'GET session'(req, reply) {
      const s = sessionOf(req);
      if (s !== undefined) return sessionView(s);
      // Login CSRF: a double-submit token in its own cookie, echoed in the sign-in POST's header.
      let token = parseCookies(req.headers.cookie)[PRE_AUTH_COOKIE];
      if (token === undefined || !/^[\w-]{43}$/.test(token)) {
        token = randomToken();
        reply.header('set-cookie', cookie(PRE_AUTH_COOKIE, token, 3600, secureOf(req)));
      }
      return { signedIn: false, csrf: token };
    },

    async 'POST signin'(req, reply) {
      checkPost(req, parseCookies(req.headers.cookie)[PRE_AUTH_COOKIE]);
      const body = jsonBody(req);
      const now = options.clock.now();
      const result = await signIn(
        {
          store: options.store,
          services: options.services,
          now,
          sourceIp: req.ip,
          userAgent: str(req.headers['user-agent']),
          region: options.region,
          addAudit: options.addAudit,
        },
        {
          account: str(body.account),
          userName: str(body.userName),
          root: body.root === true,
          password: str(body.password),
          mfaCode: str(body.mfaCode),
        },
      );
      if (!result.ok) {
        if (result.reason === 'mfa-required') return { signedIn: false, mfaRequired: true };
        // AWS's sign-in page says the same whatever was wrong.
        throw new ConsoleError(
          401,
          'InvalidCredentials',
          'Your authentication information is incorrect. Please try again.',
        );
      }
      const s = sessions.create(result.identity, result.creds, now, result.passwordResetRequired);
      reply.header('set-cookie', [
        cookie(SESSION_COOKIE, s.id, (s.expiresAt - now) / 1000, secureOf(req)),
        cookie(PRE_AUTH_COOKIE, '', 0, secureOf(req)),
      ]);
      return sessionView(s);
    },

    async 'POST signout'(req, reply) {
      const s = requireSession(req);
      sessions.delete(s.id);
      reply.header('set-cookie', cookie(SESSION_COOKIE, '', 0, secureOf(req)));
      return { signedIn: false };
    },

    async 'POST switchrole'(req, reply) {
      const s = requireSession(req);
      const body = jsonBody(req);
      if (s.identity.type === 'Root')
        // "You cannot switch roles when you sign in as the AWS account root user." (IAM User Guide,
        // "Switch from a user to an IAM role (console)").
        throw new ConsoleError(
          400,
          'InvalidInput',
          'You cannot switch roles when you sign in as the AWS account root user.',
        );
      const account = await resolveAccount(str(body.account));
      const roleName = str(body.roleName).trim().replace(/^\/+/, '');
      if (!/^[\w+=,.@/-]{1,512}$/.test(roleName))
        throw new ConsoleError(400, 'InvalidInput', `\`${roleName}\` is not a role name`);
      const result = await assume(s, account, roleName, req);
      if (!result.ok) {
        reply.code(result.status);
        return { ok: false, requestId: result.requestId, error: result.error };
      }
      const displayName = (
        str(body.displayName).trim() || `${roleName.slice(roleName.lastIndexOf('/') + 1)} @ ${account}`
      ).slice(0, 64);
      s.switched = {
        account,
        roleName,
        roleArn: result.roleArn,
        arn: result.arn,
        displayName,
        color: normaliseColor(body.color),
        creds: result.creds,
      };
      return sessionView(s);
    },

    async 'POST switchback'(req) {
      const s = requireSession(req);
      s.switched = undefined;
      return sessionView(s);
    },

    async 'POST call'(req, reply) {
      const s = requireSession(req);
      const body = jsonBody(req);
      const service = str(body.service);
      const action = str(body.action);
      if (service !== 'iam' && service !== 'sts')
        throw new ConsoleError(400, 'InvalidInput', 'service must be iam or sts');
      if (!/^[A-Za-z]{1,64}$/.test(action))
        throw new ConsoleError(400, 'InvalidInput', 'action is not an API action name');
      const params: Record<string, string> = Object.create(null) as Record<string, string>;
      const raw = body.params;
      if (raw !== undefined && (raw === null || typeof raw !== 'object' || Array.isArray(raw)))
        throw new ConsoleError(400, 'InvalidInput', 'params must be an object of strings');
      for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
        if (k === 'Action' || k === 'Version') continue;
        if (typeof v === 'string') params[k] = v;
        else if (typeof v === 'number' || typeof v === 'boolean') params[k] = String(v);
      }
      const answer = await queryCall(await activeCreds(s, req), service, action, params, req);
      if (answer.ok && service === 'iam' && action === 'ChangePassword') s.passwordResetRequired = false;
      reply.code(answer.status);
      return answer;
    },

    async 'POST validate-policy'(req) {
      // Pure validation (no data, no secrets): the same validator CreatePolicy and PutRolePolicy use.
      const s = requireSession(req);
      void s;
      const body = jsonBody(req);
      const types: readonly PolicyType[] = ['identity', 'resource', 'trust', 'boundary', 'session'];
      const type = types.find((t) => t === body.type) ?? 'identity';
      return validatePolicy(str(body.document), type);
    },

    async 'POST explain'(req, reply) {
      // The explain endpoint (`GET /_iamd/explain/ID`), called like any API: signed, authorized, audited.
      // Asked as the principal in use — the switched role session when there is one — so iamd:Explain is
      // checked for that principal, and the event is looked up in its account (where its denials are
      // recorded), seen as that account may see it. The signed-in identity is never used instead: its
      // permission is not the role's, and its account may not own the event.
      const s = requireSession(req);
      const id = str(jsonBody(req).requestId);
      if (!/^[\w-]{1,128}$/.test(id)) throw new ConsoleError(400, 'InvalidInput', 'not a request id');
      const res = await signedInject(await activeCreds(s, req), 'iam', {
        method: 'GET',
        path: `/_iamd/explain/${id}`,
        headers: {},
        body: '',
        sourceIp: req.ip,
        userAgent: str(req.headers['user-agent']),
      });
      reply.code(res.status);
      return { status: res.status, asPrincipal: s.switched?.arn ?? s.identity.arn, body: res.body };
    },

    async 'POST who-can-assume'(req, reply) {
      // The who-can-assume analysis, called like any API: signed with the session, authorized
      // (`iamd:WhoCanAssume`) and limited to the caller's account by the server.
      const s = requireSession(req);
      const roleArn = str(jsonBody(req).roleArn);
      if (!/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(roleArn))
        throw new ConsoleError(400, 'InvalidInput', 'not a role ARN');
      const res = await signedInject(await activeCreds(s, req), 'iam', {
        method: 'GET',
        path: '/_iamd/who-can-assume',
        query: `RoleArn=${encodeURIComponent(roleArn)}`,
        headers: {},
        body: '',
        sourceIp: req.ip,
        userAgent: str(req.headers['user-agent']),
      });
      reply.code(res.status);
      return { status: res.status, body: res.body };
    },

    async 'POST audit'(req, reply) {
      // CloudTrail LookupEvents (JSON 1.1), signed for `cloudtrail` like `aws cloudtrail lookup-events`.
      const s = requireSession(req);
      const body = jsonBody(req);
      const res = await signedInject(await activeCreds(s, req), 'cloudtrail', {
        method: 'POST',
        path: '/',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
        },
        body: JSON.stringify(body.input ?? {}),
        sourceIp: req.ip,
        userAgent: str(req.headers['user-agent']),
      });
      reply.code(res.status);
      return { status: res.status, requestId: res.requestId, body: res.body };
    },
  };

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
    const res = await signedInject(toSigning(creds), 'sts', {
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
