/**
 * Start-up (issue 9): `iamd serve --memory` starts in well under a second — measured here from spawn to
 * the "listening" line and printed (the benchmark `npm run bench -- startup` gives the careful numbers
 * next to a bare `node -e ""`). The default level says so on start, and has no reset route.
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

test('iamd serve --memory reports its start-up time, and it is short', (t) => {
  const m = /ready in (\d+) ms/.exec(server.startup);
  assert.ok(m, server.startup);
  const ready = Number(m[1]);
  t.diagnostic(
    `iamd serve --memory: ready in ${ready} ms (process clock), ${Math.round(server.wallMs)} ms from spawn`,
  );
  // Well under a second on an idle machine (~0.5 s); the bound leaves room for a loaded CI runner.
  assert.ok(ready < 3000, `ready in ${ready} ms`);
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
