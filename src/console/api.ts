/**
 * The console's JSON API (`/console/api/NAME`): sign-in and out, switch role, and calls into iamd's own
 * API through the {@link ApiClient}. Each handler returns the JSON to send or throws a ConsoleError.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../api/operation.js';
import type { Clock } from '../core/clock.js';
import type { AuditRecord, Store } from '../store/index.js';
import { validatePolicy, type PolicyType } from '../policy/index.js';
import { randomToken, sameToken, type ConsoleSession, type ConsoleSessionStore } from './sessions.js';
import { signIn } from './signin.js';
import type { ApiClient } from './api-client.js';
import { organizationView } from './organization.js';
import {
  ConsoleError,
  PRE_AUTH_COOKIE,
  SESSION_COOKIE,
  cookie,
  jsonBody,
  normaliseColor,
  parseCookies,
  secureOf,
  str,
} from './http.js';

/** One console API handler. */
export type ConsoleApiHandler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** What the API needs. */
export interface ConsoleApiDeps {
  readonly store: Store;
  readonly services: Services;
  readonly clock: Clock;
  readonly region: string;
  readonly addAudit?: ((record: AuditRecord) => void) | undefined;
  readonly sessions: ConsoleSessionStore;
  readonly client: ApiClient;
}

/** The handlers by `METHOD name`. */
export function consoleApi(options: ConsoleApiDeps): Record<string, ConsoleApiHandler> {
  const { sessions, client } = options;
  const { assume, activeCreds, queryCall, signedInject } = client;

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

  async function resolveAccount(text: string): Promise<string> {
    const t = text.trim();
    if (/^\d{12}$/.test(t)) return t;
    const byAlias = t === '' ? undefined : await options.store.getAccountByAlias(t.toLowerCase());
    if (byAlias === undefined)
      throw new ConsoleError(400, 'InvalidInput', `\`${t}\` is not an account id or alias`);
    return byAlias.id;
  }

  return {
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

    async 'POST organization'(req, reply) {
      // The Organizations tree, read with Organizations API calls signed as the principal in use, so
      // each read is authorized and audited as from the CLI; a caller that may not read gets the error.
      const s = requireSession(req);
      const body = jsonBody(req);
      const account = body.account === undefined || body.account === '' ? undefined : str(body.account);
      if (account !== undefined && !/^\d{12}$/.test(account))
        throw new ConsoleError(400, 'InvalidInput', `\`${account}\` is not an account id`);
      const creds = await activeCreds(s, req);
      const view = await organizationView(async (action, input) => {
        const res = await signedInject(creds, 'organizations', {
          method: 'POST',
          path: '/',
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': `AWSOrganizationsV20161128.${action}`,
          },
          body: JSON.stringify(input),
          sourceIp: req.ip,
          userAgent: str(req.headers['user-agent']),
        });
        let parsed: Record<string, unknown> = {};
        try {
          const v: unknown = JSON.parse(res.body);
          if (typeof v === 'object' && v !== null && !Array.isArray(v)) parsed = v as Record<string, unknown>;
        } catch {
          // An empty or non-JSON body: the status tells.
        }
        return { status: res.status, body: parsed };
      }, account);
      if (!view.ok) reply.code(view.status);
      return view;
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
}
