/** The throttling settings of config/ (issue 16): `--rate-limit-iam` / `--rate-limit-sts` and their env. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DEFAULT_RATE_LIMIT_IAM, DEFAULT_RATE_LIMIT_STS, loadConfig } from './index.js';

function problems(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

test('the defaults: STS at AWS documented 600 a second per account, IAM at 100', () => {
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html ("AWS STS request quotas")
  assert.equal(DEFAULT_RATE_LIMIT_STS, 600);
  assert.equal(DEFAULT_RATE_LIMIT_IAM, 100);
  assert.deepEqual(loadConfig({}, {}).rateLimits, { iam: 100, sts: 600 });
});

test('the options win over the environment; 0 and off mean unlimited', () => {
  assert.deepEqual(loadConfig({}, { IAMD_RATE_LIMIT_IAM: '5', IAMD_RATE_LIMIT_STS: '7' }).rateLimits, {
    iam: 5,
    sts: 7,
  });
  assert.deepEqual(
    loadConfig({ rateLimitIam: '9', rateLimitSts: 'off' }, { IAMD_RATE_LIMIT_IAM: '5' }).rateLimits,
    { iam: 9, sts: undefined },
  );
  assert.deepEqual(loadConfig({ rateLimitIam: '0' }, { IAMD_RATE_LIMIT_STS: 'OFF' }).rateLimits, {
    iam: undefined,
    sts: undefined,
  });
  assert.equal(loadConfig({ rateLimitIam: '00' }, {}).rateLimits.iam, undefined, '00 is 0 too');
  assert.ok(Object.isFrozen(loadConfig({}, {}).rateLimits));
});

test('bad rate limits are all reported together, with where they came from', () => {
  assert.deepEqual(
    problems(() =>
      loadConfig({ rateLimitIam: '-1', port: 'x' }, { IAMD_RATE_LIMIT_STS: '2.5', IAMD_RATE_LIMIT_IAM: '4' }),
    ),
    [
      'port `x` is not a TCP port (0-65535)',
      'rate limit `-1` is not a whole number of requests a second (1-1000000), 0 or off (--rate-limit-iam / IAMD_RATE_LIMIT_IAM)',
      'rate limit `2.5` is not a whole number of requests a second (1-1000000), 0 or off (--rate-limit-sts / IAMD_RATE_LIMIT_STS)',
    ],
  );
  for (const bad of ['', 'fast', '1e3', '1000001', ' ', '10/s'])
    assert.equal(problems(() => loadConfig({ rateLimitSts: bad }, {})).length, 1, `\`${bad}\``);
});
