/**
 * DynamoDB resource-based policies (PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy), kept
 * by iamd as store meta values (`dynamodb:policy:<table ARN>`) and enforced as resource policies: a
 * table's policy also governs its indexes and streams (DynamoDB developer guide, "Using resource-based
 * policies for DynamoDB", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/access-control-resource-based.html).
 */
import type { StoreReader, StoreTx } from '../../store/index.js';

const PREFIX = 'dynamodb:policy:';

/** A stored policy and its revision (DynamoDB returns a `RevisionId` with each change). */
export interface StoredResourcePolicy {
  readonly policy: string;
  readonly revisionId: string;
}

/** The table ARN a resource ARN belongs to (`…:table/T/index/I` → `…:table/T`). */
export function tableOf(resourceArn: string): string {
  const at = resourceArn.indexOf(':table/');
  if (at < 0) return resourceArn;
  const name = resourceArn.slice(at + ':table/'.length).split('/')[0] ?? '';
  return resourceArn.slice(0, at + ':table/'.length) + name;
}

/** The policy governing `resourceArn`, if any. */
export async function getResourcePolicy(
  store: StoreReader,
  resourceArn: string,
): Promise<StoredResourcePolicy | undefined> {
  const raw = await store.getMeta(PREFIX + tableOf(resourceArn));
  if (raw === undefined || raw === '') return undefined;
  try {
    const v = JSON.parse(raw) as StoredResourcePolicy;
    return typeof v.policy === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Stores (or with undefined removes) the policy of the table `resourceArn` names. */
export async function setResourcePolicy(
  tx: StoreTx,
  resourceArn: string,
  value: StoredResourcePolicy | undefined,
): Promise<void> {
  await tx.putMeta(PREFIX + tableOf(resourceArn), value === undefined ? '' : JSON.stringify(value));
}
