/**
 * DynamoDB's account-wide listings, answered per account (issue #18). One upstream holds every
 * account's tables, so its ListTables (and ListGlobalTables, ListBackups, ListExports, ListImports,
 * ListContributorInsights) would show a caller every account's table names; iamd keeps only the entries
 * whose table the caller's account owns (src/gateway/dynamodb/tables.ts decides the owner), as
 * ListBuckets does for buckets (src/gateway/s3/list-buckets.ts).
 *
 * Paging keeps the API's semantics. Listings paged by a key (ListTables' `ExclusiveStartTableName` /
 * `LastEvaluatedTableName`, ListGlobalTables', ListBackups') page through the upstream until the
 * caller's page is full or the upstream is exhausted, and name the last entry kept as the cursor only
 * when more may follow (DynamoDB API reference, ListTables:
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTables.html — "If you do not
 * receive a LastEvaluatedTableName value in the response, this means that there are no more table
 * names to be retrieved"), so a cursor never names another account's table. Listings paged by an
 * opaque `NextToken` keep the upstream's token: a page may then hold fewer entries than asked for, which
 * those APIs allow. Pure: the upstream and the owner record come in as functions.
 */
import { tableName } from './classify.js';

type Json = Record<string, unknown>;

/** The `Limit` member of a key-paged listing (DynamoDB API reference, each operation's Request Parameters). */
interface LimitMember {
  readonly member: string;
  readonly min: number;
  readonly max?: number | undefined;
  /** The page size when the caller names none. */
  readonly default: number;
}

/** How one listing pages and names its entries' tables. */
export interface OwnedListing {
  /** The output member holding the entries. */
  readonly items: string;
  /** The table an entry belongs to (undefined: unknown, so never shown). */
  readonly tableOf: (entry: unknown) => string | undefined;
  readonly paging:
    | {
        readonly kind: 'key';
        /** The request member naming where to start (exclusive). */
        readonly start: string;
        /** The start member's constraints when it is a table name (ListTables, ListGlobalTables). */
        readonly startIsTableName: boolean;
        /** The response member naming the last entry evaluated. */
        readonly last: string;
        /** An entry's key (what `start` / `last` hold). */
        readonly keyOf: (entry: unknown) => string | undefined;
        readonly limit: LimitMember;
      }
    | { readonly kind: 'token' };
}

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
const member =
  (name: string) =>
  (entry: unknown): string | undefined =>
    str(obj(entry)?.[name]);
const tableOfArn =
  (name: string) =>
  (entry: unknown): string | undefined => {
    const arn = str(obj(entry)?.[name]);
    return arn === undefined || !arn.includes(':table/') ? undefined : tableName(arn);
  };

/** The upstream's page size for key-paged listings: the largest ListTables and ListBackups allow. */
export const UPSTREAM_PAGE = 100;

/**
 * The listings iamd answers per account, by operation (shapes from models/dynamodb.json; limits from
 * the DynamoDB API reference: ListTables Limit 1–100, ListBackups Limit 1–100, ListGlobalTables Limit
 * at least 1, defaulting to 100 where the reference says so or names no default).
 */
export const OWNED_LISTINGS: Readonly<Record<string, OwnedListing>> = {
  ListTables: {
    items: 'TableNames',
    tableOf: str,
    paging: {
      kind: 'key',
      start: 'ExclusiveStartTableName',
      startIsTableName: true,
      last: 'LastEvaluatedTableName',
      keyOf: str,
      limit: { member: 'Limit', min: 1, max: 100, default: 100 },
    },
  },
  ListGlobalTables: {
    items: 'GlobalTables',
    tableOf: member('GlobalTableName'),
    paging: {
      kind: 'key',
      start: 'ExclusiveStartGlobalTableName',
      startIsTableName: true,
      last: 'LastEvaluatedGlobalTableName',
      keyOf: member('GlobalTableName'),
      limit: { member: 'Limit', min: 1, default: 100 },
    },
  },
  ListBackups: {
    items: 'BackupSummaries',
    tableOf: (e) => member('TableName')(e) ?? tableOfArn('TableArn')(e),
    paging: {
      kind: 'key',
      start: 'ExclusiveStartBackupArn',
      startIsTableName: false,
      last: 'LastEvaluatedBackupArn',
      keyOf: member('BackupArn'),
      limit: { member: 'Limit', min: 1, max: 100, default: 100 },
    },
  },
  ListExports: { items: 'ExportSummaries', tableOf: tableOfArn('ExportArn'), paging: { kind: 'token' } },
  ListImports: { items: 'ImportSummaryList', tableOf: tableOfArn('TableArn'), paging: { kind: 'token' } },
  ListContributorInsights: {
    items: 'ContributorInsightsSummaries',
    tableOf: member('TableName'),
    paging: { kind: 'token' },
  },
};

/** A request the listing refuses, as DynamoDB words it. */
export interface ListingProblem {
  readonly code: 'ValidationException' | 'SerializationException';
  readonly message: string;
}

/** JSON 1.0's type-mismatch wording (DynamoDB's SerializationException, e.g. `STRING_VALUE cannot be converted to Integer`). */
function typeMismatch(v: unknown, type: 'Integer' | 'String'): string {
  if (Array.isArray(v)) return `Unrecognized collection type class java.lang.${type}`;
  if (typeof v === 'object') return 'Start of structure or map found where not expected';
  if (typeof v === 'boolean') return `${v ? 'TRUE' : 'FALSE'}_VALUE cannot be converted to ${type}`;
  if (typeof v === 'number')
    return `${Number.isInteger(v) ? 'NUMBER' : 'DECIMAL'}_VALUE cannot be converted to ${type}`;
  return `STRING_VALUE cannot be converted to ${type}`;
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** A validated key-paged request: where to start and how many entries to answer. */
export interface ListingPage {
  readonly start: string | undefined;
  readonly limit: number;
}

/**
 * Validates a key-paged listing's start and limit as DynamoDB does: a member of the wrong JSON type is
 * a SerializationException; out-of-range values are one ValidationException listing every violation
 * in the model's member order ("1 validation error detected: Value '0' at 'limit' failed to satisfy
 * constraint: Member must have value greater than or equal to 1", as DynamoDB answered in
 * https://github.com/boto/boto/pull/1248; constraints from the API reference, e.g. ListTables:
 * ExclusiveStartTableName length 3–255, pattern `[a-zA-Z0-9_.-]+`; Limit 1–100).
 */
export function validateListing(listing: OwnedListing, req: Json): ListingPage | ListingProblem {
  // A token-paged request goes upstream as it is, and the upstream validates it.
  if (listing.paging.kind !== 'key') return { start: undefined, limit: Number.POSITIVE_INFINITY };
  const { start: startMember, limit: lim, startIsTableName } = listing.paging;
  const rawStart = req[startMember] ?? undefined;
  const rawLimit = req[lim.member] ?? undefined;
  if (rawStart !== undefined && rawStart !== null && typeof rawStart !== 'string')
    return { code: 'SerializationException', message: typeMismatch(rawStart, 'String') };
  if (rawLimit !== undefined && rawLimit !== null && typeof rawLimit !== 'number')
    return { code: 'SerializationException', message: typeMismatch(rawLimit, 'Integer') };
  const start = typeof rawStart === 'string' ? rawStart : undefined;
  // JSON 1.0 reads a fractional number into an Integer member by truncation.
  const limit = typeof rawLimit === 'number' ? Math.trunc(rawLimit) : undefined;
  const errors: string[] = [];
  const violation = (name: string, value: string | number, constraint: string) =>
    errors.push(`Value '${value}' at '${lowerFirst(name)}' failed to satisfy constraint: ${constraint}`);
  if (start !== undefined && startIsTableName) {
    if (!/^[a-zA-Z0-9_.-]+$/.test(start))
      violation(startMember, start, 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+');
    if (start.length < 3) violation(startMember, start, 'Member must have length greater than or equal to 3');
    if (start.length > 255)
      violation(startMember, start, 'Member must have length less than or equal to 255');
  }
  if (limit !== undefined) {
    if (limit < lim.min)
      violation(lim.member, limit, `Member must have value greater than or equal to ${lim.min}`);
    if (lim.max !== undefined && limit > lim.max)
      violation(lim.member, limit, `Member must have value less than or equal to ${lim.max}`);
  }
  if (errors.length > 0)
    return {
      code: 'ValidationException',
      message: `${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: ${errors.join('; ')}`,
    };
  return { start, limit: limit ?? lim.default };
}

/** One upstream page: its parsed JSON, or whatever stops the listing (an upstream error, relayed). */
export type UpstreamPage<S> = { readonly page: Json } | { readonly stop: S };

/**
 * The caller's page of `listing`: the upstream's entries whose table `owned` says is the caller's.
 * Key-paged listings fetch upstream pages of {@link UPSTREAM_PAGE} from the caller's start until
 * `page.limit` entries are kept or the upstream is exhausted; the cursor is the last entry kept, present
 * only when another owned entry was seen or the upstream has more. Token-paged listings filter the one
 * upstream page the caller's request asks for and keep its token.
 */
export async function listOwned<S>(
  listing: OwnedListing,
  req: Json,
  page: ListingPage,
  fetchPage: (upstreamRequest: Json) => Promise<UpstreamPage<S>>,
  owned: (table: string) => Promise<boolean>,
): Promise<UpstreamPage<S>> {
  const isOwned = async (entry: unknown): Promise<boolean> => {
    const t = listing.tableOf(entry);
    return t !== undefined && (await owned(t));
  };
  const paging = listing.paging;
  if (paging.kind === 'token') {
    const r = await fetchPage(req);
    if ('stop' in r) return r;
    const entries = Array.isArray(r.page[listing.items]) ? (r.page[listing.items] as unknown[]) : [];
    const kept: unknown[] = [];
    for (const e of entries) if (await isOwned(e)) kept.push(e);
    return { page: { ...r.page, [listing.items]: kept } };
  }
  const kept: unknown[] = [];
  let start = page.start;
  let more = false;
  for (;;) {
    const upstreamRequest: Json = { ...req, [paging.limit.member]: UPSTREAM_PAGE };
    if (start === undefined) delete upstreamRequest[paging.start];
    else upstreamRequest[paging.start] = start;
    const r = await fetchPage(upstreamRequest);
    if ('stop' in r) return r;
    const entries = Array.isArray(r.page[listing.items]) ? (r.page[listing.items] as unknown[]) : [];
    let full = false;
    for (const e of entries) {
      if (!(await isOwned(e))) continue;
      if (kept.length === page.limit) {
        full = true;
        more = true;
        break;
      }
      kept.push(e);
    }
    if (full) break;
    const next = str(r.page[paging.last]);
    // An upstream whose cursor does not advance would loop forever: treat it as exhausted.
    if (next === undefined || next === start || entries.length === 0) break;
    if (kept.length === page.limit) {
      more = true;
      break;
    }
    start = next;
  }
  const out: Json = { [listing.items]: kept };
  const lastKey = more ? paging.keyOf(kept[kept.length - 1]) : undefined;
  if (lastKey !== undefined) out[paging.last] = lastKey;
  return { page: out };
}
