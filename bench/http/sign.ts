/**
 * A minimal SigV4 signer for benchmark clients (POST form bodies, header auth). The server verifies
 * with its own implementation; this one is written from the AWS SigV4 documentation independently.
 */
import { createHash, createHmac } from 'node:crypto';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (k: Buffer | string, s: string) => createHmac('sha256', k).update(s).digest();

/** Credentials to sign with. */
export interface SigningCreds {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** Signs a POST of `body` to `host` for `service`; returns the headers to send. */
export function signForm(
  host: string,
  service: 'iam' | 'sts',
  body: string,
  creds: SigningCreds,
  date = new Date(),
): Record<string, string> {
  const amzDate = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const region = 'us-east-1';
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    host,
    'x-amz-date': amzDate,
  };
  if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken;
  const names = Object.keys(headers).sort();
  const canonical = [
    'POST',
    '/',
    '',
    ...names.map((n) => `${n}:${headers[n]}`),
    '',
    names.join(';'),
    sha256(body),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), region), service), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return headers;
}

/** One request to sign (any method, path and service; header auth). */
export interface RequestToSign {
  readonly method: string;
  /** `host[:port]` of the target. */
  readonly host: string;
  /** The path as sent (already percent-encoded; S3 paths are not normalised). */
  readonly path: string;
  readonly service: string;
  /** Extra headers to send and sign (lower-case names). */
  readonly headers?: Readonly<Record<string, string>>;
  /** `x-amz-content-sha256` and the canonical request's payload hash: a hex SHA-256 or `UNSIGNED-PAYLOAD`. */
  readonly payloadHash: string;
}

/** What {@link signRequest} produced: the headers to send, and what chunk signatures chain from. */
export interface SignedRequest {
  readonly headers: Record<string, string>;
  readonly signature: string;
  readonly signingKey: Buffer;
  readonly amzDate: string;
  readonly scope: string;
}

/**
 * Signs a request without a query string (SigV4 header style, us-east-1): every header given is signed,
 * with `host`, `x-amz-date`, `x-amz-content-sha256` and the session token.
 */
export function signRequest(r: RequestToSign, creds: SigningCreds, date = new Date()): SignedRequest {
  const amzDate = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const region = 'us-east-1';
  const headers: Record<string, string> = {
    ...r.headers,
    host: r.host,
    'x-amz-date': amzDate,
    'x-amz-content-sha256': r.payloadHash,
  };
  if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken;
  const names = Object.keys(headers).sort();
  const canonical = [
    r.method,
    r.path,
    '',
    ...names.map((n) => `${n}:${String(headers[n]).trim()}`),
    '',
    names.join(';'),
    r.payloadHash,
  ].join('\n');
  const scope = `${day}/${region}/${r.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), region), r.service),
    'aws4_request',
  );
  const signature = createHmac('sha256', signingKey).update(toSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return { headers, signature, signingKey, amzDate, scope };
}

/** SHA-256 of the empty string (hex). */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * The aws-chunked header of one chunk of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body (the data and a CRLF
 * follow it on the wire), its signature chained from `previous`; an empty `data` is the final chunk.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 */
export function signedChunk(
  data: Buffer,
  previous: string,
  s: Pick<SignedRequest, 'signingKey' | 'amzDate' | 'scope'>,
): { head: Buffer; signature: string } {
  const toSign = [
    'AWS4-HMAC-SHA256-PAYLOAD',
    s.amzDate,
    s.scope,
    previous,
    EMPTY_SHA256,
    createHash('sha256').update(data).digest('hex'),
  ].join('\n');
  const signature = createHmac('sha256', s.signingKey).update(toSign).digest('hex');
  return { head: Buffer.from(`${data.length.toString(16)};chunk-signature=${signature}\r\n`), signature };
}
