/**
 * Percent-decoding (`%XX` as UTF-8 bytes, and `+` as space in form encoding), shared by the Query
 * protocol's form decoder (WHATWG URL standard, "application/x-www-form-urlencoded") and SigV4's
 * canonical query. Never throws: a malformed `%` escape stays literal and invalid UTF-8 becomes
 * U+FFFD, as the WHATWG form parser does, so hostile input cannot crash a caller.
 */

const decoder = new TextDecoder('utf-8', { fatal: false });

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Decodes `%XX` escapes in `text` (and `+` as a space when `plusIsSpace`). */
export function percentDecode(text: string, plusIsSpace: boolean): string {
  const spaced = plusIsSpace && text.indexOf('+') >= 0 ? text.replaceAll('+', ' ') : text;
  if (text.indexOf('%') < 0) return spaced;
  // Well-formed escapes of valid UTF-8 (what every SDK sends) decode natively; decodeURIComponent
  // throws on anything else, which the byte-wise decoder below then handles the WHATWG way.
  try {
    return decodeURIComponent(spaced);
  } catch {
    return decodeBytewise(text, plusIsSpace);
  }
}

function decodeBytewise(text: string, plusIsSpace: boolean): string {
  let out = '';
  const bytes: number[] = [];
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
