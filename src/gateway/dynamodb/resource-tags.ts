/**
 * `aws:ResourceTag/<key>` for DynamoDB: the condition key of the `table`, `index` and `stream` resource
 * types (Service Authorization Reference for DynamoDB,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html), whose
 * value is the resource's tag ("Using attribute-based access control with DynamoDB",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/attribute-based-access-control.html).
 * Tags are set on tables and streams only (TagResource takes a table or stream ARN); an index is
 * authorized with its table's tags, and a stream with its own ("Stream resources do not inherit tags
 * from their parent table", "Using attribute-based access control with DynamoDB Streams",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/abac-streams.html).
 *
 * The tags are the upstream's (ListTagsOfResource): this module says which resource's tags a request
 * needs, names the upstream's ARN for it, and reads the upstream's answers strictly; the entry point
 * sends the requests, and only when a decision looked the key up (src/authz: `absentKeys`). Pure;
 * never throws.
 */
import type { ContextValue } from '../../api/operation.js';

/** The condition key's prefix, as policies write it. */
export const RESOURCE_TAG_PREFIX = 'aws:ResourceTag/';

/** The prefix lower-cased, as the engine records keys. */
const PREFIX_LOWER = RESOURCE_TAG_PREFIX.toLowerCase();

/** Whether a decision looked up some `aws:ResourceTag/<key>` the request context lacked. */
export function consultedResourceTag(absentKeys: readonly string[] | undefined): boolean {
  return absentKeys !== undefined && absentKeys.some((k) => k.startsWith(PREFIX_LOWER));
}

/** Whose tags a resource is authorized with: its table's, or (`stream` set) that stream's own. */
export interface TagSubject {
  readonly table: string;
  /** The stream label (`2024-01-01T00:00:00.000`) of a stream ARN. */
  readonly stream?: string | undefined;
}

/**
 * The tags an authorized resource carries: a table ARN (`arn:aws:dynamodb:R:A:table/T`) its own, an
 * index ARN (`…/table/T/index/I`) its table's, a stream ARN (`…/table/T/stream/L`) the stream's.
 * Undefined for every other resource (`*`, backups, exports, imports, global tables: no such key).
 */
export function tagSubject(resource: string): TagSubject | undefined {
  const parts = resource.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== 'dynamodb') return undefined;
  const path = parts.slice(5).join(':').split('/');
  if (path[0] !== 'table' || path[1] === undefined || path[1] === '') return undefined;
  const table = path[1];
  if (path.length === 2) return { table };
  if (path.length === 4 && path[2] === 'index' && path[3] !== '') return { table };
  if (path.length === 4 && path[2] === 'stream' && path[3] !== '') return { table, stream: path[3] };
  return undefined;
}

/** The ARN whose tags the upstream is asked for: its own table ARN, or that table's stream. */
export function upstreamTagArn(upstreamTableArn: string, subject: TagSubject): string {
  return subject.stream === undefined ? upstreamTableArn : `${upstreamTableArn}/stream/${subject.stream}`;
}

function record(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The table's ARN as the upstream knows it, from its DescribeTable answer (`Table.TableArn`): the upstream
 * holds its own account's view (dynalite: account 000000000000), so tables are named to it by its ARN,
 * not the caller's. Undefined for any other document.
 */
export function describedTableArn(text: string): string | undefined {
  const table = record(text)?.['Table'];
  if (typeof table !== 'object' || table === null || Array.isArray(table)) return undefined;
  const arn = (table as Record<string, unknown>)['TableArn'];
  if (typeof arn !== 'string') return undefined;
  // A table's ARN: `…:table/T`, no index or stream part.
  const subject = tagSubject(arn);
  return subject !== undefined && subject.stream === undefined && arn.endsWith(`:table/${subject.table}`)
    ? arn
    : undefined;
}

/** Whether an upstream error document is DynamoDB's ResourceNotFoundException (no such table or stream). */
export function isResourceNotFound(text: string): boolean {
  const type = record(text)?.['__type'];
  return (
    typeof type === 'string' &&
    (type === 'ResourceNotFoundException' || type.endsWith('#ResourceNotFoundException'))
  );
}

/** One ListTagsOfResource page. */
export interface TagPage {
  readonly tags: ReadonlyArray<readonly [string, string]>;
  readonly nextToken?: string | undefined;
}

/**
 * A ListTagsOfResource answer (`{"Tags": [{"Key": k, "Value": v}, …], "NextToken": t}`, DynamoDB API
 * reference, ListTagsOfResource, Response Syntax) → its tags and token. Undefined when the document is
 * not that (not JSON, a tag without a string key or value, a key twice, a token that is not a
 * non-empty string), so that the caller refuses to decide rather than guess.
 */
export function parseTagPage(text: string): TagPage | undefined {
  const doc = record(text);
  if (doc === undefined) return undefined;
  const list = doc['Tags'] ?? [];
  if (!Array.isArray(list)) return undefined;
  const tags: [string, string][] = [];
  const seen = new Set<string>();
  for (const t of list) {
    if (typeof t !== 'object' || t === null || Array.isArray(t)) return undefined;
    const { Key: key, Value: value } = t as Record<string, unknown>;
    if (typeof key !== 'string' || typeof value !== 'string' || seen.has(key)) return undefined;
    seen.add(key);
    tags.push([key, value]);
  }
  const token = doc['NextToken'];
  if (token !== undefined && token !== null && (typeof token !== 'string' || token === '')) return undefined;
  return typeof token === 'string' ? { tags, nextToken: token } : { tags };
}

/** The condition keys of a resource's tags: `aws:ResourceTag/<k>` = value, for each tag. */
export function resourceTagContext(tags: ReadonlyMap<string, string>): Record<string, ContextValue> {
  const c = Object.create(null) as Record<string, ContextValue>;
  for (const [k, v] of tags) c[`${RESOURCE_TAG_PREFIX}${k}`] = v;
  return c;
}
