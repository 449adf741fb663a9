/**
 * Writes under database faults (issue #22): a client's own successful write is never answered with an
 * error. A real `iamd serve --database …` talks to a throwaway PostgreSQL through a TCP proxy
 * (test/support/pg-proxy.ts) that can break the connection exactly at COMMIT; clients are AWS SDK v3
 * clients with retries disabled (`maxAttempts: 1`).
 *
 * - Connection lost right after the COMMIT was forwarded (committed, acknowledgement lost): CreateUser
 *   succeeds, and exactly one user row and one CreateUser audit event exist (the transaction was not
 *   re-run into its own row: before the fix the client got an error for its own write).
 * - Connection lost instead of forwarding COMMIT (rolled back): the transaction runs again; success,
 *   one row, one event.
 * - `pg_ctl -m immediate` restart under load from 4 clients: every acknowledged write is present, no
 *   CreateUser answers EntityAlreadyExists (each name is tried by one request only), and the only error
 *   is 503 ServiceUnavailable (AWS Common Errors, https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html:
 *   "The request has failed due to a temporary failure of the server.").
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { CreateUserCommand, GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { pgSkipReason, startPgCluster, type PgCluster } from '../support/pg-cluster.js';
import { startPgProxy, type PgProxy } from '../support/pg-proxy.js';

const ROOT = {
  accountId: '111122223333',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
} as const;
const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));

const skip = pgSkipReason();
if (skip !== undefined) console.warn(`\n*** test/contract/commit-outcome.test.ts: ${skip} ***\n`);

let cluster: PgCluster | undefined;
let proxy: PgProxy | undefined;
let databaseUrl = '';
let child: ChildProcess | undefined;
let endpoint = '';
let stderr = '';

before(async () => {
  if (skip !== undefined) return;
  cluster = await startPgCluster();
  databaseUrl = await cluster.createDatabase('iamd_commit');
  proxy = await startPgProxy(cluster.port);
  const viaProxy = new URL(databaseUrl);
  viaProxy.port = String(proxy.port);
  child = spawn(
    process.execPath,
    [BIN, 'serve', '--database', viaProxy.toString(), '--port', '0', '--log-level', 'error'],
    {
      env: {
        ...process.env,
        IAMD_ACCOUNT_ID: ROOT.accountId,
        IAMD_ROOT_ACCESS_KEY_ID: ROOT.accessKeyId,
        IAMD_ROOT_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
        IAMD_MASTER_KEY: randomBytes(32).toString('base64'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const started = child;
  endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`iamd did not start:\n${stderr}`)), 20_000);
    started.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /iamd listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    started.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`iamd exited with ${code}:\n${stderr}`));
    });
  });
  // The log (stdout) is kept: an unexpected failure below prints it.
  started.stdout!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
});

after(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await proxy?.close();
  await cluster?.destroy();
});

const t = (name: string, fn: () => Promise<void>) =>
  test(name, skip !== undefined ? { skip } : { timeout: 60_000 }, fn);

const iam = () => new IAMClient({ endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });

/** The SDK error's code, status and message. */
function failure(error: unknown): { name: string; status: number | undefined; message: string } {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  return { name: e.name ?? '', status: e.$metadata?.httpStatusCode, message: e.message ?? '' };
}

/** Runs `fn` with a direct (proxy-less) connection to the database. */
async function withDb<T>(fn: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

/** Rows of user `name` and CreateUser audit events of `requestId`. */
async function countsFor(name: string, requestId: string): Promise<{ users: number; events: number }> {
  return withDb(async (db) => {
    const users = await db.query("SELECT 1 FROM entities WHERE account = $1 AND kind = 'user' AND key = $2", [
      ROOT.accountId,
      name.toLowerCase(),
    ]);
    const events = await db.query("SELECT 1 FROM audit WHERE request_id = $1 AND event_name = 'CreateUser'", [
      requestId,
    ]);
    return { users: users.rowCount ?? 0, events: events.rowCount ?? 0 };
  });
}

for (const mode of ['after', 'instead'] as const) {
  t(
    `connection lost ${mode === 'after' ? 'right after' : 'instead of'} forwarding COMMIT: CreateUser succeeds once`,
    async () => {
      assert.ok(proxy);
      const name = `Commit-${mode}-${randomBytes(4).toString('hex')}`;
      // The commit message of this CreateUser names the user in its change notification.
      const broken = proxy.arm(mode, (query) => query.includes(`"${name.toLowerCase()}"`));
      const created = await iam().send(new CreateUserCommand({ UserName: name }));
      await broken; // the proxy did cut this request's COMMIT
      assert.equal(created.User?.UserName, name);
      assert.equal(created.User?.Arn, `arn:aws:iam::${ROOT.accountId}:user/${name}`);
      const requestId = created.$metadata.requestId;
      assert.ok(requestId);
      assert.deepEqual(await countsFor(name, requestId), { users: 1, events: 1 });
      const fetched = await iam().send(new GetUserCommand({ UserName: name }));
      assert.equal(fetched.User?.UserId, created.User?.UserId);
    },
  );
}

t(
  'PostgreSQL restarted with -m immediate under load: no acknowledged write lost, no error for its own write',
  async () => {
    assert.ok(cluster);
    const pgCluster = cluster;
    const acknowledged: string[] = [];
    const failures = new Map<string, number>();
    let successAfterRestart = 0;
    let restartedAt = Infinity;
    let stopLoad = false;
    let n = 0;
    const worker = async (): Promise<void> => {
      const client = iam();
      while (!stopLoad) {
        // Each name is tried by exactly one request: EntityAlreadyExists could only be its own row.
        const name = `crash-${n++}`;
        try {
          await client.send(new CreateUserCommand({ UserName: name }));
          acknowledged.push(name);
          if (performance.now() > restartedAt) successAfterRestart++;
        } catch (error) {
          const f = failure(error);
          const key = `${f.status ?? 0} ${f.name}: ${f.message}`;
          failures.set(key, (failures.get(key) ?? 0) + 1);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    const load = Promise.all([worker(), worker(), worker(), worker()]);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await pgCluster.stop('immediate');
      await new Promise((resolve) => setTimeout(resolve, 500));
      await pgCluster.start();
      restartedAt = performance.now();
      const deadline = restartedAt + 20_000;
      while (successAfterRestart < 20 && performance.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      stopLoad = true;
      await load;
    }
    console.log(
      `# immediate restart under load: ${acknowledged.length} acknowledged; failures: ${JSON.stringify([...failures])}`,
    );
    assert.ok(successAfterRestart >= 20, 'iamd recovered by itself');
    const unavailable =
      '503 ServiceUnavailable: The request has failed due to a temporary failure of the server.';
    if ([...failures.keys()].some((k) => k !== unavailable))
      console.log(`# iamd log:\n${stderr.slice(-6000)}`);
    assert.deepEqual(
      [...failures.keys()].filter((k) => k !== unavailable),
      [],
      'nothing but 503 ServiceUnavailable (never EntityAlreadyExists for a name only this request tried)',
    );
    const stored = await withDb(async (db) => {
      const rows = await db.query<{ key: string }>(
        "SELECT key FROM entities WHERE account = $1 AND kind = 'user' AND key LIKE 'crash-%'",
        [ROOT.accountId],
      );
      return new Set(rows.rows.map((r) => r.key));
    });
    assert.deepEqual(
      acknowledged.filter((name) => !stored.has(name)),
      [],
      'acknowledged creates missing after the restart',
    );
  },
);
