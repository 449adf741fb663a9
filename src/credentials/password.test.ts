import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { hashPassword, hashPasswordAsync, verifyPassword, verifyPasswordAsync } from './password.js';

test('a password verifies against its own hash only', () => {
  const hash = hashPassword('correct horse battery staple');
  assert.match(hash, /^scrypt\$32768\$8\$3\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.equal(verifyPassword('correct horse battery staple', hash), true);
  assert.equal(verifyPassword('correct horse battery stapl', hash), false);
  assert.equal(verifyPassword('', hash), false);
});

test('the salt is random, so equal passwords hash differently', () => {
  const fixed = () => new Uint8Array(16).fill(1);
  assert.equal(hashPassword('same', fixed), hashPassword('same', fixed), 'deterministic given the salt');
  assert.notEqual(hashPassword('same'), hashPassword('same'));
});

test('Unicode-equivalent passwords verify (NFC)', () => {
  assert.equal(verifyPassword('cafe\u0301', hashPassword('caf\u00e9')), true);
});

test('the async pair is interchangeable with the sync pair', async () => {
  const hash = await hashPasswordAsync('s3cret!');
  assert.equal(verifyPassword('s3cret!', hash), true);
  assert.equal(await verifyPasswordAsync('s3cret!', hashPassword('s3cret!')), true);
  assert.equal(await verifyPasswordAsync('S3cret!', hash), false);
  assert.equal(await verifyPasswordAsync('x', 'scrypt$1$8$1$AAAA$AAAA'), false);
});

test('hashes with other (bounded) parameters still verify', () => {
  // A hash from a cheaper setting (as an older iamd might have written) keeps working.
  const cheap = 'scrypt$1024$8$1$c2FsdHNhbHRzYWx0c2FsdA==$';
  const key = scryptSync('pw', Buffer.from('saltsaltsaltsalt'), 32, { N: 1024, r: 8, p: 1 });
  assert.equal(verifyPassword('pw', cheap + key.toString('base64')), true);
});

test('malformed or hostile hashes verify as false without throwing', () => {
  for (const bad of [
    '',
    'plain',
    'bcrypt$1$2$3$4$5',
    'scrypt$32768$8$1$$AAAA',
    'scrypt$3$8$1$AAAA$AAAA',
    'scrypt$1073741824$8$1$AAAA$AAAA',
    'scrypt$32768$8$99$AAAA$AAAA',
  ]) {
    assert.equal(verifyPassword('x', bad), false, bad);
  }
});
