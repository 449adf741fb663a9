/**
 * The in-memory store: the SQLite adapter over a private `:memory:` database. One implementation
 * means the memory store cannot drift from the file store's semantics (conflicts, ordering, audit).
 * Nothing survives {@link Store.close}.
 */
import type { Store } from '../index.js';
import { openSqliteStore } from '../sqlite/index.js';

/** Opens an empty in-memory store (tests, `--ephemeral` runs). */
export function openMemoryStore(): Promise<Store> {
  return openSqliteStore({ path: ':memory:' });
}
