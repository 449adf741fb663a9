/**
 * Writes audit events of calls that changed nothing (reads, denials, failures) in batches, so a read
 * costs no synchronous disk flush. Events of changes are written inside the change's own transaction
 * instead (see server/dispatch.ts), never through here.
 */
import type { AuditRecord, Store } from '../store/index.js';

/** A batching audit writer; `flush()` on shutdown. */
export class AuditWriter {
  private buffer: AuditRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(r: AuditRecord) => void>();

  constructor(
    private readonly store: Store,
    private readonly onError: (err: unknown) => void,
    private readonly delayMs = 10,
    private readonly maxBatch = 64,
    /**
     * Hand each event to `store.appendAudit` as it comes instead of writing batches in a `transact`: for
     * a store whose `appendAudit` batches and group-commits events itself (SQLite, which can then insert
     * them on its audit thread, off the event loop). `delayMs` and `maxBatch` then do not apply.
     */
    private readonly groupCommitting = false,
  ) {}

  /** Queues `record`; it is durable after the next flush (at most `delayMs` later). */
  add(record: AuditRecord): void {
    this.notify(record);
    if (this.groupCommitting) {
      // The store batches (and serialises) the event itself, at once: nothing is held here.
      if (this.store.queueAudit !== undefined) this.store.queueAudit(record, this.onError);
      else this.store.appendAudit(record).catch(this.onError);
      return;
    }
    this.buffer.push(record);
    if (this.buffer.length >= this.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.delayMs);
  }

  /** Tells listeners (e.g. `iamd audit tail` in-process, a JSON-lines sink) about a record. */
  notify(record: AuditRecord): void {
    for (const l of this.listeners) l(record);
  }

  /** Subscribes to every record as it is produced. */
  subscribe(listener: (r: AuditRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes everything queued so far. */
  flush(): Promise<void> {
    if (this.groupCommitting) return this.store.flushAudit?.() ?? Promise.resolve();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() =>
      this.store
        .transact(async (tx) => {
          for (const r of batch) await tx.appendAudit(r);
        })
        .catch(this.onError),
    );
    return this.flushing;
  }
}
