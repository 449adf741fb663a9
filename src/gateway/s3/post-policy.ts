/**
 * S3 POST policies (browser-based uploads, SigV4), pure: the `policy` form field (base64 JSON) decoded
 * and checked against the form's fields, the request's bucket and the upload's size, with S3's codes
 * and texts. Never throws: every outcome is a value ({@link PostPolicyError} for a refusal).
 *
 * Sources:
 * - "POST Policy", https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html:
 *   `expiration` (ISO 8601, GMT) and `conditions`; exact matches (`{"field": "v"}` or
 *   `["eq", "$field", "v"]`), `["starts-with", "$field", "prefix"]` (an empty prefix matches anything),
 *   `["content-length-range", min, max]`; "each form field that you specify in a form (except
 *   x-amz-signature, file, policy, and field names that have an x-ignore- prefix) must appear in the
 *   list of conditions".
 * - "Browser-Based Uploads Using POST (AWS Signature Version 4)",
 *   https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-UsingHTTPPOST.html.
 * - S3's answers as S3 words them (recorded answers quoted in public reports): AccessDenied "Invalid
 *   according to Policy: Policy expired.", "… Policy Condition failed: ["eq", "$key", "a"]", "… Extra
 *   input fields: x-amz-meta-foo"; InvalidPolicyDocument "Invalid Policy: Invalid JSON." and "Invalid
 *   Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.";
 *   EntityTooSmall / EntityTooLarge with ProposedSize and Min/MaxSizeAllowed. The texts for other
 *   malformed policies (a missing or unreadable `expiration`, an unknown operation) follow the same
 *   `Invalid Policy: …` form.
 */

/** One condition of a POST policy. `field` is the form field's name, lower-case (fields match case-insensitively). */
export type PostCondition =
  | {
      readonly kind: 'eq' | 'starts-with';
      readonly field: string;
      /** The field as the policy wrote it (`$Content-Type`), for S3's message. */
      readonly written: string;
      readonly value: string;
    }
  | { readonly kind: 'content-length-range'; readonly min: number; readonly max: number };

/** A decoded POST policy. */
export interface PostPolicy {
  readonly expirationMs: number;
  readonly conditions: readonly PostCondition[];
}

/** A refusal: S3's code, HTTP status and message, and the extra elements of its error document. */
export interface PostPolicyError {
  readonly code: string;
  readonly status: number;
  readonly message: string;
  readonly elements?: readonly (readonly [string, string])[] | undefined;
}

/** Fields that no condition has to name (POST Policy, Conditions). */
const UNCONDITIONED: ReadonlySet<string> = new Set(['x-amz-signature', 'file', 'policy']);

/** The prefix of fields S3 ignores (POST Policy: "field names that have an x-ignore- prefix"). */
const IGNORED_PREFIX = 'x-ignore-';

/** Largest object a POST uploads: 5 GB (S3 API reference, PostObject: "maximum allowed object size"). */
export const MAX_POST_OBJECT_SIZE = 5 * 1024 * 1024 * 1024;

function invalidPolicy(detail: string): PostPolicyError {
  return { code: 'InvalidPolicyDocument', status: 400, message: `Invalid Policy: ${detail}` };
}

function denied(detail: string): PostPolicyError {
  return { code: 'AccessDenied', status: 403, message: `Invalid according to Policy: ${detail}` };
}

const INVALID_JSON = 'Invalid JSON.';

/** ISO 8601 as POST policies write `expiration` (`2007-12-01T12:00:00.000Z`; seconds and fraction optional). */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/;

/** `expiration` → epoch milliseconds; undefined when it is no ISO 8601 date-time. */
export function parseExpiration(text: string): number | undefined {
  const m = ISO_8601.exec(text);
  if (m === null) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The `policy` form field → the policy, or S3's InvalidPolicyDocument. Base64 (standard alphabet,
 * whitespace tolerated as decoders do) of a UTF-8 JSON object with `expiration` and `conditions`.
 */
export function parsePostPolicy(encoded: string): { policy: PostPolicy } | { error: PostPolicyError } {
  const compact = encoded.replace(/\s+/g, '');
  if (compact.length % 4 === 1 || !BASE64.test(compact)) return { error: invalidPolicy(INVALID_JSON) };
  const bytes = Buffer.from(compact, 'base64');
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { error: invalidPolicy(INVALID_JSON) };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    return { error: invalidPolicy(INVALID_JSON) };
  const root = doc as Record<string, unknown>;
  const expiration = root['expiration'];
  if (expiration === undefined) return { error: invalidPolicy('Policy missing expiration.') };
  const expirationMs = typeof expiration === 'string' ? parseExpiration(expiration) : undefined;
  if (expirationMs === undefined)
    return { error: invalidPolicy(`Invalid 'expiration' value: '${String(JSON.stringify(expiration))}'`) };
  const list = root['conditions'];
  if (list === undefined) return { error: invalidPolicy('Policy missing conditions.') };
  if (!Array.isArray(list)) return { error: invalidPolicy("Invalid 'conditions' value: must be a list.") };
  const conditions: PostCondition[] = [];
  for (const item of list as unknown[]) {
    const c = parseCondition(item);
    if ('error' in c) return c;
    conditions.push(c.condition);
  }
  return { policy: { expirationMs, conditions } };
}

/** A field reference (`$key`) → the field's name, lower-case; undefined when it is no reference. */
function fieldOf(ref: unknown): string | undefined {
  if (typeof ref !== 'string' || !ref.startsWith('$') || ref.length < 2) return undefined;
  return ref.slice(1).toLowerCase();
}

function parseCondition(item: unknown): { condition: PostCondition } | { error: PostPolicyError } {
  if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
    const entries = Object.entries(item as Record<string, unknown>);
    if (entries.length !== 1)
      return {
        error: invalidPolicy(
          'Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.',
        ),
      };
    const [name, value] = entries[0]!;
    if (typeof value !== 'string')
      return { error: invalidPolicy(`Invalid Simple-Condition: value of '${name}' must be a string.`) };
    return { condition: { kind: 'eq', field: name.toLowerCase(), written: `$${name}`, value } };
  }
  if (!Array.isArray(item) || item.length === 0) return { error: invalidPolicy(INVALID_JSON) };
  const op = item[0];
  const opName = typeof op === 'string' ? op.toLowerCase() : undefined;
  if (opName === 'content-length-range') {
    const [, min, max] = item as unknown[];
    // A range's bounds are whole numbers (S3 refuses `512.0` as "Invalid JSON.").
    if (item.length !== 3 || !isByteCount(min) || !isByteCount(max))
      return { error: invalidPolicy(INVALID_JSON) };
    return { condition: { kind: 'content-length-range', min, max } };
  }
  if (opName === 'eq' || opName === 'starts-with') {
    const [, ref, value] = item as unknown[];
    const field = fieldOf(ref);
    if (item.length !== 3 || field === undefined || typeof value !== 'string')
      return {
        error: invalidPolicy(
          `Invalid Condition: '${opName}' takes a field reference ('$name') and a string value.`,
        ),
      };
    return { condition: { kind: opName, field, written: ref as string, value } };
  }
  return { error: invalidPolicy(`Invalid Condition: unknown operation ${String(JSON.stringify(op))}.`) };
}

function isByteCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** What a policy is checked against. */
export interface PostPolicyRequest {
  /** The form's fields before the file, names as sent, in order (the `file` part excluded). */
  readonly fields: readonly (readonly [string, string])[];
  /** The bucket the request addresses (the `bucket` condition is checked against it). */
  readonly bucket: string;
  /** Now, epoch milliseconds; undefined: the expiration is not checked (the `off` level). */
  readonly nowMs: number | undefined;
}

/** The form's value of `field` (lower-case): the first field of that name, case-insensitively. */
export function formValue(fields: PostPolicyRequest['fields'], field: string): string | undefined {
  for (const [name, value] of fields) if (name.toLowerCase() === field) return value;
  return undefined;
}

/** S3's rendering of a failed condition: `["eq", "$key", "a"]`. */
function render(c: Extract<PostCondition, { kind: 'eq' | 'starts-with' }>): string {
  return `[${JSON.stringify(c.kind)}, ${JSON.stringify(c.written)}, ${JSON.stringify(c.value)}]`;
}

/**
 * Checks `policy` against the request: expiration, then every condition in order (a field the form
 * lacks is the empty string, so `["starts-with", "$f", ""]` holds without it; `bucket` is the
 * request's), then that every field is named by a condition. Size ranges are {@link checkPostSize}'s.
 * Undefined when the request is within the policy.
 */
export function checkPostPolicy(policy: PostPolicy, req: PostPolicyRequest): PostPolicyError | undefined {
  if (req.nowMs !== undefined && req.nowMs > policy.expirationMs) return denied('Policy expired.');
  const named = new Set<string>();
  for (const c of policy.conditions) {
    if (c.kind === 'content-length-range') continue;
    named.add(c.field);
    const actual = c.field === 'bucket' ? req.bucket : (formValue(req.fields, c.field) ?? '');
    const holds = c.kind === 'eq' ? actual === c.value : actual.startsWith(c.value);
    if (!holds) return denied(`Policy Condition failed: ${render(c)}`);
  }
  const extra: string[] = [];
  for (const [name] of req.fields) {
    const lower = name.toLowerCase();
    if (UNCONDITIONED.has(lower) || lower.startsWith(IGNORED_PREFIX) || named.has(lower)) continue;
    if (!extra.includes(lower)) extra.push(lower);
  }
  if (extra.length > 0) return denied(`Extra input fields: ${extra.join(', ')}`);
  return undefined;
}

/** The largest upload `policy` allows (its tightest `content-length-range`, at most 5 GB). */
export function maxPostSize(policy: PostPolicy | undefined): number {
  let max = MAX_POST_OBJECT_SIZE;
  for (const c of policy?.conditions ?? []) if (c.kind === 'content-length-range' && c.max < max) max = c.max;
  return max;
}

/** EntityTooLarge as S3 answers a POST over its limit. */
export function entityTooLarge(size: number, max: number): PostPolicyError {
  return {
    code: 'EntityTooLarge',
    status: 400,
    message: 'Your proposed upload exceeds the maximum allowed size',
    elements: [
      ['ProposedSize', String(size)],
      ['MaxSizeAllowed', String(max)],
    ],
  };
}

/**
 * Checks the upload's size against every `content-length-range` of `policy` (bounds inclusive) and
 * S3's 5 GB; undefined when it is within them.
 */
export function checkPostSize(policy: PostPolicy | undefined, size: number): PostPolicyError | undefined {
  if (size > MAX_POST_OBJECT_SIZE) return entityTooLarge(size, MAX_POST_OBJECT_SIZE);
  for (const c of policy?.conditions ?? []) {
    if (c.kind !== 'content-length-range') continue;
    if (size > c.max) return entityTooLarge(size, c.max);
    if (size < c.min)
      return {
        code: 'EntityTooSmall',
        status: 400,
        message: 'Your proposed upload is smaller than the minimum allowed size',
        elements: [
          ['ProposedSize', String(size)],
          ['MinSizeAllowed', String(c.min)],
        ],
      };
  }
  return undefined;
}
