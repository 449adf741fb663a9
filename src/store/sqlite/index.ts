/**
 * The SQLite store adapter (better-sqlite3): the default, zero-set-up store — one file, WAL.
 *
 * Design:
 * - Durability: `journal_mode=WAL` with `synchronous=FULL`, so a transaction is on disk when
 *   `transact` resolves (SQLite docs, "PRAGMA synchronous": in WAL mode FULL syncs the WAL on every
 *   commit, NORMAL may lose the last commits on power loss).
 * - Transactions: better-sqlite3 is synchronous but a transaction's body is async, so transactions
 *   (and every other write) are serialised by an async FIFO mutex around `BEGIN IMMEDIATE … COMMIT`.
 *   IMMEDIATE takes the write lock at the start, so another process's writer waits (busy_timeout)
 *   instead of failing at COMMIT.
 * - Reads outside a transaction must not see an in-flight transaction's writes. For a file, they run
 *   on a second, read-only connection: in WAL mode a reader sees only committed data and never waits
 *   for the writer, so reads stay fast while a slow transaction is open. A throwaway store
 *   (`':memory:'`) is a file in a private temporary directory for the same reason (see `open`).
 * - Other processes (e.g. `iamd accounts create --data DIR` while the server runs) write the same
 *   file. `PRAGMA data_version` on the write connection changes only when another connection commits;
 *   it is checked on reads (at most every 250 ms) and by a 250 ms timer. When it changed, the count of
 *   writes to cached data ({@link WRITE_GENERATION}, bumped by every write transaction except audit
 *   appends) says whether the commit was such a write; then the wildcard {@link StoreChange}
 *   `{account: '*', kind: 'account', key: '*'}` is emitted so caches flush. Audit batches — the audit
 *   writer thread commits on its own connection several times a second under load — leave caches be.
 * - Entity reads outside transactions are cached (deep-frozen): this process's commits drop their
 *   entries before `transact` resolves, so its callers read their own writes; another process's commits
 *   are seen at the next external check (at most `externalCheckMs` later), like the caches above the
 *   store — IAM's own changes are eventually consistent too.
 * - Audit events appended outside transactions are group-committed: events that arrive while the
 *   write lock is busy are inserted together in one transaction (one fsync), each still acknowledged
 *   only once durable. With the audit thread they also wait up to {@link AUDIT_DELAY_MS} to share a
 *   batch.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import {
  COMMIT_MARKER_RETENTION_MS,
  StoreConflict,
  StoreUnavailable,
  type AccountRecord,
  type AuditPage,
  type AuditQuery,
  type AuditRecord,
  type Entity,
  type EntityKind,
  type ListOptions,
  type Store,
  type StoreChange,
  type StoreTx,
  type TransactOptions,
} from '../index.js';
import { queryAuditRows } from './audit-query.js';
import { migrate } from './migrations.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mutex } from './mutex.js';
import { Worker } from 'node:worker_threads';
import {
  auditColumns,
  type AuditBatchReply,
  type AuditBatchRequest,
  type AuditColumns,
  type AuditWorkerData,
} from './audit-rows.js';
import { ReadStatements, WRITE_GENERATION, WriteStatements, toEntity } from './rows.js';
import { auditBucket, collectAuditKeys, type AuditKey } from './audit-keys.js';

/** Options for {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** The database file, or `':memory:'` for a private in-memory database (tests, `--ephemeral`). */
  readonly path: string;
  /** How long a statement waits for another process's lock before failing (ms). Default 5000. */
  readonly busyTimeoutMs?: number;
  /** How often external commits are looked for (ms). Default 250. */
  readonly externalCheckMs?: number;
  /**
   * Insert audit events appended outside transactions ({@link Store.appendAudit}) on a worker thread
   * with its own connection (audit-worker.ts), keeping their inserts and commits off the event loop.
   * Default false. Since that connection commits, the store then also sees its commits as "another
   * connection's" and emits the wildcard change at the next external check (harmless: caches reload).
   */
  readonly auditThread?: boolean;
}

/** The change emitted when another process committed: anything may have changed. */
export const WILDCARD_CHANGE: StoreChange = Object.freeze({ account: '*', kind: 'account', key: '*' });

/**
 * Opens (creating if needed) the SQLite database at `options.path`, applies pending migrations and
 * returns a {@link Store}. Throws {@link StoreUnavailable} when the file cannot be opened.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  return SqliteStore.open(options);
}

const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|CORRUPT|NOTADB|PROTOCOL|NOLFS|AUTH)/;

/** Maps driver failures that mean "the database cannot be used right now" to {@link StoreUnavailable}. */
function translate(error: unknown): unknown {
  if (error instanceof Database.SqliteError && UNAVAILABLE.test(error.code)) {
    return new StoreUnavailable(`the SQLite database is unavailable: ${error.message}`);
  }
  return error;
}

/** Runs `fn`, translating driver errors (see {@link translate}). */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw translate(error);
  }
}

/** Synchronous reads against one connection's statements, shared by the store and its transactions. */
class Reads {
  constructor(readonly statements: ReadStatements) {}

  getAccount(id: string): AccountRecord | undefined {
    return ReadStatements.account(this.statements.getAccount.get(id));
  }

  getAccountByAlias(alias: string): AccountRecord | undefined {
    return ReadStatements.account(this.statements.getAccountByAlias.get(alias));
  }

  listAccounts(): AccountRecord[] {
    return this.statements.listAccounts.all().map((body) => JSON.parse(body) as AccountRecord);
  }

  get<T>(account: string, kind: EntityKind, key: string): Entity<T> | undefined {
    const row = this.statements.getEntity.get(account, kind, key);
    return row === undefined ? undefined : toEntity<T>(account, kind, row);
  }

  list<T>(account: string, kind: EntityKind, options?: ListOptions): Entity<T>[] {
    return this.statements.list(account, kind, options).map((row) => toEntity<T>(account, kind, row));
  }

  count(account: string, kind: EntityKind): number {
    return this.statements.countEntities.get(account, kind) ?? 0;
  }

  getMeta(name: string): string | undefined {
    return this.statements.getMeta.get(name);
  }
}

/**
 * Inserts one audit event and its lookup keys (src/store/sqlite/audit-keys.ts); callers hold the write
 * lock, inside a transaction.
 */
function insertAudit(w: WriteStatements, columns: AuditColumns): void {
  const eventId = columns[0];
  try {
    w.insertAudit.run(...columns);
  } catch (error) {
    if (error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      throw new StoreConflict('exists', `audit event \`${eventId}\` already exists`);
    }
    throw error;
  }
  const keys = new Map<string, AuditKey>();
  collectAuditKeys(columns, keys);
  for (const [attr, value, bucket] of keys.values()) w.insertAuditKey.run(attr, value, bucket);
}

/** A transaction handle; valid only until its transaction commits or rolls back. */
class SqliteTx implements StoreTx {
  /** Changes to announce after COMMIT, de-duplicated. */
  readonly changes = new Map<string, StoreChange>();
  /** Whether anything was written: only then does the commit carry a marker. */
  wrote = false;
  #finished = false;

  constructor(
    private readonly reads: Reads,
    private readonly w: WriteStatements,
  ) {}

  finish(): void {
    this.#finished = true;
  }

  #run<T>(fn: () => T): Promise<T> {
    // INVARIANT: callers use `tx` only while `fn` of `transact` runs; a write after COMMIT would
    // otherwise land outside any transaction (or inside the next one).
    if (this.#finished) return Promise.reject(new Error('the transaction has already finished'));
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(translate(error));
    }
  }

  #write<T>(fn: () => T): Promise<T> {
    this.wrote = true;
    return this.#run(fn);
  }

  #changed(account: string, kind: StoreChange['kind'], key: string): void {
    this.changes.set(`${account}\u0000${kind}\u0000${key}`, { account, kind, key });
  }

  getAccount(id: string): Promise<AccountRecord | undefined> {
    return this.#run(() => this.reads.getAccount(id));
  }
  getAccountByAlias(alias: string): Promise<AccountRecord | undefined> {
    return this.#run(() => this.reads.getAccountByAlias(alias));
  }
  listAccounts(): Promise<AccountRecord[]> {
    return this.#run(() => this.reads.listAccounts());
  }
  get<T>(account: string, kind: EntityKind, key: string): Promise<Entity<T> | undefined> {
    return this.#run(() => this.reads.get<T>(account, kind, key));
  }
  list<T>(account: string, kind: EntityKind, options?: ListOptions): Promise<Entity<T>[]> {
    return this.#run(() => this.reads.list<T>(account, kind, options));
  }
  count(account: string, kind: EntityKind): Promise<number> {
    return this.#run(() => this.reads.count(account, kind));
  }
  getMeta(name: string): Promise<string | undefined> {
    return this.#run(() => this.reads.getMeta(name));
  }

  putAccount(account: AccountRecord): Promise<void> {
    return this.#write(() => {
      try {
        this.w.putAccount.run(account.id, account.alias ?? null, JSON.stringify(account));
      } catch (error) {
        if (error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw new StoreConflict('exists', `account alias \`${account.alias ?? ''}\` is taken`);
        }
        throw error;
      }
      this.#changed(account.id, 'account', account.id);
    });
  }

  deleteAccount(id: string): Promise<void> {
    return this.#write(() => {
      // Closing an account removes everything in it; its audit events stay (they are history).
      this.w.deleteAccountEntities.run(id);
      this.w.deleteAccount.run(id);
      this.#changed(id, 'account', id);
    });
  }

  insert<T>(
    account: string,
    kind: EntityKind,
    key: string,
    body: T,
    index: string | null = null,
  ): Promise<void> {
    return this.#write(() => {
      const result = this.w.insertEntity.run(account, kind, key, index, JSON.stringify(body) ?? 'null');
      if (result.changes === 0) throw new StoreConflict('exists', `${kind} \`${key}\` already exists`);
      this.#changed(account, kind, key);
    });
  }

  update<T>(
    account: string,
    kind: EntityKind,
    key: string,
    body: T,
    options: { readonly index?: string | null; readonly expectedVersion?: number } = {},
  ): Promise<void> {
    return this.#write(() => {
      const result = this.w.updateEntity.run({
        account,
        kind,
        key,
        body: JSON.stringify(body) ?? 'null',
        setIdx: options.index === undefined ? 0 : 1,
        idx: options.index ?? null,
        expected: options.expectedVersion ?? null,
      });
      if (result.changes === 0) {
        const current = this.reads.get(account, kind, key);
        if (current === undefined) throw new StoreConflict('missing', `${kind} \`${key}\` does not exist`);
        throw new StoreConflict(
          'version',
          `${kind} \`${key}\` is at version ${current.version}, not ${options.expectedVersion ?? '?'}`,
        );
      }
      this.#changed(account, kind, key);
    });
  }

  delete(account: string, kind: EntityKind, key: string): Promise<boolean> {
    return this.#write(() => {
      const existed = this.w.deleteEntity.run(account, kind, key).changes > 0;
      if (existed) this.#changed(account, kind, key);
      return existed;
    });
  }

  putMeta(name: string, value: string): Promise<void> {
    return this.#write(() => {
      this.w.putMeta.run(name, value);
      this.#changed('', 'meta', name);
    });
  }

  appendAudit(event: AuditRecord): Promise<void> {
    return this.#write(() => insertAudit(this.w, auditColumns(event)));
  }
}

/**
 * An audit event waiting for its batch, already serialised: only the row's strings stay alive until the
 * batch is written, not the event's object graph (which would otherwise outlive the young generation
 * and be copied by every scavenge in between).
 */
interface PendingAudit {
  readonly eventId: string;
  /** Dropped once handed to the audit thread (which has its own copy). */
  row: AuditColumns | undefined;
  /** Absent for events queued with {@link SqliteStore.queueAudit}, whose success nobody awaits. */
  readonly resolve: (() => void) | undefined;
  readonly reject: (error: unknown) => void;
}

/**
 * With the audit thread, appended events wait up to this long (or until {@link AUDIT_BATCH} of them)
 * and go to the thread as one batch: one message, one transaction. Without it, a batch starts as
 * soon as the write lock is free.
 */
const AUDIT_DELAY_MS = 10;
const AUDIT_BATCH = 128;

/** A queued event's columns. INVARIANT: a batch is written once, so its rows are still there. */
function rowOf(pending: PendingAudit): AuditColumns {
  if (pending.row === undefined) throw new Error(`audit event ${pending.eventId} was already written`);
  return pending.row;
}

/** A batch sent to the audit worker, waiting for its answer. */
interface PendingBatch {
  readonly resolve: (reply: AuditBatchReply) => void;
  readonly reject: (error: unknown) => void;
}

/** Turns the worker's report of a failed batch into the error the main connection would have thrown. */
function workerError(error: NonNullable<AuditBatchReply['error']>): Error {
  if (error.code !== undefined && UNAVAILABLE.test(error.code))
    return new StoreUnavailable(`the SQLite database is unavailable: ${error.message}`);
  return new Error(error.message);
}

/** How many entities (or absences) the read cache holds before it starts over. */
const ENTITY_CACHE_SIZE = 20_000;

function entityId(account: string, kind: string, key: string): string {
  return account + '\u0000' + kind + '\u0000' + key;
}

/** Freezes a parsed JSON value and everything in it. */
function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

/** The adapter. Only {@link openSqliteStore} constructs it. */
class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #readDb: Database.Database;
  readonly #separateReader: boolean;
  /** Reads for outside transactions (the read connection, or the only connection for `:memory:`). */
  readonly #reads: Reads;
  /** Reads inside transactions (the write connection: a transaction sees its own writes). */
  readonly #txReads: Reads;
  readonly #w: WriteStatements;
  /** Commit markers written by this store (drives their pruning). */
  #markers = 0;
  readonly #mutex = new Mutex();
  /** The temporary directory of a throwaway store, removed on close. */
  #tempDir: string | undefined;
  readonly #listeners = new Set<(change: StoreChange) => void>();
  /**
   * Entities read outside transactions (and known absences), by account/kind/key, deep-frozen so no
   * caller can change what the next one reads. Dropped entry by entry as this process commits changes,
   * wholesale on account changes and on another connection's commits (the wildcard change), exactly
   * when the store's change listeners hear of them. Reads inside transactions never use it.
   */
  readonly #entities = new Map<string, Entity<unknown> | undefined>();
  /**
   * Meta values read outside transactions (and known absences), by name: kept and dropped like
   * {@link #entities} (a committed `putMeta` is a `meta` change). The gateway reads a bucket's or
   * table's owner and policy on every request.
   */
  readonly #metas = new Map<string, string | undefined>();
  readonly #auditQueue: PendingAudit[] = [];
  /** The pending flush of a delayed audit batch (audit thread only). */
  #auditTimer: NodeJS.Timeout | undefined;
  /** A flush is waiting for the write lock; it will take everything queued by then. */
  #auditFlushWaiting = false;
  readonly #checkEveryMs: number;
  #lastCheck = 0;
  #dataVersion = 0;
  /** The {@link WRITE_GENERATION} count as of the last look (or this process's last counted commit). */
  #writeGeneration = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Set when audit batches go to a worker thread (see {@link SqliteStoreOptions.auditThread}). */
  #auditWorkerData: AuditWorkerData | undefined;
  /** The audit worker, started with the first batch. */
  #auditWorker: Worker | undefined;
  readonly #workerCalls = new Map<number, PendingBatch>();
  #nextCall = 0;

  private constructor(db: Database.Database, readDb: Database.Database, checkEveryMs: number) {
    this.#db = db;
    this.#readDb = readDb;
    this.#separateReader = readDb !== db;
    this.#w = new WriteStatements(db);
    this.#txReads = new Reads(new ReadStatements(db));
    this.#reads = this.#separateReader ? new Reads(new ReadStatements(readDb)) : this.#txReads;
    this.#checkEveryMs = checkEveryMs;
    if (this.#separateReader) {
      this.#dataVersion = this.#w.dataVersion.get() ?? 0;
      this.#writeGeneration = this.#committedWriteGeneration();
      this.#lastCheck = Date.now();
      // A timer as well as reads: caches above the store may answer without reading for a while.
      this.#timer = setInterval(() => this.#checkExternal(), checkEveryMs);
      this.#timer.unref();
    }
  }

  static open(options: SqliteStoreOptions): SqliteStore {
    // A throwaway store (`':memory:'`) is a database file in a private temporary directory, removed on
    // close: a real in-memory database is private to one connection, so reads outside a transaction
    // would have to wait for it — and a handler that reads while its transaction is open would
    // deadlock. With a file, reads use the second connection as for any data directory. Nothing needs
    // to survive a crash, so it skips the disk flushes.
    const ephemeral = options.path === ':memory:' || options.path === '';
    const tempDir = ephemeral ? mkdtempSync(join(tmpdir(), 'iamd-memory-')) : undefined;
    const path = tempDir !== undefined ? join(tempDir, 'iamd.db') : options.path;
    const timeout = options.busyTimeoutMs ?? 5000;
    let db: Database.Database | undefined;
    let readDb: Database.Database | undefined;
    try {
      db = new Database(path, { timeout });
      db.pragma('journal_mode = WAL');
      db.pragma(ephemeral ? 'synchronous = OFF' : 'synchronous = FULL');
      db.pragma('foreign_keys = OFF');
      migrate(db);
      readDb = new Database(path, { readonly: true, timeout });
      const store = new SqliteStore(db, readDb, options.externalCheckMs ?? 250);
      store.#tempDir = tempDir;
      if (options.auditThread === true) store.#auditWorkerData = { path, busyTimeoutMs: timeout, ephemeral };
      return store;
    } catch (error) {
      if (readDb !== undefined && readDb !== db) readDb.close();
      db?.close();
      if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
      const translated = translate(error);
      if (translated instanceof StoreUnavailable || error instanceof TypeError) {
        // better-sqlite3 reports a missing directory as a TypeError.
        throw new StoreUnavailable(
          `cannot open the SQLite database \`${options.path}\`: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      throw error;
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreUnavailable('the store is closed');
  }

  #emit(changes: Iterable<StoreChange>): void {
    for (const change of changes) {
      if (change.kind === 'account' || change.key === '*') {
        this.#entities.clear();
        this.#metas.clear();
      } else if (change.kind === 'meta') this.#metas.delete(change.key);
      else this.#entities.delete(entityId(change.account, change.kind, change.key));
      for (const listener of this.#listeners) {
        try {
          listener(change);
        } catch {
          // A failing listener must not turn a committed transaction into an error, nor starve the
          // other listeners; listeners own their error handling.
        }
      }
    }
  }

  /** The committed {@link WRITE_GENERATION} count (read on the read connection: committed data only). */
  #committedWriteGeneration(): number {
    return Number(this.#reads.statements.writeGeneration.get() ?? 0);
  }

  /**
   * Emits the wildcard change when another connection committed a write to cached data since the last
   * look (not when it only appended audit events).
   */
  #checkExternal(): void {
    if (this.#closed || !this.#separateReader) return;
    this.#lastCheck = Date.now();
    let version: number;
    let generation: number;
    try {
      version = this.#w.dataVersion.get() ?? 0;
      if (version === this.#dataVersion) return;
      // Read after data_version: a commit in between is counted here or seen at the next look.
      generation = this.#committedWriteGeneration();
    } catch {
      return; // the next check retries; reads report unavailability themselves
    }
    this.#dataVersion = version;
    if (generation !== this.#writeGeneration) {
      this.#writeGeneration = generation;
      this.#emit([WILDCARD_CHANGE]);
    }
  }

  /**
   * After this process committed a counted write that took the count to `generation`: when the count
   * moved by more than this write, another process wrote too (its commit may not show in data_version
   * until the next look), so caches flush now.
   */
  #ownWriteCommitted(generation: number): void {
    const others = generation !== this.#writeGeneration + 1;
    this.#writeGeneration = generation;
    if (others) this.#emit([WILDCARD_CHANGE]);
  }

  /** A read outside any transaction. */
  async #read<T>(fn: (reads: Reads) => T): Promise<T> {
    this.#assertOpen();
    if (this.#separateReader) {
      if (Date.now() - this.#lastCheck >= this.#checkEveryMs) this.#checkExternal();
      return guarded(() => fn(this.#reads));
    }
    if (!this.#mutex.locked) return guarded(() => fn(this.#reads));
    // One connection (`:memory:`): wait for the open transaction so its writes are not observed.
    // INVARIANT: code inside `transact` reads through `tx`, never the store, or it waits for itself.
    return this.#mutex.run(() => {
      this.#assertOpen();
      return guarded(() => fn(this.#reads));
    });
  }

  /**
   * Runs `fn` inside `BEGIN IMMEDIATE … COMMIT` holding the write lock; rolls back when it throws. When
   * `counted()` (asked after `fn`) is true the transaction also bumps {@link WRITE_GENERATION}: it wrote
   * data that caches hold.
   */
  async #write<T>(fn: () => T | Promise<T>, counted: () => boolean = () => false): Promise<T> {
    this.#assertOpen();
    await this.#mutex.acquire();
    try {
      this.#assertOpen();
      guarded(() => this.#db.exec('BEGIN IMMEDIATE'));
      try {
        const result = await fn();
        const generation = counted() ? Number(this.#w.bumpWriteGeneration.get()) : undefined;
        guarded(() => this.#db.exec('COMMIT'));
        // At once after COMMIT, before anything else runs: a check now would count this write as another's.
        if (generation !== undefined) this.#ownWriteCommitted(generation);
        return result;
      } catch (error) {
        if (this.#db.inTransaction) guarded(() => this.#db.exec('ROLLBACK'));
        throw translate(error);
      }
    } finally {
      this.#mutex.release();
    }
  }

  getAccount(id: string): Promise<AccountRecord | undefined> {
    return this.#read((r) => r.getAccount(id));
  }
  getAccountByAlias(alias: string): Promise<AccountRecord | undefined> {
    return this.#read((r) => r.getAccountByAlias(alias));
  }
  listAccounts(): Promise<AccountRecord[]> {
    return this.#read((r) => r.listAccounts());
  }
  get<T>(account: string, kind: EntityKind, key: string): Promise<Entity<T> | undefined> {
    const id = entityId(account, kind, key);
    if (this.#entities.has(id)) {
      if (this.#closed) return Promise.reject(new StoreUnavailable('the store is closed'));
      return Promise.resolve(this.#entities.get(id) as Entity<T> | undefined);
    }
    return this.#read((r) => {
      const entity = r.get<T>(account, kind, key);
      if (this.#entities.size >= ENTITY_CACHE_SIZE) this.#entities.clear();
      if (entity !== undefined) deepFreeze(entity);
      this.#entities.set(id, entity);
      return entity;
    });
  }
  list<T>(account: string, kind: EntityKind, options?: ListOptions): Promise<Entity<T>[]> {
    return this.#read((r) => r.list<T>(account, kind, options));
  }
  count(account: string, kind: EntityKind): Promise<number> {
    return this.#read((r) => r.count(account, kind));
  }
  getMeta(name: string): Promise<string | undefined> {
    if (this.#metas.has(name)) {
      if (this.#closed) return Promise.reject(new StoreUnavailable('the store is closed'));
      return Promise.resolve(this.#metas.get(name));
    }
    return this.#read((r) => {
      const value = r.getMeta(name);
      if (this.#metas.size >= ENTITY_CACHE_SIZE) this.#metas.clear();
      this.#metas.set(name, value);
      return value;
    });
  }

  async transact<T>(fn: (tx: StoreTx) => Promise<T>, options?: TransactOptions): Promise<T> {
    let tx: SqliteTx | undefined;
    const result = await this.#write(
      async () => {
        tx = new SqliteTx(this.#txReads, this.#w);
        let value: T;
        try {
          value = await fn(tx);
        } finally {
          // Finished before COMMIT: a write that `fn` forgot to await cannot slip in afterwards.
          tx.finish();
        }
        // The commit marker, as on PostgreSQL (src/store/index.ts `transact`), so both adapters keep the
        // same record of committed writes. SQLite itself never leaves a commit outcome unknown: COMMIT is
        // a local call that either returns (durable: synchronous=FULL) or throws with nothing committed,
        // so the marker is never looked up here.
        if (tx.wrote) {
          const now = Date.now();
          this.#w.insertMarker.run(randomUUID(), options?.requestId ?? null, now);
          // Pruned in passing, one indexed range delete every 1024 writes (no timer to manage).
          if ((++this.#markers & 1023) === 1) this.#w.pruneMarkers.run(now - COMMIT_MARKER_RETENTION_MS);
        }
        return value;
      },
      () => tx?.wrote === true,
    );
    // Only after COMMIT (a rollback threw above and announced nothing).
    if (tx) this.#emit(tx.changes.values());
    return result;
  }

  appendAudit(event: AuditRecord): Promise<void> {
    if (this.#closed) return Promise.reject(new StoreUnavailable('the store is closed'));
    const row = auditColumns(event);
    return new Promise((resolve, reject) => this.#enqueueAudit(event.eventId, row, resolve, reject));
  }

  queueAudit(event: AuditRecord, onError: (error: unknown) => void): void {
    if (this.#closed) {
      onError(new StoreUnavailable('the store is closed'));
      return;
    }
    this.#enqueueAudit(event.eventId, auditColumns(event), undefined, onError);
  }

  #enqueueAudit(
    eventId: string,
    row: AuditColumns,
    resolve: (() => void) | undefined,
    reject: (error: unknown) => void,
  ): void {
    const queue = this.#auditQueue;
    queue.push({ eventId, row, resolve, reject });
    if (this.#auditWorkerData === undefined) {
      // The first event of a batch schedules the flush; later ones ride along until it takes the lock.
      if (queue.length === 1) void this.#flushAudit();
    } else if (queue.length >= AUDIT_BATCH) {
      this.#flushAuditNow();
    } else {
      this.#auditTimer ??= setTimeout(() => this.#flushAuditNow(), AUDIT_DELAY_MS);
    }
  }

  async flushAudit(): Promise<void> {
    if (this.#closed) return;
    if (this.#auditQueue.length > 0) this.#flushAuditNow();
    // The mutex is FIFO: once it is ours, the batch started above (and any before it) has finished.
    await this.#mutex.run(() => undefined);
  }

  #flushAuditNow(): void {
    if (this.#auditTimer !== undefined) clearTimeout(this.#auditTimer);
    this.#auditTimer = undefined;
    // One waiting flush at a time: it takes the whole queue when it gets the lock.
    if (this.#auditFlushWaiting) return;
    void this.#flushAudit();
  }

  async #flushAudit(): Promise<void> {
    this.#auditFlushWaiting = true;
    await this.#mutex.acquire();
    this.#auditFlushWaiting = false;
    const batch = this.#auditQueue.splice(0);
    if (batch.length === 0) {
      this.#mutex.release();
      return;
    }
    try {
      if (this.#closed) throw new StoreUnavailable('the store is closed');
      const worker = this.#startAuditWorker();
      const failed = worker ? await this.#insertInWorker(worker, batch) : this.#insertHere(batch);
      for (const pending of batch) {
        if (failed.has(pending)) pending.reject(failed.get(pending));
        else pending.resolve?.();
      }
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    } finally {
      this.#mutex.release();
    }
  }

  /** Inserts `batch` on the write connection; returns the events that failed alone (duplicates). */
  #insertHere(batch: readonly PendingAudit[]): Map<PendingAudit, unknown> {
    const failed = new Map<PendingAudit, unknown>();
    guarded(() => this.#db.exec('BEGIN IMMEDIATE'));
    try {
      for (const pending of batch) {
        // A savepoint per event: a duplicate id fails that event alone, not the batch.
        this.#db.exec('SAVEPOINT audit_event');
        try {
          insertAudit(this.#w, rowOf(pending));
          this.#db.exec('RELEASE audit_event');
        } catch (error) {
          this.#db.exec('ROLLBACK TO audit_event');
          this.#db.exec('RELEASE audit_event');
          if (!(error instanceof StoreConflict)) throw error;
          failed.set(pending, error);
        }
      }
      guarded(() => this.#db.exec('COMMIT'));
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      throw translate(error);
    }
    return failed;
  }

  /**
   * Inserts `batch` on the audit worker's connection (called holding the write mutex, so the two
   * connections never wait for each other's write lock); resolves once the worker committed.
   */
  async #insertInWorker(worker: Worker, batch: readonly PendingAudit[]): Promise<Map<PendingAudit, unknown>> {
    const values: AuditColumns[number][] = [];
    for (const pending of batch) {
      for (const value of rowOf(pending)) values.push(value);
      // The thread gets a copy; the event's strings need not outlive this batch here.
      pending.row = undefined;
    }
    const id = this.#nextCall++;
    const reply = await new Promise<AuditBatchReply>((resolve, reject) => {
      this.#workerCalls.set(id, { resolve, reject });
      // Referenced only while a batch is in flight: an idle worker does not keep the process alive.
      worker.ref();
      worker.postMessage({ id, values } satisfies AuditBatchRequest);
    });
    if (reply.error) throw workerError(reply.error);
    const failed = new Map<PendingAudit, unknown>();
    for (const i of reply.conflicts) {
      const pending = batch[i];
      if (pending !== undefined)
        failed.set(pending, new StoreConflict('exists', `audit event \`${pending.eventId}\` already exists`));
    }
    return failed;
  }

  /** The audit worker when batches go to one, started on first use; undefined otherwise. */
  #startAuditWorker(): Worker | undefined {
    if (this.#auditWorker !== undefined || this.#auditWorkerData === undefined) return this.#auditWorker;
    const worker = new Worker(new URL('./audit-worker.js', import.meta.url), {
      workerData: this.#auditWorkerData,
    });
    worker.unref();
    worker.on('message', (reply: AuditBatchReply) => {
      const call = this.#workerCalls.get(reply.id);
      this.#workerCalls.delete(reply.id);
      if (this.#workerCalls.size === 0) worker.unref();
      call?.resolve(reply);
    });
    const failed = (error: unknown): void => {
      if (this.#auditWorker !== worker) return;
      // Later batches go through the main connection; the ones in flight report the failure (their
      // transaction did not commit, or the worker would have answered).
      this.#auditWorker = undefined;
      this.#auditWorkerData = undefined;
      const calls = [...this.#workerCalls.values()];
      this.#workerCalls.clear();
      for (const call of calls)
        call.reject(new StoreUnavailable(`the audit writer thread failed: ${String(error)}`));
    };
    worker.on('error', failed);
    worker.on('exit', (code) => failed(new Error(`exited with code ${code}`)));
    this.#auditWorker = worker;
    return worker;
  }

  /** Stops the audit worker (holding the write mutex, so no batch is in flight). */
  async #stopAuditWorker(): Promise<void> {
    const worker = this.#auditWorker;
    if (worker === undefined) return;
    this.#auditWorker = undefined;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.ref();
    worker.postMessage('close');
    await exited;
  }

  async queryAudit(query: AuditQuery): Promise<AuditPage> {
    return this.#read((r) => queryAuditRows(r.statements, query));
  }

  pruneAudit(beforeMs: number): Promise<number> {
    return this.#write(() => {
      this.#w.pruneAuditKeys.run(auditBucket(beforeMs));
      return this.#w.pruneAudit.run(beforeMs).changes;
    });
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    // Wrapped so the same function subscribed twice gets two independent subscriptions.
    const subscription = (change: StoreChange): void => listener(change);
    this.#listeners.add(subscription);
    return () => {
      this.#listeners.delete(subscription);
    };
  }

  async clear(): Promise<void> {
    await this.#write(
      () => {
        // The write count stays (it only grows: another process compares it with the count it last saw).
        this.#db.exec(
          `DELETE FROM entities; DELETE FROM accounts; DELETE FROM meta WHERE name <> '${WRITE_GENERATION}';
           DELETE FROM audit; DELETE FROM audit_keys;`,
        );
      },
      () => true,
    );
    this.#emit([WILDCARD_CHANGE]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // A delayed audit batch is written now, not dropped.
    if (this.#auditTimer !== undefined) this.#flushAuditNow();
    // Let the transaction in flight and queued writes finish first (the mutex is FIFO).
    await this.#mutex.acquire();
    try {
      if (this.#closed) return;
      this.#closed = true;
      if (this.#timer) clearInterval(this.#timer);
      this.#listeners.clear();
      // Before the connections close and a throwaway store's directory goes.
      await this.#stopAuditWorker();
      if (this.#separateReader) this.#readDb.close();
      this.#db.close();
      if (this.#tempDir !== undefined) rmSync(this.#tempDir, { recursive: true, force: true });
    } finally {
      this.#mutex.release();
    }
  }
}
