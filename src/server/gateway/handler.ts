/**
 * The gateway's HTTP side (issue #18): claims the requests that belong to a gated service — SigV4
 * credential scope's service is `s3` or `dynamodb` and that service has an upstream; unsigned requests
 * go to S3 when it is gated, except iamd's own paths and Query API calls — and runs them through the
 * pipeline as that service's entry point. The upstream's answer streams back unchanged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { percentDecode } from '../../core/percent.js';
import {
  runCall,
  type Answer,
  type EntryPoint,
  type IncomingCall,
  type Pipeline,
} from '../pipeline/index.js';
import { isOwnEndpoint } from '../routes/paths.js';
import { isS3SigV2 } from '../../gateway/s3/sigv2.js';
import { fromNodeStream, type GatewayAnswer } from './incoming.js';

/** The gated services' entry points, and how a request body is read for those that need it whole. */
export interface GatewayEntries {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly s3?: EntryPoint<any> | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly dynamodb?: EntryPoint<any> | undefined;
}

const SCOPE = /Credential=([^,\s]+)/;

/** The credential scope's service of a signed request ('' when unsigned; undefined when unreadable). */
export function scopeService(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  let credential: string | undefined;
  if (auth !== undefined && auth !== '') credential = SCOPE.exec(auth)?.[1];
  else {
    const url = req.url ?? '/';
    const at = url.indexOf('X-Amz-Credential=');
    if (at < 0) return '';
    const end = url.indexOf('&', at);
    credential = percentDecode(url.slice(at + 'X-Amz-Credential='.length, end < 0 ? undefined : end), true);
  }
  if (credential === undefined) return undefined;
  return credential.split('/')[3];
}

/** Whether an unsigned request is a Query API call (federation, form posts) rather than anonymous S3. */
function isQueryCall(req: IncomingMessage): boolean {
  const url = req.url ?? '/';
  if (/[?&]Action=/.test(url)) return true;
  if (req.headers['x-amz-target'] !== undefined) return true;
  const type = req.headers['content-type'] ?? '';
  return req.method === 'POST' && type.startsWith('application/x-www-form-urlencoded');
}

/** Which gated service answers `req`, if any. */
export function routeOf(req: IncomingMessage, entries: GatewayEntries): 's3' | 'dynamodb' | undefined {
  if (isOwnEndpoint(req.url ?? '/')) return undefined;
  if (entries.s3 !== undefined && isS3SigV2(req.headers.authorization, req.url ?? '/')) return 's3';
  const service = scopeService(req);
  if (service === 's3') return entries.s3 !== undefined ? 's3' : undefined;
  if (service === 'dynamodb') return entries.dynamodb !== undefined ? 'dynamodb' : undefined;
  if (service === '' && entries.s3 !== undefined && !isQueryCall(req)) return 's3';
  return undefined;
}

/** Largest DynamoDB request body read (DynamoDB's own request limit is 16 MB for batch writes). */
const DYNAMODB_BODY_LIMIT = 16 * 1024 * 1024;

/** Largest upstream answer passed back in one write instead of piped (see {@link wholeBody}). */
const WHOLE_BODY_LIMIT = 64 * 1024;

/**
 * The upstream's answer body when it has already arrived in full and is small (small answers usually
 * have: the upstream's last bytes are parsed while iamd finishes the exchange's other work); undefined
 * otherwise. Such a body is answered with one `end(data)` instead of through a pipe's listeners,
 * per-chunk writes and end-of-stream ticks. Reading it to its end still hands the upstream's connection
 * back to its pool.
 */
function wholeBody(body: IncomingMessage): Buffer | undefined {
  if (!body.complete || body.readableFlowing === true || body.readableLength > WHOLE_BODY_LIMIT)
    return undefined;
  const chunks: Buffer[] = [];
  for (let chunk = body.read() as Buffer | null; chunk !== null; chunk = body.read() as Buffer | null)
    chunks.push(chunk);
  body.resume();
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** The Node handler: returns false for requests that are not the gateway's. */
export function gatewayHandler(
  p: Pipeline,
  entries: GatewayEntries,
  logCall: (answer: Answer, started: number) => void,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const write = (req: IncomingMessage, res: ServerResponse, answer: GatewayAnswer, started: number): void => {
    const upstream = answer.upstream;
    if (upstream !== undefined) {
      res.writeHead(upstream.status, upstream.headers);
      const body = upstream.body;
      const whole = wholeBody(body);
      if (whole !== undefined) {
        res.end(whole);
        logCall(answer, started);
        return;
      }
      // A client that goes away mid-download aborts the upstream response too, and an upstream that
      // fails mid-answer cuts the client's. (Plain pipe and listeners: stream.pipeline costs an
      // AbortController and a DOMException per answer on this hot path.)
      body.on('error', () => res.destroy());
      res.on('close', () => {
        if (!res.writableFinished) body.destroy();
      });
      body.pipe(res);
    } else {
      const headers: Record<string, string | number> = {
        'content-type': answer.contentType,
        'content-length': Buffer.byteLength(answer.body),
        'x-amzn-RequestId': answer.requestId,
        ...answer.headers,
      };
      res.writeHead(answer.status, headers);
      res.end(req.method === 'HEAD' ? undefined : answer.body);
    }
    logCall(answer, started);
  };
  const serve = (
    req: IncomingMessage,
    res: ServerResponse,
    entry: EntryPoint<unknown>,
    call: IncomingCall,
  ) => {
    const started = performance.now();
    runCall(p, entry, call).then(
      (answer) => write(req, res, answer as GatewayAnswer, started),
      (err: unknown) => {
        p.deps.logError(err, '');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      },
    );
  };
  return (req, res) => {
    const route = routeOf(req, entries);
    if (route === undefined) return false;
    req.on('error', () => undefined);
    if (route === 's3') {
      serve(req, res, entries.s3!, fromNodeStream(req));
      return true;
    }
    // DynamoDB bodies are small JSON documents the classifier reads: read whole (bounded).
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      if (refused) return;
      size += c.length;
      if (size > DYNAMODB_BODY_LIMIT) {
        refused = true;
        res.writeHead(413, { connection: 'close' });
        res.end();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!refused)
        serve(req, res, entries.dynamodb!, fromNodeStream(req, Buffer.concat(chunks).toString('utf8')));
    });
    return true;
  };
}
