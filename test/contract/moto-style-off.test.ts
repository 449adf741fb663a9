/**
 * A moto server-mode style suite in Python (boto3, botocore signing with a clock frozen in 2019, reset
 * before each test, dummy credentials, keys used with no policy) passes against `iamd serve --auth off`
 * (issue #21). The suite is test/fixtures/moto-style/suite.py; this test starts iamd and runs it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startDevServer, type DevServer } from '../devmode/spawn.js';

const SUITE = fileURLToPath(new URL('../../../test/fixtures/moto-style/suite.py', import.meta.url));
const ACCOUNT = '123456789012';

let server: DevServer;
before(async () => {
  server = await startDevServer(['--memory', '--auth', 'off'], { IAMD_ACCOUNT_ID: ACCOUNT });
});
after(async () => {
  await server.stop();
});

test('the boto3 suite passes unchanged against --auth off', () => {
  const run = spawnSync('python3', [SUITE], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      IAMD_ENDPOINT: server.url,
      IAMD_TEST_ACCOUNT: ACCOUNT,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
    timeout: 120_000,
  });
  assert.equal(run.status, 0, `suite failed:\n${run.stderr}\n${run.stdout}`);
  assert.match(run.stderr, /Ran 5 tests/);
  assert.match(run.stderr, /\nOK\n/);
});
