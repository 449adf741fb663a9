/**
 * Outbound identity federation on several nodes (issue #20): two real `iamd serve --database …`
 * processes on one throwaway PostgreSQL cluster, one master key and one public URL (as behind a load
 * balancer). The account's signing keys live in the store, sealed: a token signed by node B verifies
 * against the JWKS node A serves, and a key rotated by B is published by A at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { EnableOutboundWebIdentityFederationCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetWebIdentityTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { pgSkipReason, startPgCluster, type PgCluster } from '../support/pg-cluster.js';
import { ROOT } from './harness.js';

const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));
const PUBLIC_URL = 'https://iamd.example.test';
const AUD = 'https://api.example.com';

interface Node {
  readonly url: string;
  readonly child: ChildProcess;
}

const skip = pgSkipReason();
if (skip !== undefined)
  console.warn(`\n*** test/contract/outbound-federation-cluster.test.ts: ${skip} ***\n`);

let cluster: PgCluster | undefined;
let databaseUrl = '';
const nodes: Node[] = [];
const masterKey = randomBytes(32).toString('base64');

async function startNode(): Promise<Node> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--database',
      databaseUrl,
      '--port',
      '0',
      '--log-level',
      'error',
      '--test-clock',
      '--public-url',
      PUBLIC_URL,
    ],
    {
      env: {
        ...process.env,
        IAMD_ACCOUNT_ID: ROOT.accountId,
        IAMD_ROOT_ACCESS_KEY_ID: ROOT.accessKeyId,
        IAMD_ROOT_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
        IAMD_MASTER_KEY: masterKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start:\n${stderr}`)), 20_000);
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
      reject(new Error(`node exited with ${code}:\n${stderr}`));
    });
  });
  child.stdout!.resume();
  return { url, child };
}

const client = { region: 'us-east-1', credentials: ROOT, maxAttempts: 1 };

before(async () => {
  if (skip !== undefined) return;
  cluster = await startPgCluster();
  databaseUrl = await cluster.createDatabase('iamd_outbound');
  nodes.push(await startNode());
  nodes.push(await startNode());
});

after(async () => {
  for (const n of nodes) {
    if (n.child.exitCode !== null) continue;
    const exited = new Promise((resolve) => n.child.once('exit', resolve));
    n.child.kill('SIGTERM');
    await exited;
  }
  await cluster?.destroy();
});

/** The JWKS node `n` serves for `issuer` (a path below the public URL). */
async function jwksOn(n: Node, issuer: string): Promise<JSONWebKeySet> {
  const path = issuer.slice(PUBLIC_URL.length);
  const res = await fetch(`${n.url}${path}/.well-known/jwks.json`);
  assert.equal(res.status, 200);
  return (await res.json()) as JSONWebKeySet;
}

test(
  'keys are shared through PostgreSQL: B signs, A publishes; B rotates, A publishes the new key',
  { skip },
  async () => {
    const [a, b] = nodes as [Node, Node];
    const enabled = await new IAMClient({ ...client, endpoint: a.url }).send(
      new EnableOutboundWebIdentityFederationCommand({}),
    );
    const issuer = enabled.IssuerIdentifier ?? '';
    assert.ok(issuer.startsWith(`${PUBLIC_URL}/outbound/${ROOT.accountId}/`), issuer);

    const stsB = new STSClient({ ...client, endpoint: b.url });
    const first = (
      await stsB.send(new GetWebIdentityTokenCommand({ Audience: [AUD], SigningAlgorithm: 'RS256' }))
    ).WebIdentityToken!;
    const { payload } = await jwtVerify(first, createLocalJWKSet(await jwksOn(a, issuer)), {
      issuer,
      audience: AUD,
    });
    assert.equal(payload.sub, `arn:aws:iam::${ROOT.accountId}:root`);

    // B's clock a day on: B rotates the RS256 key and writes it to the store; A serves it at once.
    const moved = await fetch(`${b.url}/_iamd/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 25 * 3600 }),
    });
    assert.equal(moved.status, 200);
    const second = (
      await stsB.send(new GetWebIdentityTokenCommand({ Audience: [AUD], SigningAlgorithm: 'RS256' }))
    ).WebIdentityToken!;
    assert.notEqual(decodeProtectedHeader(second).kid, decodeProtectedHeader(first).kid);
    const kids = (await jwksOn(a, issuer)).keys.map((k) => k.kid);
    assert.ok(kids.includes(decodeProtectedHeader(second).kid), 'A publishes the key B made');
    assert.ok(kids.includes(decodeProtectedHeader(first).kid), 'and still the retired one');
  },
);
