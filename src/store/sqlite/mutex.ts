/**
 * A FIFO async mutex. better-sqlite3 is synchronous but a transaction's body is async, so while one
 * transaction awaits, nothing else may run statements on the write connection (they would silently
 * join the open transaction).
 */
export class Mutex {
  #locked = false;
  readonly #waiters: (() => void)[] = [];

  /** Whether the lock is held (a transaction or a write batch is in flight). */
  get locked(): boolean {
    return this.#locked;
  }

  /** Resolves once the caller holds the lock; callers must {@link release} it exactly once. */
  acquire(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Hands the lock to the next waiter (in arrival order), or frees it. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#locked = false;
  }

  /** Runs `fn` holding the lock. */
  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
