/**
 * The gateway tests' set-up: iamd in front of a real upstream (s3rver with its key, or dynalite) — on a
 * data directory with a second account for the cross-account tests — the SDK clients that reach it,
 * and a DynamoDB table with the `id` hash key the tests use.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { ParsedSigV4 } from '../../src/sigv4/index.js';
import { ROOT, startIamd, type Creds, type TestServer } from '../contract/harness.js';
import { createAccount, startIamdOnData, type CreatedAccount } from '../contract/accounts-helper.js';
import { startDynalite, startS3rver, type Upstream } from './upstreams.js';

/** A running gateway in front of s3rver. */
export interface S3Gateway {
  readonly server: TestServer;
  readonly upstream: Upstream;
  stop(): Promise<void>;
}

/** Starts s3rver and an in-memory iamd gating it with s3rver's key (`extraArgs` go to `iamd serve`). */
export async function startS3Gateway(extraArgs: readonly string[] = []): Promise<S3Gateway> {
  const upstream = await startS3rver();
  let server: TestServer;
  try {
    server = await startIamd([
      '--upstream',
      `s3=${upstream.url}`,
      '--upstream-credentials',
      's3=S3RVER:S3RVER',
      ...extraArgs,
    ]);
  } catch (error) {
    await upstream.stop();
    throw error;
  }
  return {
    server,
    upstream,
    async stop() {
      await server.stop();
      await upstream.stop();
    },
  };
}

/** A running gateway with two accounts: the default one (ROOT's) and `other`. */
export interface TwoAccountGateway {
  readonly server: TestServer;
  readonly upstream: Upstream;
  readonly dir: string;
  readonly other: CreatedAccount;
  stop(): Promise<void>;
}

/** Starts `service`'s upstream and iamd in front of it on a fresh data directory, then a second account. */
export async function startTwoAccountGateway(service: 's3' | 'dynamodb'): Promise<TwoAccountGateway> {
  const dir = mkdtempSync(join(tmpdir(), `iamd-${service}-accounts-`));
  const upstream = service === 's3' ? await startS3rver() : await startDynalite();
  const args =
    service === 's3'
      ? ['--upstream', `s3=${upstream.url}`, '--upstream-credentials', 's3=S3RVER:S3RVER']
      : ['--upstream', `dynamodb=${upstream.url}`];
  let server: TestServer;
  try {
    server = await startIamdOnData(dir, args);
  } catch (error) {
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    server,
    upstream,
    dir,
    other: createAccount(dir),
    async stop() {
      await server.stop();
      await upstream.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An S3 client (path-style, no retries) for `endpoint`. */
export function s3Client(endpoint: string, creds: Creds = ROOT): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: creds,
    maxAttempts: 1,
  });
}

/** A DynamoDB client (no retries) for `endpoint`. */
export function dynamoDbClient(endpoint: string, creds: Creds = ROOT): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
}

/** Creates the on-demand table `TableName` keyed by the string `id`. */
export function createIdTable(client: DynamoDBClient, TableName: string): Promise<unknown> {
  return client.send(
    new CreateTableCommand({
      TableName,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

/** One request an upstream was sent through a {@link RecordingProxy}. */
export interface ProxiedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  /** The request body, as far as it has arrived. */
  body: string;
}

/** A proxy between iamd and an upstream that records every request and can answer some itself. */
export interface RecordingProxy {
  readonly url: string;
  /** Every request received, in order. */
  readonly seen: ProxiedRequest[];
  /**
   * Called for each request before it is passed on: answering `res` (and returning true) keeps it from
   * the upstream; a request left unanswered with true hangs (an upstream that never answers).
   */
  intercept: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  stop(): Promise<void>;
}

/** Starts a {@link RecordingProxy} on a free loopback port in front of `target` (a base URL). */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const to = new URL(target);
  const proxy: RecordingProxy = {
    url: '',
    seen: [],
    intercept: undefined,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  const server = createServer((req, res) => {
    const seen: ProxiedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: '',
    };
    proxy.seen.push(seen);
    req.on('data', (chunk: Buffer) => {
      seen.body += chunk.toString('utf8');
    });
    if (proxy.intercept?.(req, res) === true) {
      req.resume();
      return;
    }
    const out = httpRequest(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(proxy, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

/** The header-signature fields of a root-signed S3 request at `amzDate` (tests that sign by hand). */
export function s3HeaderSigning(amzDate: string, signedHeaders: readonly string[]): ParsedSigV4 {
  return {
    accessKeyId: ROOT.accessKeyId,
    date: amzDate.slice(0, 8),
    region: 'us-east-1',
    service: 's3',
    terminator: 'aws4_request',
    signedHeaders: [...signedHeaders],
    signature: '',
    amzDate,
    amzDateMs: Date.now(),
    presigned: false,
  };
}

/** The CloudTrail records an `--audit-file` (JSON lines) holds so far that `match` accepts. */
export function auditFileEvents(
  auditFile: string,
  match: (event: Record<string, unknown>) => boolean,
): Record<string, unknown>[] {
  return readFileSync(auditFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter(match);
}
