/**
 * Access keys as the rest of iamd sees them: the per-user quota, the aad a secret is sealed under,
 * and the last-used record every authenticated call updates. The IAM handlers are
 * src/iam/access-keys.ts.
 */
import type { Store } from '../store/index.js';
import type { AccessKeyBody } from './entities.js';

/** IAM quota "Access keys assigned to an IAM user": 2 (GetAccountSummary `AccessKeysPerUserQuota`). */
export const ACCESS_KEYS_PER_USER = 2;

/** The aad a key's sealed secret is bound to: `${account}/${accessKeyId}`. */
export function accessKeySecretAad(account: string, accessKeyId: string): string {
  return `${account}/${accessKeyId}`;
}

/**
 * Minimum time between two last-used writes for the same key when service and region are unchanged.
 * AWS itself documents that last-used data is not real time ("Tracking last used access keys": updated
 * within about four hours); writing at most once a minute keeps hot keys from turning reads into writes.
 */
export const LAST_USED_THROTTLE_MS = 60_000;

/**
 * Records that `accessKeyId` was used to call `serviceName` in `region` at `nowMs` (what
 * GetAccessKeyLastUsed reports). Best effort: skipped when the same service/region was recorded less
 * than {@link LAST_USED_THROTTLE_MS} ago, and any store error (a concurrent update, a missing key) is
 * swallowed — a lost last-used write must never fail the caller's request.
 */
export async function recordAccessKeyUse(
  store: Store,
  account: string,
  accessKeyId: string,
  serviceName: string,
  region: string,
  nowMs: number,
): Promise<void> {
  const fresh = (b: AccessKeyBody): boolean =>
    b.lastUsed !== undefined &&
    b.lastUsed.serviceName === serviceName &&
    b.lastUsed.region === region &&
    nowMs - b.lastUsed.date < LAST_USED_THROTTLE_MS &&
    nowMs >= b.lastUsed.date;
  try {
    const seen = await store.get<AccessKeyBody>(account, 'accessKey', accessKeyId);
    if (seen === undefined || fresh(seen.body)) return;
    await store.transact(async (tx) => {
      const key = await tx.get<AccessKeyBody>(account, 'accessKey', accessKeyId);
      if (key === undefined || fresh(key.body)) return;
      await tx.update(
        account,
        'accessKey',
        accessKeyId,
        { ...key.body, lastUsed: { date: nowMs, serviceName, region } },
        { expectedVersion: key.version },
      );
    });
  } catch {
    // Best effort by design (see TSDoc).
  }
}
