/**
 * The gated services' test upstreams, started in-process: s3rver (an S3-compatible store) and dynalite
 * (a DynamoDB-compatible store), both dev dependencies without type declarations.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/** A running upstream. */
export interface Upstream {
  readonly url: string;
  stop(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}

/** Starts s3rver on a free loopback port over a temporary directory. Its key is S3RVER:S3RVER. */
export async function startS3rver(): Promise<Upstream> {
  const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;
  const directory = mkdtempSync(join(tmpdir(), 'iamd-s3rver-'));
  const instance = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  const { port } = await instance.run();
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await instance.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

interface DynaliteServer {
  listen(port: number, host: string, cb: (err?: Error) => void): void;
  address(): { port: number };
  close(cb: () => void): void;
}

/** Starts dynalite (in memory) on a free loopback port. */
export async function startDynalite(): Promise<Upstream> {
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => DynaliteServer;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) =>
    server.listen(0, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
  );
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
