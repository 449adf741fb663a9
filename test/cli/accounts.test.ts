/**
 * `iamd init` and `iamd accounts create|list` on a data directory (issue 3, "Running it"): the
 * printed credentials work against a server started on that directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
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

test('set-root-password without --id and --instance without @ACCOUNT use the first-created (init) account', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'iamd-cli-'));
  const data = join(dir, 'data');
  try {
    const init = iamd(['init', '--data', data, '--json']);
    assert.equal(init.status, 0, init.stderr);
    const { AccountId } = JSON.parse(init.stdout) as { AccountId: string };
    // A later account whose id sorts before the init one.
    const other = iamd(['accounts', 'create', '--data', data, '--id', '000000000001']);
    assert.equal(other.status, 0, other.stderr);
    const set = spawnSync(process.execPath, [BIN, 'accounts', 'set-root-password', '--data', data], {
      env,
      encoding: 'utf8',
      input: 'correct horse battery\n',
    });
    assert.equal(set.status, 0, set.stderr);
    assert.equal(set.stdout.trim(), `root password set for account ${AccountId}`);
    // README's example `--instance i-…=PROFILE` (no @ACCOUNT) still starts with two accounts: the
    // instance belongs to the first account (was: the server stopped, "several accounts").
    const started = await new Promise<string>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          BIN,
          'serve',
          '--data',
          data,
          '--port',
          '0',
          '--imds',
          '127.0.0.1:0',
          '--instance',
          'i-0123456789abcdef0=web',
        ],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let err = '';
      const timer = setTimeout(() => child.kill(), 20_000);
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
        if (/iamd listening on/.test(err)) child.kill();
      });
      child.on('exit', () => {
        clearTimeout(timer);
        resolve(err);
      });
    });
    assert.match(started, /iamd listening on/);
    assert.doesNotMatch(started, /several accounts/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('accounts create-root-key issues a new root key, printed once, while the server runs; at most two', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'iamd-cli-'));
  const data = join(dir, 'data');
  try {
    const init = iamd(['init', '--data', data, '--json']);
    assert.equal(init.status, 0, init.stderr);
    const first = JSON.parse(init.stdout) as { AccountId: string; AccessKeyId: string };
    assert.equal(iamd(['accounts', 'create', '--data', data, '--id', '000000000001']).status, 0);
    const server = await startIamdOnData(data);
    try {
      // Without --id: the first (init) account, not the lowest id.
      const made = iamd(['accounts', 'create-root-key', '--data', data, '--json']);
      assert.equal(made.status, 0, made.stderr);
      const key = JSON.parse(made.stdout) as {
        AccountId: string;
        AccessKeyId: string;
        SecretAccessKey: string;
      };
      assert.equal(key.AccountId, first.AccountId);
      assert.match(key.AccessKeyId, /^AKIA[A-Z2-7]{16}$/);
      assert.notEqual(key.AccessKeyId, first.AccessKeyId);
      assert.equal(key.SecretAccessKey.length, 40);
      const who = await server
        .sts({ accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey })
        .send(new GetCallerIdentityCommand({}));
      assert.equal(who.Arn, `arn:aws:iam::${first.AccountId}:root`);

      // The root user has two keys now: a third is refused with AWS's quota text.
      const third = iamd(['accounts', 'create-root-key', '--data', data]);
      assert.equal(third.status, 1);
      assert.match(third.stderr, /^iamd accounts: Cannot exceed quota for AccessKeysPerUser: 2 /);
      assert.equal(third.stdout, '');

      const other = iamd(['accounts', 'create-root-key', '--data', data, '--id', '000000000001']);
      assert.equal(other.status, 0, other.stderr);
      assert.match(other.stdout, /^new root access key for account 000000000001\n {2}AWS_ACCESS_KEY_ID=AKIA/);

      const missing = iamd(['accounts', 'create-root-key', '--data', data, '--id', '999999999999']);
      assert.equal(missing.status, 1);
      assert.equal(missing.stderr.trim(), 'iamd accounts: no account `999999999999`');
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
