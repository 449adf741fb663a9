/**
 * Canonical header block: for each signed header name, `name:value\n`, where the value is trimmed
 * and inner whitespace runs (including obsolete line folding) collapse to one space; repeated
 * headers join their values with `,` (AWS SigV4 docs, canonical headers; test vectors
 * get-header-key-duplicate and get-header-value-multiline).
 */

/** Anything canonicalisation would change: a tab or line break, two spaces, or an outer space. */
const NEEDS_CANONICAL = /[\t\r\n]| {2}|^ | $/;

/** Trim and collapse whitespace runs to one space. */
export function canonicalHeaderValue(value: string): string {
  // A native scan: signed values include the session token (hundreds of characters) on every call.
  if (!NEEDS_CANONICAL.test(value)) return value;
  return value.replace(/[ \t\r\n]+/g, ' ').trim();
}

/**
 * Build the canonical header block (each line ends with `\n`) for `signedHeaders`, in the order
 * the client listed them. A signed header that is missing yields an empty value, which then fails
 * to verify rather than erroring differently (uniform failure).
 */
export function canonicalHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  signedHeaders: readonly string[],
): string {
  let out = '';
  for (const name of signedHeaders) {
    const v = headers[name];
    let value: string;
    if (v === undefined) value = '';
    else if (typeof v === 'string') value = canonicalHeaderValue(v);
    else value = v.map(canonicalHeaderValue).join(',');
    out += name + ':' + value + '\n';
  }
  return out;
}
