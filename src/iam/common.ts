/**
 * Helpers shared by the IAM handlers: ARNs, pagination, tags, time. Facts cited inline.
 */
import { AwsError, errors } from '../errors/index.js';
import type { CallContext, ContextValue, Services } from '../api/operation.js';
import type { TagBody } from '../domain/entities.js';
import type { Entity, EntityKind, StoreTx } from '../store/index.js';
import { iamArn } from '../domain/names.js';
import { emptyBag } from '../core/bag.js';

/** The account an IAM call acts on: the caller's. */
export function callerAccount(ctx: CallContext): string {
  if (ctx.principal.type === 'Anonymous')
    throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
  return ctx.principal.account;
}

/**
 * The `Status` of UpdateAccessKey, UpdateSigningCertificate and UpdateSSHPublicKey: Active or Inactive.
 * The model's `statusType` also lists `Expired`, which only AWS sets (service-specific credentials), so
 * a caller giving it gets InvalidInput.
 */
export function settableStatus(status: string): 'Active' | 'Inactive' {
  if (status !== 'Active' && status !== 'Inactive')
    throw errors.invalidInput(`Invalid status ${status}. Valid values are Active and Inactive.`);
  return status;
}

/** Rewrites credential `e` with `status` in `tx`; nothing is written when it has that status already. */
export async function writeStatus<S extends string>(
  tx: StoreTx,
  e: Entity<{ readonly status: S }>,
  status: S,
): Promise<void> {
  if (e.body.status !== status)
    await tx.update(e.account, e.kind, e.key, { ...e.body, status }, { expectedVersion: e.version });
}

/** ISO-8601 with seconds (`2026-02-09T21:40:18Z`), as IAM renders dates. */
export function isoDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The part of {@link Services} that issues and opens list markers. */
export type MarkerCodec = Pick<Services, 'issueMarker' | 'openMarker'>;

/**
 * Pagination as IAM does it: `MaxItems` (1–1000, default 100) and an opaque `Marker`. The marker
 * carries the last returned sort key, so it survives concurrent inserts, authenticated under the master
 * key: a marker iamd did not issue (`100`, `invalid-marker-value`, an altered one) is 400 ValidationError
 * "Invalid Marker." as on AWS (aws-errors.md: ListVirtualMFADevices `list-invalid-marker-error`).
 */
export function paginate<T>(
  items: readonly T[],
  sortKey: (item: T) => string,
  input: { readonly Marker?: unknown; readonly MaxItems?: unknown },
  markers: MarkerCodec,
): { page: T[]; IsTruncated: boolean; Marker?: string } {
  const max = typeof input.MaxItems === 'number' ? input.MaxItems : 100;
  let start = 0;
  if (typeof input.Marker === 'string') {
    const after = markers.openMarker(input.Marker);
    if (after === undefined) throw new AwsError('ValidationError', 'Invalid Marker.');
    start = items.findIndex((i) => sortKey(i) > after);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + max);
  const truncated = start + max < items.length;
  const last = page[page.length - 1];
  return truncated && last !== undefined
    ? { page, IsTruncated: true, Marker: markers.issueMarker(sortKey(last)) }
    : { page, IsTruncated: false };
}

/** Keeps entities whose path starts with `PathPrefix` (default `/`). */
export function matchesPathPrefix(path: string, prefix: unknown): boolean {
  return typeof prefix !== 'string' || path.startsWith(prefix);
}

/** Wire tags from input (`Tags` member list of {Key, Value}). */
export function inputTags(value: unknown): TagBody[] {
  if (!Array.isArray(value)) return [];
  return value.map((t: { Key?: unknown; Value?: unknown }) => ({
    Key: String(t.Key ?? ''),
    Value: String(t.Value ?? ''),
  }));
}

/** At most 50 tags per IAM resource (IAM quotas page). */
export const MAX_TAGS = 50;

/**
 * Merges `added` into `existing` (same key replaces value, keys compared case-sensitively as IAM
 * does on TagX calls) and enforces the 50-tag quota with AWS's message.
 */
export function mergeTags(existing: readonly TagBody[], added: readonly TagBody[]): TagBody[] {
  const seen = new Set<string>();
  for (const t of added) {
    if (seen.has(t.Key))
      throw errors.invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(t.Key);
  }
  return replaceOrAppendTags(existing, added, (k) => k.toLowerCase());
}

/**
 * The tag list after a Tag call: a tag whose key is already there (compared through `keyOf`) takes
 * its place with the new key and value; only new keys are appended, in call order, as AWS does
 * (recorded TagRole/TagPolicy responses, issue #21). The 50-tag quota holds.
 */
export function replaceOrAppendTags(
  existing: readonly TagBody[],
  added: readonly TagBody[],
  keyOf: (key: string) => string,
): TagBody[] {
  const out = [...existing];
  const at = new Map<string, number>();
  out.forEach((t, i) => at.set(keyOf(t.Key), i));
  for (const t of added) {
    const i = at.get(keyOf(t.Key));
    if (i === undefined) {
      at.set(keyOf(t.Key), out.length);
      out.push(t);
    } else out[i] = t;
  }
  if (out.length > MAX_TAGS) throw errors.limitExceeded('The number of tags has reached the maximum limit.');
  return out;
}

/** `aws:RequestTag/k` and `aws:TagKeys` for an authorization request that carries tags. */
export function requestTagContext(tags: readonly TagBody[]): Record<string, ContextValue> {
  const ctx: Record<string, ContextValue> = emptyBag<ContextValue>();
  if (tags.length === 0) return ctx;
  for (const t of tags) ctx[`aws:RequestTag/${t.Key}`] = t.Value;
  ctx['aws:TagKeys'] = tags.map((t) => t.Key);
  return ctx;
}

/** `aws:ResourceTag/k` for an authorization request on a tagged resource. */
export function resourceTagContext(tags: readonly TagBody[]): Record<string, ContextValue> {
  const ctx: Record<string, ContextValue> = emptyBag<ContextValue>();
  for (const t of tags) ctx[`aws:ResourceTag/${t.Key}`] = t.Value;
  return ctx;
}

/**
 * The shared shape of ListUsers, ListGroups, ListRoles and ListInstanceProfiles: IAM authorizes the
 * call on the path being listed — `arn:aws:iam::ACCOUNT:TYPE` plus `PathPrefix` (default `/`), the
 * resource real AccessDenied texts name, e.g. "… iam:ListRoles on resource: arn:aws:iam::123456789012:role/
 * because no identity-based policy allows …" — then lists the entities under that path in name order,
 * one page at a time.
 */
export async function listOnPath<T extends { readonly path: string }>(
  ctx: CallContext,
  input: {
    readonly PathPrefix?: string | undefined;
    readonly Marker?: string | undefined;
    readonly MaxItems?: number | undefined;
  },
  list: { readonly action: string; readonly kind: EntityKind; readonly arnType: string },
): Promise<{ page: Entity<T>[]; IsTruncated: boolean; Marker?: string }> {
  const account = callerAccount(ctx);
  const prefix = input.PathPrefix ?? '/';
  await ctx.authorize({ action: list.action, resource: iamArn(account, list.arnType, prefix, '') });
  const all = (await ctx.store.list<T>(account, list.kind)).filter((e) =>
    matchesPathPrefix(e.body.path, input.PathPrefix),
  );
  return paginate(all, (e) => e.key, input, ctx.services);
}
