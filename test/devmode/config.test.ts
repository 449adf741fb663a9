/** The enforcement-level settings of config/ (issue 9): `--auth` / `IAMD_AUTH` and the loopback rule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, isLoopbackHost, loadConfig } from '../../src/config/index.js';

function problems(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

test('the level defaults to enforce and is read from --auth, else IAMD_AUTH', () => {
  assert.equal(loadConfig({}, {}).authMode, 'enforce');
  assert.equal(loadConfig({}, { IAMD_AUTH: 'report-only' }).authMode, 'report-only');
  assert.equal(loadConfig({ auth: 'permissive' }, { IAMD_AUTH: 'report-only' }).authMode, 'permissive');
  assert.deepEqual(
    problems(() => loadConfig({ auth: 'lenient' }, {})),
    ['auth level `lenient` is not one of enforce, permissive, report-only, off (--auth / IAMD_AUTH)'],
  );
});

test('development levels refuse a non-loopback address unless told explicitly', () => {
  assert.deepEqual(
    problems(() => loadConfig({ auth: 'report-only', host: '0.0.0.0' }, {})),
    [
      'auth level `report-only` refuses to bind the non-loopback address `0.0.0.0` (pass --allow-insecure-bind to insist)',
    ],
  );
  assert.equal(
    loadConfig({ auth: 'permissive', host: '0.0.0.0', allowInsecureBind: true }, {}).host,
    '0.0.0.0',
  );
  assert.equal(
    loadConfig({ auth: 'permissive', host: '0.0.0.0' }, { IAMD_ALLOW_INSECURE_BIND: '1' }).host,
    '0.0.0.0',
  );
  assert.equal(loadConfig({ host: '0.0.0.0' }, {}).authMode, 'enforce', 'enforce binds anywhere');
  assert.equal(loadConfig({ auth: 'permissive', host: '::1' }, {}).host, '::1');
  // The `off` level (issue #21) follows the same rule.
  assert.deepEqual(
    problems(() => loadConfig({ auth: 'off', host: '0.0.0.0' }, {})),
    [
      'auth level `off` refuses to bind the non-loopback address `0.0.0.0` (pass --allow-insecure-bind to insist)',
    ],
  );
  assert.equal(loadConfig({}, { IAMD_AUTH: 'off', IAMD_HOST: '127.0.0.1' }).authMode, 'off');
  assert.equal(loadConfig({ auth: 'off', host: '0.0.0.0', allowInsecureBind: true }, {}).host, '0.0.0.0');
});

test('loopback hosts', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
    assert.equal(isLoopbackHost(h), true, h);
  for (const h of ['0.0.0.0', '10.0.0.1', '::', 'example.com', '128.0.0.1', '::ffff:10.0.0.1'])
    assert.equal(isLoopbackHost(h), false, h);
});

test('the seed file comes from --seed, else IAMD_SEED', () => {
  assert.equal(loadConfig({ seed: 'a.yaml' }, { IAMD_SEED: 'b.yaml' }).seedFile, 'a.yaml');
  assert.equal(loadConfig({}, { IAMD_SEED: 'b.yaml' }).seedFile, 'b.yaml');
  assert.deepEqual(
    problems(() => loadConfig({ seed: '' }, {})),
    ['the seed file name is empty (--seed / IAMD_SEED)'],
  );
});

test('--log-level is checked against pino levels and joins the start-up problem list', () => {
  assert.equal(loadConfig({ logLevel: 'debug' }, {}).logLevel, 'debug');
  assert.equal(loadConfig({}, { IAMD_LOG_LEVEL: 'silent' }).logLevel, 'silent');
  assert.deepEqual(
    problems(() => loadConfig({ logLevel: 'loud', port: 'x' }, {})),
    [
      'port `x` is not a TCP port (0-65535)',
      'log level `loud` is not one of trace, debug, info, warn, error, fatal, silent (--log-level / IAMD_LOG_LEVEL)',
    ],
  );
});
