/**
 * Strict XML parsing for SAML documents (metadata and assertions). Documents with a DTD are refused
 * outright: SAML never needs one, and a DTD is how entity-expansion ("billion laughs") and external
 * entity (XXE) attacks get in (OWASP XXE Prevention Cheat Sheet; SAML 2.0 Core §1.3 uses no DTD).
 * `@xmldom/xmldom` does not fetch external entities, and any parse error aborts.
 */
import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';

/** SAML 2.0 and XML Signature namespaces. */
export const NS = {
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

/** Thrown by {@link parseStrictXml}. */
export class XmlRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlRejected';
  }
}

/** Parses `text` as XML, refusing DTDs, processing errors and non-element roots. */
export function parseStrictXml(text: string): Document {
  // A DOCTYPE anywhere (even in a comment-looking position) is refused before parsing.
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text))
    throw new XmlRejected('XML with a DTD is not accepted');
  let doc: Document;
  try {
    doc = new DOMParser({
      onError: (level: string, message: string) => {
        if (level !== 'warning') throw new XmlRejected(message);
      },
    }).parseFromString(text, 'text/xml');
  } catch (e) {
    throw e instanceof XmlRejected ? e : new XmlRejected((e as Error).message);
  }
  if (doc.doctype !== null || doc.documentElement === null)
    throw new XmlRejected('XML document is not acceptable');
  return doc;
}

/** Element children of `parent` (namespace + local name), in document order. */
export function childElements(parent: Node, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType === 1) {
      const e = n as Element;
      if (e.namespaceURI === ns && e.localName === localName) out.push(e);
    }
  }
  return out;
}

/** The only child element `ns:localName` of `parent`, or undefined when there is none; more than one is refused. */
export function onlyChild(parent: Node, ns: string, localName: string): Element | undefined {
  const all = childElements(parent, ns, localName);
  if (all.length > 1) throw new XmlRejected(`more than one ${localName}`);
  return all[0];
}

/**
 * The text of an element that must hold text only: child elements are refused, and all text nodes
 * are joined (a comment cannot cut the value short: `a<!---->b` reads as `ab`).
 */
export function textOf(e: Element): string {
  let s = '';
  for (let n = e.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType === 1) throw new XmlRejected(`${e.localName} must contain text only`);
    if (n.nodeType === 3 || n.nodeType === 4) s += n.nodeValue ?? '';
  }
  return s.trim();
}
