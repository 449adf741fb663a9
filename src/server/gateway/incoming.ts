/**
 * A gateway request: the pipeline's {@link IncomingCall} (body left empty: the gateway never buffers a
 * body it forwards) plus the Node request whose body streams to the upstream.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Answer, IncomingCall } from '../pipeline/index.js';
import type { UpstreamResponse } from '../../gateway/forward.js';

/** A gateway request. */
export interface GatewayIncoming extends IncomingCall {
  /** The request, body unread. */
  readonly stream: IncomingMessage;
  /** The `Host` header. */
  readonly host: string;
}

/** A gateway answer: either the upstream's response to stream back, or a body of iamd's own. */
export interface GatewayAnswer extends Answer {
  readonly upstream?: UpstreamResponse | undefined;
  /** Extra response headers of an answer iamd writes itself. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** The gateway's view of a Node request (`body` is read by the entry point, if at all). */
export function fromNodeStream(req: IncomingMessage, body = ''): GatewayIncoming {
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
    stream: req,
    host: req.headers.host ?? '',
  };
}
