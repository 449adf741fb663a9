/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: `initdb` into a temporary directory, then
 * `pg_ctl start` on a free loopback port (no Unix socket), trust authentication for a superuser named
 * `iamd`. Finds the binaries of Debian's `postgresql` package (/usr/lib/postgresql/<version>/bin), or
 * `pg_config --bindir`, or PATH.
 *
 * `initdb` and `postgres` refuse to run as root (PostgreSQL docs, "Creating a Database Cluster": the
 * server must be owned and run by an unprivileged account), so as root they run as the `postgres` user
 * (created by the Debian package) through `runuser`, in a directory handed over to that user.
 *
 * Durability settings are relaxed for speed (`fsync=off`): tests stop the server cleanly or crash the
 * server process, never the machine, so committed data still survives a restart.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** A running throwaway cluster. */
export interface PgCluster {
  /** Connection URL of the `postgres` database as the superuser `iamd`. */
  readonly url: string;
  readonly port: number;
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server: `fast` terminates sessions and shuts down cleanly; `immediate` crashes it. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again after {@link stop} (same port and data). */
  start(): Promise<void>;
  /** Stops the server and removes its directory. */
  destroy(): Promise<void>;
}

/** The directory with `initdb`, `pg_ctl` and `postgres`, or undefined when PostgreSQL is not installed. */
export function findPgBinDir(): string | undefined {
  const has = (dir: string): boolean =>
    ['initdb', 'pg_ctl', 'postgres'].every((name) => existsSync(join(dir, name)));
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (has(join(debian, v, 'bin'))) return join(debian, v, 'bin');
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (has(dir)) return dir;
  } catch {
    // not installed
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir !== '' && has(dir)) return dir;
  return undefined;
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function pgSkipReason(): string | undefined {
  if (findPgBinDir() === undefined) {
    return 'SKIPPED: PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; install Debian `postgresql` to run the PostgreSQL store tests';
  }
  if (process.getuid?.() === 0 && unprivilegedUser() === undefined) {
    return 'SKIPPED: running as root and there is no `postgres` user to run the PostgreSQL server as';
  }
  return undefined;
}

/** As root: the uid/gid of the `postgres` account to run the server as. */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) return undefined;
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** A free TCP port on loopback (bound and released; the cluster takes it right after). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const live = new Set<() => void>();
let exitHookInstalled = false;

/** Starts a throwaway cluster. Throws when PostgreSQL is not installed (check {@link pgSkipReason}). */
export async function startPgCluster(): Promise<PgCluster> {
  const bin = findPgBinDir();
  if (bin === undefined) throw new Error(pgSkipReason());
  const dir = mkdtempSync(join(tmpdir(), 'iamd-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const user = unprivilegedUser();
    if (user === undefined) throw new Error(pgSkipReason());
    chownSync(dir, user.uid, user.gid);
  }
  const exec = (name: string, args: readonly string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, name), ...args], { cwd: dir })
      : run(join(bin, name), [...args], { cwd: dir });

  await exec('initdb', [
    '-D',
    data,
    '-U',
    'iamd',
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const port = await freePort();
  const serverOptions = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    "-c unix_socket_directories=''",
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  const start = async (): Promise<void> => {
    await exec('pg_ctl', ['-D', data, '-l', logFile, '-o', serverOptions, '-w', '-t', '30', 'start']);
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast'): Promise<void> => {
    await exec('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
  };
  // If the test process dies without cleaning up, do not leave a server running.
  const emergencyStop = (): void => {
    const args = ['-D', data, '-m', 'immediate', 'stop'];
    if (asRoot)
      spawnSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...args], { stdio: 'ignore' });
    else spawnSync(join(bin, 'pg_ctl'), args, { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  live.add(emergencyStop);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const stopNow of live) stopNow();
    });
  }
  await start();
  const url = `postgres://iamd@127.0.0.1:${port}/postgres`;
  let databases = 0;
  return {
    url,
    port,
    async createDatabase(name = `iamd_test_${process.pid}_${databases++}`) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE template0`);
      } finally {
        await admin.end();
      }
      return `postgres://iamd@127.0.0.1:${port}/${name}`;
    },
    stop,
    start,
    async destroy() {
      live.delete(emergencyStop);
      await stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
