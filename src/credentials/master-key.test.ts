import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMasterKey } from './master-key.js';

const withDir = (fn: (dir: string) => void): void => {
  const dir = mkdtempSync(join(tmpdir(), 'iamd-mk-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

test('the environment key wins when set', () => {
  const env = Buffer.alloc(32, 7).toString('base64');
  withDir((dir) => {
    assert.deepEqual(loadMasterKey({ env, dataDir: dir }), Buffer.alloc(32, 7));
    assert.throws(() => statSync(join(dir, 'master.key')), { code: 'ENOENT' });
  });
});

test('a malformed environment key is refused without echoing it', () => {
  for (const env of ['c2hvcnQ=', 'not base64 at all!']) {
    assert.throws(() => loadMasterKey({ env }), {
      message: 'IAMD_MASTER_KEY must hold 32 bytes in base64 (`openssl rand -base64 32`)',
    });
  }
});

test('the key file is created once, private, and reused', () => {
  withDir((dir) => {
    const data = join(dir, 'data');
    const first = loadMasterKey({ dataDir: data, env: '' });
    assert.equal(first.length, 32);
    const path = join(data, 'master.key');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(loadMasterKey({ dataDir: data }), first);
    assert.equal(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64').equals(first), true);
  });
});

test('a damaged key file is an error, not a new key', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'master.key'), 'short\n');
    assert.throws(() => loadMasterKey({ dataDir: dir }), {
      message: `${join(dir, 'master.key')} must hold 32 bytes in base64 (\`openssl rand -base64 32\`)`,
    });
  });
});

test('no source at all is an error', () => {
  assert.throws(() => loadMasterKey({}), {
    message: 'no master key: set IAMD_MASTER_KEY or give a data directory',
  });
});
