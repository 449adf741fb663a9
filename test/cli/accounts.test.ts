/**
 * `iamd init` and `iamd accounts create|list` on a data directory (issue 3, "Running it"): the
 * printed credentials work against a server started on that directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { startIamdOnData } from '../contract/accounts-helper.js';

const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));
const env: Record<string, string | undefined> = { ...process.env };
for (const k of [
  'IAMD_ACCOUNT_ID',
  'IAMD_ROOT_ACCESS_KEY_ID',
  'IAMD_ROOT_SECRET_ACCESS_KEY',
  'IAMD_MASTER_KEY',
])
  delete env[k];
const iamd = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });

test('init creates the first account once; accounts create/list work on the same directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'iamd-cli-'));
  const data = join(dir, 'data');
  try {
    const first = iamd(['init', '--data', data, '--json']);
    assert.equal(first.status, 0, first.stderr);
    const created = JSON.parse(first.stdout) as {
      AccountId: string;
      AccessKeyId: string;
      SecretAccessKey: string;
    };
    assert.match(created.AccountId, /^\d{12}$/);
    assert.match(created.AccessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(created.SecretAccessKey.length, 40);
    assert.equal(statSync(join(data, 'master.key')).mode & 0o777, 0o600);

    const again = iamd(['init', '--data', data]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already initialised \(1 account\(s\)\)/);

    const second = JSON.parse(
      execFileSync(
        process.execPath,
        [BIN, 'accounts', 'create', '--data', data, '--id', '444455556666', '--json'],
        {
          env,
          encoding: 'utf8',
        },
      ),
    ) as { AccountId: string; AccessKeyId: string; SecretAccessKey: string };
    assert.equal(second.AccountId, '444455556666');
    const dup = iamd(['accounts', 'create', '--data', data, '--id', '444455556666']);
    assert.equal(dup.status, 1);
    assert.match(dup.stderr, /account 444455556666 already exists/);
    const bad = iamd(['accounts', 'create', '--data', data, '--id', '12']);
    assert.equal(bad.status, 2);

    const list = JSON.parse(iamd(['accounts', 'list', '--data', data, '--json']).stdout) as {
      Accounts: { AccountId: string }[];
    };
    assert.deepEqual(
      list.Accounts.map((a) => a.AccountId).sort(),
      [created.AccountId, '444455556666'].sort(),
    );

    const server = await startIamdOnData(data);
    try {
      for (const c of [created, second]) {
        const who = await server
          .sts({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey })
          .send(new GetCallerIdentityCommand({}));
        assert.equal(who.Arn, `arn:aws:iam::${c.AccountId}:root`);
      }
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
