/**
 * `npm run bench -- cluster [--json] [--seconds N]` (issue 8): AssumeRole and calls signed with session
 * credentials (GetCallerIdentity) against 1, 2 and 3 `iamd serve --database …` nodes on one throwaway
 * PostgreSQL, the load spread evenly over the nodes at a fixed total concurrency; then one node on
 * SQLite versus one on PostgreSQL. Reports requests/s and p99 per node count (p99 is the worst node's).
 * Every process — PostgreSQL, the nodes and the load generator — shares this machine's cores, so the
 * figures show the overhead of the shared store more than horizontal scaling; the core count is printed.
 */
import { availableParallelism, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runLoad, type LoadRequest, type LoadResult } from './http/load.js';
import { signForm, type SigningCreds } from './http/sign.js';
import { BENCH_ROOT, startIamdProcess, type ChildServer } from './http/servers.js';
import { pgSkipReason, startPgCluster } from '../test/support/pg-cluster.js';

const json = process.argv.includes('--json');
const secIdx = process.argv.indexOf('--seconds');
const seconds = secIdx > 0 ? Number(process.argv[secIdx + 1]) : 3;
/** Total closed-loop clients, split evenly over the nodes. */
const CONCURRENCY = 12;

function form(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

function signed(
  url: string,
  service: 'iam' | 'sts',
  params: Record<string, string>,
  creds: SigningCreds = BENCH_ROOT,
): LoadRequest {
  const body = form(params);
  return { body, headers: signForm(new URL(url).host, service, body, creds) };
}

async function call(url: string, request: LoadRequest): Promise<string> {
  const r = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${r.status} ${text}`);
  return text;
}

function xmlValue(xml: string, element: string): string {
  const m = new RegExp(`<${element}>([^<]*)</${element}>`).exec(xml);
  if (!m?.[1]) throw new Error(`no <${element}> in ${xml}`);
  return m[1];
}

/** Creates (through `url`) a user with an access key and a role that trusts it; returns the user's key. */
async function setUp(url: string): Promise<SigningCreds> {
  await call(
    url,
    signed(url, 'iam', { Action: 'CreateUser', Version: '2010-05-08', UserName: 'bench-user' }),
  );
  const key = await call(
    url,
    signed(url, 'iam', { Action: 'CreateAccessKey', Version: '2010-05-08', UserName: 'bench-user' }),
  );
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${BENCH_ROOT.accountId}:user/bench-user` },
        Action: 'sts:AssumeRole',
      },
    ],
  });
  await call(
    url,
    signed(url, 'iam', {
      Action: 'CreateRole',
      Version: '2010-05-08',
      RoleName: 'bench-role',
      AssumeRolePolicyDocument: trust,
    }),
  );
  return { accessKeyId: xmlValue(key, 'AccessKeyId'), secretAccessKey: xmlValue(key, 'SecretAccessKey') };
}

const assumeParams = {
  Action: 'AssumeRole',
  Version: '2011-06-15',
  RoleArn: `arn:aws:iam::${BENCH_ROOT.accountId}:role/bench-role`,
  RoleSessionName: 'bench',
};

/** Session credentials from one AssumeRole through `url`. */
async function sessionFor(url: string, user: SigningCreds): Promise<SigningCreds> {
  const xml = await call(url, signed(url, 'sts', assumeParams, user));
  return {
    accessKeyId: xmlValue(xml, 'AccessKeyId'),
    secretAccessKey: xmlValue(xml, 'SecretAccessKey'),
    sessionToken: xmlValue(xml, 'SessionToken'),
  };
}

interface Row {
  readonly store: string;
  readonly nodes: number;
  readonly workload: string;
  readonly rps: number;
  readonly p99ms: number;
  readonly errors: number;
}

/** Runs `workload` on every node at once (concurrency split evenly) and combines the results. */
async function measure(
  servers: readonly ChildServer[],
  store: string,
  workload: string,
  request: (url: string) => LoadRequest,
): Promise<Row> {
  const per = Math.max(1, Math.round(CONCURRENCY / servers.length));
  const results: LoadResult[] = await Promise.all(
    servers.map((s) => {
      const r = request(s.url);
      return runLoad(s.url, () => r, per, seconds * 1000);
    }),
  );
  return {
    store,
    nodes: servers.length,
    workload,
    rps: results.reduce((sum, r) => sum + r.rps, 0),
    p99ms: Math.max(...results.map((r) => r.p99ms)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  };
}

async function workloads(servers: readonly ChildServer[], store: string, user: SigningCreds): Promise<Row[]> {
  const first = servers[0];
  if (!first) throw new Error('no server');
  const session = await sessionFor(first.url, user);
  return [
    await measure(servers, store, 'AssumeRole', (url) => signed(url, 'sts', assumeParams, user)),
    await measure(servers, store, 'GetCallerIdentity (session)', (url) =>
      signed(url, 'sts', { Action: 'GetCallerIdentity', Version: '2011-06-15' }, session),
    ),
  ];
}

async function main(): Promise<void> {
  const skip = pgSkipReason();
  if (skip !== undefined) {
    console.log(`cluster benchmark ${skip}`);
    return;
  }
  // Every node needs the same master key (set before the nodes inherit the environment).
  process.env.IAMD_MASTER_KEY = randomBytes(32).toString('base64');
  const cluster = await startPgCluster();
  const rows: Row[] = [];
  const running: ChildServer[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'iamd-bench-sqlite-'));
  try {
    for (const count of [1, 2, 3]) {
      const url = await cluster.createDatabase(`bench_${count}`);
      const nodes: ChildServer[] = [await startIamdProcess(['--database', url])];
      running.push(...nodes);
      const user = await setUp(nodes[0]!.url);
      for (let i = 1; i < count; i++) {
        const node = await startIamdProcess(['--database', url]);
        nodes.push(node);
        running.push(node);
      }
      rows.push(...(await workloads(nodes, 'postgres', user)));
      await Promise.all(nodes.map((n) => n.stop()));
    }
    const sqlite = await startIamdProcess(['--data', dataDir]);
    running.push(sqlite);
    const user = await setUp(sqlite.url);
    rows.push(...(await workloads([sqlite], 'sqlite', user)));
    await sqlite.stop();
  } finally {
    await Promise.all(running.map((s) => s.stop()));
    await cluster.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (json) {
    console.log(
      JSON.stringify(
        { node: process.version, cores: availableParallelism(), seconds, concurrency: CONCURRENCY, rows },
        null,
        2,
      ),
    );
    return;
  }
  console.log(
    `iamd cluster benchmark — node ${process.version}, ${availableParallelism()} cores shared by PostgreSQL, the nodes and the load generator; ${seconds}s per cell, ${CONCURRENCY} clients in total`,
  );
  console.log('store     nodes  workload                        req/s   p99 ms  errors');
  for (const r of rows) {
    console.log(
      `${r.store.padEnd(9)} ${String(r.nodes).padStart(5)}  ${r.workload.padEnd(28)} ${r.rps.toFixed(0).padStart(8)} ${r.p99ms.toFixed(2).padStart(8)} ${String(r.errors).padStart(7)}`,
    );
  }
}

await main();
