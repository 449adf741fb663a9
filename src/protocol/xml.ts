/**
 * XML text escaping for rendered responses. No XML library: the API only emits XML (STYLE.md).
 */

// Characters that need escaping, plus characters XML 1.0 cannot carry at all (C0 controls other
// than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF; XML 1.0 section 2.2 "Char").
// eslint-disable-next-line no-control-regex -- matching the control characters XML 1.0 forbids is the point
const NEEDS = /[&<>"'\r\u0085\u2028\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/**
 * Escape text for use in XML element content or attribute values. `&`, `<`, `>`, `"` and `'`
 * become entities, CR (and NEL, LINE SEPARATOR) become references so they survive line-end
 * normalisation, and characters that XML 1.0 forbids (even as references) become U+FFFD, so the
 * output always parses.
 */
export function escapeXml(text: string): string {
  if (!NEEDS.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    switch (c) {
      case 0x26:
        out += '&amp;';
        continue;
      case 0x3c:
        out += '&lt;';
        continue;
      case 0x3e:
        out += '&gt;';
        continue;
      case 0x22:
        out += '&quot;';
        continue;
      case 0x27:
        out += '&apos;';
        continue;
      case 0x0d:
        out += '&#13;';
        continue;
      // NEL and LINE SEPARATOR are line ends to XML 1.1 parsers (XML 1.1 section 2.11), which
      // normalise them away in text; as references they survive every parser.
      case 0x85:
        out += '&#133;';
        continue;
      case 0x2028:
        out += '&#8232;';
        continue;
      default:
        break;
    }
    if (c < 0x20 && c !== 0x09 && c !== 0x0a) {
      out += '\uFFFD';
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += text[i]! + text[i + 1]!;
        i++;
      } else {
        out += '\uFFFD';
      }
    } else if ((c >= 0xdc00 && c <= 0xdfff) || c === 0xfffe || c === 0xffff) {
      out += '\uFFFD';
    } else {
      out += text[i];
    }
  }
  return out;
}
