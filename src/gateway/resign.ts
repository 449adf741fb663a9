/**
 * Re-signing an allowed request for the upstream: the client's credentials never leave iamd. The
 * client's `Authorization`, `X-Amz-Security-Token`, presigning parameters, hop-by-hop headers and
 * aws-chunked framing headers are removed; the request is signed anew (SigV4, header style) with the
 * upstream's credentials for the upstream's host.
 */
import {
  computeSignature,
  formatAmzDate,
  s3CanonicalOptions,
  SigningKeyCache,
  type ParsedSigV4,
  type SigV4Crypto,
} from '../sigv4/index.js';

/** Who the gateway is to an upstream. */
export interface UpstreamCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * The key iamd signs with when no credentials are configured: for emulators that check nothing (the
 * AWS documentation's example key id, so it is recognisably not a real one).
 */
export const LOCAL_UPSTREAM_CREDENTIALS: UpstreamCredentials = Object.freeze({
  accessKeyId: 'AKIAIAMDGATEWAYLOCAL',
  secretAccessKey: 'iamd-gateway-local-upstream-key',
});

/** The request as it goes to the upstream. */
export interface OutgoingRequest {
  readonly method: string;
  /** Raw path (percent-encoded) and query, as sent. */
  readonly path: string;
  readonly query: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Headers never passed on: hop-by-hop (RFC 9110 §7.6.1), the client's authentication, and what the
 * gateway sets itself (host, date, payload hash, length, aws-chunked framing).
 */
const DROPPED: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'host',
  'authorization',
  'x-amz-security-token',
  'x-amz-date',
  'x-amz-content-sha256',
  'x-amz-decoded-content-length',
  'x-amz-trailer',
  'content-length',
  'x-forwarded-for',
]);

/** The presigning parameters, removed from the query. */
const PRESIGN_PARAMS: ReadonlySet<string> = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
]);

/** The query without presigning parameters (raw pairs kept as sent). */
export function stripPresignParams(rawQuery: string): string {
  if (rawQuery.indexOf('X-Amz-') < 0) return rawQuery;
  return rawQuery
    .split('&')
    .filter((part) => {
      const eq = part.indexOf('=');
      let name = eq < 0 ? part : part.slice(0, eq);
      try {
        name = decodeURIComponent(name);
      } catch {
        return true;
      }
      return part !== '' && !PRESIGN_PARAMS.has(name);
    })
    .join('&');
}

/**
 * Signing keys for the upstreams' credentials: one per (secret, day, region, service), so re-signing
 * costs two HMACs instead of six on every request after the first of the day. The secrets are the
 * configured upstream keys, few and already in process memory.
 */
const upstreamKeys = new SigningKeyCache(64);

/** What to sign for. */
export interface ResignTarget {
  /** The upstream's `host[:port]`. */
  readonly host: string;
  readonly service: string;
  readonly region: string;
  readonly credentials: UpstreamCredentials;
}

/**
 * The client's request, re-signed for `target`. `payloadHash` is what the upstream is told the body
 * hashes to (S3: `UNSIGNED-PAYLOAD` for a streamed body; DynamoDB: the body's hash); `contentLength`
 * is the body's length when known (the decoded length of an aws-chunked body).
 */
export function resignRequest(
  incoming: {
    readonly method: string;
    readonly path: string;
    readonly query: string;
    readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  },
  target: ResignTarget,
  payloadHash: string,
  contentLength: number | undefined,
  nowMs: number,
  crypto: SigV4Crypto,
): OutgoingRequest {
  const headers = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined || DROPPED.has(name)) continue;
    let v = Array.isArray(value) ? value.join(',') : value;
    if (name === 'content-encoding') {
      // aws-chunked is the framing iamd removed; other codings (gzip) belong to the object.
      v = v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '' && s.toLowerCase() !== 'aws-chunked')
        .join(',');
      if (v === '') continue;
    }
    headers[name] = v;
  }
  const amzDate = formatAmzDate(nowMs);
  headers['host'] = target.host;
  headers['x-amz-date'] = amzDate;
  headers['x-amz-content-sha256'] = payloadHash;
  if (contentLength !== undefined) headers['content-length'] = String(contentLength);
  const signedHeaders = Object.keys(headers)
    .filter(
      (h) =>
        h === 'host' ||
        h.startsWith('x-amz-') ||
        h === 'content-type' ||
        h === 'content-md5' ||
        h === 'range',
    )
    .sort();
  const query = stripPresignParams(incoming.query);
  const parsed: ParsedSigV4 = {
    accessKeyId: target.credentials.accessKeyId,
    date: amzDate.slice(0, 8),
    region: target.region,
    service: target.service,
    terminator: 'aws4_request',
    signedHeaders,
    signature: '',
    amzDate,
    amzDateMs: nowMs,
    presigned: false,
  };
  const request = { method: incoming.method, path: incoming.path, query, headers, body: '' };
  const options =
    target.service === 's3' ? s3CanonicalOptions(payloadHash) : { normalizePath: true, payloadHash };
  const signature = computeSignature(
    request,
    parsed,
    target.credentials.secretAccessKey,
    crypto,
    upstreamKeys,
    options,
  );
  headers['authorization'] =
    `AWS4-HMAC-SHA256 Credential=${parsed.accessKeyId}/${parsed.date}/${parsed.region}/${parsed.service}/aws4_request, ` +
    `SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return { method: incoming.method, path: incoming.path, query, headers };
}
