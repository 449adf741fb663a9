/**
 * Canonical header block: for each signed header name, `name:value\n`, where the value is trimmed
 * and inner whitespace runs (including obsolete line folding) collapse to one space; repeated
 * headers join their values with `,` (AWS SigV4 docs, canonical headers; test vectors
 * get-header-key-duplicate and get-header-value-multiline).
 */

/** Trim and collapse whitespace runs to one space. */
export function canonicalHeaderValue(value: string): string {
  let needs = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (
      c === 9 ||
      c === 10 ||
      c === 13 ||
      (c === 32 && (i === 0 || i === value.length - 1 || value.charCodeAt(i + 1) === 32))
    ) {
      needs = true;
      break;
    }
  }
  if (!needs) return value;
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
