/**
 * What iamd keeps about buckets (issue #18): which account owns each bucket — the account that created
 * it through iamd, else the default (first) account — and its bucket policy. Kept as store meta values
 * (`s3:bucket:<name>`; every adapter has them), so every node over a shared PostgreSQL sees them; an
 * account's bucket list (`s3:buckets:<account>`) filters ListBuckets.
 */
import type { StoreReader, StoreTx } from '../../store/index.js';

/** What iamd knows of one bucket. */
export interface BucketRecord {
  readonly account: string;
  /** The bucket policy (JSON text), when one is set. */
  readonly policy?: string | undefined;
}

const BUCKET = 's3:bucket:';
const ACCOUNT_BUCKETS = 's3:buckets:';

/** The record of `bucket` (undefined: never created or seen through iamd). */
export async function getBucket(store: StoreReader, bucket: string): Promise<BucketRecord | undefined> {
  const raw = await store.getMeta(BUCKET + bucket);
  if (raw === undefined || raw === '') return undefined;
  try {
    const v = JSON.parse(raw) as BucketRecord;
    return typeof v.account === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The account that owns `bucket`: its creator through iamd, else `defaultAccount`. */
export async function bucketOwner(
  store: StoreReader,
  bucket: string,
  defaultAccount: string,
): Promise<string> {
  return (await getBucket(store, bucket))?.account ?? defaultAccount;
}

async function accountBuckets(store: StoreReader, account: string): Promise<string[]> {
  const raw = await store.getMeta(ACCOUNT_BUCKETS + account);
  if (raw === undefined || raw === '') return [];
  try {
    const v = JSON.parse(raw) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Records `bucket` as created by `account` (CreateBucket answered 200 upstream). */
export async function recordBucket(tx: StoreTx, bucket: string, account: string): Promise<void> {
  await tx.putMeta(BUCKET + bucket, JSON.stringify({ account }));
  const list = await accountBuckets(tx, account);
  if (!list.includes(bucket))
    await tx.putMeta(ACCOUNT_BUCKETS + account, JSON.stringify([...list, bucket].sort()));
}

/** Forgets `bucket` (DeleteBucket answered 204 upstream). */
export async function forgetBucket(tx: StoreTx, bucket: string): Promise<void> {
  const record = await getBucket(tx, bucket);
  await tx.putMeta(BUCKET + bucket, '');
  if (record === undefined) return;
  const list = await accountBuckets(tx, record.account);
  await tx.putMeta(ACCOUNT_BUCKETS + record.account, JSON.stringify(list.filter((b) => b !== bucket)));
}

/** Sets (or with undefined removes) the bucket policy of `bucket`, owned by `owner`. */
export async function setBucketPolicy(
  tx: StoreTx,
  bucket: string,
  owner: string,
  policy: string | undefined,
): Promise<void> {
  const record = await getBucket(tx, bucket);
  await tx.putMeta(BUCKET + bucket, JSON.stringify({ account: record?.account ?? owner, policy }));
}
