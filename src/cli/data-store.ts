/**
 * The store of a `--data DIR` command (`iamd explain`, `audit`, `who-can-assume`, `reach`): the SQLite
 * store in the data directory, opened directly so the command also works while the server runs (SQLite
 * WAL readers never block the writer).
 */
import { defaultDataDir, type Env } from '../config/index.js';
import { openStore } from '../main.js';
import type { Store } from '../store/index.js';

/**
 * Opens the store of `data` (the `--data` value; the default data directory when undefined), runs `fn`
 * on it and closes it, whether `fn` returns or throws.
 */
export async function withDataStore<T>(
  data: string | undefined,
  env: Env,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore({ memory: false, dataDir: data ?? defaultDataDir(env) });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
