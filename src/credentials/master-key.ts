/**
 * The master key: 32 bytes that seal secrets at rest (access-key secrets, MFA seeds, the session-token
 * keyring). It comes from `IAMD_MASTER_KEY` (base64) or from `DATA_DIR/master.key`, which is created
 * with mode 0600 on first start. The key is never logged and never put in an error message.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Length of the master key (AES-256). */
export const MASTER_KEY_LENGTH = 32;

/** Name of the key file inside the data directory. */
export const MASTER_KEY_FILE = 'master.key';

function decode(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (key.length !== MASTER_KEY_LENGTH) {
    throw new Error(`${source} must hold ${MASTER_KEY_LENGTH} bytes in base64 (\`openssl rand -base64 32\`)`);
  }
  return key;
}

/**
 * Loads the master key: from `options.env` (the value of `IAMD_MASTER_KEY`) when given and non-empty,
 * else from `dataDir/master.key`, creating that file (0600, 32 random bytes as base64) when absent.
 * Creation is atomic (write a private temporary file, then hard-link it into place), so two processes
 * starting together end up with the same key. Throws when neither source is available or the key is
 * malformed.
 */
export function loadMasterKey(options: { readonly dataDir?: string; readonly env?: string }): Buffer {
  if (options.env !== undefined && options.env !== '') return decode(options.env, 'IAMD_MASTER_KEY');
  if (options.dataDir === undefined) {
    throw new Error('no master key: set IAMD_MASTER_KEY or give a data directory');
  }
  const path = join(options.dataDir, MASTER_KEY_FILE);
  try {
    return decode(readFileSync(path, 'utf8'), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const temporary = join(
    options.dataDir,
    `.${MASTER_KEY_FILE}.${process.pid}.${randomBytes(6).toString('hex')}`,
  );
  writeFileSync(temporary, `${randomBytes(MASTER_KEY_LENGTH).toString('base64')}\n`, {
    mode: 0o600,
    flag: 'wx',
  });
  try {
    linkSync(temporary, path);
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
  return decode(readFileSync(path, 'utf8'), path);
}
