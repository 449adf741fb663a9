/**
 * The PostgreSQL store adapter (`pg`): the shared store of several stateless iamd nodes.
 *
 * Design:
 * - Isolation: every transaction runs at SERIALIZABLE, so AWS's rules that a handler checks by reading
 *   (no two users with one name, at most five policy versions, quotas) hold across nodes exactly as if
 *   transactions ran one at a time (PostgreSQL docs, "Transaction Isolation", Serializable). Unique keys
 *   back the most important ones, and `expectedVersion` turns a lost update into a conflict.
 * - Retries: PostgreSQL may abort a serializable transaction with SQLSTATE 40001 (or 40P01, deadlock);
 *   the documented remedy is to run the whole transaction again. `transact` does so, up to
 *   {@link PostgresStoreOptions.maxTransactionAttempts} times with jittered backoff.
 *   INVARIANT: a `transact` function is a pure function of what it reads through `tx` (plus fresh
 *   randomness): it has no side effects outside the transaction, so running it again is safe. Handlers
 *   already obey this, since a rolled-back attempt must leave no trace on any adapter.
 * - A failed statement aborts a PostgreSQL transaction, so expected conflicts never raise SQL errors:
 *   inserts use `ON CONFLICT DO NOTHING`, updates check the affected row count, and an alias clash is
 *   looked up first. A conflict caught inside `fn` therefore leaves the transaction usable, as the
 *   contract requires. Any other failed statement poisons the handle; it then refuses to commit.
 * - Change propagation: each committing write transaction draws a number from a sequence and sends
 *   one NOTIFY with it (see feed.ts); other nodes turn it into {@link StoreChange} events. A node that
 *   loses its listening connection announces the wildcard change at once, every 250 ms while it is
 *   down, and again when it listens again. As a backstop, the sequence is polled every few seconds: a
 *   number never announced means a missed change, and the wildcard flushes every cache.
 * - Failure: a database that cannot be reached fails each call fast (connect timeout, statement
 *   timeout) with {@link StoreUnavailable}, which the server answers with AWS's 503
 *   `ServiceUnavailable`. Broken connections are dropped from the pool, so the node recovers by itself.
 *   A write is acknowledged only after COMMIT returned (synchronous commit, the server default).
 * - Unknown commit outcome (issue #22): a connection lost while COMMIT is in flight leaves the outcome
 *   unknown — the commit may have reached the database, only its acknowledgement was lost. Re-running
 *   the transaction then would find its own rows (CreateUser answering EntityAlreadyExists for the user
 *   it created). So every write transaction inserts a commit marker (a fresh id per attempt) in the
 *   same message as its COMMIT, and an unknown outcome is resolved by *fencing* that id on another
 *   connection: `INSERT … ON CONFLICT DO NOTHING` of the same id. If the old transaction committed, the
 *   row exists and the insert does nothing → the attempt succeeded, and `transact` resolves with the
 *   value its `fn` returned (the response is rebuilt from memory: nothing, in particular no secret,
 *   needs to be stored with the marker). If the old transaction is still running, the insert waits on
 *   its uncommitted key (unique-index wait) until it ends. If it never committed, the fence row wins:
 *   the old transaction can no longer commit (its marker insert would conflict), and `fn` runs again.
 *   A fence that cannot be placed in {@link PostgresStoreOptions.commitResolveMs} fails the call with
 *   {@link StoreUnavailable} (503). Markers are pruned after {@link COMMIT_MARKER_RETENTION_MS}.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
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
import { isRetryable, isUnavailable, redactUrl, translate } from './errors.js';
import { CHANGE_CHANNEL, ChangeFeed, encodeChanges, type ChangeNotice } from './feed.js';
import {
  CHANGE_SEQUENCE,
  LATEST_PG_VERSION,
  migratePostgres,
  schemaVersion,
  type MigrationResult,
} from './migrations.js';
import { Reads, insertAudit, write, type Exec } from './queries.js';

/** Options for {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (libpq-style parameters such as `sslmode` apply). */
  readonly url: string;
  /** Largest number of pooled connections of this node. Default 10. */
  readonly poolSize?: number;
  /** Server-side limit of one statement (ms); a longer one fails as unavailable. Default 5000. */
  readonly statementTimeoutMs?: number;
  /** How long to wait for a connection (new, or free in the pool) before failing (ms). Default 2000. */
  readonly connectTimeoutMs?: number;
  /** Apply pending migrations on open (default), or only check that the schema is current. */
  readonly migrate?: boolean;
  /** How often the change sequence is polled as a backstop to notifications (ms). Default 2000. */
  readonly consistencyCheckMs?: number;
  /** Attempts of one transaction before giving up on serialization failures. Default 30. */
  readonly maxTransactionAttempts?: number;
  /**
   * How long to keep trying to resolve a commit whose outcome is unknown (connection lost during
   * COMMIT) before answering unavailable (ms). Default 15000: long enough for a server restart.
   */
  readonly commitResolveMs?: number;
  /** Receives errors the store recovers from by itself (dropped idle connections, listener loss). */
  readonly onError?: (message: string, error: unknown) => void;
}

/** The change announced when anything may have changed (a missed notification, `clear()`). */
export const WILDCARD_CHANGE: StoreChange = Object.freeze({ account: '*', kind: 'account', key: '*' });

/** How often the wildcard is announced while the listening connection is down (ms). */
const DOWN_FLUSH_MS = 250;
/** Meta values cached per node before the cache is emptied and refilled. */
const META_CACHE_SIZE = 20_000;

/** Connection settings shared by the pool, the listener and the migration connection. */
function clientConfig(options: PostgresStoreOptions): pg.ClientConfig {
  return {
    connectionString: options.url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
    keepAlive: true,
    application_name: 'iamd',
  };
}

/**
 * Opens the PostgreSQL store at `options.url`: connects, applies pending migrations under an advisory
 * lock (or checks the schema when `migrate` is false), starts listening for other nodes' changes and
 * returns a {@link Store}. Throws {@link StoreUnavailable} when the server cannot be reached (quickly:
 * the connect timeout bounds it).
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const statementTimeout = options.statementTimeoutMs ?? 5000;
  const pool = new pg.Pool({
    ...clientConfig(options),
    max: options.poolSize ?? 10,
    statement_timeout: statementTimeout,
    // The client-side bound catches a server that stopped answering (no error ever arrives).
    query_timeout: statementTimeout + 2000,
    // A node that dies inside a transaction must not hold its locks for long.
    idle_in_transaction_session_timeout: Math.max(30_000, statementTimeout * 6),
    idleTimeoutMillis: 30_000,
  });
  // An idle pooled connection that breaks (server restart) is reported here; without a listener the
  // process would crash. The pool discards it; the next call opens a fresh one.
  pool.on('error', (error) => options.onError?.('an idle PostgreSQL connection failed', summarize(error)));
  try {
    const migration = new pg.Client({ ...clientConfig(options), statement_timeout: 60_000 });
    migration.on('error', () => undefined);
    await migration.connect();
    try {
      if (options.migrate === false) {
        const version = await schemaVersion(migration);
        if (version !== LATEST_PG_VERSION) {
          throw new Error(
            `the database schema is version ${version} but this iamd needs ${LATEST_PG_VERSION}; run \`iamd migrate\``,
          );
        }
      } else {
        await migratePostgres(migration);
      }
    } finally {
      await migration.end().catch(() => undefined);
    }
    const store = new PostgresStore(pool, options);
    await store.start();
    return store;
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (isUnavailable(error)) {
      throw new StoreUnavailable(
        `cannot connect to PostgreSQL at ${redactUrl(options.url)}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    throw error;
  }
}

/**
 * Applies pending migrations to the database at `url` and returns what was done (`iamd migrate`).
 * Safe while nodes run or start: the advisory lock serialises concurrent runs.
 */
export async function migratePostgresDatabase(
  url: string,
  connectTimeoutMs = 2000,
): Promise<MigrationResult> {
  const client = new pg.Client({
    ...clientConfig({ url, connectTimeoutMs }),
    statement_timeout: 60_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new StoreUnavailable(
      `cannot connect to PostgreSQL at ${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    return await migratePostgres(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The message and code of a driver error, without the connection object the pool attaches to it. */
function summarize(error: unknown): { message: string; code?: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return {
    message: error instanceof Error ? error.message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

/** Thrown inside an attempt when the whole transaction should run again. */
class RetryTransaction {
  constructor(readonly cause: unknown) {}
}

/**
 * Thrown by an attempt whose COMMIT was sent but whose acknowledgement was lost: it carries what the
 * attempt would have returned, to be used if its marker shows it committed.
 */
class CommitOutcomeUnknown<T> {
  constructor(
    readonly marker: string,
    readonly value: T,
    readonly changes: StoreChange[],
    readonly cause: unknown,
  ) {}
}

/** How often markers older than the retention are deleted (ms). */
const MARKER_PRUNE_MS = 10 * 60 * 1000;

/** Errors of a connection that was closed under us (server restart): worth one more try elsewhere. */
function isStaleConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '57P01' || code === '57P02' || code === 'ECONNRESET' || code === 'EPIPE') return true;
  return error instanceof Error && /Connection terminated/i.test(error.message);
}

/** A transaction handle; valid only while its `transact` function runs. */
class PgTx extends Reads implements StoreTx {
  /** Changes to announce after COMMIT, de-duplicated. */
  readonly changes = new Map<string, StoreChange>();
  /** The first failed statement: PostgreSQL has aborted the transaction, it must not commit. */
  aborted: unknown = undefined;
  /** Whether anything was written: only then does the commit carry a marker. */
  wrote = false;
  #finished = false;

  constructor(client: pg.PoolClient) {
    const exec: Exec = async (text, values, name) => {
      // INVARIANT: callers use `tx` only while `fn` of `transact` runs; a statement after COMMIT would
      // otherwise run outside any transaction (or inside the next one on this pooled connection).
      if (this.#finished) throw new Error('the transaction has already finished');
      if (this.aborted !== undefined) throw translate(this.aborted);
      try {
        return await client.query({ text, values: values as unknown[] | undefined, name });
      } catch (error) {
        this.aborted ??= error;
        throw translate(error);
      }
    };
    super(exec);
  }

  finish(): void {
    this.#finished = true;
  }

  #changed(account: string, kind: StoreChange['kind'], key: string): void {
    this.changes.set(`${account}\u0000${kind}\u0000${key}`, { account, kind, key });
  }

  async putAccount(account: AccountRecord): Promise<void> {
    // Looked up first rather than caught: a unique violation would abort the transaction. Two nodes
    // racing for one alias both pass this check; SERIALIZABLE then fails one with 40001 (PostgreSQL
    // docs: a unique violation after a check for the key is reported as a serialization failure), it
    // runs again and sees the alias taken.
    this.wrote = true;
    if (account.alias !== undefined) {
      const taken = await write(this.exec, 'iamd_alias_taken', [account.alias, account.id]);
      if ((taken.rowCount ?? 0) > 0)
        throw new StoreConflict('exists', `account alias \`${account.alias}\` is taken`);
    }
    await write(this.exec, 'iamd_put_account', [account.id, account.alias ?? null, JSON.stringify(account)]);
    this.#changed(account.id, 'account', account.id);
  }

  async deleteAccount(id: string): Promise<void> {
    // Closing an account removes everything in it; its audit events stay (they are history).
    this.wrote = true;
    await write(this.exec, 'iamd_delete_account_entities', [id]);
    await write(this.exec, 'iamd_delete_account', [id]);
    this.#changed(id, 'account', id);
  }

  async insert<T>(
    account: string,
    kind: EntityKind,
    key: string,
    body: T,
    index: string | null = null,
  ): Promise<void> {
    this.wrote = true;
    const result = await write(this.exec, 'iamd_insert_entity', [
      account,
      kind,
      key,
      index,
      JSON.stringify(body) ?? 'null',
    ]);
    if (result.rowCount === 0) throw new StoreConflict('exists', `${kind} \`${key}\` already exists`);
    this.#changed(account, kind, key);
  }

  async update<T>(
    account: string,
    kind: EntityKind,
    key: string,
    body: T,
    options: { readonly index?: string | null; readonly expectedVersion?: number } = {},
  ): Promise<void> {
    this.wrote = true;
    const result = await write(this.exec, 'iamd_update_entity', [
      account,
      kind,
      key,
      JSON.stringify(body) ?? 'null',
      options.index !== undefined,
      options.index ?? null,
      options.expectedVersion ?? null,
    ]);
    if (result.rowCount === 0) {
      const current = await this.get(account, kind, key);
      if (current === undefined) throw new StoreConflict('missing', `${kind} \`${key}\` does not exist`);
      throw new StoreConflict(
        'version',
        `${kind} \`${key}\` is at version ${current.version}, not ${options.expectedVersion ?? '?'}`,
      );
    }
    this.#changed(account, kind, key);
  }

  async delete(account: string, kind: EntityKind, key: string): Promise<boolean> {
    this.wrote = true;
    const existed = ((await write(this.exec, 'iamd_delete_entity', [account, kind, key])).rowCount ?? 0) > 0;
    if (existed) this.#changed(account, kind, key);
    return existed;
  }

  async putMeta(name: string, value: string): Promise<void> {
    this.wrote = true;
    await write(this.exec, 'iamd_put_meta', [name, value]);
    this.#changed('', 'meta', name);
  }

  async appendAudit(event: AuditRecord): Promise<void> {
    this.wrote = true;
    if (!(await insertAudit(this.exec, event)))
      throw new StoreConflict('exists', `audit event \`${event.eventId}\` already exists`);
  }
}

/** The adapter. Only {@link openPostgresStore} constructs it. */
class PostgresStore implements Store {
  readonly #pool: pg.Pool;
  readonly #options: PostgresStoreOptions;
  /** Identifies this store instance in notifications, so it ignores its own. */
  readonly #origin = randomUUID();
  readonly #listeners = new Set<(change: StoreChange) => void>();
  /**
   * Meta values read outside transactions (and known absences), by name. Dropped on this node's and
   * other nodes' `meta` changes and on every wildcard (a lost change feed flushes it repeatedly, as it
   * does every cache). A read that began before a change was heard is not kept ({@link #metaGeneration}).
   */
  readonly #metas = new Map<string, string | undefined>();
  #metaGeneration = 0;
  readonly #reads: Reads;
  readonly #feed: ChangeFeed;
  readonly #maxAttempts: number;
  #closing = false;
  #closed: Promise<void> | undefined;
  #inflight = 0;
  #drained: (() => void) | undefined;
  #checkTimer: NodeJS.Timeout | undefined;
  #pruneTimer: NodeJS.Timeout | undefined;
  #downTimer: NodeJS.Timeout | undefined;
  /** Change-sequence numbers known to be announced (own commits and notifications received). */
  readonly #known = new Set<number>();
  /** Sequence values bounding the backstop: numbers up to `#checkedUpTo` were judged. */
  #checkedUpTo = 0;
  #lastSeen = 0;

  constructor(pool: pg.Pool, options: PostgresStoreOptions) {
    this.#pool = pool;
    this.#options = options;
    this.#maxAttempts = Math.max(1, options.maxTransactionAttempts ?? 30);
    this.#reads = new Reads((text, values, name) => this.#pooled(text, values, name));
    this.#feed = new ChangeFeed({
      client: clientConfig(options),
      onNotice: (notice) => this.#onNotice(notice),
      onDown: (error) => this.#onFeedDown(error),
      onRecovered: () => this.#onFeedRecovered(),
    });
  }

  /** Listens for changes and starts the backstop; called once by {@link openPostgresStore}. */
  async start(): Promise<void> {
    this.#lastSeen = this.#checkedUpTo = await this.#sequenceValue();
    await this.#feed.start();
    this.#checkTimer = setInterval(
      () => void this.#checkConsistency(),
      this.#options.consistencyCheckMs ?? 2000,
    );
    this.#checkTimer.unref();
    void this.#pruneMarkers();
    this.#pruneTimer = setInterval(() => void this.#pruneMarkers(), MARKER_PRUNE_MS);
    this.#pruneTimer.unref();
  }

  /** Deletes commit markers older than the retention (autocommit: no serializable conflicts). */
  async #pruneMarkers(): Promise<void> {
    if (this.#closing) return;
    try {
      await this.#pool.query('DELETE FROM iamd_commit_markers WHERE created_at < $1', [
        Date.now() - COMMIT_MARKER_RETENTION_MS,
      ]);
    } catch (error) {
      this.#options.onError?.('pruning commit markers failed', summarize(error));
    }
  }

  // ---- changes -------------------------------------------------------------------------------

  #emit(changes: Iterable<StoreChange>): void {
    for (const change of changes) {
      if (change.kind === 'meta') {
        this.#metas.delete(change.key);
        this.#metaGeneration++;
      } else if (change.key === '*') {
        this.#metas.clear();
        this.#metaGeneration++;
      }
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

  #onNotice(notice: ChangeNotice): void {
    this.#known.add(notice.seq);
    // Own commits were announced locally right after COMMIT.
    if (notice.origin === this.#origin || this.#closing) return;
    this.#emit(notice.changes === 'wildcard' ? [WILDCARD_CHANGE] : notice.changes);
  }

  #onFeedDown(error: unknown): void {
    this.#options.onError?.(
      'the PostgreSQL change listener lost its connection; reconnecting',
      summarize(error),
    );
    // Notifications may be missed from now on: caches must not trust what they hold.
    this.#emit([WILDCARD_CHANGE]);
    if (this.#downTimer === undefined) {
      this.#downTimer = setInterval(() => this.#emit([WILDCARD_CHANGE]), DOWN_FLUSH_MS);
      this.#downTimer.unref();
    }
  }

  #onFeedRecovered(): void {
    if (this.#downTimer) clearInterval(this.#downTimer);
    this.#downTimer = undefined;
    this.#emit([WILDCARD_CHANGE]);
  }

  async #sequenceValue(): Promise<number> {
    const result = await this.#pool.query<{ v: string }>(
      `SELECT (CASE WHEN is_called THEN last_value ELSE 0 END)::text AS v FROM ${CHANGE_SEQUENCE}`,
    );
    return Number(result.rows[0]?.v ?? 0);
  }

  /**
   * The backstop: every number the change sequence handed out up to the previous poll should have
   * been announced by now (one poll interval is ample for a NOTIFY on a live connection). A number
   * never seen means a missed notification (or a commit that failed after drawing it): flush all.
   */
  async #checkConsistency(): Promise<void> {
    if (this.#closing) return;
    let value: number;
    try {
      value = await this.#sequenceValue();
    } catch {
      return; // unreachable now; calls report it, the feed reconnects
    }
    const from = this.#checkedUpTo;
    const to = this.#lastSeen;
    let announced = 0;
    for (const n of this.#known) {
      if (n > from && n <= to) announced++;
      if (n <= to) this.#known.delete(n);
    }
    this.#checkedUpTo = to;
    this.#lastSeen = value;
    if (announced < to - from || value < to) this.#emit([WILDCARD_CHANGE]);
  }

  // ---- plumbing --------------------------------------------------------------------------------

  /** Runs `fn` as one tracked call (close waits for it); refuses calls once closing. */
  async #track<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closing) throw new StoreUnavailable('the store is closed');
    this.#inflight++;
    try {
      return await fn();
    } finally {
      if (--this.#inflight === 0) this.#drained?.();
    }
  }

  /** An autocommit statement on any pooled connection; one retry when that connection had gone stale. */
  async #pooled<R extends pg.QueryResultRow>(
    text: string,
    values: readonly unknown[] | undefined,
    name: string | undefined,
  ): Promise<pg.QueryResult<R>> {
    const config = { text, values: values as unknown[] | undefined, name };
    try {
      return await this.#pool.query<R>(config);
    } catch (error) {
      if (!isStaleConnection(error)) throw translate(error);
      try {
        return await this.#pool.query<R>(config);
      } catch (again) {
        throw translate(again);
      }
    }
  }

  #read<T>(fn: (reads: Reads) => Promise<T>): Promise<T> {
    return this.#track(() => fn(this.#reads));
  }

  /**
   * COMMITs; a transaction that changed something first draws a sequence number and notifies, and one
   * that wrote inserts its commit `marker` (a plain INSERT: it conflicts with a fence row, see the
   * header). Everything goes in one simple-query message, so marker and COMMIT cost no extra round trip.
   */
  async #commit(
    client: pg.PoolClient,
    changes: readonly StoreChange[] | 'wildcard',
    marker: { readonly id: string; readonly requestId: string | undefined } | undefined,
  ): Promise<number | undefined> {
    const mark =
      marker === undefined
        ? ''
        : `INSERT INTO iamd_commit_markers (id, request_id, created_at) VALUES (${pg.escapeLiteral(marker.id)}, ${
            marker.requestId === undefined ? 'NULL' : pg.escapeLiteral(marker.requestId)
          }, ${Date.now()}); `;
    if (changes !== 'wildcard' && changes.length === 0) {
      await client.query(`${mark}COMMIT`);
      return undefined;
    }
    const payload = pg.escapeLiteral(encodeChanges(this.#origin, changes));
    // One round trip: the NOTIFY is queued in the transaction and delivered only once COMMIT succeeds.
    const results = (await client.query(
      `${mark}WITH s AS (SELECT nextval('${CHANGE_SEQUENCE}') AS n)
       SELECT s.n::text AS n, pg_notify('${CHANGE_CHANNEL}', s.n::text || ' ' || ${payload}) FROM s; COMMIT`,
    )) as unknown as pg.QueryResult<{ n: string }>[];
    const selected = results.find((r) => r.command === 'SELECT');
    const n = Number(selected?.rows[0]?.n);
    return Number.isSafeInteger(n) ? n : undefined;
  }

  /**
   * Resolves an unknown commit outcome by fencing its marker (see the header): true when the attempt
   * committed, false when it did not (and now never will). Retries while the database is unreachable,
   * up to `commitResolveMs`; then throws {@link StoreUnavailable}.
   */
  async #resolveCommit(marker: string): Promise<boolean> {
    const deadline = Date.now() + (this.#options.commitResolveMs ?? 15_000);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.#pool.query(
          'INSERT INTO iamd_commit_markers (id, request_id, created_at) VALUES ($1, NULL, $2) ON CONFLICT (id) DO NOTHING',
          [marker, Date.now()],
        );
        return result.rowCount === 0;
      } catch (error) {
        if (!isUnavailable(error) || Date.now() >= deadline) {
          const cause = error instanceof Error ? error.message : String(error);
          throw new StoreUnavailable(
            `the outcome of a transaction whose commit lost its connection is not known yet: ${cause}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(500, 25 * 2 ** attempt)));
      }
    }
  }

  /** One attempt of a transaction; throws {@link RetryTransaction} when it should run again. */
  async #attempt<T>(
    fn: (tx: StoreTx) => Promise<T>,
    wildcard: boolean,
    requestId: string | undefined,
  ): Promise<{ value: T; changes: StoreChange[] }> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw translate(error);
    }
    let broken: Error | undefined;
    // The pool listens for errors only on idle connections: a checked-out one that loses its server
    // between statements emits 'error', which would crash the process without a listener. The failure
    // also reaches the next statement, so recording it is enough.
    const onError = (error: Error): void => {
      broken ??= error;
    };
    client.on('error', onError);
    try {
      try {
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      } catch (error) {
        broken = error instanceof Error ? error : new Error(String(error));
        if (isStaleConnection(error)) throw new RetryTransaction(error);
        throw translate(error);
      }
      const tx = new PgTx(client);
      let value: T | undefined;
      let failure: { error: unknown } | undefined;
      try {
        value = await fn(tx);
      } catch (error) {
        failure = { error };
      } finally {
        // Finished before COMMIT: a write that `fn` forgot to await cannot slip in afterwards.
        tx.finish();
      }
      if (failure !== undefined || tx.aborted !== undefined) {
        try {
          await client.query('ROLLBACK');
        } catch (error) {
          broken = error instanceof Error ? error : new Error(String(error));
        }
        if (isRetryable(tx.aborted) || (failure !== undefined && isRetryable(failure.error)))
          throw new RetryTransaction(tx.aborted ?? failure?.error);
        // `fn` may have caught a failed statement and carried on: the transaction is aborted anyway.
        throw translate(failure !== undefined ? failure.error : tx.aborted);
      }
      const changes = [...tx.changes.values()];
      const marker = tx.wrote ? { id: randomUUID(), requestId } : undefined;
      let seq: number | undefined;
      try {
        seq = await this.#commit(client, wildcard ? 'wildcard' : changes, marker);
      } catch (error) {
        // The connection failed with COMMIT in flight: the outcome is unknown, not a failure. The
        // connection is dropped (ending its backend, so a half-done commit finishes or aborts before
        // the fence looks) and the outcome resolved by #transaction.
        if (marker !== undefined && isUnavailable(error)) {
          broken = error instanceof Error ? error : new Error(String(error));
          throw new CommitOutcomeUnknown(
            marker.id,
            value as T,
            wildcard ? [WILDCARD_CHANGE] : changes,
            error,
          );
        }
        // An error the server answered with is a definite failure. It may have come from a statement
        // before COMMIT in the message (e.g. a serialization failure at the marker insert), which
        // skips the COMMIT and leaves the transaction open and aborted: roll back before the
        // connection goes back to the pool (harmless when COMMIT itself failed and ended it).
        try {
          await client.query('ROLLBACK');
        } catch (rollback) {
          broken = rollback instanceof Error ? rollback : new Error(String(rollback));
        }
        if (isRetryable(error)) throw new RetryTransaction(error);
        broken ??= error instanceof Error ? error : new Error(String(error));
        throw translate(error);
      }
      if (seq !== undefined) this.#known.add(seq);
      return { value: value as T, changes: wildcard ? [WILDCARD_CHANGE] : changes };
    } finally {
      // A connection that failed is destroyed rather than returned to the pool.
      client.off('error', onError);
      client.release(broken);
    }
  }

  /** Runs `fn` in a serializable transaction, re-running it on serialization failures. */
  async #transaction<T>(fn: (tx: StoreTx) => Promise<T>, wildcard = false, requestId?: string): Promise<T> {
    return this.#track(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const { value, changes } = await this.#attempt(fn, wildcard, requestId);
          // Only after COMMIT (a rollback threw above and announced nothing).
          this.#emit(changes);
          return value;
        } catch (error) {
          if (error instanceof CommitOutcomeUnknown) {
            const unknown = error as CommitOutcomeUnknown<T>;
            if (await this.#resolveCommit(unknown.marker)) {
              // It committed: answer exactly what that attempt would have answered.
              this.#emit(unknown.changes);
              return unknown.value;
            }
            // It rolled back (and is fenced off): running `fn` again is safe.
          } else if (!(error instanceof RetryTransaction)) throw error;
          if (attempt >= this.#maxAttempts) {
            throw new StoreUnavailable(
              `the transaction still conflicted with concurrent ones after ${attempt} attempts`,
            );
          }
          // Jittered exponential backoff, so colliding transactions stop colliding.
          const ceiling = Math.min(100, 2 ** attempt);
          await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
        }
      }
    });
  }

  // ---- Store -----------------------------------------------------------------------------------

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
    return this.#read((r) => r.get<T>(account, kind, key));
  }
  list<T>(account: string, kind: EntityKind, options?: ListOptions): Promise<Entity<T>[]> {
    return this.#read((r) => r.list<T>(account, kind, options));
  }
  count(account: string, kind: EntityKind): Promise<number> {
    return this.#read((r) => r.count(account, kind));
  }
  getMeta(name: string): Promise<string | undefined> {
    if (this.#metas.has(name)) {
      if (this.#closing) return Promise.reject(new StoreUnavailable('the store is closed'));
      return Promise.resolve(this.#metas.get(name));
    }
    const generation = this.#metaGeneration;
    return this.#read(async (r) => {
      const value = await r.getMeta(name);
      if (generation === this.#metaGeneration) {
        if (this.#metas.size >= META_CACHE_SIZE) this.#metas.clear();
        this.#metas.set(name, value);
      }
      return value;
    });
  }

  transact<T>(fn: (tx: StoreTx) => Promise<T>, options?: TransactOptions): Promise<T> {
    return this.#transaction(fn, false, options?.requestId);
  }

  appendAudit(event: AuditRecord): Promise<void> {
    return this.#track(async () => {
      // One autocommit statement (the event and its resources together); concurrent appends commit
      // independently, and PostgreSQL groups their WAL flushes.
      const exec: Exec = (text, values, name) => this.#pooled(text, values, name);
      if (!(await insertAudit(exec, event)))
        throw new StoreConflict('exists', `audit event \`${event.eventId}\` already exists`);
    });
  }

  queryAudit(query: AuditQuery): Promise<AuditPage> {
    return this.#read((r) => r.queryAudit(query));
  }

  pruneAudit(beforeMs: number): Promise<number> {
    return this.#transaction(async (tx) => {
      const exec = (tx as PgTx).exec;
      await exec(
        'DELETE FROM audit_resources WHERE event_id IN (SELECT event_id FROM audit WHERE event_time < $1)',
        [beforeMs],
      );
      return (await exec('DELETE FROM audit WHERE event_time < $1', [beforeMs])).rowCount ?? 0;
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
    // DELETE rather than TRUNCATE: TRUNCATE is not MVCC-safe for concurrent serializable readers.
    await this.#transaction(async (tx) => {
      const exec = (tx as PgTx).exec;
      await exec('DELETE FROM entities');
      await exec('DELETE FROM accounts');
      await exec('DELETE FROM meta');
      await exec('DELETE FROM audit_resources');
      await exec('DELETE FROM audit');
    }, true);
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      // New calls are refused from here; calls in flight (a transaction, a read) finish first.
      this.#closing = true;
      if (this.#inflight > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
      if (this.#checkTimer) clearInterval(this.#checkTimer);
      if (this.#pruneTimer) clearInterval(this.#pruneTimer);
      if (this.#downTimer) clearInterval(this.#downTimer);
      this.#listeners.clear();
      await this.#feed.close();
      await this.#pool.end().catch(() => undefined);
    })();
    return this.#closed;
  }
}
