// XML escaping: the escaper's output always parses and reads back as the input (STYLE.md section 3),
// checked with @xmldom/xmldom in tests only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DOMParser } from '@xmldom/xmldom';
import { escapeXml } from './xml.js';

function parse(xml: string): string {
  const doc = new DOMParser({
    onError: (level: string, msg: string) => {
      if (level !== 'warning') throw new Error(msg);
    },
  }).parseFromString(xml, 'text/xml');
  return doc.documentElement?.textContent ?? '';
}

/** What XML 1.0 can carry: forbidden characters are replaced by U+FFFD. */
function representable(s: string): string {
  return s.replace(
    // eslint-disable-next-line no-control-regex -- the characters XML 1.0 forbids
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
}

test('escapes the five markup characters and CR', () => {
  assert.equal(escapeXml(`a&b<c>d"e'f\rg`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f&#13;g');
  assert.equal(escapeXml('plain text'), 'plain text');
  assert.equal(escapeXml('\u0000x\uD800'), '\uFFFDx\uFFFD');
  assert.equal(escapeXml('😀'), '😀');
  // XML 1.1 line ends (xmldom normalises them in text; as references they read back).
  assert.equal(escapeXml('a\u0085b\u2028c'), 'a&#133;b&#8232;c');
  assert.equal(parse(`<a>${escapeXml('a\u0085b\u2028c')}</a>`), 'a\u0085b\u2028c');
});

test('property: escaped text parses as element content and reads back', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      assert.equal(parse(`<a>${escapeXml(s)}</a>`), representable(s));
    }),
    // Line-end characters are where parsers differ: include them often, not by chance.
    { numRuns: 500, examples: [[' '], ['\u0085'], ['\u2028'], ['\r\n'], ['a\u0085\u2028\rb']] },
  );
});

test('property: escaped text is a valid attribute value', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      parse(`<a x="${escapeXml(s)}" y='${escapeXml(s)}'/>`);
    }),
    { numRuns: 300 },
  );
});
