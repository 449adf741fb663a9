/**
 * A TCP proxy between iamd and a real PostgreSQL that can break a connection exactly at COMMIT, to
 * test unknown commit outcomes (issue #22).
 *
 * `pg` sends COMMIT as a simple-query message (PostgreSQL docs, "Message Formats": `Query`, type byte
 * 'Q', int32 length, query string). The adapter sends its commit as one such message (marker insert,
 * NOTIFY, `COMMIT`). When armed with a predicate, the proxy scans the client→server bytes for a 'Q'
 * message whose text contains `COMMIT` and matches; it then either forwards that message and closes both
 * sockets at once (`after`: the commit reaches the server, its acknowledgement is lost) or closes both
 * sockets without forwarding it (`instead`: the transaction never commits). Either way it disarms.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

/** How the armed proxy breaks the matching COMMIT. */
export type BreakMode = 'after' | 'instead';

export interface PgProxy {
  readonly port: number;
  /** Breaks the next COMMIT message whose text satisfies `match`; resolves when it did. */
  arm(mode: BreakMode, match: (query: string) => boolean): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port forwarding to `127.0.0.1:upstreamPort`. */
export async function startPgProxy(upstreamPort: number): Promise<PgProxy> {
  let armed: { mode: BreakMode; match: (q: string) => boolean; done: () => void } | undefined;
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', closeBoth).on('close', () => (sockets.delete(client), upstream.end()));
    upstream.on('error', closeBoth).on('close', () => (sockets.delete(upstream), client.end()));
    upstream.on('data', (chunk: Buffer) => {
      if (!client.destroyed) client.write(chunk);
    });
    // Client → server: whole messages are parsed once the startup packet (no type byte) has passed.
    let started = false;
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      if (upstream.writableEnded) return;
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (!started) {
          if (pending.length < 4) return;
          const length = pending.readInt32BE(0);
          if (pending.length < length) return;
          upstream.write(pending.subarray(0, length));
          pending = pending.subarray(length);
          // SSLRequest (80877103) is followed by another startup packet; pg sends none without ssl.
          started = true;
          continue;
        }
        if (pending.length < 5) return;
        const length = pending.readInt32BE(1) + 1;
        if (pending.length < length) return;
        const message = pending.subarray(0, length);
        pending = pending.subarray(length);
        const query = message[0] === 0x51 ? message.subarray(5, length - 1).toString('utf8') : '';
        const trap = armed;
        if (trap !== undefined && /\bCOMMIT\b/.test(query) && trap.match(query)) {
          armed = undefined;
          if (trap.mode === 'after') {
            // Forward the COMMIT followed by end-of-stream (the server still reads and runs it), and
            // cut iamd's side at once: iamd never sees the acknowledgement.
            client.destroy();
            upstream.end(message);
          } else {
            closeBoth();
          }
          trap.done();
          return;
        }
        upstream.write(message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    arm(mode, match) {
      return new Promise((resolve) => {
        armed = { mode, match, done: resolve };
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
