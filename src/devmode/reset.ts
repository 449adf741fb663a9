/**
 * Test isolation at the development levels (issue 9): `POST /_iamd/reset` — and `POST /moto-api/reset`,
 * the route moto's server mode offers, so suites written for it run unchanged — put the store back to
 * the state it had after start: the first account with its root keys, plus the seed file. Also the
 * permissive level's on-the-fly accounts. No fastify here: main.ts routes HTTP to {@link makeResetHandler}.
 */
import type { AccountRecord, Store, StoreTx } from '../store/index.js';
import type { AccessKeyBody } from '../domain/entities.js';
import { KEY_ACCOUNT_META, type CredentialResolver } from '../authn/resolve.js';
import { KEYRING_META } from '../credentials/session-token.js';
import { isLoopbackHost } from '../config/index.js';
import { isAwsError } from '../errors/index.js';
import { SigningKeyCache } from '../sigv4/index.js';
import { authenticateRequest, authenticator } from '../authn/authenticate.js';
import { applySeedIn, type SeedDeps } from './apply.js';
import type { ParsedSeed } from './seed.js';

/** The first account as it was after start: its record and root keys (sealed secrets, as stored). */
export interface Baseline {
  readonly account: AccountRecord;
  readonly rootKeys: readonly { readonly body: AccessKeyBody; readonly metaMapped: boolean }[];
}

/**
 * Reads the {@link Baseline} of `accountId` (call once, after start-up and seeding). An account that
 * does not exist yet is recorded as a bare account created `now`.
 */
export async function captureBaseline(store: Store, accountId: string, now: number): Promise<Baseline> {
  const account = (await store.getAccount(accountId)) ?? { id: accountId, createdAt: now };
  const keys = await store.list<AccessKeyBody>(accountId, 'accessKey', { index: '' });
  const rootKeys = [];
  for (const k of keys)
    rootKeys.push({
      body: k.body,
      metaMapped: (await store.getMeta(KEY_ACCOUNT_META + k.body.accessKeyId)) === accountId,
    });
  return { account, rootKeys };
}

/** Writes the baseline back (inside a transaction, on an empty store). */
async function restoreBaseline(tx: StoreTx, b: Baseline): Promise<void> {
  await tx.putAccount(b.account);
  for (const k of b.rootKeys) {
    await tx.insert(b.account.id, 'accessKey', k.body.accessKeyId, k.body, '');
    if (k.metaMapped) await tx.putMeta(KEY_ACCOUNT_META + k.body.accessKeyId, b.account.id);
  }
}

/** What a reset needs. */
export interface ResetDeps {
  readonly store: Store;
  readonly baseline: Baseline;
  /** The seed applied at start, if any. */
  readonly seed: ParsedSeed | undefined;
  /** Seed dependencies at the time of the reset (for `now`). */
  seedDeps(): SeedDeps;
}

/**
 * Empties the store and restores the start state: baseline account, then the seed, in one transaction.
 * The session-token keyring survives (its keys are process state too), so tokens issued before stay
 * verifiable, though the roles they name are new. Returns the time it took in milliseconds.
 */
export async function resetStore(deps: ResetDeps): Promise<number> {
  const started = performance.now();
  const keyring = await deps.store.getMeta(KEYRING_META);
  await deps.store.clear();
  await deps.store.transact(async (tx) => {
    if (keyring !== undefined) await tx.putMeta(KEYRING_META, keyring);
    await restoreBaseline(tx, deps.baseline);
    if (deps.seed) await applySeedIn(tx, deps.seed, deps.seedDeps());
  });
  return performance.now() - started;
}

/** Creates `account` when missing (the permissive level's 12-digit keys). */
export async function ensureAccount(store: Store, account: string, now: number): Promise<void> {
  if (await store.getAccount(account)) return;
  await store.transact(async (tx) => {
    if (!(await tx.getAccount(account))) await tx.putAccount({ id: account, createdAt: now });
  });
}

/** An HTTP request to a reset route, reduced to what authentication needs. */
export interface ResetCall {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly sourceIp: string;
}

/** What the route answers (JSON). */
export interface ResetAnswer {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
}

/**
 * The reset route: allowed from a loopback address, or when signed (SigV4, verified) by an account
 * root. A permissive-level stand-in root does not count: its signature cannot be checked.
 */
export function makeResetHandler(options: {
  readonly resolver: CredentialResolver;
  readonly now: () => number;
  /** Real time for signature freshness (see `Clock.wallNow`); defaults to `now`. */
  readonly wallNow?: (() => number) | undefined;
  readonly reset: () => Promise<number>;
}): (call: ResetCall) => Promise<ResetAnswer> {
  // The shared authentication (src/authn), strict: the development levels' leniency never opens reset.
  const auth = authenticator(options.resolver, ['iam', 'sts'], new SigningKeyCache(16), { strict: true });
  const rootSigned = async (call: ResetCall): Promise<boolean> => {
    try {
      const now = options.now();
      const { creds } = await authenticateRequest(auth, call, now, options.wallNow?.() ?? now);
      return creds.unverified !== true && creds.principal.type === 'Root';
    } catch (err) {
      if (isAwsError(err)) return false;
      throw err;
    }
  };
  return async (call) => {
    if (!isLoopbackHost(call.sourceIp) && !(await rootSigned(call)))
      return {
        status: 403,
        body: {
          status: 'error',
          message: 'reset is allowed from a loopback address or with root credentials',
        },
      };
    const ms = await options.reset();
    return { status: 200, body: { status: 'ok', ms: Math.round(ms * 100) / 100 } };
  };
}
