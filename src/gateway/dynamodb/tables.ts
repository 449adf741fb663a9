/**
 * Who owns a DynamoDB table the gateway fronts. One upstream holds every account's tables, so iamd
 * records the account that created each table through it (store meta values
 * `dynamodb:table:<region>/<name>`); a table it has no record of belongs to the default account, as
 * buckets do (src/gateway/s3/buckets.ts). A table named by name is then the owner's table: a caller
 * from another account needs the table's resource policy, as on AWS, where a name is resolved in the
 * caller's account and another account's table must be named by its ARN
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-cross-account-access.html).
 */
import type { StoreReader, StoreTx } from '../../store/index.js';

const PREFIX = 'dynamodb:table:';

const keyOf = (region: string, name: string): string => `${PREFIX}${region}/${name}`;

/** The account recorded as the creator of table `name` in `region`, if any. */
export async function recordedTableOwner(
  store: StoreReader,
  region: string,
  name: string,
): Promise<string | undefined> {
  const raw = await store.getMeta(keyOf(region, name));
  if (raw === undefined || raw === '') return undefined;
  try {
    const v = JSON.parse(raw) as { account?: unknown };
    return typeof v.account === 'string' ? v.account : undefined;
  } catch {
    return undefined;
  }
}

/** Records `account` as the owner of the table it created. */
export async function recordTable(tx: StoreTx, region: string, name: string, account: string): Promise<void> {
  await tx.putMeta(keyOf(region, name), JSON.stringify({ account }));
}

/** Forgets the table's owner (DeleteTable succeeded upstream). */
export async function forgetTable(tx: StoreTx, region: string, name: string): Promise<void> {
  await tx.putMeta(keyOf(region, name), '');
}
