/**
 * The gateway benchmark's upstreams as child processes (so the load generator never shares their event
 * loop): s3rver over a directory (its key is S3RVER:S3RVER) and dynalite in memory, both the npm
 * packages the gateway tests use.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpuReader, stopper, waitFor, type ChildServer } from './servers.js';

const require = createRequire(import.meta.url);

/** s3rver's key (it verifies SigV4 header signatures against it). */
export const S3RVER_CREDS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

function startChild(source: string, pattern: RegExp): Promise<ChildServer> {
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'pipe'] });
  return waitFor(child, pattern).then((url) => ({
    url,
    pid: child.pid!,
    cpuMs: cpuReader(child),
    stop: stopper(child),
  }));
}

/** Starts s3rver on a free loopback port, storing objects under `directory`. */
export function startS3rverProcess(directory: string): Promise<ChildServer> {
  const source = `
const S3rver = require(${JSON.stringify(require.resolve('s3rver'))});
const s = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: ${JSON.stringify(directory)} });
s.run().then(({ port }) => console.log('s3rver on http://127.0.0.1:' + port));
process.on('SIGTERM', () => s.close().then(() => process.exit(0)));
`;
  return startChild(source, /s3rver on (http:\/\/\S+)/);
}

/** Starts dynalite (in memory; tables are active at once) on a free loopback port. */
export function startDynaliteProcess(): Promise<ChildServer> {
  const source = `
const dynalite = require(${JSON.stringify(require.resolve('dynalite'))});
const s = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
s.listen(0, '127.0.0.1', () => console.log('dynalite on http://127.0.0.1:' + s.address().port));
process.on('SIGTERM', () => s.close(() => process.exit(0)));
`;
  return startChild(source, /dynalite on (http:\/\/\S+)/);
}

/**
 * Starts a pass-through HTTP proxy to `upstream` on a free loopback port: every request is relayed as
 * it came (method, path, headers including `Host` and the signature, body streamed) over keep-alive
 * connections and the answer relayed back, with nothing checked. The floor any gateway on this machine
 * pays for one more HTTP hop — the gateway benchmark's second baseline.
 */
export function startPassThroughProxy(upstream: string): Promise<ChildServer> {
  const source = `
const http = require('node:http');
const u = new URL(${JSON.stringify(upstream)});
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const s = http.createServer((req, res) => {
  const out = http.request({ hostname: u.hostname, port: u.port, method: req.method, path: req.url, headers: req.headers, agent }, (up) => {
    res.writeHead(up.statusCode, up.headers);
    up.pipe(res);
  });
  out.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
  req.pipe(out);
});
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => console.log('proxy on http://127.0.0.1:' + s.address().port));
process.on('SIGTERM', () => s.close(() => process.exit(0)));
`;
  return startChild(source, /proxy on (http:\/\/\S+)/);
}

/** The resident set size of process `pid` in bytes (`VmRSS` of /proc/PID/status; Linux). */
export async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) * 1024;
}
