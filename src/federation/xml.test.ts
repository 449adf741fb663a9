/**
 * Strict XML parsing for SAML (src/federation/xml.ts): DTDs and entities refused (OWASP XML External
 * Entity Prevention Cheat Sheet, https://cheatsheetseries.owasp.org/cheatsheets/XML_External_Entity_Prevention_Cheat_Sheet.html),
 * parse errors refused, text read whole across comments and CDATA, duplicates refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NS, XmlRejected, childElements, onlyChild, parseStrictXml, textOf } from './xml.js';

function rejected(text: string, message?: string): void {
  assert.throws(
    () => parseStrictXml(text),
    (e: unknown) => {
      assert.ok(e instanceof XmlRejected, `expected XmlRejected, got ${String(e)}`);
      if (message !== undefined) assert.equal(e.message, message);
      return true;
    },
    text,
  );
}

test('DTDs and entity declarations are refused before parsing', () => {
  const dtd = 'XML with a DTD is not accepted';
  rejected('<!DOCTYPE r><r/>', dtd);
  rejected('<!doctype r><r/>', dtd);
  rejected('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><r>&b;</r>', dtd);
  rejected('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', dtd);
  // Even where a DTD could not take effect.
  rejected('<r><!-- <!ENTITY x "y"> --></r>', dtd);
});

test('malformed documents and undeclared entities are refused', () => {
  for (const t of ['', 'text', '<r>', '<r></s>', '<a/><b/>', '<r>&x;</r>', '<p:r/>', '<r a="1" a="2"/>'])
    rejected(t);
});

test('a well-formed document parses', () => {
  const doc = parseStrictXml(`<?xml version="1.0"?><md:E xmlns:md="${NS.md}"><md:K/><md:K/><x/></md:E>`);
  assert.equal(doc.documentElement?.localName, 'E');
});

test('childElements and onlyChild match namespace and local name among direct children', () => {
  const root = parseStrictXml(
    `<s:A xmlns:s="${NS.saml}" xmlns:o="urn:other"><s:B/><o:B/><s:C><s:B/></s:C><s:B/></s:A>`,
  ).documentElement!;
  assert.equal(childElements(root, NS.saml, 'B').length, 2);
  assert.equal(childElements(root, 'urn:other', 'B').length, 1);
  assert.equal(onlyChild(root, NS.saml, 'C')?.localName, 'C');
  assert.equal(onlyChild(root, NS.saml, 'D'), undefined);
  assert.throws(
    () => onlyChild(root, NS.saml, 'B'),
    (e: unknown) => e instanceof XmlRejected && e.message === 'more than one B',
  );
});

test('textOf joins text across comments and CDATA, trims, and refuses child elements', () => {
  const root = parseStrictXml(
    `<r><a> admin@example.com<!---->.evil.com </a><b>x<![CDATA[<y>]]>z</b><c>t<i/></c><d/></r>`,
  ).documentElement!;
  const el = (n: string) => root.getElementsByTagName(n)[0]!;
  assert.equal(textOf(el('a')), 'admin@example.com.evil.com');
  assert.equal(textOf(el('b')), 'x<y>z');
  assert.equal(textOf(el('d')), '');
  assert.throws(
    () => textOf(el('c')),
    (e: unknown) => e instanceof XmlRejected && e.message === 'c must contain text only',
  );
});

test('property: any string either parses or is refused with XmlRejected', () => {
  const piece = fc.constantFrom(
    '<r>',
    '</r>',
    '<a x="1">',
    '</a>',
    '<b/>',
    '<!---->',
    '<![CDATA[',
    ']]>',
    '&amp;',
    '&z;',
    '<?pi x?>',
    '"',
    "'",
    '<',
    '>',
    '=',
  );
  const soup = fc
    .array(fc.oneof(piece, fc.string({ maxLength: 5 })), { maxLength: 20 })
    .map((p) => p.join(''));
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 200 }), soup), (s) => {
      try {
        const doc = parseStrictXml(s);
        assert.ok(doc.documentElement !== null);
      } catch (e) {
        if (!(e instanceof XmlRejected))
          throw new Error(`untyped failure for ${JSON.stringify(s)}`, { cause: e });
      }
    }),
    { numRuns: 1000 },
  );
});
