/**
 * The composition root: config → store → keys → operations → dispatcher → HTTP server. The only place
 * that picks a store adapter.
 */
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
import { compileServiceModel } from './protocol/index.js';
import { CredentialResolver } from './authn/resolve.js';
import { PolicyCache } from './authz/index.js';
import { AuditWriter } from './audit/writer.js';
import { ensureFirstAccount, firstAccount as firstCreated, type NewAccount } from './accounts/index.js';
import { makeDispatcher, type ServiceName } from './server/dispatch.js';
import { rateOf, Throttle } from './server/throttle.js';
import { buildApp, type AppOptions } from './server/app.js';
import { startRuntimeEndpoints, type RuntimeEndpoints } from './server/imds-app.js';
import { explainRoute, makeJsonHandler } from './server/cloudtrail.js';
import { whoCanAssumeRoute } from './server/analysis-route.js';
import { IAM_OPERATIONS } from './iam/index.js';
import { createConsole } from './console/plugin.js';
import { STS_OPERATIONS } from './sts/index.js';
import { ORGANIZATIONS_OPERATIONS } from './organizations/index.js';
import { OidcKeySets, makeJsonFetcher } from './federation/index.js';
import { federationEndpoint } from './server/federation-endpoint.js';
import {
  applySeed,
  captureBaseline,
  ensureAccount,
  isDevLevel,
  makeResetHandler,
  parseSeed,
  resetStore,
  type SeedDeps,
  type SeedSummary,
} from './devmode/index.js';

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
function readModel(name: ServiceName): unknown {
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

/** Resolves when `store` answers a small read within 2 s; rejects otherwise. */
async function readyProbe(store: Store): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the store did not answer within 2 s')), 2000);
  });
  try {
    await Promise.race([store.getMeta('iamd/ready-probe'), timeout]);
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
  const storeLog: { app?: FastifyInstance } = {};
  const store = await openStore(config, (message, err) => storeLog.app?.log.warn({ err }, message));
  const masterKey = masterKeyFor(config);
  let keyring: Keyring = await loadKeyring(store, masterKey, clock.now());
  const random = pooledRandom();
  const sealer = new SessionTokenSealer(keyring, random);
  // Keys rotate daily (credentials/session-token.ts); every node reloads hourly, and at once (at most
  // every 5 s) when a token names a key it does not know yet.
  let lastReload = 0;
  const reloadKeys = async (): Promise<void> => {
    lastReload = Date.now();
    keyring = await loadKeyring(store, masterKey, clock.now());
    sealer.setKeyring(keyring);
  };
  const reloadTimer = setInterval(() => void reloadKeys().catch(() => undefined), 60 * 60 * 1000);
  reloadTimer.unref();
  const services: Services = {
    ...makeServices(masterKey, sealer, random),
    // Federation (issue 5): fetching OIDC keys is iamd's only outbound HTTP; http:// only to loopback, opted in.
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
  // With a seed file and no IAMD_ACCOUNT_ID, a new store's first account is the seed's first account,
  // and its first root key (when the seed gives one) is that account's root key.
  const seedFirst = config.accountId === undefined ? seed?.seed.accounts[0] : undefined;
  const seedRootKey = config.rootAccessKeyId === undefined ? seedFirst?.rootAccessKeys[0] : undefined;
  const wantedAccount = config.accountId ?? seedFirst?.id;
  const created = await ensureFirstAccount(store, services, clock.now(), {
    accountId: wantedAccount,
    accessKeyId: config.rootAccessKeyId ?? seedRootKey?.accessKeyId,
    secretAccessKey: config.rootSecretAccessKey ?? seedRootKey?.secretAccessKey,
  });
  // Development levels and seeds (issue 9): the default account is the one the first start made.
  const firstAccount =
    wantedAccount ?? created?.AccountId ?? firstCreated(await store.listAccounts())?.id ?? '';
  const iamModel = compileServiceModel(readModel('iam'));
  const iamOperations = byName(IAM_OPERATIONS);
  const seedDeps = (): SeedDeps => ({ services, iamModel, operations: iamOperations, now: clock.now() });
  const seeded = seed ? await applySeed(store, seed, seedDeps()) : undefined;
  const baseline = isDevLevel(config.authMode)
    ? await captureBaseline(store, firstAccount, clock.now())
    : undefined;
  const resolver = new CredentialResolver({
    store,
    unsealSecret: services.unsealSecret,
    unsealSession: (t) => sealer.unseal(t),
    async refreshKeysFor(token) {
      const id = keyIdOf(token);
      if (id === undefined || keyring.all.has(id) || Date.now() - lastReload < 5000) return false;
      await reloadKeys();
      return keyring.all.has(id);
    },
    off: config.authMode === 'off',
    permissive:
      config.authMode === 'permissive' || config.authMode === 'off'
        ? {
            defaultAccount: () => firstAccount,
            ensureAccount: (account) => ensureAccount(store, account, clock.now()),
          }
        : undefined,
  });
  const policyCache = new PolicyCache(store);
  const log = { current: undefined as FastifyInstance | undefined };
  const audit = new AuditWriter(
    store,
    (err) => log.current?.log.error({ err }, 'audit write failed'),
    undefined,
    undefined,
    // SQLite's appendAudit group-commits on its audit thread; PostgreSQL keeps one transaction a batch.
    config.database === undefined,
  );
  const stopAuditExtras = startAuditExtras(config, store, audit, clock, (err) =>
    log.current?.log.error({ err }, 'audit retention or file sink failed'),
  );
  const dispatch = makeDispatcher({
    store,
    clock,
    models: {
      iam: iamModel,
      sts: compileServiceModel(readModel('sts')),
      organizations: compileServiceModel(readModel('organizations')),
    },
    operations: {
      iam: iamOperations,
      sts: byName(STS_OPERATIONS),
      organizations: byName(ORGANIZATIONS_OPERATIONS),
    },
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
  // POST /_iamd/reset and /moto-api/reset (moto's server-mode route), at the development levels only.
  const resetHandler = baseline
    ? makeResetHandler({
        resolver,
        now: () => clock.now(),
        wallNow: () => signingNow(clock),
        reset: () => resetStore({ store, baseline, seed, seedDeps }),
      })
    : undefined;
  const devRoutes = resetHandler
    ? [
        (a: FastifyInstance) => {
          for (const url of ['/_iamd/reset', '/moto-api/reset'])
            a.post(url, async (req, reply) => {
              const raw = req.raw.url ?? url;
              const q = raw.indexOf('?');
              const answer = await resetHandler({
                method: req.method,
                path: q < 0 ? raw : raw.slice(0, q),
                query: q < 0 ? '' : raw.slice(q + 1),
                headers: req.raw.headersDistinct,
                body: typeof req.body === 'string' ? req.body : '',
                sourceIp: req.ip,
              });
              if (answer.status === 200) req.log.info(answer.body, 'store reset to the seed state');
              return reply.code(answer.status).send(answer.body);
            });
        },
      ]
    : [];
  const auditApi = { store, clock, resolver, policyCache, audit };
  // The web console (src/console): a client of this server's own API, at /console.
  const webConsole = createConsole({
    store,
    services,
    clock,
    region: config.region,
    addAudit: (r) => audit.add(r),
  });
  const app = buildApp({
    dispatch,
    logLevel: config.logLevel,
    jsonTarget: jsonTargets(makeJsonHandler(auditApi), dispatch),
    // Ready when the store answers a read within 2 s (GET /ready, for load balancers).
    ready: () => readyProbe(store),
    plugins: config.testClock
      ? [
          explainRoute(auditApi),
          whoCanAssumeRoute(auditApi),
          webConsole.plugin,
          (a) => {
            // Developer flag only (--test-clock): lets tests expire sessions without waiting. It moves the
            // server's clock forward for everyone; it can never extend a session.
            a.post('/_iamd/clock', async (req) => {
              const body = JSON.parse(String(req.body || '{}')) as { advanceSeconds?: unknown };
              const s = Number(body.advanceSeconds);
              if (!Number.isFinite(s) || s < 0)
                return { error: 'advanceSeconds must be a non-negative number' };
              clock.advance?.(s * 1000);
              return { now: new Date(clock.now()).toISOString() };
            });
          },
        ]
      : [explainRoute(auditApi), whoCanAssumeRoute(auditApi), webConsole.plugin],
  });
  storeLog.app = app;
  for (const route of devRoutes) route(app);
  // The console federation endpoint (issue 5): /federation getSigninToken + login into /console.
  federationEndpoint({
    clock,
    services,
    resolve: (keyId, token, now) => resolver.resolve(keyId, token, now),
    console: webConsole,
  })(app);
  log.current = app;
  if (config.testClock)
    app.log.warn('TEST CLOCK ENABLED: POST /_iamd/clock moves server time forward. Never use in production.');
  const address = await app.listen({ host: config.host, port: config.port });
  // Runtime credentials (issue 6): IMDS and the container endpoint, each on its own listener, same clock.
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
    created,
    runtime,
    seeded,
    async close() {
      clearInterval(reloadTimer);
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

/**
 * The JSON 1.1 entry point: Organizations targets go through the dispatcher (the same pipeline as IAM
 * and STS), everything else (CloudTrail LookupEvents) to the audit API.
 */
function jsonTargets(
  cloudTrail: NonNullable<AppOptions['jsonTarget']>,
  dispatch: ReturnType<typeof makeDispatcher>,
): NonNullable<AppOptions['jsonTarget']> {
  return async (call) => {
    const target = call.headers['x-amz-target'];
    const value = Array.isArray(target) ? target[0] : target;
    if (value?.startsWith('AWSOrganizationsV20161128.') !== true) return cloudTrail(call);
    const r = await dispatch(call);
    return { ...r, contentType: r.contentType ?? 'application/x-amz-json-1.1' };
  };
}
