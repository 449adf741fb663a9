/**
 * The lock-out guard over the Store (issue #16 item 1): failure counts for guessable secrets — a
 * virtual MFA device's codes, a principal's MFA attempts, a console password — kept as small meta
 * rows, so every node over one PostgreSQL database sees the same counts and locks. Each update is
 * one store transaction (read, count, write), so two nodes counting at once cannot lose a failure.
 * The arithmetic is `src/credentials/lockout.ts`.
 *
 * Keys name what is guessed, never the guess: `mfa:<account>:<serial>`, `principal:<account>:<id>`,
 * `console:<account>:<user>`.
 */
import { randomUUID } from 'node:crypto';
import type { AuditRecord, Store } from '../store/index.js';
import { afterFailure, isLocked, type LockoutPolicy, type LockoutState } from '../credentials/lockout.js';

/** Counts failures and tells whether a key is locked. */
export interface Lockout {
  /** Whether any of `keys` is locked at `nowMs`. */
  locked(keys: readonly string[], nowMs: number): Promise<boolean>;
  /**
   * Records one failure on each of `keys`. For a key whose failure starts a lock, the record
   * `onLock` returns (its audit event) is appended in the same transaction.
   */
  failed(
    keys: readonly string[],
    nowMs: number,
    onLock: (key: string, lockMs: number) => AuditRecord | undefined,
  ): Promise<void>;
  /** Forgets the failures of `keys` (a success). Costs one read when there are none. */
  succeeded(keys: readonly string[]): Promise<void>;
}

const META_PREFIX = 'lockout/';

function parseState(text: string | undefined): LockoutState | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    const v = JSON.parse(text) as Partial<LockoutState>;
    if (
      typeof v.failures !== 'number' ||
      typeof v.lastFailureAt !== 'number' ||
      typeof v.lockedUntil !== 'number'
    )
      return undefined;
    return { failures: v.failures, lastFailureAt: v.lastFailureAt, lockedUntil: v.lockedUntil };
  } catch {
    return undefined;
  }
}

/** A guard over `store` with `policy`. */
export function storeLockout(store: Store, policy: LockoutPolicy): Lockout {
  return {
    async locked(keys, nowMs) {
      for (const key of keys) {
        if (isLocked(parseState(await store.getMeta(META_PREFIX + key)), nowMs)) return true;
      }
      return false;
    },
    async failed(keys, nowMs, onLock) {
      await store.transact(async (tx) => {
        for (const key of keys) {
          const next = afterFailure(parseState(await tx.getMeta(META_PREFIX + key)), nowMs, policy);
          await tx.putMeta(META_PREFIX + key, JSON.stringify(next.state));
          if (next.lockedNow) {
            const record = onLock(key, next.lockMs);
            if (record !== undefined) await tx.appendAudit(record);
          }
        }
      });
    },
    async succeeded(keys) {
      const known: string[] = [];
      for (const key of keys)
        if (parseState(await store.getMeta(META_PREFIX + key)) !== undefined) known.push(key);
      if (known.length === 0) return;
      await store.transact(async (tx) => {
        for (const key of known) await tx.putMeta(META_PREFIX + key, '');
      });
    },
  };
}

/** Where and by whom a lock was caused, for its audit event. */
export interface LockoutEventFacts {
  /** The account the event is recorded in (the locked secret's owner). */
  readonly account: string;
  readonly nowMs: number;
  /** `sts.amazonaws.com` for MFA codes on STS calls, `signin.amazonaws.com` for console sign-in. */
  readonly eventSource: string;
  /** CloudTrail `userIdentity` of the caller (never a secret). */
  readonly userIdentity: Readonly<Record<string, unknown>>;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly region: string;
  /** What is locked: e.g. `{type: 'AWS::IAM::MFADevice', name: serial}`, `{type: 'AWS::IAM::User', name}`. */
  readonly subject: { readonly type: string; readonly name: string };
  /** The lock-out key (names the subject; never the secret). */
  readonly key: string;
  readonly lockMs: number;
}

/**
 * The CloudTrail-shaped event of one lock-out. CloudTrail has no such event (AWS does not publish its
 * own lock-out); iamd names it `CredentialLockout`, in the service the failed call went to, with the
 * subject in `Resources` and the lock's length in `additionalEventData`. Never carries the code or
 * password that failed.
 */
export function lockoutRecord(f: LockoutEventFacts): AuditRecord {
  const eventId = randomUUID();
  const until = new Date(f.nowMs + f.lockMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const record: Record<string, unknown> = {
    eventVersion: '1.08',
    userIdentity: f.userIdentity,
    eventTime: new Date(f.nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: f.eventSource,
    eventName: 'CredentialLockout',
    awsRegion: f.region,
    sourceIPAddress: f.sourceIp,
    userAgent: f.userAgent,
    requestParameters: null,
    responseElements: null,
    additionalEventData: {
      lockoutKey: f.key,
      lockedForSeconds: Math.round(f.lockMs / 1000),
      lockedUntil: until,
    },
    eventID: eventId,
    readOnly: false,
    resources: [{ type: f.subject.type, ARN: f.subject.name }],
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: f.account,
    eventCategory: 'Management',
    errorCode: 'LockedOut',
    errorMessage: `too many failed attempts: locked for ${Math.round(f.lockMs / 1000)} seconds`,
  };
  return {
    eventId,
    eventTime: f.nowMs,
    account: f.account,
    eventName: 'CredentialLockout',
    eventSource: f.eventSource,
    requestId: eventId,
    readOnly: false,
    username: typeof f.userIdentity.userName === 'string' ? f.userIdentity.userName : undefined,
    accessKeyId: typeof f.userIdentity.accessKeyId === 'string' ? f.userIdentity.accessKeyId : undefined,
    errorCode: 'LockedOut',
    resources: [f.subject],
    record,
  };
}
