/**
 * Graceful shutdown (issue 3: "on SIGTERM/SIGINT in-flight requests finish, the store closes
 * cleanly"): under a stream of reads and writes, SIGTERM ends the process with exit code 0; every
 * answer the clients got is a success or a retryable 503 `ServiceUnavailable` (AWS Common Errors),
 * never a 500; and every write that was acknowledged is there after a restart on the same data.
 * Also: reads' audit events, written in batches after their answers, are all there after a stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateUserCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import Database from 'better-sqlite3';
import { startIamdOnData, UNTHROTTLED } from './harness.js';

test('SIGTERM under load: exit 0, only 200s and 503s, acknowledged writes kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'iamd-shutdown-'));
  try {
    const server = await startIamdOnData(dir, UNTHROTTLED);
    const iam = server.iam();
    const sts = server.sts();
    const statuses = new Map<number, number>();
    const created: string[] = [];
    let stopping = false;
    const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const client = async (k: number) => {
      for (let i = 0; !stopping || i < 1; i++) {
        try {
          if (k % 2 === 0) {
            await sts.send(new GetCallerIdentityCommand({}));
          } else {
            const name = `u${k}-${i}`;
            await iam.send(new CreateUserCommand({ UserName: name }));
            created.push(name);
          }
          count(200);
        } catch (err) {
          const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
          if (status === undefined) return; // the connection is gone: the server stopped listening
          count(status);
          if (status === 503) assert.equal((err as { name?: string }).name, 'ServiceUnavailable');
        }
      }
    };
    const clients = Array.from({ length: 8 }, (_, k) => client(k));
    await new Promise((r) => setTimeout(r, 400));
    const exited = new Promise<number | null>((r) => server.process.once('exit', (code) => r(code)));
    server.process.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise<string>((r) => setTimeout(() => r('timeout'), 15_000)),
    ]);
    stopping = true;
    await Promise.all(clients);
    assert.equal(code, 0, 'iamd exits with 0 after SIGTERM');
    assert.ok((statuses.get(200) ?? 0) > 0, 'the clients were served before the stop');
    for (const status of statuses.keys()) assert.ok(status === 200 || status === 503, `status ${status}`);
    assert.ok(created.length > 0);

    const again = await startIamdOnData(dir, UNTHROTTLED);
    try {
      for (const name of created) {
        const got = await again.iam().send(new GetUserCommand({ UserName: name }));
        assert.equal(got.User?.UserName, name);
      }
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every read under concurrency leaves exactly its audit event, all written by a graceful stop', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'iamd-audit-count-'));
  try {
    const server = await startIamdOnData(dir, UNTHROTTLED);
    const sts = server.sts();
    const requestIds: string[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = 0; i < 40; i++) {
          const out = await sts.send(new GetCallerIdentityCommand({}));
          requestIds.push(out.$metadata.requestId ?? '');
        }
      }),
    );
    await server.stop();
    const db = new Database(join(dir, 'iamd.db'), { readonly: true });
    try {
      const rows = db
        .prepare("SELECT request_id FROM audit WHERE event_name = 'GetCallerIdentity'")
        .all() as { request_id: string }[];
      assert.equal(rows.length, requestIds.length);
      assert.deepEqual(new Set(rows.map((r) => r.request_id)), new Set(requestIds));
      assert.equal(new Set(requestIds).size, requestIds.length, 'request ids are unique');
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
