/**
 * `iamd explain` names the data directory it searched when a request id is not found (issue #16
 * item 10): without --data that is the default directory, which may not be the server's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));

test('explain of an unknown request id names the directory searched, with and without --data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iamd-explain-'));
  try {
    const env: Record<string, string | undefined> = { ...process.env, IAMD_DATA_DIR: join(dir, 'default') };
    delete env.IAMD_MASTER_KEY;
    const withData = spawnSync(process.execPath, [BIN, 'explain', 'nope', '--data', join(dir, 'd')], {
      env,
      encoding: 'utf8',
    });
    assert.equal(withData.status, 1, withData.stderr);
    assert.equal(
      withData.stderr.trim(),
      `iamd explain: no recorded call has request id \`nope\` in ${join(dir, 'd')} (use --data DIR)`,
    );
    const without = spawnSync(process.execPath, [BIN, 'explain', 'nope'], { env, encoding: 'utf8' });
    assert.equal(without.status, 1, without.stderr);
    assert.equal(
      without.stderr.trim(),
      `iamd explain: no recorded call has request id \`nope\` in ${join(dir, 'default')} (use --data DIR)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
