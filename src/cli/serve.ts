import { parseArgs } from 'node:util';
import type { Command } from './main.js';
import { loadConfig, DEFAULT_PORT } from '../config/index.js';
import { redactUrl, startServer } from '../main.js';
import { authBanner } from '../devmode/banner.js';
import { describeRuntime, RUNTIME_ARG_OPTIONS, RUNTIME_HELP, runtimeOptionsFrom } from './imds.js';

const HELP = `usage: iamd serve [options]

Starts the IAM and STS APIs on one port.

  --host HOST        address to bind (default 127.0.0.1; IAMD_HOST)
  --port PORT        port (default ${DEFAULT_PORT}; IAMD_PORT; 0 picks a free one)
  --data DIR         data directory with the SQLite store and master key
                     (default $IAMD_DATA_DIR or ~/.iamd)
  --memory           throwaway in-memory store (IAMD_MEMORY=1)
  --database URL     PostgreSQL store shared by several nodes, postgres://user:pass@host:port/db
                     (IAMD_DATABASE_URL); every node needs the same IAMD_MASTER_KEY
  --database-pool-size N
                     pooled PostgreSQL connections per node (default 10; IAMD_DATABASE_POOL_SIZE)
  --log-level LEVEL  fatal|error|warn|info|debug (default info)
  --audit-retention-days N  delete audit events older than N days (IAMD_AUDIT_RETENTION_DAYS)
  --audit-file PATH  also append every audit event as a JSON line (IAMD_AUDIT_FILE)
  --test-clock       developer flag: POST /_iamd/clock {"advanceSeconds": N} moves time forward
  --auth LEVEL       enforce (default) | permissive | report-only | off (IAMD_AUTH); all but
                     enforce are development levels (off: any credentials, no signature or
                     time check, nothing denied, would-be denials audited): loopback only
                     unless --allow-insecure-bind, and
                     POST /_iamd/reset (or /moto-api/reset) returns to the seed state
  --allow-insecure-bind
                     let a development level bind a non-loopback address (IAMD_ALLOW_INSECURE_BIND=1)
  --seed FILE        JSON or YAML seed file applied at start, idempotently (IAMD_SEED)
  --oidc-allow-http-loopback
                     accept http:// OIDC issuers on loopback hosts (IAMD_OIDC_ALLOW_HTTP_LOOPBACK=1)
  --public-url URL   iamd's public base URL, the prefix of outbound-federation issuers
                     (default: the listening address; IAMD_PUBLIC_URL)
  --saml-one-time-use
                     refuse a SAML assertion id seen before (IAMD_SAML_ONE_TIME_USE=1)
  --rate-limit-iam N requests a second per account to IAM (default 100; IAMD_RATE_LIMIT_IAM);
                     bursts of up to 2 seconds' worth; 0 or off: unlimited
  --rate-limit-sts N the same for STS (default 600, AWS's default quota; IAMD_RATE_LIMIT_STS)
  --lockout-threshold N
                     failed MFA codes / console passwords allowed before a lock (default 5;
                     IAMD_LOCKOUT_THRESHOLD); then 1 minute, doubling per failure; 0 or off: none
  --lockout-max-seconds N
                     the longest lock (default 3600; IAMD_LOCKOUT_MAX_SECONDS)
  --saml-audiences LIST
                     extra accepted SAML audiences/recipients, comma-separated (IAMD_SAML_AUDIENCES)
  --upstream SERVICE=URL
                     gate s3 or dynamodb: authenticate, authorize, then forward to URL (repeatable;
                     IAMD_UPSTREAMS, comma-separated); see README, "Gateway"
  --upstream-credentials SERVICE=ACCESS_KEY_ID:SECRET
                     what iamd signs upstream requests with (repeatable; default a fixed local key)

Environment for the first start: IAMD_ACCOUNT_ID, IAMD_ROOT_ACCESS_KEY_ID,
IAMD_ROOT_SECRET_ACCESS_KEY (deterministic root credentials), IAMD_MASTER_KEY.

${RUNTIME_HELP}`;

/** `iamd serve`. */
export const serveCommand: Command = {
  summary: 'start the IAM + STS server',
  async run(args, env) {
    const { values } = parseArgs({
      args,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        data: { type: 'string' },
        memory: { type: 'boolean' },
        database: { type: 'string' },
        'database-pool-size': { type: 'string' },
        'log-level': { type: 'string' },
        'test-clock': { type: 'boolean' },
        'audit-retention-days': { type: 'string' },
        'audit-file': { type: 'string' },
        auth: { type: 'string' },
        'allow-insecure-bind': { type: 'boolean' },
        seed: { type: 'string' },
        'oidc-allow-http-loopback': { type: 'boolean' },
        'saml-one-time-use': { type: 'boolean' },
        'public-url': { type: 'string' },
        'saml-audiences': { type: 'string' },
        'rate-limit-iam': { type: 'string' },
        'rate-limit-sts': { type: 'string' },
        'lockout-threshold': { type: 'string' },
        'lockout-max-seconds': { type: 'string' },
        upstream: { type: 'string', multiple: true },
        'upstream-credentials': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
        ...RUNTIME_ARG_OPTIONS,
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const config = loadConfig(
      {
        host: values.host,
        port: values.port,
        data: values.data,
        memory: values.memory,
        database: values.database,
        databasePoolSize: values['database-pool-size'],
        logLevel: values['log-level'],
        testClock: values['test-clock'],
        auditRetentionDays: values['audit-retention-days'],
        auditFile: values['audit-file'],
        auth: values.auth,
        allowInsecureBind: values['allow-insecure-bind'],
        seed: values.seed,
        oidcAllowHttpLoopback: values['oidc-allow-http-loopback'],
        samlOneTimeUse: values['saml-one-time-use'],
        publicUrl: values['public-url'],
        samlAudiences: values['saml-audiences'],
        rateLimitIam: values['rate-limit-iam'],
        rateLimitSts: values['rate-limit-sts'],
        lockoutThreshold: values['lockout-threshold'],
        lockoutMaxSeconds: values['lockout-max-seconds'],
        upstreams: values.upstream,
        upstreamCredentials: values['upstream-credentials'],
        runtime: runtimeOptionsFrom(values),
      },
      env,
    );
    const server = await startServer(config);
    const out = process.stderr;
    const storeName =
      config.database !== undefined
        ? redactUrl(config.database)
        : config.memory
          ? 'in memory'
          : config.dataDir;
    out.write(`iamd listening on ${server.url} (store: ${storeName})\n`);
    // performance.now() counts from process start: the whole start-up, module loading included.
    out.write(`ready in ${Math.round(performance.now())} ms\n`);
    out.write(`${authBanner(config.authMode)}\n`);
    if (server.seeded) out.write(`seed ${config.seedFile}: ${server.seeded.created} change(s) applied\n`);
    if (server.created) {
      const c = server.created;
      out.write(
        `created account ${c.AccountId}; its root credentials (shown once):\n` +
          `  export AWS_ACCESS_KEY_ID=${c.AccessKeyId}\n  export AWS_SECRET_ACCESS_KEY=${c.SecretAccessKey}\n`,
      );
    }
    out.write(`point the AWS CLI at it:  aws --endpoint-url ${server.url} sts get-caller-identity\n`);
    out.write(`  (or export AWS_ENDPOINT_URL=${server.url})\n`);
    describeRuntime(server.runtime, (line) => out.write(line));
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        out.write(`${signal}: finishing in-flight requests and closing the store\n`);
        server.close().then(resolve, (err: unknown) => {
          console.error(err);
          resolve();
        });
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    return 0;
  },
};
