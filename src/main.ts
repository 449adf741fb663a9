/**
 * The composition root: config → store → keys → operations → dispatcher → HTTP server. The only place
 * that picks a store adapter.
 */
import { storeLockout } from './authn/lockout.js';
import { deriveMarkerKey, issueMarker, openMarker } from './credentials/list-marker.js';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomFillSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/index.js';
import type { Operation, Services } from './api/operation.js';
import { adjustableClock, signingNow, systemClock, type AdjustableClock, type Clock } from './core/clock.js';
import type { Store } from './store/index.js';
import { openSqliteStore } from './store/sqlite/index.js';
import { openPostgresStore } from './store/postgres/index.js';
import { loadMasterKey } from './credentials/master-key.js';
import { sealSecret, unsealSecret } from './credentials/seal.js';
import { keyIdOf, loadKeyring, SessionTokenSealer, type Keyring } from './credentials/session-token.js';
import { compileServiceModel, type ServiceModel } from './protocol/index.js';
import { CredentialResolver } from './authn/resolve.js';
import { PolicyCache } from './authz/index.js';
import { AuditWriter } from './audit/writer.js';
import { ensureFirstAccount, firstAccount as firstCreated, type NewAccount } from './accounts/index.js';
import { makeDispatcher, type ServiceName } from './server/dispatch.js';
import { rateOf, Throttle } from './server/throttle.js';
import { buildApp } from './server/app.js';
import { gatewayFor } from './server/gateway/index.js';
import { startRuntimeEndpoints, type RuntimeEndpoints } from './server/imds-app.js';
import { makeJsonHandler } from './server/cloudtrail/lookup-events.js';
import { makeOrganizationsHandler, ORGANIZATIONS_TARGET_PREFIX } from './server/organizations.js';
import { ORGANIZATIONS_OPERATIONS } from './organizations/index.js';
import { headerValue, type Answer, type IncomingCall } from './server/pipeline/index.js';
import { iamdEndpoints } from './server/iamd-endpoints/index.js';
import { Pipeline } from './server/pipeline/index.js';
import { IAM_OPERATIONS } from './iam/index.js';
import { createConsole } from './console/plugin.js';
import { STS_OPERATIONS } from './sts/index.js';
import { OidcKeySets, makeJsonFetcher } from './federation/index.js';
import { federationEndpoint } from './server/federation-endpoint.js';
import { outboundIssuerRoutes } from './server/routes/outbound-issuer.js';
import {
  applySeed,
  captureBaseline,
  ensureAccount,
  isDevLevel,
  makeResetHandler,
  parseSeed,
  resetStore,
  type Baseline,
  type ParsedSeed,
  type SeedDeps,
  type SeedSummary,
} from './devmode/index.js';

// The CLI reaches the PostgreSQL adapter only through the composition root (STYLE.md: only main.ts
// picks an adapter): `iamd migrate` and the redaction of database URLs in messages.
export { migratePostgresDatabase } from './store/postgres/index.js';
export { redactUrl } from './store/postgres/errors.js';
/** A running iamd. */
export interface RunningServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly store: Store;
  /** Credentials of the account created on first start, if this start created one. */
  readonly created: NewAccount | undefined;
  /** IMDS / container credentials endpoints, when configured (`--imds`, `--container-credentials`). */
  readonly runtime: RuntimeEndpoints | undefined;
  /** What the seed file changed at this start (`--seed`), if one was given. */
  readonly seeded: SeedSummary | undefined;
  close(): Promise<void>;
}

/** Reads a service model shipped in `models/` (copied from botocore, see models/README.md). */
function readModel(name: ServiceName | 'organizations'): unknown {
  return JSON.parse(readFileSync(new URL(`../../models/${name}.json`, import.meta.url), 'utf8'));
}

/**
 * Opens the configured store: PostgreSQL when a database URL is configured (several nodes share it),
 * else SQLite in the data directory, or in memory. `onError` hears errors the store recovers from.
 */
export async function openStore(
  config: Pick<Config, 'memory' | 'dataDir' | 'database' | 'databasePoolSize'>,
  onError?: (message: string, error: unknown) => void,
): Promise<Store> {
  if (config.database !== undefined)
    return openPostgresStore({ url: config.database, poolSize: config.databasePoolSize, onError });
  // auditThread: batched audit events are inserted on a worker thread (started only when used).
  if (config.memory || config.dataDir === undefined)
    return openSqliteStore({ path: ':memory:', auditThread: true });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return openSqliteStore({ path: join(config.dataDir, 'iamd.db'), auditThread: true });
}

/** The master key: `IAMD_MASTER_KEY`, the data directory's key file, or (in memory) a fresh one. */
export function masterKeyFor(config: Pick<Config, 'memory' | 'dataDir' | 'masterKey'>): Buffer {
  if (config.masterKey === undefined && (config.memory || config.dataDir === undefined))
    return randomBytes(32);
  return loadMasterKey({ dataDir: config.dataDir, env: config.masterKey });
}

/**
 * Cryptographically strong random bytes from a 4 KiB pool refilled by `randomFillSync`: minting a
 * session asks for a dozen small pieces (ids, secret, nonce), and one system call per piece costs more
 * than the rest of the work. Each byte is handed out once.
 */
export function pooledRandom(poolSize = 4096): (n: number) => Uint8Array {
  let pool = Buffer.alloc(0);
  let offset = 0;
  return (n) => {
    if (n > poolSize / 4) return randomBytes(n);
    if (offset + n > pool.length) {
      pool = randomFillSync(Buffer.allocUnsafeSlow(poolSize));
      offset = 0;
    }
    // A view, not a copy: a refill allocates a new pool, so handed-out bytes never change.
    const out = pool.subarray(offset, offset + n);
    offset += n;
    return out;
  };
}

/** Process-wide services over a master key and a session sealer. */
export function makeServices(
  masterKey: Buffer,
  sealer: SessionTokenSealer,
  random: (n: number) => Uint8Array = pooledRandom(),
): Services {
  const markerKey = deriveMarkerKey(masterKey);
  return {
    random,
    sealSecret: (plaintext, aad) => sealSecret(masterKey, plaintext, aad),
    unsealSecret: (sealed, aad) => unsealSecret(masterKey, sealed, aad),
    sealSession: (claims) => sealer.seal(claims),
    issueMarker: (position) => issueMarker(markerKey, position),
    openMarker: (marker) => openMarker(markerKey, marker),
  };
}

/**
 * Resolves when `store` answers a small read within 2 s; rejects otherwise. The read is one no store
 * caches (an account lookup; meta values and entities are cached per node), so it reaches the database
 * every time.
 */
async function readyProbe(store: Store): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the store did not answer within 2 s')), 2000);
  });
  try {
    await Promise.race([store.getAccount('iamd-ready-probe'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function byName(ops: readonly Operation[]): Map<string, Operation> {
  return new Map(ops.map((o) => [o.name, o]));
}

/**
 * Audit retention (`--audit-retention-days`: prune at start and hourly) and the JSON-lines sink
 * (`--audit-file`: one CloudTrail record per line, as produced). Returns a function that stops both.
 */
function startAuditExtras(
  config: Config,
  store: Store,
  audit: AuditWriter,
  clock: Clock,
  onError: (err: unknown) => void,
): () => void {
  const stops: (() => void)[] = [];
  const days = config.auditRetentionDays;
  if (days !== undefined) {
    const prune = () => void store.pruneAudit(clock.now() - days * 86_400_000).catch(onError);
    prune();
    const timer = setInterval(prune, 60 * 60 * 1000);
    timer.unref();
    stops.push(() => clearInterval(timer));
  }
  if (config.auditFile !== undefined) {
    const sink = createWriteStream(config.auditFile, { flags: 'a', mode: 0o600 });
    sink.on('error', onError);
    stops.push(audit.subscribe((r) => sink.write(`${JSON.stringify(r.record)}\n`)));
    stops.push(() => sink.end());
  }
  return () => {
    for (const stop of stops) stop();
  };
}

/**
 * This node's session-token keyring. Keys rotate daily (credentials/session-token.ts); every node
 * reloads hourly, and at once (at most every 5 s) when a token names a key it does not know yet.
 */
interface NodeKeys {
  readonly sealer: SessionTokenSealer;
  /** For the resolver: reloads when `token` names an unknown key; says whether a retry may succeed. */
  refreshKeysFor(token: string): Promise<boolean>;
  stop(): void;
}

async function openNodeKeys(
  store: Store,
  masterKey: Buffer,
  clock: Clock,
  random: (n: number) => Uint8Array,
): Promise<NodeKeys> {
  let keyring: Keyring = await loadKeyring(store, masterKey, clock.now());
  const sealer = new SessionTokenSealer(keyring, random);
  let lastReload = 0;
  const reloadKeys = async (): Promise<void> => {
    lastReload = Date.now();
    keyring = await loadKeyring(store, masterKey, clock.now());
    sealer.setKeyring(keyring);
  };
  const reloadTimer = setInterval(() => void reloadKeys().catch(() => undefined), 60 * 60 * 1000);
  reloadTimer.unref();
  return {
    sealer,
    async refreshKeysFor(token) {
      const id = keyIdOf(token);
      if (id === undefined || keyring.all.has(id) || Date.now() - lastReload < 5000) return false;
      await reloadKeys();
      return keyring.all.has(id);
    },
    stop: () => clearInterval(reloadTimer),
  };
}

/** Process-wide services, with federation (issue 5): fetching OIDC keys is iamd's only outbound HTTP. */
function nodeServices(
  config: Config,
  masterKey: Buffer,
  keys: NodeKeys,
  random: (n: number) => Uint8Array,
  clock: Clock,
  store: Store,
  audit: { readonly current?: AuditWriter | undefined },
  publicUrl: () => string | undefined,
): Services {
  return {
    auditTrail: {
      async query(query) {
        await audit.current?.flush();
        return store.queryAudit(query);
      },
    },
    ...makeServices(masterKey, keys.sealer, random),
    publicUrl,
    lockout: config.lockout === undefined ? undefined : storeLockout(store, config.lockout),
    // http:// only to loopback, opted in.
    federation: {
      oidcKeys: new OidcKeySets(makeJsonFetcher({ allowHttpLoopback: config.oidcAllowHttpLoopback }), {
        now: () => clock.now(),
        allowHttpLoopback: config.oidcAllowHttpLoopback,
      }),
      oidcAllowHttpLoopback: config.oidcAllowHttpLoopback,
      samlOneTimeUse: config.samlOneTimeUse,
      samlAudiences: config.samlAudiences,
    },
  };
}

/** What a start made of the store's accounts. */
interface StartAccounts {
  /** Credentials of the account created on this start, if any. */
  readonly created: NewAccount | undefined;
  /** The default account of the development levels and of IMDS bindings ('' when there is none). */
  readonly firstAccount: string;
  readonly seeded: SeedSummary | undefined;
  /** The state reset goes back to (development levels only). */
  readonly baseline: Baseline | undefined;
}

/**
 * Ensures the first account and applies the seed. With a seed file and no IAMD_ACCOUNT_ID, a new
 * store's first account is the seed's first account, and its first root key (when the seed gives
 * one) is that account's root key.
 */
async function prepareAccounts(
  config: Config,
  store: Store,
  services: Services,
  seed: ParsedSeed | undefined,
  seedDeps: () => SeedDeps,
  now: number,
): Promise<StartAccounts> {
  const seedFirst = config.accountId === undefined ? seed?.seed.accounts[0] : undefined;
  const seedRootKey = config.rootAccessKeyId === undefined ? seedFirst?.rootAccessKeys[0] : undefined;
  const wantedAccount = config.accountId ?? seedFirst?.id;
  const created = await ensureFirstAccount(store, services, now, {
    accountId: wantedAccount,
    accessKeyId: config.rootAccessKeyId ?? seedRootKey?.accessKeyId,
    secretAccessKey: config.rootSecretAccessKey ?? seedRootKey?.secretAccessKey,
  });
  // Development levels and seeds (issue 9): the default account is the one the first start made.
  const firstAccount =
    wantedAccount ?? created?.AccountId ?? firstCreated(await store.listAccounts())?.id ?? '';
  const seeded = seed ? await applySeed(store, seed, seedDeps()) : undefined;
  const baseline = isDevLevel(config.authMode) ? await captureBaseline(store, firstAccount, now) : undefined;
  return { created, firstAccount, seeded, baseline };
}

/** The credential resolver at the configured enforcement level. */
function makeResolver(
  config: Config,
  store: Store,
  services: Services,
  keys: NodeKeys,
  firstAccount: string,
  clock: Clock,
): CredentialResolver {
  return new CredentialResolver({
    store,
    unsealSecret: services.unsealSecret,
    unsealSession: (t) => keys.sealer.unseal(t),
    refreshKeysFor: (token) => keys.refreshKeysFor(token),
    off: config.authMode === 'off',
    permissive:
      config.authMode === 'permissive' || config.authMode === 'off'
        ? {
            defaultAccount: () => firstAccount,
            ensureAccount: (account) => ensureAccount(store, account, clock.now()),
          }
        : undefined,
  });
}

/** Everything the HTTP app is built over. */
interface ServerParts {
  readonly store: Store;
  readonly clock: Clock & Partial<AdjustableClock>;
  readonly services: Services;
  readonly resolver: CredentialResolver;
  readonly pipeline: Pipeline;
  readonly iamModel: ServiceModel;
  readonly iamOperations: ReadonlyMap<string, Operation>;
  readonly reset: ReturnType<typeof makeResetHandler> | undefined;
  /** The account that owns what no account created through iamd (the gateway's buckets). */
  readonly firstAccount: string;
}

/**
 * The JSON 1.1 entry points by `X-Amz-Target`: Organizations (AWSOrganizationsV20161128.*) and
 * CloudTrail LookupEvents (everything else, which answers its own unknown-target error).
 */
function jsonTargets(
  cloudTrail: (call: IncomingCall) => Promise<Answer>,
  organizations: (call: IncomingCall) => Promise<Answer>,
): (call: IncomingCall) => Promise<Answer> {
  return (call) => {
    const target = headerValue(call.headers['x-amz-target']);
    return target?.startsWith(ORGANIZATIONS_TARGET_PREFIX) === true ? organizations(call) : cloudTrail(call);
  };
}

/**
 * The HTTP app: the pipeline's entry points (Query API, JSON 1.1, iamd's own endpoints) and the other
 * route plugins (console, federation endpoint).
 */
function buildServer(config: Config, parts: ServerParts): FastifyInstance {
  const { store, clock, services, resolver, pipeline } = parts;
  const dispatch = makeDispatcher(pipeline, {
    models: { iam: parts.iamModel, sts: compileServiceModel(readModel('sts')) },
    operations: { iam: parts.iamOperations, sts: byName(STS_OPERATIONS) },
  });
  // The web console (src/console): a client of this server's own API, at /console.
  const webConsole = createConsole({
    store,
    services,
    clock,
    region: config.region,
    addAudit: (r) => pipeline.deps.audit.add(r),
  });
  const ownEndpoints = iamdEndpoints(pipeline, {
    reset: parts.reset,
    testClock:
      config.testClock && clock.advance !== undefined
        ? { advance: clock.advance, now: clock.now }
        : undefined,
  });
  const app = buildApp({
    dispatch,
    logLevel: config.logLevel,
    jsonTarget: jsonTargets(
      makeJsonHandler(pipeline),
      makeOrganizationsHandler(pipeline, {
        model: compileServiceModel(readModel('organizations')),
        operations: byName(ORGANIZATIONS_OPERATIONS),
      }),
    ),
    // Ready when the store answers a read within 2 s (GET /ready, for load balancers).
    ready: () => readyProbe(store),
    plugins: [(a) => void a.register(ownEndpoints), webConsole.plugin],
    // The enforcing gateway (issue #18), when upstreams are configured.
    gateway: gatewayFor(
      pipeline,
      config.gateway,
      () => parts.firstAccount,
      () =>
        new Set(
          Object.keys(
            (
              JSON.parse(readFileSync(new URL('../../models/dynamodb.json', import.meta.url), 'utf8')) as {
                operations: object;
              }
            ).operations,
          ),
        ),
    ),
  });
  // Outbound identity federation (issue #20): each account's issuer discovery documents.
  outboundIssuerRoutes({ store, now: () => clock.now(), publicUrl: () => services.publicUrl?.() })(app);
  // The console federation endpoint (issue 5): /federation getSigninToken + login into /console.
  federationEndpoint({
    clock,
    services,
    resolve: (keyId, token, now) => resolver.resolve(keyId, token, now),
    console: webConsole,
  })(app);
  return app;
}

/** Starts iamd as configured and listens. */
export async function startServer(config: Config): Promise<RunningServer> {
  const clock: Clock & Partial<AdjustableClock> = config.testClock
    ? adjustableClock(systemClock)
    : systemClock;
  // The seed file is read and checked before anything is opened: a bad file stops the start.
  const seed =
    config.seedFile === undefined
      ? undefined
      : parseSeed(readFileSync(config.seedFile, 'utf8'), config.seedFile);
  // Loggers exist once the app does; until then nothing is logged through them.
  const log = { current: undefined as FastifyInstance | undefined };
  const store = await openStore(config, (message, err) => log.current?.log.warn({ err }, message));
  const masterKey = masterKeyFor(config);
  const random = pooledRandom();
  const keys = await openNodeKeys(store, masterKey, clock, random);
  // The audit writer is made below; the services' audit-trail reader flushes it once it exists.
  const auditRef: { current?: AuditWriter } = {};
  // iamd's base URL, known once it listens: the prefix of outbound-federation issuers (issue #20).
  const listening: { url?: string } = {};
  const services = nodeServices(config, masterKey, keys, random, clock, store, auditRef, () => listening.url);
  const iamModel = compileServiceModel(readModel('iam'));
  const iamOperations = byName(IAM_OPERATIONS);
  const seedDeps = (): SeedDeps => ({ services, iamModel, operations: iamOperations, now: clock.now() });
  const accounts = await prepareAccounts(config, store, services, seed, seedDeps, clock.now());
  const resolver = makeResolver(config, store, services, keys, accounts.firstAccount, clock);
  const policyCache = new PolicyCache(store);
  const audit = new AuditWriter(
    store,
    (err) => log.current?.log.error({ err }, 'audit write failed'),
    undefined,
    undefined,
    // SQLite's appendAudit group-commits on its audit thread; PostgreSQL keeps one transaction a batch.
    config.database === undefined,
  );
  auditRef.current = audit;
  const stopAuditExtras = startAuditExtras(config, store, audit, clock, (err) =>
    log.current?.log.error({ err }, 'audit retention or file sink failed'),
  );
  // The one request pipeline every entry point runs its calls through (src/server/pipeline).
  const pipeline = new Pipeline({
    store,
    clock,
    resolver,
    services,
    policyCache,
    audit,
    logError: (err, requestId) => log.current?.log.error({ err, requestId }, 'internal error'),
    reportOnly:
      config.authMode === 'report-only' || config.authMode === 'off'
        ? (denial) => log.current?.log.warn(denial, `${config.authMode}: this call would have been denied`)
        : undefined,
    throttle: makeThrottle(config.rateLimits),
  });
  const baseline = accounts.baseline;
  // POST /_iamd/reset and /moto-api/reset (moto's server-mode route), at the development levels only.
  const reset = baseline
    ? makeResetHandler({
        resolver,
        now: () => clock.now(),
        wallNow: () => signingNow(clock),
        reset: () => resetStore({ store, baseline, seed, seedDeps }),
      })
    : undefined;
  const app = buildServer(config, {
    store,
    clock,
    services,
    resolver,
    pipeline,
    iamModel,
    iamOperations,
    reset,
    firstAccount: accounts.firstAccount,
  });
  log.current = app;
  if (config.testClock)
    app.log.warn('TEST CLOCK ENABLED: POST /_iamd/clock moves server time forward. Never use in production.');
  const address = await app.listen({ host: config.host, port: config.port });
  listening.url = config.publicUrl ?? address;
  // Runtime credentials (issue 6): IMDS and the container endpoint, each on its own listener, same clock.
  const firstAccount = accounts.firstAccount;
  const runtime = await startRuntimeEndpoints(
    { ...config.runtime, region: config.region, logLevel: config.logLevel },
    {
      store,
      clock,
      services,
      audit: (r) => audit.add(r),
      // `--instance i-…=PROFILE` without @ACCOUNT: the first account, as README's own example assumes.
      defaultAccount: firstAccount === '' ? undefined : firstAccount,
    },
  ).catch(async (err: unknown) => {
    await app.close();
    throw err;
  });
  return {
    url: address,
    app,
    store,
    created: accounts.created,
    runtime,
    seeded: accounts.seeded,
    async close() {
      keys.stop();
      stopAuditExtras();
      await runtime?.close();
      await app.close();
      await audit.flush();
      resolver.close();
      policyCache.close();
      await store.close();
    },
  };
}

/** The node's throttle, or none when both services are unlimited (the request path skips it). */
function makeThrottle(limits: Config['rateLimits']): Throttle | undefined {
  if (limits.iam === undefined && limits.sts === undefined) return undefined;
  return new Throttle({
    iam: limits.iam === undefined ? undefined : rateOf(limits.iam),
    sts: limits.sts === undefined ? undefined : rateOf(limits.sts),
  });
}
