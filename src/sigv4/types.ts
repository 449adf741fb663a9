/**
 * Hashing primitives the shell injects, so sigv4/ stays free of Node built-ins (STYLE.md section 1;
 * smithy's signer takes its `sha256` the same way).
 */
export interface SigV4Crypto {
  /** Lower-case hex SHA-256 of `data` (strings are hashed as UTF-8). */
  sha256Hex(data: string | Uint8Array): string;
  /** HMAC-SHA256 of the UTF-8 `data` under `key`. */
  hmac(key: Uint8Array, data: string): Uint8Array;
}

/** The parts of an HTTP request that SigV4 covers, as the shell received them. */
export interface SigV4Request {
  /** HTTP method, upper-case (`GET`, `POST`). */
  method: string;
  /** Raw path as on the wire (still percent-encoded), without the query string. */
  path: string;
  /** Raw query string without the leading `?` (empty when none). */
  query: string;
  /**
   * Headers with lower-case names, as Node gives them. Pass `req.headersDistinct` (or arrays) to keep
   * repeated headers apart: SigV4 joins repeats with `,` whereas Node's `req.headers` joins with `, `.
   */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Request body exactly as received (its SHA-256 is part of the canonical request). */
  body: string | Uint8Array;
}

/** A syntactically valid SigV4 authentication, header- or query-style. */
export interface ParsedSigV4 {
  /** Access key id from the credential scope. */
  accessKeyId: string;
  /** Scope date, `yyyymmdd`. */
  date: string;
  /** Scope region. */
  region: string;
  /** Scope service (`iam`, `sts`). */
  service: string;
  /** Scope terminator as sent; {@link checkScope} requires `aws4_request`. */
  terminator: string;
  /** Signed header names in the order the client listed them. */
  signedHeaders: string[];
  /** Signature as sent (hex). */
  signature: string;
  /** Signing time, ISO-8601 basic format `yyyymmddThhmmssZ`. */
  amzDate: string;
  /** Signing time in epoch milliseconds (parsed from {@link amzDate}). */
  amzDateMs: number;
  /** Session token from `X-Amz-Security-Token` (header or query), when present. */
  securityToken?: string;
  /** True for presigned (query-string) authentication. */
  presigned: boolean;
  /** `X-Amz-Expires` of a presigned request, in seconds. */
  expiresSeconds?: number;
}
