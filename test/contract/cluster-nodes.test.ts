/**
 * Several nodes on one PostgreSQL (issue 8): three real `iamd serve --database …` processes sharing a
 * throwaway PostgreSQL cluster and one master key, driven with the AWS SDK v3.
 *
 * - A session minted on node A is accepted on B and C (session tokens are self-contained; the sealing
 *   keyring is shared through the store).
 * - Changes made through B are enforced on A and C within the propagation bound: an updated trust
 *   policy, a deleted role, a deleted access key (the last one is cached by every node's credential
 *   resolver, so only the LISTEN/NOTIFY invalidation makes it fail). Times are measured and printed.
 * - Concurrent creates of one name through different nodes: exactly one success; the others get
 *   EntityAlreadyExists (409, "User with name X already exists." — IAM API reference, CreateUser).
 * - PostgreSQL stopped and started under load: only 200s and 503 ServiceUnavailable (AWS Common
 *   Errors: "The request has failed due to a temporary failure of the server."), `/ready` follows the
 *   database, every node recovers by itself, and every acknowledged write is present afterwards.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeleteAccessKeyCommand,
  EnableMFADeviceCommand,
  DeleteRoleCommand,
  GetUserCommand,
  IAMClient,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { totpCode } from '../../src/credentials/totp.js';
import { pgSkipReason, startPgCluster, type PgCluster } from '../support/pg-cluster.js';

const ROOT = {
  accountId: '111122223333',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
} as const;
const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));

interface Creds {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

interface Node {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  iam(creds?: Creds): IAMClient;
  sts(creds?: Creds): STSClient;
  stop(): Promise<void>;
}

const skip = pgSkipReason();
if (skip !== undefined) console.warn(`\n*** test/contract/cluster-nodes.test.ts: ${skip} ***\n`);

let cluster: PgCluster | undefined;
let databaseUrl = '';
const nodes: Node[] = [];
const masterKey = randomBytes(32).toString('base64');

/** Starts `iamd serve --database URL` on a free port. */
async function startNode(name: string): Promise<Node> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--database', databaseUrl, '--port', '0', '--log-level', 'error'],
    {
      env: {
        ...process.env,
        IAMD_ACCOUNT_ID: ROOT.accountId,
        IAMD_ROOT_ACCESS_KEY_ID: ROOT.accessKeyId,
        IAMD_ROOT_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
        // Every node must hold the same master key: it opens the shared keyring and sealed secrets.
        IAMD_MASTER_KEY: masterKey,
        // The load test drives one account far past AWS's per-account rates on purpose (issue 16).
        IAMD_RATE_LIMIT_IAM: 'off',
        IAMD_RATE_LIMIT_STS: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${name} did not start:\n${stderr}`)), 20_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /iamd listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${name} exited with ${code}:\n${stderr}`));
    });
  });
  child.stdout!.resume();
  // A node that dies during the tests says why (its log is otherwise not shown).
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping)
      console.log(`# node ${name} exited unexpectedly (${code ?? signal}):\n${stderr.slice(-4000)}`);
  });
  const config = (creds: Creds = ROOT) => ({
    endpoint: url,
    region: 'us-east-1',
    credentials: creds,
    maxAttempts: 1,
  });
  return {
    name,
    url,
    child,
    iam: (creds) => new IAMClient(config(creds)),
    sts: (creds) => new STSClient(config(creds)),
    async stop() {
      stopping = true;
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

before(async () => {
  if (skip !== undefined) return;
  cluster = await startPgCluster();
  databaseUrl = await cluster.createDatabase('iamd_cluster');
  // A creates the account and the keyring; B and C then start together against the same schema.
  nodes.push(await startNode('A'));
  nodes.push(...(await Promise.all([startNode('B'), startNode('C')])));
});

after(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await cluster?.destroy();
});

function node(name: 'A' | 'B' | 'C'): Node {
  const found = nodes.find((n) => n.name === name);
  assert.ok(found, `node ${name} is running`);
  return found;
}

/** The SDK error's code, status and message. */
function failure(error: unknown): { name: string; status: number | undefined; message: string } {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  return { name: e.name ?? '', status: e.$metadata?.httpStatusCode, message: e.message ?? '' };
}

/**
 * After a change made through another node: polls `call` on each of `targets` until it is refused as
 * `expected` says; returns the milliseconds each node took (measured from `since`).
 */
async function refusalTimes(
  targets: readonly Node[],
  since: number,
  call: (n: Node) => Promise<unknown>,
  expected: { name: string; status: number; message: string },
): Promise<number[]> {
  return Promise.all(
    targets.map(async (n) => {
      for (;;) {
        try {
          await call(n);
        } catch (error) {
          assert.deepEqual(failure(error), expected, `node ${n.name}`);
          return performance.now() - since;
        }
        if (performance.now() - since > 5000) assert.fail(`node ${n.name} still accepts after 5 s`);
      }
    }),
  );
}

const BOUND_MS = 100;
/** Asserted bound: the 100 ms target plus slack for a loaded two-core CI machine; the figure is printed. */
const ASSERTED_MS = 1000;

function report(what: string, times: readonly number[]): void {
  console.log(
    `# ${what}: refused on ${times.map((t, i) => `${['A', 'C'][i]} after ${t.toFixed(1)} ms`).join(', ')} (target ${BOUND_MS} ms)`,
  );
  for (const t of times) assert.ok(t < ASSERTED_MS, `${what}: ${t.toFixed(1)} ms`);
}

const t = (name: string, fn: () => Promise<void>) => test(name, skip !== undefined ? { skip } : {}, fn);

let assumer: Creds | undefined;
const roleArn = `arn:aws:iam::${ROOT.accountId}:role/cluster-role`;
const trustFor = (principal: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }],
  });

t('every node answers /health and /ready', async () => {
  for (const n of nodes) {
    assert.equal((await fetch(`${n.url}/health`)).status, 200);
    const ready = await fetch(`${n.url}/ready`);
    assert.equal(ready.status, 200, `node ${n.name}`);
    assert.deepEqual(await ready.json(), { status: 'ready' });
  }
});

// Issue #16 item 1: lock-out state is shared through PostgreSQL. Wrong MFA codes spread over two nodes
// add up; the lock they start holds on the third (default policy: the 5th failure locks for a minute).
t('MFA failures on nodes A and B lock the device on node C', async () => {
  const a = node('A');
  await a.iam().send(new CreateUserCommand({ UserName: 'mfa-user' }));
  await a.iam().send(
    new PutUserPolicyCommand({
      UserName: 'mfa-user',
      PolicyName: 'gst',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:GetSessionToken', Resource: '*' }],
      }),
    }),
  );
  const key = (await a.iam().send(new CreateAccessKeyCommand({ UserName: 'mfa-user' }))).AccessKey!;
  const creds = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
  const dev = await a.iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'mfa-user' }));
  const serial = dev.VirtualMFADevice!.SerialNumber!;
  const seed = new TextDecoder().decode(dev.VirtualMFADevice!.Base32StringSeed!);
  const now = Date.now();
  await a.iam().send(
    new EnableMFADeviceCommand({
      UserName: 'mfa-user',
      SerialNumber: serial,
      AuthenticationCode1: totpCode(seed, now - 30_000),
      AuthenticationCode2: totpCode(seed, now),
    }),
  );
  const accepted = () => new Set([-1, 0, 1].map((s) => totpCode(seed, Date.now() + s * 30_000)));
  const wrong = () => ['000000', '111111', '222222', '333333'].find((c) => !accepted().has(c))!;
  const attempt = (n: Node, code: string) =>
    n.sts(creds).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code }));
  for (const n of ['A', 'B', 'A', 'B', 'A'] as const)
    await assert.rejects(attempt(node(n), wrong()), /invalid MFA one time pass code/);
  // The right code (the next step's, unused by the enabling) is refused on C: the lock is shared.
  await assert.rejects(
    attempt(node('C'), totpCode(seed, Date.now() + 30_000)),
    /MultiFactorAuthentication failed with invalid MFA one time pass code\./,
  );
});

t('a session minted on node A is accepted on B and C', async () => {
  const a = node('A');
  await a.iam().send(new CreateUserCommand({ UserName: 'assumer' }));
  const key = (await a.iam().send(new CreateAccessKeyCommand({ UserName: 'assumer' }))).AccessKey;
  assert.ok(key?.AccessKeyId && key.SecretAccessKey);
  assumer = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
  // Same-account trust naming the user is enough (IAM User Guide, "Cross account resource access":
  // within one account a resource-based policy that names the principal grants access on its own).
  await a.iam().send(
    new CreateRoleCommand({
      RoleName: 'cluster-role',
      AssumeRolePolicyDocument: trustFor(`arn:aws:iam::${ROOT.accountId}:user/assumer`),
    }),
  );
  const assumed = await a
    .sts(assumer)
    .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'from-a' }));
  const c = assumed.Credentials;
  assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
  const session = {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
  };
  for (const name of ['B', 'C'] as const) {
    const who = await node(name).sts(session).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${ROOT.accountId}:assumed-role/cluster-role/from-a`, `node ${name}`);
    assert.equal(who.Account, ROOT.accountId);
  }
});

t('changes through B are enforced on A and C within the bound (trust, role, access key)', async () => {
  assert.ok(assumer, 'the previous test created the user');
  const user = assumer;
  const [a, b, c] = [node('A'), node('B'), node('C')];
  // One client per node, reused: a fresh SDK client's first call is slower and would blur the figures.
  const clients = new Map<Node, STSClient>();
  const stsAs = (n: Node): STSClient => {
    let client = clients.get(n);
    if (!client) clients.set(n, (client = n.sts(user)));
    return client;
  };
  const assume = (n: Node) =>
    stsAs(n).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'ss' }));
  // Warm every cache on A and C (credential resolver, policies).
  for (const n of [a, c]) {
    await assume(n);
    await stsAs(n).send(new GetCallerIdentityCommand({}));
  }
  const denied = {
    name: 'AccessDenied',
    status: 403,
    // AWS's plain AssumeRole denial, without a reason clause (shared/reference/aws-errors.md §1).
    message: `User: arn:aws:iam::${ROOT.accountId}:user/assumer is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
  };

  // The user the new trust policy names must exist (AWS refuses a missing one: "AWS JSON policy
  // elements: Principal", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
  await b.iam().send(new CreateUserCommand({ UserName: 'someone-else' }));
  // 1. The trust policy no longer names the user.
  await b.iam().send(
    new UpdateAssumeRolePolicyCommand({
      RoleName: 'cluster-role',
      PolicyDocument: trustFor(`arn:aws:iam::${ROOT.accountId}:user/someone-else`),
    }),
  );
  report('updated trust policy', await refusalTimes([a, c], performance.now(), assume, denied));

  // 2. The role is deleted (AssumeRole of a missing role is refused like an untrusted one).
  await b.iam().send(
    new UpdateAssumeRolePolicyCommand({
      RoleName: 'cluster-role',
      PolicyDocument: trustFor(`arn:aws:iam::${ROOT.accountId}:user/assumer`),
    }),
  );
  for (const n of [a, c]) await assume(n);
  await b.iam().send(new DeleteRoleCommand({ RoleName: 'cluster-role' }));
  report('deleted role', await refusalTimes([a, c], performance.now(), assume, denied));

  // 3. The access key is deleted: A and C hold it in their credential caches until notified.
  for (const n of [a, c]) await stsAs(n).send(new GetCallerIdentityCommand({}));
  await b.iam().send(new DeleteAccessKeyCommand({ UserName: 'assumer', AccessKeyId: user.accessKeyId }));
  report(
    'deleted access key (cached on every node)',
    await refusalTimes([a, c], performance.now(), (n) => stsAs(n).send(new GetCallerIdentityCommand({})), {
      name: 'InvalidClientTokenId',
      status: 403,
      message: 'The security token included in the request is invalid',
    }),
  );
});

t('concurrent creates of one name through different nodes: exactly one success', async () => {
  for (let round = 0; round < 5; round++) {
    const name = `racer-${round}`;
    const results = await Promise.allSettled(
      nodes.map((n) => n.iam().send(new CreateUserCommand({ UserName: name }))),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, `round ${round}`);
    for (const r of results) {
      if (r.status === 'fulfilled') continue;
      assert.deepEqual(failure(r.reason), {
        name: 'EntityAlreadyExistsException',
        status: 409,
        message: `User with name ${name} already exists.`,
      });
    }
  }
});

t(
  'PostgreSQL stopped and started under load: 503s only, recovery, every acknowledged write kept',
  async () => {
    assert.ok(cluster);
    const pgCluster = cluster;
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    const successAfterRestart = new Set<string>();
    let restartedAt = Infinity;
    let stopLoad = false;
    let n = 0;
    const worker = async (target: Node): Promise<void> => {
      const iam = target.iam();
      while (!stopLoad) {
        const name = `load-${n++}`;
        let status: number;
        try {
          await iam.send(new CreateUserCommand({ UserName: name }));
          status = 200;
          acknowledged.push(name);
          if (performance.now() > restartedAt) successAfterRestart.add(target.name);
        } catch (error) {
          const f = failure(error);
          status = f.status ?? 0;
          if (status === 503) {
            assert.deepEqual(f, {
              name: 'ServiceUnavailable',
              status: 503,
              message: 'The request has failed due to a temporary failure of the server.',
            });
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    const load = Promise.all(nodes.flatMap((target) => [worker(target), worker(target)]));
    try {
      await new Promise((resolve) => setTimeout(resolve, 700));
      await pgCluster.stop('fast');
      const downAt = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const notReady = await fetch(`${node('B').url}/ready`);
      assert.equal(notReady.status, 503);
      assert.deepEqual(await notReady.json(), { status: 'unavailable' });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1200 - (performance.now() - downAt))));
      await pgCluster.start();
      restartedAt = performance.now();
      const deadline = restartedAt + 15_000;
      while (successAfterRestart.size < nodes.length && performance.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      // A little more load on the recovered cluster.
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      stopLoad = true;
      await load;
    }
    console.log(
      `# under load across a PostgreSQL restart: ${[...statuses].map(([s, k]) => `${k}× ${s}`).join(', ')}; ${acknowledged.length} acknowledged creates`,
    );
    assert.deepEqual(
      [...statuses.keys()].filter((s) => s !== 200 && s !== 503),
      [],
      'nothing but 200 and 503 ServiceUnavailable',
    );
    assert.ok((statuses.get(503) ?? 0) > 0, 'requests failed (fast) while the database was down');
    assert.deepEqual([...successAfterRestart].sort(), ['A', 'B', 'C'], 'every node recovered by itself');
    for (const target of nodes) assert.equal((await fetch(`${target.url}/ready`)).status, 200);

    // Every acknowledged write is present: straight from the database, and through a node.
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const rows = await db.query<{ key: string }>(
        "SELECT key FROM entities WHERE account = $1 AND kind = 'user' AND key LIKE 'load-%'",
        [ROOT.accountId],
      );
      const stored = new Set(rows.rows.map((r) => r.key));
      const missing = acknowledged.filter((name) => !stored.has(name));
      assert.deepEqual(missing, [], 'acknowledged creates missing after the restart');
      // Secrets are sealed at rest, as in SQLite: the root secret never appears in the database.
      const leaked = await db.query("SELECT 1 FROM entities WHERE body LIKE '%' || $1 || '%'", [
        ROOT.secretAccessKey,
      ]);
      assert.equal(leaked.rowCount, 0);
    } finally {
      await db.end();
    }
    const sample = acknowledged[acknowledged.length - 1];
    assert.ok(sample);
    const got = await node('C')
      .iam()
      .send(new GetUserCommand({ UserName: sample }));
    assert.equal(got.User?.UserName, sample);
  },
);
