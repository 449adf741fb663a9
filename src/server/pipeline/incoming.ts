/**
 * The decoder's input: one HTTP request reduced to what the request path needs. Built in exactly one
 * place per transport — {@link fromFastify} for requests fastify routed (iamd's own endpoints, the
 * console's injected calls, tests) and {@link fromNode} for the Query endpoint's network fast path.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';

/** One HTTP request, reduced to what the request path needs (also a `SigV4Request`). */
export interface IncomingCall {
  readonly method: string;
  /** Raw path as on the wire, without the query string. */
  readonly path: string;
  /** Raw query string without the leading `?`. */
  readonly query: string;
  /** Lower-case header names; repeated headers kept apart (Node's `headersDistinct`). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly sourceIp: string;
  readonly secureTransport: boolean;
}

/** The first value of a header. */
export function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Node's `headersDistinct`, or the same view built from `headers` — `app.inject`'s light-weight
 * request object (the console's own calls) lacks it.
 */
function distinctHeaders(raw: IncomingMessage): Readonly<Record<string, string[] | undefined>> {
  const distinct = (raw as Partial<IncomingMessage>).headersDistinct;
  if (distinct !== undefined) return distinct;
  const built = Object.create(null) as Record<string, string[]>;
  for (const [k, v] of Object.entries(raw.headers))
    if (v !== undefined) built[k] = Array.isArray(v) ? v : [v];
  return built;
}

/** A request fastify routed (its body parsed as a string by the app's one content-type parser). */
export function fromFastify(req: FastifyRequest): IncomingCall {
  const url = req.raw.url ?? '/';
  const q = url.indexOf('?');
  return {
    method: req.method,
    path: q < 0 ? url : url.slice(0, q),
    query: q < 0 ? '' : url.slice(q + 1),
    headers: distinctHeaders(req.raw),
    body: typeof req.body === 'string' ? req.body : '',
    sourceIp: req.ip,
    secureTransport: req.protocol === 'https',
  };
}

/** A request the network fast path read itself (`body` already read and size-checked). */
export function fromNode(req: IncomingMessage, body: string): IncomingCall {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const socket = req.socket;
  return {
    method: req.method ?? 'GET',
    path: q < 0 ? url : url.slice(0, q),
    query: q < 0 ? '' : url.slice(q + 1),
    headers: req.headersDistinct,
    body,
    sourceIp: socket.remoteAddress ?? '',
    secureTransport: (socket as Partial<TLSSocket>).encrypted === true,
  };
}
