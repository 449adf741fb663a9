/**
 * The S3 request classifier: (method, host, path, query, headers) → the S3 operation (matched against
 * the model's routes, routes.ts), bucket and key, and what to authorize — one or more
 * (action, resource, condition keys) per the action table (actions.ts). Pure and total: any input gives
 * a result; a request that matches no operation is `unclassified` with the reason.
 */
import type { ContextValue } from '../../api/operation.js';
import { percentDecode } from '../../core/percent.js';
import { S3_ACTIONS } from './actions.js';
import { s3Address } from './address.js';
import { s3ConditionKeys, type S3AuthType } from './conditions.js';
import { S3_ROUTES, type S3Route, type S3Target } from './routes.js';

/** The parts of a request the classifier reads. */
export interface S3Request {
  readonly method: string;
  /** The `Host` header's value. */
  readonly host: string;
  /** Raw path, percent-encoded, without the query. */
  readonly path: string;
  /** Raw query string without `?`. */
  readonly query: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** One decision to ask the authorizer for. */
export interface S3Authorization {
  readonly action: string;
  /** `arn:aws:s3:::bucket`, `arn:aws:s3:::bucket/key`, or `*`. */
  readonly resource: string;
  /** The bucket whose owner and policy apply (absent for `*`). */
  readonly bucket?: string | undefined;
  readonly context: Readonly<Record<string, ContextValue>>;
}

/** A classified request. */
export interface S3Classified {
  readonly kind: 'classified';
  /** The model's operation name (`ListObjectsV2`). */
  readonly operation: string;
  readonly bucket?: string | undefined;
  readonly key?: string | undefined;
  /** Decoded query parameters (first value of each name). */
  readonly params: ReadonlyMap<string, string>;
  /** In order: every one must allow. */
  readonly authorizations: readonly S3Authorization[];
}

/** A request that is no S3 operation. */
export interface S3Unclassified {
  readonly kind: 'unclassified';
  /** One line, for the error message. */
  readonly reason: string;
}

/** What {@link classifyS3} returns. */
export type S3Classification = S3Classified | S3Unclassified;

/** Options of {@link classifyS3}. */
export interface S3ClassifyOptions {
  /** Host names that take virtual-hosted addressing (`<bucket>.<base>`). */
  readonly baseHosts: readonly string[];
  /** How the request is authenticated (`s3:authType`); undefined for anonymous. */
  readonly authType?: S3AuthType | undefined;
}

/**
 * Operations that share their wire form with a newer one and are never chosen (the newer one has the
 * same action): the legacy lifecycle and notification calls, and ListDirectoryBuckets, which directory
 * buckets' own (S3 Express) endpoints answer.
 */
const SHADOWED: ReadonlySet<string> = new Set([
  'GetBucketLifecycle',
  'PutBucketLifecycle',
  'GetBucketNotification',
  'PutBucketNotification',
  'ListDirectoryBuckets',
]);

const ROUTES = S3_ROUTES.filter((r) => !SHADOWED.has(r.op));

/** Decoded query parameters, first value of each name (a null-prototype-free Map). */
export function queryParams(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = percentDecode(eq < 0 ? part : part.slice(0, eq), true);
    if (!out.has(name)) out.set(name, eq < 0 ? '' : percentDecode(part.slice(eq + 1), true));
  }
  return out;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** How well `route` matches (-1: not at all); more specific routes score higher. */
function score(
  route: S3Route,
  method: string,
  target: S3Target,
  params: ReadonlyMap<string, string>,
  headers: S3Request['headers'],
): number {
  if (route.method !== method || route.target !== target) return -1;
  let s = 0;
  for (const m of route.markers) {
    const eq = m.indexOf('=');
    const name = eq < 0 ? m : m.slice(0, eq);
    const v = params.get(name);
    if (v === undefined || (eq >= 0 && v !== m.slice(eq + 1))) return -1;
    s += 10;
  }
  for (const q of route.query) {
    if (!params.has(q)) return -1;
    s += 2;
  }
  for (const h of route.headers) {
    if (first(headers[h]) === undefined) return -1;
    s += 1;
  }
  return s;
}

/** `x-amz-copy-source` (`/bucket/key?versionId=v`, URL-encoded) → bucket, key and version. */
export function parseCopySource(
  value: string,
): { bucket: string; key: string; versionId?: string | undefined } | undefined {
  const q = value.indexOf('?');
  const path = percentDecode(q < 0 ? value : value.slice(0, q), false);
  const rest = path.startsWith('/') ? path.slice(1) : path;
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return undefined;
  const versionId = q < 0 ? undefined : queryParams(value.slice(q + 1)).get('versionId');
  return { bucket: rest.slice(0, slash), key: rest.slice(slash + 1), versionId };
}

/** The S3 ARN of a bucket or an object. */
export function s3Arn(bucket: string, key?: string): string {
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}

const LIST_ACTIONS: ReadonlySet<string> = new Set(['s3:ListBucket', 's3:ListBucketVersions']);

/** Classifies an S3 request. Never throws. */
export function classifyS3(req: S3Request, options: S3ClassifyOptions): S3Classification {
  const method = req.method.toUpperCase();
  const params = queryParams(req.query);
  const addr = s3Address(req.host, req.path, options.baseHosts);
  let target: S3Target = addr.bucket === undefined ? 'service' : addr.key === undefined ? 'bucket' : 'object';
  // WriteGetObjectResponse is POST /WriteGetObjectResponse (no bucket: upper case is no bucket name).
  if (
    !addr.virtualHosted &&
    target === 'bucket' &&
    addr.bucket === 'WriteGetObjectResponse' &&
    first(req.headers['x-amz-request-route']) !== undefined
  )
    target = 'other';
  let best: S3Route | undefined;
  let bestScore = -1;
  for (const r of ROUTES) {
    const s = score(r, method, target, params, req.headers);
    if (s > bestScore) {
      best = r;
      bestScore = s;
    }
  }
  if (best === undefined)
    return { kind: 'unclassified', reason: `no S3 operation answers ${method} on a ${target}` };
  const spec = S3_ACTIONS[best.op];
  if (spec === undefined) return { kind: 'unclassified', reason: `S3 operation ${best.op} is not supported` };
  const bucket = target === 'other' ? undefined : addr.bucket;
  const key = target === 'other' ? undefined : addr.key;
  const versioned = params.get('versionId') !== undefined && spec.versioned !== undefined;
  const actions = versioned ? (spec.versioned as readonly string[]) : spec.actions;
  const decode = (s: string): string => percentDecode(s, true);
  const authorizations: S3Authorization[] = [];
  for (const action of actions) {
    const wildcard = spec.wildcard === true || bucket === undefined;
    authorizations.push({
      action,
      resource: wildcard ? '*' : s3Arn(bucket, key),
      bucket: wildcard ? undefined : bucket,
      context: s3ConditionKeys(req.headers, params, LIST_ACTIONS.has(action), options.authType, decode),
    });
  }
  if (spec.copySource === true) {
    const source = first(req.headers['x-amz-copy-source']);
    const parsed = source === undefined ? undefined : parseCopySource(source);
    if (parsed === undefined)
      return { kind: 'unclassified', reason: `x-amz-copy-source must name a bucket and a key` };
    const ctx = Object.create(null) as Record<string, ContextValue>;
    if (parsed.versionId !== undefined) ctx['s3:VersionId'] = parsed.versionId;
    if (options.authType !== undefined) {
      ctx['s3:authType'] = options.authType;
      ctx['s3:signatureversion'] = 'AWS4-HMAC-SHA256';
    }
    // Copying reads the source: s3:GetObject (s3:GetObjectVersion for a version) on it (S3 API reference,
    // CopyObject, Permissions: "read access to the source object and write access to the destination").
    authorizations.push({
      action: parsed.versionId !== undefined ? 's3:GetObjectVersion' : 's3:GetObject',
      resource: s3Arn(parsed.bucket, parsed.key),
      bucket: parsed.bucket,
      context: ctx,
    });
  }
  return { kind: 'classified', operation: best.op, bucket, key, params, authorizations };
}
