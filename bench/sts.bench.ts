/**
 * `npm run bench -- sts [--json] [--seconds N] [--repeat N]`: signed AssumeRole (a role with a
 * 3-statement trust policy and a managed policy attached) at concurrency 1 and 16, and calls signed with
 * the returned session credentials (GetCallerIdentity, GetRole), next to the plain-Node ceiling
 * measured in the same run; then AssumeRole again in an account holding 100,000 roles, to show the cost
 * does not grow with the account. With `--repeat N` every cell (and its ceiling) is measured N times
 * and the run with the median ratio is shown, with all ratios. Targets (issue 4): AssumeRole ≥ 50% of
 * the ceiling, session calls ≥ 60%, p99 at concurrency 16 under 5 ms, and within 20% between 10 and
 * 100,000 roles.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { medianCells, repeatArg, runLoad, type Cell, type LoadRequest } from './http/load.js';
import { signForm, type SigningCreds } from './http/sign.js';
import { BENCH_ROOT, startCeiling, startIamdProcess, type ChildServer } from './http/servers.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { makeUniqueId } from '../src/credentials/ids.js';
import type { RoleBody } from '../src/domain/entities.js';

const json = process.argv.includes('--json');
const secIdx = process.argv.indexOf('--seconds');
const seconds = secIdx > 0 ? Number(process.argv[secIdx + 1]) : 3;
const repeat = repeatArg();
const A = BENCH_ROOT.accountId;

const form = (params: Record<string, string>) =>
  Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');

function signed(
  url: string,
  service: 'iam' | 'sts',
  params: Record<string, string>,
  creds: SigningCreds = BENCH_ROOT,
): LoadRequest {
  const body = form(params);
  return { body, headers: signForm(new URL(url).host, service, body, creds) };
}

async function call(
  url: string,
  service: 'iam' | 'sts',
  params: Record<string, string>,
  creds?: SigningCreds,
): Promise<string> {
  const r = signed(url, service, params, creds);
  const res = await fetch(url, { method: 'POST', headers: r.headers, body: r.body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${params.Action}: ${res.status} ${text}`);
  return text;
}

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' },
    { Sid: 'Ec2', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    {
      Sid: 'Partner',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::444455556666:root' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': 'partner-external-id' } },
    },
  ],
});

/** Sets up the bench role (and a user allowed to assume it) through the API; returns the user's keys. */
async function setUp(url: string): Promise<SigningCreds> {
  await call(url, 'iam', {
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: 'bench-role',
    AssumeRolePolicyDocument: TRUST,
  });
  await call(url, 'iam', {
    Action: 'AttachRolePolicy',
    Version: '2010-05-08',
    RoleName: 'bench-role',
    PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
  });
  await call(url, 'iam', { Action: 'CreateUser', Version: '2010-05-08', UserName: 'bench-user' });
  await call(url, 'iam', {
    Action: 'PutUserPolicy',
    Version: '2010-05-08',
    UserName: 'bench-user',
    PolicyName: 'assume',
    PolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${A}:role/bench-role` },
      ],
    }),
  });
  const key = await call(url, 'iam', {
    Action: 'CreateAccessKey',
    Version: '2010-05-08',
    UserName: 'bench-user',
  });
  return {
    accessKeyId: /<AccessKeyId>([^<]+)</.exec(key)![1]!,
    secretAccessKey: /<SecretAccessKey>([^<]+)</.exec(key)![1]!,
  };
}

/** Adds `n` roles straight into a stopped data directory's store (100,000 API calls would take minutes). */
async function addRoles(dataDir: string, n: number): Promise<void> {
  const store = await openSqliteStore({ path: join(dataDir, 'iamd.db') });
  await store.transact(async (tx) => {
    for (let i = 0; i < n; i++) {
      const name = `filler-${i}`;
      const body: RoleBody = {
        roleName: name,
        roleId: makeUniqueId('AROA', (k) => randomBytes(k)),
        arn: `arn:aws:iam::${A}:role/${name}`,
        path: '/',
        createDate: Date.now(),
        assumeRolePolicyDocument: TRUST,
        maxSessionDuration: 3600,
        tags: [],
        inlinePolicies: {},
        attachedPolicies: [],
      };
      await tx.insert(A, 'role', name, body);
    }
  });
  await store.close();
}

async function measure(
  iamd: ChildServer,
  user: SigningCreds,
  label: string,
  ceiling: { readonly url: string; readonly probe: LoadRequest },
  rows: Cell[],
  sessions: boolean,
) {
  // Signed once per cell, like the ceiling's request: the load generator then spends its CPU on
  // sending, not signing (a SigV4 signature stays valid for 15 minutes; AWS accepts it repeatedly).
  const assume = () => {
    const request = signed(
      iamd.url,
      'sts',
      {
        Action: 'AssumeRole',
        Version: '2011-06-15',
        RoleArn: `arn:aws:iam::${A}:role/bench-role`,
        RoleSessionName: 'bench',
      },
      user,
    );
    return () => request;
  };
  const out = await call(
    iamd.url,
    'sts',
    {
      Action: 'AssumeRole',
      Version: '2011-06-15',
      RoleArn: `arn:aws:iam::${A}:role/bench-role`,
      RoleSessionName: 'bench',
    },
    user,
  );
  const session: SigningCreds = {
    accessKeyId: /<AccessKeyId>([^<]+)</.exec(out)![1]!,
    secretAccessKey: /<SecretAccessKey>([^<]+)</.exec(out)![1]!,
    sessionToken: /<SessionToken>([^<]+)</.exec(out)![1]!,
  };
  const gci = signed(iamd.url, 'sts', { Action: 'GetCallerIdentity', Version: '2011-06-15' }, session);
  const getRole = signed(
    iamd.url,
    'iam',
    { Action: 'GetRole', Version: '2010-05-08', RoleName: 'bench-role' },
    session,
  );
  for (let rep = 0; rep < repeat; rep++)
    for (const concurrency of [1, 16]) {
      // The ceiling next to its cells, every repetition: the machine's speed drifts between runs.
      const base = await runLoad(ceiling.url, () => ceiling.probe, concurrency, seconds * 1000);
      rows.push({
        workload: `AssumeRole${label}`,
        concurrency,
        result: await runLoad(iamd.url, assume(), concurrency, seconds * 1000),
        ceiling: base,
      });
      if (!sessions) continue;
      rows.push({
        workload: 'session GetCallerIdentity',
        concurrency,
        result: await runLoad(iamd.url, () => gci, concurrency, seconds * 1000),
        ceiling: base,
      });
      rows.push({
        workload: 'session GetRole',
        concurrency,
        result: await runLoad(iamd.url, () => getRole, concurrency, seconds * 1000),
        ceiling: base,
      });
    }
}

async function main(): Promise<void> {
  const rows: Cell[] = [];
  const ceilingServer = await startCeiling();
  const probe = signed(ceilingServer.url, 'sts', { Action: 'GetCallerIdentity', Version: '2011-06-15' });
  const ceiling = { url: ceilingServer.url, probe };
  // A discarded warm-up first: the load generator itself must be warm (JIT) before it sets the ceiling.
  await runLoad(ceilingServer.url, () => probe, 16, 2000);

  const dataDir = mkdtempSync(join(tmpdir(), 'iamd-bench-sts-'));
  try {
    let iamd = await startIamdProcess(['--data', dataDir]);
    const user = await setUp(iamd.url);
    for (let i = 0; i < 9; i++)
      await call(iamd.url, 'iam', {
        Action: 'CreateRole',
        Version: '2010-05-08',
        RoleName: `small-${i}`,
        AssumeRolePolicyDocument: TRUST,
      });
    await measure(iamd, user, ' (10 roles)', ceiling, rows, true);
    await iamd.stop();
    await addRoles(dataDir, 100_000);
    iamd = await startIamdProcess(['--data', dataDir]);
    await measure(iamd, user, ' (100,010 roles)', ceiling, rows, false);
    await iamd.stop();
  } finally {
    await ceilingServer.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const medians = medianCells(rows);
  if (json) {
    console.log(JSON.stringify({ node: process.version, repeat, rows, medians }, null, 2));
    return;
  }
  console.log(
    `iamd STS benchmark — node ${process.version}, ${seconds}s per cell, loopback, SQLite data dir, ${repeat} run(s) per cell (median shown)`,
  );
  console.log(
    'workload                       conc   req/s    p50 ms  p99 ms  errors  ceiling req/s  ratio  runs',
  );
  for (const { cell: r, ratios } of medians)
    console.log(
      `${r.workload.padEnd(29)} ${String(r.concurrency).padStart(5)} ${r.result.rps.toFixed(0).padStart(7)} ${r.result.p50ms.toFixed(2).padStart(8)} ${r.result.p99ms.toFixed(2).padStart(7)} ${String(r.result.errors).padStart(7)} ${r.ceiling.rps.toFixed(0).padStart(14)} ${((r.result.rps / r.ceiling.rps) * 100).toFixed(0).padStart(5)}%  ${ratios.map((x) => (x * 100).toFixed(0)).join('/')}`,
    );
  const small = medians.find((m) => m.cell.workload === 'AssumeRole (10 roles)' && m.cell.concurrency === 16);
  const big = medians.find(
    (m) => m.cell.workload === 'AssumeRole (100,010 roles)' && m.cell.concurrency === 16,
  );
  if (small && big)
    console.log(
      `AssumeRole with 100,010 roles vs 10 roles (c=16, medians): ${((big.cell.result.rps / small.cell.result.rps) * 100).toFixed(0)}%`,
    );
}

await main();
