/**
 * Closing member accounts (CloseAccount, https://docs.aws.amazon.com/organizations/latest/APIReference/API_CloseAccount.html):
 * the states an account goes through and the quota on closes. Pure functions over the stored account.
 *
 * - "While the close account request is in progress, Account status will indicate PENDING_CLOSURE.
 *   When the close account request completes, the status will change to SUSPENDED." AWS does it "in the
 *   background … You need to wait a few minutes": iamd reports PENDING_CLOSURE for
 *   {@link CLOSURE_DELAY_MS} after the call, SUSPENDED after.
 * - "Resources remaining within the account after closing will be automatically deleted after 90
 *   days": after {@link POST_CLOSURE_MS} the account's `State` is CLOSED (AccountState enum), its
 *   `Status` stays SUSPENDED (the older AccountStatus enum has no CLOSED).
 * - "Within a rolling 30 day period you can close the higher of either 250 or 20% of the member accounts
 *   in your organization, up to a maximum of 1,000" ({@link closeQuota}).
 */
import type { OrgAccountBody } from '../domain/organizations.js';

/** How long a closed account stays PENDING_CLOSURE ("a few minutes"). */
export const CLOSURE_DELAY_MS = 5 * 60_000;
/** The post-closure period (90 days) after which the account is CLOSED. */
export const POST_CLOSURE_MS = 90 * 86_400_000;
/** The rolling window of the close quota (30 days). */
export const CLOSE_WINDOW_MS = 30 * 86_400_000;

/** An account's `Status` and `State` at `now`. */
export function accountStatusAt(
  a: Pick<OrgAccountBody, 'status' | 'closedAt'>,
  now: number,
): { status: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE'; state: string } {
  if (a.closedAt === undefined) return { status: a.status, state: a.status };
  if (now < a.closedAt + CLOSURE_DELAY_MS) return { status: 'PENDING_CLOSURE', state: 'PENDING_CLOSURE' };
  if (now < a.closedAt + POST_CLOSURE_MS) return { status: 'SUSPENDED', state: 'SUSPENDED' };
  return { status: 'SUSPENDED', state: 'CLOSED' };
}

/** How many accounts an organization with `members` member accounts may close in 30 days. */
export function closeQuota(members: number): number {
  return Math.min(1000, Math.max(250, Math.floor(members / 5)));
}

/** Whether one more close fits the quota: `closedTimes` are the accounts' `closedAt`. */
export function mayClose(closedTimes: readonly number[], members: number, now: number): boolean {
  const recent = closedTimes.filter((t) => t > now - CLOSE_WINDOW_MS).length;
  return recent < closeQuota(members);
}
