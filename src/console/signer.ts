/**
 * A small SigV4 signer for the console's own calls to iamd's API. The console is a client of the API
 * (issue 10, "Security"): it signs each request server-side with the signed-in principal's temporary
 * credentials, exactly as an SDK would, and the request then goes through the normal verify →
 * authorize → audit path. Written from the SigV4 specification ("Create a signed AWS API request",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), independently of the
 * verifier in src/sigv4, so each checks the other.
 */
import { createHash, createHmac } from 'node:crypto';

/** Credentials a console session signs with. */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** A request to sign. `path` is already URI-safe (`/`, `/_iamd/explain/ID`); `query` is `k=v&…` encoded. */
export interface RequestToSign {
  readonly method: 'GET' | 'POST';
  readonly host: string;
  readonly path: string;
  readonly query: string;
  /** Extra headers to sign (lower-case names), e.g. `content-type`, `x-amz-target`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Where and when a request is signed. */
export interface SigningScope {
  /** Credential-scope service: `iam`, `sts`, `cloudtrail`. */
  readonly service: string;
  readonly region: string;
  /** Milliseconds since the epoch (the server's clock, so a test clock moves both sides). */
  readonly now: number;
}

const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();

/** `YYYYMMDD'T'HHMMSS'Z'` (SigV4 "x-amz-date" format). */
export function amzDate(now: number): string {
  return new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * SigV4 canonical query: parameters sorted by encoded name then value (the pairs arrive encoded with
 * RFC 3986 rules by {@link encodeQuery}).
 */
function canonicalQueryOf(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .map((p) => (p.includes('=') ? p : `${p}=`))
    .sort()
    .join('&');
}

/** RFC 3986 encoding as SigV4 wants it (`encodeURIComponent` plus `!'()*`). */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Encodes parameters as a Query-protocol form body or query string. */
export function encodeQuery(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join('&');
}

/**
 * Returns the headers to send: the given ones plus `host`, `x-amz-date`, `x-amz-content-sha256`,
 * `x-amz-security-token` (for temporary credentials) and `authorization`.
 */
export function signRequest(
  req: RequestToSign,
  creds: SigningCredentials,
  scope: SigningScope,
): Record<string, string> {
  const date = amzDate(scope.now);
  const day = date.slice(0, 8);
  const payloadHash = sha256Hex(req.body);
  const headers: Record<string, string> = {
    ...req.headers,
    host: req.host,
    'x-amz-date': date,
    'x-amz-content-sha256': payloadHash,
  };
  if (creds.sessionToken !== undefined) headers['x-amz-security-token'] = creds.sessionToken;
  const names = Object.keys(headers)
    .map((n) => n.toLowerCase())
    .sort();
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v.trim().replace(/\s+/g, ' ');
  const signedHeaders = names.join(';');
  const canonical = [
    req.method,
    req.path,
    canonicalQueryOf(req.query),
    names.map((n) => `${n}:${lower[n] ?? ''}\n`).join(''),
    signedHeaders,
    payloadHash,
  ].join('\n');
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, credentialScope, sha256Hex(canonical)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), scope.region), scope.service),
    'aws4_request',
  );
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
