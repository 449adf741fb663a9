import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { sealSecret, unsealSecret, UnsealError } from './seal.js';

const KEY = randomBytes(32);
const fails = (fn: () => unknown): void => {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof UnsealError);
    assert.equal(error.message, 'cannot unseal: wrong key, wrong context or corrupted data');
    return true;
  });
};

test('seal round-trips and is randomised', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), fc.string(), (secret, aad) => {
      assert.equal(unsealSecret(KEY, sealSecret(KEY, secret, aad), aad), secret);
    }),
  );
  const a = sealSecret(KEY, 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'ctx');
  assert.match(a, /^v1\.[A-Za-z0-9_-]+$/);
  assert.notEqual(a, sealSecret(KEY, 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'ctx'));
});

test('wrong key, wrong context, any altered character: refused alike', () => {
  const sealed = sealSecret(KEY, 'secret', 'accessKey:111111111111:AKIA');
  fails(() => unsealSecret(randomBytes(32), sealed, 'accessKey:111111111111:AKIA'));
  fails(() => unsealSecret(KEY, sealed, 'accessKey:222222222222:AKIA'));
  fails(() => unsealSecret(KEY, 'v2' + sealed.slice(2), 'accessKey:111111111111:AKIA'));
  fails(() => unsealSecret(KEY, 'v1.', 'accessKey:111111111111:AKIA'));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: sealed.length - 1 }), fc.constantFrom(...'AZaz09-_.'), (at, ch) => {
      fc.pre(sealed.charAt(at) !== ch);
      const tampered = sealed.slice(0, at) + ch + sealed.slice(at + 1);
      fails(() => unsealSecret(KEY, tampered, 'accessKey:111111111111:AKIA'));
    }),
  );
});
