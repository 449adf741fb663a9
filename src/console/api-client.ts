/**
 * The console's client of iamd's own API: every call is a SigV4 request signed server-side with the
 * session's temporary credentials and injected into iamd's HTTP routes (`app.inject`), so it runs
 * through the same request pipeline — authenticated, authorized and audited like any SDK call.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { signingNow, type Clock } from '../core/clock.js';
import { isValidScopeRegion } from '../sigv4/index.js';
import { encodeQuery, signRequest, type SigningCredentials } from './signer.js';
import { parseQueryAnswer, type QueryAnswer } from './xml.js';
import type { ConsoleCredentials, ConsoleSession } from './sessions.js';
import { ConsoleError, str } from './http.js';

/** API versions of the Query services the console calls. */
export const API_VERSIONS = { iam: '2010-05-08', sts: '2011-06-15' } as const;
/** A Query service the console calls. */
export type QueryService = keyof typeof API_VERSIONS;

/** A request to send into iamd's routes. */
export interface InjectedRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Raw query string (already encoded), signed as part of the canonical request. */
  readonly query?: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly sourceIp: string;
  readonly userAgent: string;
}

/** The result of an AssumeRole the console made. */
export type AssumeResult =
  | { ok: true; arn: string; roleArn: string; creds: ConsoleCredentials }
  | { ok: false; status: number; requestId: string; error: { code: string; message: string } };

/** The console's API client. */
export interface ApiClient {
  /** Sends one signed request into iamd's own routes and returns status, body and request id. */
  signedInject(
    creds: SigningCredentials,
    service: string,
    request: InjectedRequest,
  ): Promise<{ status: number; body: string; requestId: string }>;
  /** One Query-protocol call (iam or sts) signed with `creds`. */
  queryCall(
    creds: SigningCredentials,
    service: QueryService,
    action: string,
    params: Readonly<Record<string, string>>,
    req: FastifyRequest,
  ): Promise<QueryAnswer & { status: number }>;
  /** AssumeRole with the signed-in identity's own credentials (never the current role's: AWS does the same). */
  assume(
    session: ConsoleSession,
    account: string,
    roleName: string,
    req: FastifyRequest,
  ): Promise<AssumeResult>;
  /**
   * The credentials the console acts with now: the role's while switched (re-assumed shortly before
   * they expire, as AWS's console does), else the signed-in identity's.
   */
  activeCreds(session: ConsoleSession, req: FastifyRequest): Promise<SigningCredentials>;
}

/** Signing credentials of console credentials. */
export const toSigning = (c: ConsoleCredentials): SigningCredentials => ({
  accessKeyId: c.accessKeyId,
  secretAccessKey: c.secretAccessKey,
  sessionToken: c.sessionToken,
});

/** The client over the app the console is registered on (`app()` is undefined until then). */
export function makeApiClient(
  options: { readonly region: string; readonly clock: Clock },
  app: () => FastifyInstance | undefined,
): ApiClient {
  /** Sends one signed request into iamd's own routes and returns status, headers and body. */
  async function signedInject(
    creds: SigningCredentials,
    service: string,
    request: InjectedRequest,
  ): Promise<{ status: number; body: string; requestId: string }> {
    const instance = app();
    if (instance === undefined) throw new Error('console plugin not registered');
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
    const res = await instance.inject({
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

  /** AssumeRole with the signed-in identity's own credentials (never the current role's: AWS does the same). */
  async function assume(
    session: ConsoleSession,
    account: string,
    roleName: string,
    req: FastifyRequest,
  ): Promise<AssumeResult> {
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

  return { signedInject, queryCall, assume, activeCreds };
}
