/**
 * Start-up (issue 9): `iamd serve --memory` reports how long it took to start — printed here from spawn
 * to the "listening" line (the benchmark `npm run bench -- startup` gives the careful numbers next to a
 * bare `node -e ""`; speed is measured there, not in a timed test). The default level says so on start, and has no reset route.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDevServer, type DevServer } from '../devmode/spawn.js';

let server: DevServer;
before(async () => {
  server = await startDevServer(['--memory']);
});
after(async () => {
  await server.stop();
});

test('iamd serve --memory reports its start-up time', (t) => {
  const m = /ready in (\d+) ms/.exec(server.startup);
  assert.ok(m, server.startup);
  const ready = Number(m[1]);
  t.diagnostic(
    `iamd serve --memory: ready in ${ready} ms (process clock), ${Math.round(server.wallMs)} ms from spawn`,
  );
  // How fast is the benchmark's job (`npm run bench -- startup`, figures in README); a timed bound
  // here only fails on a loaded machine. The report must be a plausible duration.
  assert.ok(ready > 0 && ready < 60_000, `ready in ${ready} ms`);
});

test('the default level is stated on start', () => {
  assert.match(
    server.startup,
    /^auth level: enforce \(signatures, credentials and policies are all checked\)$/m,
  );
});

test('at the default level there is no reset route', async () => {
  for (const path of ['/_iamd/reset', '/moto-api/reset']) {
    const r = await fetch(`${server.url}${path}`, { method: 'POST' });
    assert.equal(r.status, 404, path);
    await r.arrayBuffer();
  }
});
