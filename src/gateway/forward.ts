/**
 * Streams a re-signed request to the upstream and hands back its response unread (status, headers
 * without hop-by-hop ones, body stream). An upstream that refuses the connection, drops it, or does
 * not answer within the timeout is `ServiceUnavailable` (503), never a hang; a request body that fails
 * its checks (chunk signature, payload hash) aborts the upstream request and is the error answered.
 */
import { request as httpRequest, Agent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import { errors } from '../errors/index.js';
import type { OutgoingRequest } from './resign.js';

/** The upstream's answer, body not yet read. */
export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: IncomingMessage;
}

/** Response headers that are hop-by-hop (RFC 9110 §7.6.1) and never passed back. */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const httpAgent = new Agent({ keepAlive: true, maxSockets: 256 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 256 });

/** Response headers to pass back. */
function passBack(raw: IncomingMessage['headers']): Record<string, string | string[]> {
  const out = Object.create(null) as Record<string, string | string[]>;
  for (const [k, v] of Object.entries(raw)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

/**
 * Sends `out` to `base` (the upstream's URL; its path, if any, prefixes the request's) with `body`,
 * resolving when the upstream's response headers arrive. `timeoutMs` bounds the wait for the
 * connection and for each read of the exchange.
 */
export function forward(
  base: URL,
  out: OutgoingRequest,
  body: Readable | string | undefined,
  timeoutMs: number,
): Promise<UpstreamResponse> {
  return attempt(base, out, body, timeoutMs, true);
}

function attempt(
  base: URL,
  out: OutgoingRequest,
  body: Readable | string | undefined,
  timeoutMs: number,
  mayRetry: boolean,
): Promise<UpstreamResponse> {
  const prefix = base.pathname === '/' ? '' : base.pathname.replace(/\/$/, '');
  const path = prefix + out.path + (out.query === '' ? '' : '?' + out.query);
  const https = base.protocol === 'https:';
  return new Promise<UpstreamResponse>((resolve, reject) => {
    let settled = false;
    let bodyError: unknown;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    const req = (https ? httpsRequest : httpRequest)({
      protocol: base.protocol,
      hostname: base.hostname.replace(/^\[|\]$/g, ''),
      port: base.port === '' ? (https ? 443 : 80) : Number(base.port),
      method: out.method,
      path,
      headers: out.headers,
      agent: https ? httpsAgent : httpAgent,
      timeout: timeoutMs,
    });
    req.on('response', (res) => {
      if (settled) {
        res.resume();
        return;
      }
      settled = true;
      resolve({ status: res.statusCode ?? 502, headers: passBack(res.headers), body: res });
    });
    req.on('error', () => {
      // A kept-alive connection the upstream closed just as it was reused fails before any answer:
      // a request whose body can be sent again is sent once more on a fresh connection.
      if (!settled && bodyError === undefined && mayRetry && req.reusedSocket && typeof body !== 'object') {
        settled = true;
        attempt(base, out, body, timeoutMs, false).then(resolve, reject);
        return;
      }
      // The body's own failure (a bad chunk signature) is the answer, not the upstream's reaction to it.
      fail(bodyError ?? errors.serviceUnavailable());
    });
    req.on('timeout', () => {
      req.destroy();
      fail(errors.serviceUnavailable());
    });
    if (body === undefined || typeof body === 'string') {
      req.end(body);
      return;
    }
    body.on('error', (err) => {
      bodyError = err;
      req.destroy();
      fail(err);
    });
    body.pipe(req);
  });
}
