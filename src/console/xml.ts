/**
 * Reads iamd's Query-protocol XML answers into plain JSON for the console's browser code. The shapes
 * follow the awsQuery rules (shared/reference/README.md): lists are `<member>` children, maps are
 * `<entry><key/><value/></entry>`, scalars are text. Without the model an empty element is ambiguous
 * (an empty list or an empty string); it becomes `''` and the browser code reads lists with a helper
 * that treats `''` as `[]`.
 */
import { DOMParser, type Element as XmlElement } from '@xmldom/xmldom';

/** A JSON value read from XML. */
export type XmlJson = string | XmlJson[] | { [name: string]: XmlJson };

/** A parsed Query answer: the `…Result` element as JSON, or the error, and the request id. */
export type QueryAnswer =
  | { readonly ok: true; readonly requestId: string; readonly result: { [name: string]: XmlJson } }
  | {
      readonly ok: false;
      readonly requestId: string;
      readonly error: { readonly code: string; readonly message: string };
    };

function childElements(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (let n = el.firstChild; n !== null; n = n.nextSibling) if (n.nodeType === 1) out.push(n as XmlElement);
  return out;
}

/** Converts one element (see the module comment for the rules). */
export function elementToJson(el: XmlElement): XmlJson {
  const kids = childElements(el);
  if (kids.length === 0) return el.textContent ?? '';
  if (kids.every((k) => k.localName === 'member')) return kids.map(elementToJson);
  if (kids.every((k) => k.localName === 'entry')) {
    const map: { [name: string]: XmlJson } = Object.create(null) as { [name: string]: XmlJson };
    for (const entry of kids) {
      const parts = childElements(entry);
      const key = parts.find((p) => p.localName === 'key')?.textContent ?? '';
      const value = parts.find((p) => p.localName === 'value');
      map[key] = value === undefined ? '' : elementToJson(value);
    }
    return map;
  }
  const obj: { [name: string]: XmlJson } = Object.create(null) as { [name: string]: XmlJson };
  for (const k of kids) obj[k.localName ?? k.nodeName] = elementToJson(k);
  return obj;
}

function text(el: XmlElement | undefined, name: string): string {
  if (el === undefined) return '';
  const found = el.getElementsByTagName(name)[0];
  return found?.textContent ?? '';
}

/**
 * Parses a Query answer: `<OpResponse><OpResult>…</OpResult><ResponseMetadata><RequestId>` or
 * `<ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 */
export function parseQueryAnswer(xml: string, fallbackRequestId = ''): QueryAnswer {
  let root: XmlElement | undefined;
  try {
    root =
      new DOMParser({ onError: () => undefined }).parseFromString(xml, 'text/xml').documentElement ??
      undefined;
  } catch {
    root = undefined;
  }
  if (root === undefined || root === null)
    return {
      ok: false,
      requestId: fallbackRequestId,
      error: { code: 'InternalFailure', message: 'the answer was not XML' },
    };
  const requestId = text(root, 'RequestId') || fallbackRequestId;
  if (root.localName === 'ErrorResponse') {
    const error = root.getElementsByTagName('Error')[0];
    return { ok: false, requestId, error: { code: text(error, 'Code'), message: text(error, 'Message') } };
  }
  const resultEl = childElements(root).find((k) => k.localName?.endsWith('Result'));
  const result = resultEl === undefined ? {} : elementToJson(resultEl);
  return {
    ok: true,
    requestId,
    result: typeof result === 'object' && !Array.isArray(result) ? result : {},
  };
}
