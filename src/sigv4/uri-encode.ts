/**
 * RFC 3986 percent-encoding as SigV4 requires: every byte except the unreserved characters
 * `A-Z a-z 0-9 - _ . ~` is written `%XX` with upper-case hex (AWS SigV4 docs, "URI-encode").
 */

const HEX = '0123456789ABCDEF';
const UNRESERVED = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9\-_.~]/.test(ch)) UNRESERVED[c] = 1;
}
const SLASH = 0x2f;
const encoder = new TextEncoder();

/**
 * Percent-encode `text` (UTF-8) per SigV4. When `keepSlash` is true `/` stays literal, as in the
 * canonical URI where only the segments are encoded.
 */
export function uriEncode(text: string, keepSlash = false): string {
  // Fast path: nothing to encode (typical for IAM/STS paths and parameter names).
  let i = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || (UNRESERVED[c] !== 1 && !(keepSlash && c === SLASH))) break;
  }
  if (i === text.length) return text;
  let out = text.slice(0, i);
  const bytes = encoder.encode(text.slice(i));
  for (const b of bytes) {
    if (b < 128 && (UNRESERVED[b] === 1 || (keepSlash && b === SLASH))) out += String.fromCharCode(b);
    else out += '%' + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}
