// Form decoding (WHATWG application/x-www-form-urlencoded) plus the round-trip property from
// STYLE.md section 3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeForm, decodeFormComponent, encodeForm } from './form.js';

test('decodes + as space and UTF-8 percent escapes', () => {
  const m = decodeForm('Action=CreateUser&UserName=a+b%20c&Tag=%E1%88%B4');
  assert.deepEqual(
    [...m],
    [
      ['Action', 'CreateUser'],
      ['UserName', 'a b c'],
      ['Tag', 'ሴ'],
    ],
  );
});

test('a repeated name keeps the LAST value (pinned)', () => {
  const m = decodeForm('UserName=first&Action=X&UserName=second');
  assert.equal(m.get('UserName'), 'second');
  assert.deepEqual([...m.keys()], ['UserName', 'Action']);
});

test('empty pairs are skipped, a name without = has an empty value', () => {
  assert.deepEqual(
    [...decodeForm('a=1&&b&=x&')],
    [
      ['a', '1'],
      ['b', ''],
      ['', 'x'],
    ],
  );
  assert.equal(decodeForm('').size, 0);
});

test('malformed escapes stay literal and invalid UTF-8 becomes U+FFFD', () => {
  assert.equal(decodeFormComponent('100%'), '100%');
  assert.equal(decodeFormComponent('%zz%4'), '%zz%4');
  assert.equal(decodeFormComponent('%FF'), '\uFFFD');
});

test('property: decode(encode(params)) round-trips', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' })), {
        selector: (t) => t[0],
      }),
      (pairs) => {
        const decoded = decodeForm(encodeForm(pairs));
        assert.deepEqual([...decoded], pairs);
      },
    ),
  );
});

test('property: decodeForm never throws', () => {
  fc.assert(fc.property(fc.string(), (s) => void decodeForm(s)));
});
