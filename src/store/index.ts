/**
 * The one storage interface every adapter (SQLite, PostgreSQL) implements. It is deliberately small:
 * accounts, a generic table of IAM entities keyed per account and kind, small metadata values, and
 * the audit log. Handlers own the domain rules; the store owns atomicity, uniqueness and durability.
 *
 * INVARIANT: `key` is the case-normalised unique key of an entity (IAM names are unique regardless of
 * case, so handlers pass lower-cased names); `index` is an optional secondary key for listing children
 * (e.g. the lower-cased user name of an access key).
 */

/** The kinds of entity the store keeps. */
export type EntityKind =
  | 'user'
  | 'group'
  | 'role'
  | 'policy'
  | 'accessKey'
  | 'loginProfile'
  | 'instanceProfile'
  | 'mfaDevice'
  | 'oidcProvider'
  | 'samlProvider'
  | 'serverCertificate'
  | 'signingCertificate'
  | 'sshPublicKey'
  | 'serviceCredential'
  // IAM temporary delegation (src/iam/delegation-requests.ts): the request in the requestor's account,
  // a link in the target/owner account, the token notification in the requestor's account.
  | 'delegationRequest'
  | 'delegationLink'
  | 'delegationNotification'
  | 'setting'
  // AWS Organizations (src/organizations/model.ts). The organization and everything in it (OUs,
  // accounts' places, policies, attachments, delegated administrators, create-account requests) is
  // kept in the management account; `orgMembership` is kept in every member account (the one read
  // the authorizer needs to find an account's organization), and `orgHandshake` in both the
  // management account and the invited account.
  | 'organization'
  | 'orgMembership'
  | 'orgUnit'
  | 'orgAccount'
  | 'orgPolicy'
  | 'orgAttachment'
  | 'orgHandshake'
  | 'orgDelegatedAdmin'
  | 'orgCreateAccount';

/** An account (12-digit id) held by this iamd. */
export interface AccountRecord {
  readonly id: string;
  readonly createdAt: number;
  /** The account alias (IAM allows at most one). */
  readonly alias?: string | undefined;
  /** scrypt hash of the root console password, when set. */
  readonly rootPasswordHash?: string | undefined;
}

/** One stored entity. `version` starts at 1 and grows by one on every update. */
export interface Entity<T = unknown> {
  readonly account: string;
  readonly kind: EntityKind;
  readonly key: string;
  readonly index: string | null;
  readonly body: T;
  readonly version: number;
}

/** Options for {@link StoreReader.list}. Results are ordered by key, ascending (binary order). */
export interface ListOptions {
  /** Only entities whose secondary index equals this. */
  readonly index?: string;
  /** Only keys starting with this. */
  readonly keyPrefix?: string;
  /** Only keys strictly greater than this (pagination). */
  readonly afterKey?: string;
  /** At most this many. */
  readonly limit?: number;
}

/** A CloudTrail-shaped audit event with the columns it is searched by. */
export interface AuditRecord {
  readonly eventId: string;
  /** Milliseconds since the epoch. */
  readonly eventTime: number;
  /** The account the event is recorded in (`recipientAccountId`). */
  readonly account: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly requestId: string;
  readonly readOnly: boolean;
  readonly username?: string | undefined;
  readonly accessKeyId?: string | undefined;
  readonly errorCode?: string | undefined;
  /** Resource names and types this event touched (CloudTrail `Resources`). */
  readonly resources: readonly { readonly type: string; readonly name: string }[];
  /** The whole CloudTrail record (JSON-serialisable). Never contains secrets. */
  readonly record: Readonly<Record<string, unknown>>;
}

/** A query over the audit log; newest first. */
export interface AuditQuery {
  readonly account?: string;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly eventName?: string;
  readonly eventSource?: string;
  readonly username?: string;
  readonly accessKeyId?: string;
  readonly eventId?: string;
  readonly requestId?: string;
  readonly readOnly?: boolean;
  readonly resourceName?: string;
  readonly resourceType?: string;
  readonly limit?: number;
  /** Opaque token from a previous page. */
  readonly nextToken?: string;
}

/** One page of audit events. */
export interface AuditPage {
  readonly events: readonly AuditRecord[];
  readonly nextToken?: string | undefined;
}

/**
 * A change notification, used to invalidate caches (on this node, and on others via PostgreSQL).
 * Emitted only after the change is committed (never for a rolled-back transaction).
 *
 * - `kind: 'account'`, `key` = the account id: the account record changed; after `deleteAccount`
 *   every entity of that account is gone too.
 * - `kind: 'meta'`, `account: ''`, `key` = the name: a meta value was written ({@link StoreTx.putMeta}).
 * - `'*'` in a field means "anything": `{account: '*', kind: 'account', key: '*'}` says that anything
 *   in any account may have changed (another process wrote the database, or `clear()` ran), so caches
 *   must flush entirely.
 */
export interface StoreChange {
  readonly account: string;
  readonly kind: EntityKind | 'account' | 'meta';
  readonly key: string;
}

/** Read operations, available both inside and outside a transaction. */
export interface StoreReader {
  getAccount(id: string): Promise<AccountRecord | undefined>;
  /** Looks an account up by its alias. */
  getAccountByAlias(alias: string): Promise<AccountRecord | undefined>;
  listAccounts(): Promise<AccountRecord[]>;
  get<T>(account: string, kind: EntityKind, key: string): Promise<Entity<T> | undefined>;
  list<T>(account: string, kind: EntityKind, options?: ListOptions): Promise<Entity<T>[]>;
  count(account: string, kind: EntityKind): Promise<number>;
  /** A small named value (e.g. sealed key material). */
  getMeta(name: string): Promise<string | undefined>;
}

/** Thrown by {@link StoreTx.insert} when the key exists and by `update` on a version mismatch. */
export class StoreConflict extends Error {
  constructor(
    readonly reason: 'exists' | 'missing' | 'version',
    message: string,
  ) {
    super(message);
    this.name = 'StoreConflict';
  }
}

/** Thrown by any store call when the backing database cannot be reached (maps to ServiceUnavailable). */
export class StoreUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUnavailable';
  }
}

/** Writes, only inside {@link Store.transact}. All become visible together or not at all. */
export interface StoreTx extends StoreReader {
  /** Creates or replaces an account record. */
  putAccount(account: AccountRecord): Promise<void>;
  deleteAccount(id: string): Promise<void>;
  /** Inserts a new entity; throws {@link StoreConflict} `exists` when the key is taken. */
  insert<T>(account: string, kind: EntityKind, key: string, body: T, index?: string | null): Promise<void>;
  /**
   * Replaces an entity's body (and index). Throws {@link StoreConflict} `missing` when absent, or
   * `version` when `expectedVersion` is given and differs (lost-update protection).
   */
  update<T>(
    account: string,
    kind: EntityKind,
    key: string,
    body: T,
    options?: { readonly index?: string | null; readonly expectedVersion?: number },
  ): Promise<void>;
  /** Deletes an entity; returns whether it existed. */
  delete(account: string, kind: EntityKind, key: string): Promise<boolean>;
  putMeta(name: string, value: string): Promise<void>;
  /** Appends an audit event in this transaction: the change and its event land together. */
  appendAudit(event: AuditRecord): Promise<void>;
}

/** Options for {@link Store.transact}. */
export interface TransactOptions {
  /** The API request this transaction belongs to, recorded with its commit marker (diagnostics). */
  readonly requestId?: string | undefined;
}

/** How long commit markers are kept at least (ms): far longer than any unresolved commit waits. */
export const COMMIT_MARKER_RETENTION_MS = 60 * 60 * 1000;

/** A store: reads, transactions, audit queries, change notifications. */
export interface Store extends StoreReader {
  /**
   * Runs `fn` in one serialisable transaction and commits when it resolves; rolls back when it throws
   * (and rethrows). Acknowledged only once durable. Transactions never interleave on one connection.
   *
   * Exactly-once outcome (issue #22): a transaction that wrote something also inserts a commit marker
   * (a fresh id per attempt, with `options.requestId`) in the same transaction. When the connection is
   * lost while COMMIT is in flight, the outcome is unknown; the store then resolves it from the marker
   * instead of re-running `fn` blindly: marker committed → `transact` resolves with the value `fn`
   * returned in that attempt (the attempt's changes and audit events are the committed ones); marker
   * absent → the attempt rolled back, `fn` runs again. If the outcome cannot be resolved in time the
   * call fails with {@link StoreUnavailable}, never with the result of a re-run that saw its own rows.
   */
  transact<T>(fn: (tx: StoreTx) => Promise<T>, options?: TransactOptions): Promise<T>;
  /**
   * Appends an audit event on its own (for calls that change nothing, e.g. reads and denials). A store
   * may hold events briefly to write them in batches; the promise resolves once the event is durable.
   */
  appendAudit(event: AuditRecord): Promise<void>;
  /**
   * {@link appendAudit} for a caller that does not wait: failures (after retries, if any) go to
   * `onError`. Stores that batch events offer it to save a promise per event.
   */
  queueAudit?(event: AuditRecord, onError: (error: unknown) => void): void;
  /** Writes the audit events {@link appendAudit} holds, if the store batches them; resolves when durable. */
  flushAudit?(): Promise<void>;
  queryAudit(query: AuditQuery): Promise<AuditPage>;
  /** Deletes audit events older than `beforeMs`; returns how many. */
  pruneAudit(beforeMs: number): Promise<number>;
  /** Subscribes to committed changes (from this node and, where the adapter can, others). */
  onChange(listener: (change: StoreChange) => void): () => void;
  /** Removes everything (development reset). */
  clear(): Promise<void>;
  close(): Promise<void>;
}
