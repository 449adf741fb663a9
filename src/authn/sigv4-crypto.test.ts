import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { sigv4Crypto } from './sigv4-crypto.js';

test('sha256Hex agrees with createHash for strings and bytes (property)', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), fc.uint8Array()), (data) => {
      assert.equal(sigv4Crypto.sha256Hex(data), createHash('sha256').update(data).digest('hex'));
    }),
  );
});

test('hmac is HMAC-SHA256 of the UTF-8 message (RFC 4231 test case 2)', () => {
  const mac = sigv4Crypto.hmac(Buffer.from('Jefe'), 'what do ya want for nothing?');
  assert.equal(
    Buffer.from(mac).toString('hex'),
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  );
  assert.deepEqual(
    Buffer.from(sigv4Crypto.hmac(Buffer.from('k'), 'ü')),
    createHmac('sha256', 'k').update('ü', 'utf8').digest(),
  );
});
