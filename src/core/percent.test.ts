import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { percentDecode } from './percent.js';

test('percentDecode: escapes of UTF-8 bytes, `+` as space only when asked', () => {
  assert.equal(percentDecode('a%20b+c', true), 'a b c');
  assert.equal(percentDecode('a%20b+c', false), 'a b+c');
  assert.equal(percentDecode('%E2%82%AC', false), '€');
  assert.equal(percentDecode('%2B+', true), '+ ');
});

test('percentDecode: a malformed escape stays literal, invalid UTF-8 becomes U+FFFD', () => {
  assert.equal(percentDecode('100%', true), '100%');
  assert.equal(percentDecode('%zz%4', true), '%zz%4');
  assert.equal(percentDecode('%FF+x', true), '\uFFFD x');
  assert.equal(percentDecode('%FF+x', false), '\uFFFD+x');
});

test('percentDecode inverts encodeURIComponent and never throws (property)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      assert.equal(percentDecode(encodeURIComponent(s), false), s);
      assert.equal(percentDecode(encodeURIComponent(s).replaceAll('%20', '+'), true), s);
    }),
  );
  fc.assert(
    fc.property(fc.string(), fc.boolean(), (s, plus) => {
      assert.equal(typeof percentDecode(s, plus), 'string');
    }),
  );
});
