/**
 * The Query endpoint's network fast path: a plain Node handler in front of fastify, which costs a
 * fraction of fastify's routing, hooks and reply machinery per request (the server benchmark's
 * GetCallerIdentity is bound by it). It is not a second pipeline: it only reads the body under the same
 * {@link BODY_LIMIT} and error answers as the fastify routes (src/server/routes/query-errors.ts) and
 * hands the request to the same {@link answerCall}.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { errors, type AwsError } from '../../errors/index.js';
import { fromNode, type Answer, type IncomingCall } from '../pipeline/index.js';
import { BODY_LIMIT, isOwnEndpoint } from './paths.js';
import { errorDocument, tooLargeError } from './query-errors.js';
import { logCall } from './query.js';

/**
 * Claims (returns true for) GET and POST requests on any path iamd's own endpoints do not use, reads
 * the body (at most {@link BODY_LIMIT} bytes, else the same 413 `RequestEntityTooLarge` as the fastify
 * route), answers through `answer`, and writes the response in one `end()`. While the server closes,
 * new calls get a 503 `ServiceUnavailable` with `Connection: close` (fastify's `return503OnClosing` for
 * its own routes); calls already running finish normally.
 */
export function queryFastPath(
  answer: (call: IncomingCall) => Promise<Answer>,
  app: FastifyInstance,
  isClosing: () => boolean,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const write = (
    res: ServerResponse,
    status: number,
    contentType: string,
    requestId: string,
    body: string,
  ) => {
    const headers: Record<string, string | number> = {
      'content-type': contentType,
      'x-amzn-RequestId': requestId,
      'content-length': Buffer.byteLength(body),
    };
    if (isClosing()) headers['connection'] = 'close';
    res.writeHead(status, headers);
    res.end(body);
  };
  const writeError = (res: ServerResponse, err: AwsError) => {
    const doc = errorDocument(err);
    write(res, err.status, 'text/xml', doc.requestId, doc.body);
  };
  const serve = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const started = performance.now();
    answer(fromNode(req, body)).then(
      (result) => {
        write(res, result.status, result.contentType, result.requestId, result.body);
        // After the answer is on its way: the access log never adds to a call's latency.
        logCall(app.log, result, started);
      },
      (err: unknown) => {
        app.log.error({ err }, 'request failed');
        writeError(res, errors.internalFailure());
      },
    );
  };
  const tooLarge = (req: IncomingMessage, res: ServerResponse): void => {
    res.setHeader('connection', 'close');
    writeError(res, tooLargeError());
    // The rest of the body is not read: the connection closes once the answer is out.
    res.on('finish', () => req.socket.destroySoon());
  };
  return (req, res) => {
    const method = req.method;
    if ((method !== 'POST' && method !== 'GET') || isOwnEndpoint(req.url ?? '/')) return false;
    if (isClosing()) {
      writeError(res, errors.serviceUnavailable());
      return true;
    }
    const declared = req.headersDistinct['content-length']?.[0];
    if (declared !== undefined && Number(declared) > BODY_LIMIT) {
      tooLarge(req, res);
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > BODY_LIMIT) {
        refused = true;
        chunks.length = 0;
        tooLarge(req, res);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      serve(
        req,
        res,
        chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
      );
    });
    // A client that goes away mid-request has nobody to answer; the socket is already gone.
    req.on('error', () => undefined);
    return true;
  };
}
