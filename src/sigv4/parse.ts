import { AwsError } from '../errors/index.js';
import {
  ALGORITHM,
  AMZ_DATE_HEADER,
  AUTHORIZATION_HEADER,
  DATE_HEADER,
  MAX_EXPIRES_SECONDS,
  Q_ALGORITHM,
  Q_CREDENTIAL,
  Q_DATE,
  Q_EXPIRES,
  Q_SECURITY_TOKEN,
  Q_SIGNATURE,
  Q_SIGNED_HEADERS,
  SECURITY_TOKEN_HEADER,
} from './constants.js';
import { httpDateToAmzDate, parseAmzDate } from './amz-date.js';
import type { ParsedSigV4, SigV4Request } from './types.js';
import { percentDecode } from '../core/percent.js';

function firstHeader(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : v?.[0];
}

function incomplete(message: string): AwsError {
  return new AwsError('IncompleteSignature', message);
}

interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
}

function parseCredential(credential: string): Credential {
  const parts = credential.split('/');
  // AWS's IncompleteSignature text for a scope without five parts.
  if (parts.length !== 5) {
    throw incomplete(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  return { accessKeyId, date, region, service, terminator };
}

function parseSignedHeaders(list: string): string[] {
  const names = list.split(';');
  // SigV4 requires the host header to be signed (AWS SigV4 docs, "canonical headers": host is mandatory).
  if (!names.includes('host') && !names.includes(':authority')) {
    throw incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  return names;
}

/** Parse the raw query string into decoded name → value, keeping the first of repeated names. */
function queryParams(rawQuery: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = percentDecode(eq < 0 ? part : part.slice(0, eq), true);
    if (!out.has(name)) out.set(name, eq < 0 ? '' : percentDecode(part.slice(eq + 1), true));
  }
  return out;
}

/** Index just past the whitespace starting at `i`. */
function skipSpaces(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/**
 * Every whitespace-separated token of the component `value[start, end)` must be a `key=value` pair.
 * AWS splits the header after the algorithm on commas and whitespace and refuses a token without `=`:
 * IncompleteSignature "'<token>' not a valid key=value pair (missing equal-sign) in Authorization
 * header: '<header>'." (boto/boto3#2280, `Credential= AKIA…`; aws/aws-cli#4385). A second
 * `Authorization` header, joined to the first with `,` as HTTP does, fails here on its algorithm
 * token (envoyproxy/envoy#23702).
 */
function checkPairs(value: string, start: number, end: number): void {
  let i = start;
  while (i < end) {
    let j = i;
    let hasEq = false;
    while (j < end) {
      const c = value.charCodeAt(j);
      if (c === 32 || c === 9) break;
      if (c === 61) hasEq = true;
      j++;
    }
    if (j > i && !hasEq) {
      throw incomplete(
        `'${value.slice(i, j)}' not a valid key=value pair (missing equal-sign) in Authorization header: '${value}'.`,
      );
    }
    // A value may hold no whitespace: the rest of a token after `=` ends at the next blank.
    i = skipSpaces(value, j);
  }
}

function fromHeader(req: SigV4Request, authorization: string): ParsedSigV4 {
  const value = authorization.trim();
  const sp = value.indexOf(' ');
  const algorithm = sp < 0 ? value : value.slice(0, sp);
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  if (sp >= 0) {
    // Components are separated by `,` with optional whitespace ("Credential=…, SignedHeaders=…, Signature=…").
    // Scanned in place: this runs on every request.
    let i = sp + 1;
    while (i < value.length) {
      const comma = value.indexOf(',', i);
      const end = comma < 0 ? value.length : comma;
      const start = skipSpaces(value, i);
      // Only for a SigV4 header: another scheme (`Bearer …`) gets the "requires 'Credential'" list.
      if (algorithm === ALGORITHM) checkPairs(value, start, end);
      const eq = value.indexOf('=', start);
      if (eq >= 0 && eq < end) {
        let stop = end;
        while (stop > eq + 1 && (value.charCodeAt(stop - 1) === 32 || value.charCodeAt(stop - 1) === 9))
          stop--;
        const key = value.slice(start, eq);
        if (key === 'Credential') credential = value.slice(eq + 1, stop);
        else if (key === 'SignedHeaders') signedHeaders = value.slice(eq + 1, stop);
        else if (key === 'Signature') signature = value.slice(eq + 1, stop);
      }
      i = end + 1;
    }
  }
  let amzDate = firstHeader(req.headers[AMZ_DATE_HEADER]);
  let amzDateMs = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (amzDateMs === undefined) {
    const date = firstHeader(req.headers[DATE_HEADER]);
    amzDate = date === undefined ? undefined : httpDateToAmzDate(date);
    amzDateMs = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  }
  // AWS lists every missing part, then echoes the header (IncompleteSignature, AWS common errors).
  if (!credential || !signature || !signedHeaders || amzDateMs === undefined) {
    let missing = '';
    if (!credential) missing += "Authorization header requires 'Credential' parameter. ";
    if (!signature) missing += "Authorization header requires 'Signature' parameter. ";
    if (!signedHeaders) missing += "Authorization header requires 'SignedHeaders' parameter. ";
    if (amzDateMs === undefined) {
      missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
    }
    throw incomplete(`${missing}Authorization=${value}`);
  }
  if (algorithm !== ALGORITHM) throw incomplete(`Unsupported AWS 'algorithm': '${algorithm}'`);
  const cred = parseCredential(credential);
  const token = firstHeader(req.headers[SECURITY_TOKEN_HEADER]);
  const parsed: ParsedSigV4 = {
    accessKeyId: cred.accessKeyId,
    date: cred.date,
    region: cred.region,
    service: cred.service,
    terminator: cred.terminator,
    signedHeaders: parseSignedHeaders(signedHeaders),
    signature,
    amzDate: amzDate as string,
    amzDateMs,
    presigned: false,
  };
  if (token !== undefined) parsed.securityToken = token;
  return parsed;
}

const PRESIGN_REQUIRED = [Q_ALGORITHM, Q_CREDENTIAL, Q_SIGNATURE, Q_SIGNED_HEADERS, Q_DATE] as const;

function fromQuery(q: Map<string, string>): ParsedSigV4 {
  let missing = '';
  for (const name of PRESIGN_REQUIRED) {
    if (!q.get(name)) missing += `AWS query-string parameters must include '${name}'. `;
  }
  if (missing !== '') throw incomplete(`${missing}Re-examine the query-string parameters.`);
  const algorithm = q.get(Q_ALGORITHM) as string;
  if (algorithm !== ALGORITHM) throw incomplete(`Unsupported AWS 'algorithm': '${algorithm}'`);
  const amzDate = q.get(Q_DATE) as string;
  const amzDateMs = parseAmzDate(amzDate);
  if (amzDateMs === undefined) {
    throw incomplete(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  }
  let expiresSeconds: number | undefined;
  const expires = q.get(Q_EXPIRES);
  if (expires !== undefined) {
    expiresSeconds = /^[0-9]{1,7}$/.test(expires) ? Number(expires) : NaN;
    if (!(expiresSeconds >= 1 && expiresSeconds <= MAX_EXPIRES_SECONDS)) {
      throw incomplete(`X-Amz-Expires must be between 1 and ${MAX_EXPIRES_SECONDS} seconds`);
    }
  }
  const cred = parseCredential(q.get(Q_CREDENTIAL) as string);
  const token = q.get(Q_SECURITY_TOKEN);
  return {
    ...cred,
    signedHeaders: parseSignedHeaders(q.get(Q_SIGNED_HEADERS) as string),
    signature: q.get(Q_SIGNATURE) as string,
    amzDate,
    amzDateMs,
    ...(token !== undefined ? { securityToken: token } : {}),
    presigned: true,
    ...(expiresSeconds !== undefined ? { expiresSeconds } : {}),
  };
}

/**
 * Parse the SigV4 authentication of a request: the `Authorization` header, or else the presigned
 * query parameters (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-SignedHeaders`,
 * `X-Amz-Signature`, `X-Amz-Expires`, `X-Amz-Security-Token`). Returns undefined when the request
 * carries no SigV4 at all (the caller answers `MissingAuthenticationToken`). Throws
 * `IncompleteSignature` for a malformed authentication. Does not check time or scope
 * ({@link checkScope}) or the signature ({@link verifySigV4}).
 */
export function parseSigV4(req: SigV4Request): ParsedSigV4 | undefined {
  // Repeated Authorization headers are one header whose values are joined with `,` (RFC 9110 §5.3), as
  // AWS reads them: the second one's algorithm then fails as a token without `=` (see checkPairs).
  const raw = req.headers[AUTHORIZATION_HEADER];
  const authorization = Array.isArray(raw) ? (raw.length > 1 ? raw.join(',') : raw[0]) : raw;
  if (authorization !== undefined && authorization.trim() !== '') return fromHeader(req, authorization);
  // Only parse the query when it can hold presigning parameters (keeps the common POST path cheap).
  if (req.query.indexOf('X-Amz-') < 0) return undefined;
  const q = queryParams(req.query);
  if (!q.has(Q_ALGORITHM) && !q.has(Q_CREDENTIAL) && !q.has(Q_SIGNATURE)) return undefined;
  return fromQuery(q);
}
