import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  instanceForAddress,
  parseInstanceBinding,
  parseListenAddress,
  parseRuntimeOptions,
  parseTaskBinding,
} from './runtime-bindings.js';
import { checkTtl, issueToken, verifyToken } from '../imds/token.js';

test('instance bindings: id, profile (names may contain @), account, from=', () => {
  assert.deepEqual(parseInstanceBinding('i-0123456789abcdef0=web'), {
    ok: true,
    value: { instanceId: 'i-0123456789abcdef0', profileName: 'web', account: undefined, from: undefined },
  });
  assert.deepEqual(parseInstanceBinding('i-01234567=a@b@111122223333,from=10.0.0.2'), {
    ok: true,
    value: { instanceId: 'i-01234567', profileName: 'a@b', account: '111122223333', from: '10.0.0.2' },
  });
  assert.deepEqual(parseInstanceBinding('i-xyz=web'), {
    ok: false,
    problem:
      '--instance `i-xyz=web`: `i-xyz` is not an instance id (expected i-0123456789abcdef0=PROFILE[@ACCOUNT][,from=ADDRESS])',
  });
  assert.deepEqual(parseInstanceBinding('i-01234567=web,port=3'), {
    ok: false,
    problem:
      '--instance `i-01234567=web,port=3`: unknown option `port=3` (expected i-0123456789abcdef0=PROFILE[@ACCOUNT][,from=ADDRESS])',
  });
});

test('task bindings and listen addresses', () => {
  assert.deepEqual(parseTaskBinding('t1=task-role@111122223333'), {
    ok: true,
    value: { taskId: 't1', roleName: 'task-role', account: '111122223333' },
  });
  assert.deepEqual(parseTaskBinding('t1'), {
    ok: false,
    problem: '--task `t1`: missing `=` (expected TASK_ID=ROLE[@ACCOUNT])',
  });
  assert.deepEqual(parseListenAddress('--imds', '127.0.0.1:1338'), {
    ok: true,
    value: { host: '127.0.0.1', port: 1338 },
  });
  assert.deepEqual(parseListenAddress('--imds', '[::1]:0'), { ok: true, value: { host: '::1', port: 0 } });
  assert.deepEqual(parseListenAddress('--imds', ':80'), { ok: true, value: { host: '127.0.0.1', port: 80 } });
  assert.deepEqual(parseListenAddress('--imds', 'host:99999'), {
    ok: false,
    problem: '--imds `host:99999` is not HOST:PORT (port 0-65535; 0 picks a free one)',
  });
});

test('runtime options: every problem at once', () => {
  const r = parseRuntimeOptions(
    { instances: ['i-01234567=a', 'i-01234567=b'], containerCredentials: 'x' },
    {},
  );
  assert.deepEqual(r.problems, [
    '--container-credentials `x` is not HOST:PORT (port 0-65535; 0 picks a free one)',
    '--instance needs --imds HOST:PORT',
    '--container-credentials needs at least one --task ID=ROLE',
    '--instance i-01234567 is given twice',
  ]);
  const ok = parseRuntimeOptions(
    { imds: '127.0.0.1:0', instances: ['i-01234567=a'] },
    { IAMD_IMDS_V2_ONLY: '1', IAMD_CONTAINER_AUTHORIZATION_TOKEN: 'x'.repeat(16) },
  );
  assert.deepEqual(ok.problems, []);
  assert.equal(ok.value.imdsV2Only, true);
  assert.equal(ok.value.containerToken, 'x'.repeat(16));
});

test('client address → instance', () => {
  const a = { instanceId: 'i-0000000a', profileName: 'p', account: undefined, from: '10.0.0.2' };
  const b = { instanceId: 'i-0000000b', profileName: 'p', account: undefined, from: undefined };
  assert.equal(instanceForAddress([a, b], '10.0.0.2'), a);
  assert.equal(instanceForAddress([a, b], '::ffff:10.0.0.2'), a);
  assert.equal(instanceForAddress([a, b], '127.0.0.1'), b);
  assert.equal(instanceForAddress([a], '127.0.0.1'), undefined);
  assert.equal(instanceForAddress([b, { ...b, instanceId: 'i-0000000c' }], '127.0.0.1'), undefined);
});

test('IMDSv2 TTL bounds 1–21600 and token verification', () => {
  assert.deepEqual(checkTtl('1'), { ok: true, seconds: 1 });
  assert.deepEqual(checkTtl('21600'), { ok: true, seconds: 21600 });
  for (const bad of [undefined, '', '0', '21601', '1e3', ' ', '-1'])
    assert.deepEqual(checkTtl(bad), { ok: false });
  const key = new Uint8Array(32).fill(7);
  const t = issueToken(key, 'i-01234567', 1000, 10);
  assert.equal(verifyToken(key, t, 'i-01234567', 10_999), true);
  assert.equal(verifyToken(key, t, 'i-01234567', 11_000), false, 'expired at TTL');
  assert.equal(verifyToken(key, t, 'i-0123456a', 2000), false, 'other instance');
  assert.equal(verifyToken(new Uint8Array(32), t, 'i-01234567', 2000), false, 'other key');
  assert.equal(verifyToken(key, 'garbage', 'i-01234567', 2000), false);
  const [payload, mac] = t.split('.') as [string, string];
  const longer = Buffer.from(
    Buffer.from(payload, 'base64url').toString().replace('.11000', '.99999'),
  ).toString('base64url');
  assert.equal(verifyToken(key, `${longer}.${mac}`, 'i-01234567', 20_000), false, 'altered expiry');
});
