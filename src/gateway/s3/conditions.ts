/**
 * S3's service-specific condition keys of a request (Service Authorization Reference, Amazon S3,
 * "Condition keys", https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-policy-keys;
 * S3 User Guide, "Policy condition keys for Amazon S3"). Pure: values come from the request only.
 * `s3:ExistingObjectTag/<key>` needs the stored object's tags: the entry point adds it when a decision
 * looks it up (existing-object-tag.ts).
 */
import type { ContextValue } from '../../api/operation.js';

/** Headers whose value is a condition key of the same name (`s3:<header>`). */
const HEADER_KEYS: readonly string[] = [
  'x-amz-acl',
  'x-amz-content-sha256',
  'x-amz-copy-source',
  'x-amz-grant-full-control',
  'x-amz-grant-read',
  'x-amz-grant-read-acp',
  'x-amz-grant-write',
  'x-amz-grant-write-acp',
  'x-amz-metadata-directive',
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-server-side-encryption-customer-algorithm',
  'x-amz-storage-class',
  'x-amz-website-redirect-location',
  'x-amz-object-ownership',
  'x-amz-object-lock-mode',
  'x-amz-object-lock-retain-until-date',
  'x-amz-object-lock-legal-hold',
];

/** List actions' query parameters that are condition keys (`s3:prefix`, `s3:delimiter`, `s3:max-keys`). */
const LIST_KEYS: readonly string[] = ['prefix', 'delimiter', 'max-keys'];

/** The first value of a header. */
function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** How the request was authenticated, as `s3:authType` names it. */
export type S3AuthType = 'REST-HEADER' | 'REST-QUERY-STRING' | 'POST';

/**
 * `x-amz-tagging` (`k1=v1&k2=v2`, URL-encoded) → its tags; undefined when malformed (a key given twice).
 */
export function parseTagging(value: string, decode: (s: string) => string): Map<string, string> | undefined {
  const tags = new Map<string, string>();
  for (const part of value.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decode(eq < 0 ? part : part.slice(0, eq));
    if (tags.has(k)) return undefined;
    tags.set(k, eq < 0 ? '' : decode(part.slice(eq + 1)));
  }
  return tags;
}

/**
 * The condition keys of an S3 request: header keys, `s3:RequestObjectTag/<k>` and
 * `s3:RequestObjectTagKeys` from `x-amz-tagging`, the list keys for list actions, `s3:VersionId`,
 * `s3:authType` and `s3:signatureversion`.
 */
export function s3ConditionKeys(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  query: ReadonlyMap<string, string>,
  listAction: boolean,
  authType: S3AuthType | undefined,
  decode: (s: string) => string,
): Record<string, ContextValue> {
  const c = Object.create(null) as Record<string, ContextValue>;
  for (const h of HEADER_KEYS) {
    const v = first(headers[h]);
    if (v !== undefined) c[`s3:${h}`] = v.trim();
  }
  const tagging = first(headers['x-amz-tagging']);
  if (tagging !== undefined) {
    const tags = parseTagging(tagging, decode);
    if (tags !== undefined) {
      for (const [k, v] of tags) c[`s3:RequestObjectTag/${k}`] = v;
      c['s3:RequestObjectTagKeys'] = [...tags.keys()];
    }
  }
  if (listAction) {
    for (const k of LIST_KEYS) {
      const v = query.get(k);
      if (v === undefined) continue;
      // s3:max-keys is compared with numeric operators (S3 User Guide, "Limiting the number of keys").
      c[`s3:${k}`] = k === 'max-keys' && /^[0-9]{1,9}$/.test(v) ? Number(v) : v;
    }
  }
  const versionId = query.get('versionId');
  if (versionId !== undefined) c['s3:VersionId'] = versionId;
  if (authType !== undefined) {
    c['s3:authType'] = authType;
    c['s3:signatureversion'] = 'AWS4-HMAC-SHA256';
  }
  return c;
}
