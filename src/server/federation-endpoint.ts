/**
 * The federation endpoint a custom identity broker uses to send federated users to the console
 * (IAM User Guide, "Enable custom identity broker access to the AWS console"):
 *
 * 1. `GET /federation?Action=getSigninToken&SessionDuration=N&Session={"sessionId":…,"sessionKey":…,
 *    "sessionToken":…}` exchanges temporary credentials (AssumeRole*, GetFederationToken) for a
 *    sign-in token: answer `{"SigninToken":"…"}`. `SessionDuration` (900–43200 s, default 3600) sets the
 *    console session length for role credentials; it is refused for GetFederationToken credentials,
 *    whose console session lasts as long as the credentials, as AWS documents.
 * 2. `GET /federation?Action=login&Issuer=…&Destination=…&SigninToken=…` — within 15 minutes
 *    ("The sign-in token is valid for 15 minutes", same page) — signs the browser in and redirects it
 *    to `Destination`. iamd's console (`/console`) holds the session; a destination outside `/console`
 *    is replaced by `/console/` so this cannot become an open redirect.
 *
 * The sign-in token is the credentials sealed (AES-256-GCM under the master key) with the console
 * session's end; nothing is stored. The credentials are checked before a token is issued, and again
 * (sts:GetCallerIdentity through the console) at login.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../domain/principal.js';
import type { Services } from '../api/operation.js';
import type { Clock } from '../core/clock.js';

/** Sign-in tokens are good for 15 minutes (IAM User Guide, custom identity broker). */
export const SIGNIN_TOKEN_TTL_MS = 15 * 60 * 1000;
/** Default console session for role credentials: 1 hour; 900–43200 seconds allowed (same page). */
export const DEFAULT_CONSOLE_SESSION_SECONDS = 3600;

const AAD = 'iamd-federation-signin-token';

/** What the endpoint needs from the composition root. */
export interface FederationEndpointOptions {
  readonly clock: Clock;
  readonly services: Pick<Services, 'sealSecret' | 'unsealSecret'>;
  /** Resolves temporary credentials (the server's credential resolver); throws when they are not valid. */
  resolve(
    accessKeyId: string,
    sessionToken: string,
    nowMs: number,
  ): Promise<{ readonly principal: Principal; readonly secretAccessKey: string }>;
  /** The console's session starter; without one, `login` shows a page naming who signed in. */
  readonly console?:
    | {
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
    | undefined;
}

interface SealedSignin {
  readonly k: string;
  readonly s: string;
  readonly t: string;
  /** Issued at (ms). */
  readonly i: number;
  /** Console session end (ms). */
  readonly e: number;
  /** Who (ARN), for the page shown without a console. */
  readonly a: string;
}

function params(req: FastifyRequest): URLSearchParams {
  const url = req.raw.url ?? '';
  const q = url.indexOf('?');
  const out = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  if (req.method === 'POST' && typeof req.body === 'string')
    for (const [k, v] of new URLSearchParams(req.body)) if (!out.has(k)) out.set(k, v);
  return out;
}

function fail(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/plain; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(message);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The path `login` redirects to: the destination's path when it is inside `/console`, else `/console/`. */
export function consoleDestination(destination: string): string {
  try {
    const u = new URL(destination, 'http://iamd.invalid');
    if (u.pathname === '/console' || u.pathname.startsWith('/console/')) return `${u.pathname}${u.search}`;
  } catch {
    // fall through to the console's start page
  }
  return '/console/';
}

/** The `/federation` routes as a fastify plugin. */
export function federationEndpoint(options: FederationEndpointOptions): (app: FastifyInstance) => void {
  async function getSigninToken(q: URLSearchParams, reply: FastifyReply): Promise<FastifyReply> {
    const now = options.clock.now();
    let session: { sessionId?: unknown; sessionKey?: unknown; sessionToken?: unknown };
    try {
      session = JSON.parse(q.get('Session') ?? '') as typeof session;
    } catch {
      return fail(reply, 400, 'Session must be a JSON object with sessionId, sessionKey and sessionToken');
    }
    const { sessionId, sessionKey, sessionToken } = session ?? {};
    if (typeof sessionId !== 'string' || typeof sessionKey !== 'string' || typeof sessionToken !== 'string')
      return fail(reply, 400, 'Session must be a JSON object with sessionId, sessionKey and sessionToken');
    let principal: Principal;
    try {
      const r = await options.resolve(sessionId, sessionToken, now);
      if (!sameSecret(r.secretAccessKey, sessionKey)) throw new Error('secret');
      principal = r.principal;
    } catch {
      return fail(reply, 403, 'The session credentials are not valid');
    }
    // Only role sessions and federated users can sign in to the console this way (same page).
    if (
      (principal.type !== 'AssumedRole' && principal.type !== 'FederatedUser') ||
      principal.session === undefined
    )
      return fail(
        reply,
        400,
        'Only temporary credentials from AssumeRole* or GetFederationToken can get a sign-in token',
      );
    const sd = q.get('SessionDuration');
    let end = principal.session.expiresAt;
    if (sd !== null) {
      if (principal.type === 'FederatedUser')
        return fail(reply, 400, 'SessionDuration cannot be used with credentials from GetFederationToken');
      const n = Number(sd);
      if (!/^\d+$/.test(sd) || n < 900 || n > 43200)
        return fail(reply, 400, 'SessionDuration must be an integer from 900 to 43200');
      end = Math.min(end, now + n * 1000);
    } else if (principal.type === 'AssumedRole')
      end = Math.min(end, now + DEFAULT_CONSOLE_SESSION_SECONDS * 1000);
    const sealed: SealedSignin = {
      k: sessionId,
      s: sessionKey,
      t: sessionToken,
      i: now,
      e: end,
      a: principal.arn,
    };
    const token = options.services.sealSecret(JSON.stringify(sealed), AAD);
    return reply
      .code(200)
      .header('content-type', 'application/json')
      .header('cache-control', 'no-store')
      .send(JSON.stringify({ SigninToken: Buffer.from(token, 'utf8').toString('base64url') }));
  }

  async function login(q: URLSearchParams, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const now = options.clock.now();
    const destination = q.get('Destination');
    const tokenText = q.get('SigninToken');
    if (destination === null || tokenText === null)
      return fail(reply, 400, 'login needs Destination and SigninToken');
    let s: SealedSignin;
    try {
      s = JSON.parse(
        options.services.unsealSecret(Buffer.from(tokenText, 'base64url').toString('utf8'), AAD),
      ) as SealedSignin;
    } catch {
      return fail(reply, 400, 'The sign-in token is not valid');
    }
    if (now - s.i >= SIGNIN_TOKEN_TTL_MS || now < s.i - 60_000 || now >= s.e)
      return fail(reply, 400, 'The sign-in token has expired');
    if (options.console === undefined) {
      const page =
        `<!doctype html><meta charset="utf-8"><title>iamd: signed in</title>` +
        `<p>Signed in as <code>${escapeHtml(s.a)}</code> until ${new Date(s.e).toISOString()}.</p>` +
        `<p>Destination: <code>${escapeHtml(destination)}</code></p>`;
      return reply
        .code(200)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(page);
    }
    let cookie: string;
    try {
      cookie = await options.console.sessionCookieFor(
        { AccessKeyId: s.k, SecretAccessKey: s.s, SessionToken: s.t, Expiration: s.e },
        req.protocol === 'https',
      );
    } catch (err) {
      req.log.warn({ err }, 'federation login: the console refused the credentials');
      return fail(reply, 403, 'The session credentials are not valid');
    }
    return reply
      .code(302)
      .header('set-cookie', cookie)
      .header('cache-control', 'no-store')
      .header('location', consoleDestination(destination))
      .send();
  }

  return (app) => {
    app.route({
      method: ['GET', 'POST'],
      url: '/federation',
      handler: async (req, reply) => {
        const q = params(req);
        switch (q.get('Action')) {
          case 'getSigninToken':
            return getSigninToken(q, reply);
          case 'login':
            return login(q, req, reply);
          default:
            return fail(reply, 400, 'Action must be getSigninToken or login');
        }
      },
    });
  };
}
