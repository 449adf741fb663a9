/**
 * `application/x-www-form-urlencoded` decoding and encoding for the AWS Query protocol. Bodies and
 * query strings use the same syntax: `name=value` pairs joined by `&`, `+` for space, `%XX` for
 * UTF-8 bytes (WHATWG URL standard, "application/x-www-form-urlencoded").
 */
import { percentDecode } from '../core/percent.js';

/**
 * Decode one form component. Never throws: a malformed `%` escape stays literal and invalid UTF-8
 * becomes U+FFFD, as the WHATWG form parser does.
 */
export function decodeFormComponent(text: string): string {
  return percentDecode(text, true);
}

/**
 * Decode a form body or query string into parameters, in order of first appearance.
 *
 * A repeated name keeps its LAST value. AWS documents no rule for this and SDKs never repeat a
 * name; last-wins is what a plain map assignment gives, and it is pinned by a unit test so any
 * change is deliberate. Empty pairs (`a=1&&b=2`) are skipped; a pair without `=` has value `''`.
 */
export function decodeForm(text: string): Map<string, string> {
  const out = new Map<string, string>();
  if (text === '') return out;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('&', start);
    if (end < 0) end = text.length;
    if (end > start) {
      const eq = text.indexOf('=', start);
      if (eq >= 0 && eq < end) {
        out.set(decodeFormComponent(text.slice(start, eq)), decodeFormComponent(text.slice(eq + 1, end)));
      } else {
        out.set(decodeFormComponent(text.slice(start, end)), '');
      }
    }
    start = end + 1;
  }
  return out;
}

const encoder = new TextEncoder();
const HEX = '0123456789ABCDEF';

/** Encode one component the way the AWS SDKs do: RFC 3986 unreserved characters stay, all else is `%XX`. */
export function encodeFormComponent(text: string): string {
  let out = '';
  for (const b of encoder.encode(text)) {
    if (
      (b >= 0x30 && b <= 0x39) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      b === 0x2d ||
      b === 0x2e ||
      b === 0x5f ||
      b === 0x7e
    ) {
      out += String.fromCharCode(b);
    } else {
      out += '%' + HEX[b >> 4] + HEX[b & 15];
    }
  }
  return out;
}

/** Encode parameters as a form body (the inverse of {@link decodeForm} for distinct names). */
export function encodeForm(params: Iterable<readonly [string, string]>): string {
  const parts: string[] = [];
  for (const [k, v] of params) parts.push(encodeFormComponent(k) + '=' + encodeFormComponent(v));
  return parts.join('&');
}
