/**
 * S3 POST Object (browser-based uploads, https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html)
 * as the gateway runs it: which requests are one (`POST /{bucket}` path-style or `POST /` on a
 * virtual host, `Content-Type: multipart/form-data`), the object key (`${filename}` replaced by the
 * file's name), the PutObject the form stands for (its fields as PutObject's headers: the classifier
 * and condition keys of a PUT with those headers apply, and the upstream gets that PUT, re-signed),
 * and S3's answer (`success_action_redirect` → 303, `success_action_status` 200/201/204).
 *
 * Why a re-signed PutObject rather than the form itself: the form's signature is the client's and
 * names iamd's credentials, which the upstream does not hold; a PUT with a known Content-Length is
 * what every S3-compatible upstream accepts. The file is spooled to disk first (post-form.ts) so that
 * its length is known and the policy's content-length-range is checked before anything is written.
 */
import { escapeXml } from '../../protocol/xml.js';
import { uriEncode } from '../../sigv4/index.js';
import { GatewayError } from '../errors.js';
import type { S3Request } from './classify.js';
import { s3Address } from './address.js';
import { missingField } from './post-auth.js';
import { parseObjectTagging } from './existing-object-tag.js';
import type { PostPolicyError } from './post-policy.js';

/** A refusal whose S3 error document carries extra elements (ProposedSize, MaxSizeAllowed). */
export class PostObjectError extends GatewayError {
  constructor(
    code: string,
    message: string,
    status: number,
    readonly elements: readonly (readonly [string, string])[],
  ) {
    super(code, message, status);
  }
}

/** A policy check's refusal as a thrown error. */
export function postPolicyError(e: PostPolicyError): GatewayError {
  return e.elements !== undefined
    ? new PostObjectError(e.code, e.message, e.status, e.elements)
    : new GatewayError(e.code, e.message, e.status);
}

/** The extra elements a thrown error carries for its S3 error document, if any. */
export function errorElements(err: unknown): readonly (readonly [string, string])[] | undefined {
  const elements = (err as { elements?: unknown } | null)?.elements;
  return Array.isArray(elements) ? (elements as readonly (readonly [string, string])[]) : undefined;
}

/** An S3 error document with `elements` after its `<Message>` (S3 puts ProposedSize there). */
export function withElements(xml: string, elements: readonly (readonly [string, string])[]): string {
  const at = xml.indexOf('</Message>');
  if (at < 0) return xml;
  const end = at + '</Message>'.length;
  const extra = elements.map(([n, v]) => `<${n}>${escapeXml(v)}</${n}>`).join('');
  return xml.slice(0, end) + extra + xml.slice(end);
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Whether `req` is a POST Object: a multipart form posted to a bucket (not to an object, not to the service). */
export function isPostObject(req: S3Request, baseHosts: readonly string[]): boolean {
  if (req.method.toUpperCase() !== 'POST') return false;
  const type = first(req.headers['content-type']);
  if (type === undefined || !/^\s*multipart\/form-data\s*(;|$)/i.test(type)) return false;
  const addr = s3Address(req.host, req.path, baseHosts);
  return addr.bucket !== undefined && addr.bucket !== '' && addr.key === undefined;
}

/** The form's first value of `name` (case-insensitive). */
function field(fields: readonly (readonly [string, string])[], name: string): string | undefined {
  for (const [n, v] of fields) if (n.toLowerCase() === name) return v;
  return undefined;
}

/**
 * The object key: the `key` field with every `${filename}` replaced by the uploaded file's name
 * (PostObject, key: "To use the file name provided by the user, use the ${filename} variable").
 * A form without a key is S3's InvalidArgument; a key over 1,024 bytes KeyTooLongError.
 */
export function postObjectKey(fields: readonly (readonly [string, string])[], filename: string): string {
  const raw = field(fields, 'key');
  if (raw === undefined || raw === '') throw missingField('key');
  const key = raw.replaceAll('${filename}', filename);
  if (key === '') throw missingField('key');
  // Keys are at most 1,024 bytes of UTF-8 (S3 User Guide, "Naming Amazon S3 objects"; ErrorResponses.html, KeyTooLongError).
  if (Buffer.byteLength(key) > 1024) throw new GatewayError('KeyTooLongError', 'Your key is too long', 400);
  return key;
}

/** Form fields that are PutObject headers of the same name (PostObject, Request form fields). */
const HEADER_FIELDS: ReadonlySet<string> = new Set([
  'cache-control',
  'content-type',
  'content-disposition',
  'content-encoding',
  'content-md5',
  'expires',
]);

/** `x-amz-*` fields that authenticate the form, never headers of the object. */
const AUTH_FIELDS: ReadonlySet<string> = new Set([
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-signature',
  'x-amz-security-token',
]);

/** Header values are visible ASCII, spaces and tabs (RFC 9110 field-value; anything else would not reach the upstream intact). */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

/** MalformedXML, as S3 answers a tag set it cannot read. */
function malformedXml(): GatewayError {
  return new GatewayError(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
    400,
  );
}

/**
 * The PutObject headers the form stands for: `Cache-Control`, `Content-Type`, `Content-Disposition`,
 * `Content-Encoding`, `Content-MD5`, `Expires`, every `x-amz-*` field but the authentication ones
 * (`x-amz-meta-*`, `x-amz-storage-class`, `x-amz-server-side-encryption*`, `x-amz-checksum-*`, …),
 * `acl` as `x-amz-acl`, and `tagging` — a `<Tagging><TagSet>…` document in a form — as `x-amz-tagging`'s
 * URL-encoded `k=v&…` (PutObject's form of the same tag set). Names lower-case, first value of each.
 */
export function postObjectHeaders(fields: readonly (readonly [string, string])[]): Record<string, string> {
  const headers = Object.create(null) as Record<string, string>;
  for (const [name, value] of fields) {
    const n = name.toLowerCase();
    let header: string | undefined;
    let v = value;
    if (HEADER_FIELDS.has(n) || (n.startsWith('x-amz-') && !AUTH_FIELDS.has(n))) header = n;
    else if (n === 'acl') header = 'x-amz-acl';
    else if (n === 'tagging') {
      const tags = parseObjectTagging(value.trim());
      if (tags === undefined) throw malformedXml();
      header = 'x-amz-tagging';
      v = [...tags].map(([k, t]) => `${encodeURIComponent(k)}=${encodeURIComponent(t)}`).join('&');
    }
    if (header === undefined || header in headers) continue;
    if (!HEADER_VALUE.test(v))
      throw new GatewayError(
        'InvalidArgument',
        `the value of form field \`${name}\` is not a valid header value`,
        400,
      );
    headers[header] = v;
  }
  return headers;
}

/** The PutObject request the form stands for, as the classifier reads it (path-style). */
export function postPutRequest(bucket: string, key: string, headers: Record<string, string>): S3Request {
  return {
    method: 'PUT',
    host: '',
    path: `/${uriEncode(bucket)}/${uriEncode(key, true)}`,
    query: '',
    headers,
  };
}

/** S3's answer to a POST that stored the object. */
export interface PostAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers: Record<string, string>;
}

/**
 * The answer for a stored object (PostObject, success_action_redirect / success_action_status):
 * a valid `success_action_redirect` (or the older `redirect`) URL → 303 to it with `bucket`, `key`
 * and `etag` appended to its query; else `success_action_status` 200 or 201 (a `PostResponse` document
 * with Location, Bucket, Key and ETag), and 204 (no body) otherwise. `objectUrl` is the object's URL
 * (the `Location` of 200/201/204); `etag` is the upstream's, quoted.
 */
export function postAnswer(
  fields: readonly (readonly [string, string])[],
  bucket: string,
  key: string,
  etag: string | undefined,
  objectUrl: string,
): PostAnswer {
  const headers = Object.create(null) as Record<string, string>;
  if (etag !== undefined) headers['etag'] = etag;
  const redirect = field(fields, 'success_action_redirect') ?? field(fields, 'redirect');
  if (redirect !== undefined && URL.canParse(redirect)) {
    const url = new URL(redirect);
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      url.searchParams.append('bucket', bucket);
      url.searchParams.append('key', key);
      url.searchParams.append('etag', etag ?? '');
      headers['location'] = url.toString();
      return { status: 303, contentType: 'text/plain', body: '', headers };
    }
  }
  headers['location'] = objectUrl;
  const status = field(fields, 'success_action_status');
  if (status === '201') {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<PostResponse><Location>${escapeXml(objectUrl)}</Location><Bucket>${escapeXml(bucket)}</Bucket>` +
      `<Key>${escapeXml(key)}</Key><ETag>${escapeXml(etag ?? '')}</ETag></PostResponse>`;
    return { status: 201, contentType: 'application/xml', body, headers };
  }
  return { status: status === '200' ? 200 : 204, contentType: 'text/plain', body: '', headers };
}

/** The object's URL as the client addressed the bucket (path-style or virtual-hosted). */
export function postObjectUrl(
  secure: boolean,
  host: string,
  bucket: string,
  key: string,
  virtualHosted: boolean,
): string {
  const path = virtualHosted ? `/${uriEncode(key, true)}` : `/${uriEncode(bucket)}/${uriEncode(key, true)}`;
  return `${secure ? 'https' : 'http'}://${host}${path}`;
}
