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

const decoder = new TextDecoder('utf-8', { fatal: false });

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Decode `%XX` escapes (and `+` as space when `plusIsSpace`) into a UTF-8 string. Never throws:
 * a malformed escape stays literal and invalid UTF-8 becomes U+FFFD, so hostile input cannot crash
 * the caller (the signature then simply fails to match).
 */
export function uriDecode(text: string, plusIsSpace: boolean): string {
  if (text.indexOf('%') < 0) return plusIsSpace && text.indexOf('+') >= 0 ? text.replaceAll('+', ' ') : text;
  const bytes: number[] = [];
  let out = '';
  const flush = (): void => {
    if (bytes.length > 0) {
      out += decoder.decode(new Uint8Array(bytes));
      bytes.length = 0;
    }
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && i + 2 < text.length) {
      const hi = hexValue(text.charCodeAt(i + 1));
      const lo = hexValue(text.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        bytes.push(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    flush();
    out += plusIsSpace && c === 0x2b ? ' ' : text[i];
  }
  flush();
  return out;
}
