/**
 * The condition context keys a policy document uses, as GetContextKeysForCustomPolicy and
 * GetContextKeysForPrincipalPolicy list them: the keys of every `Condition` block and every policy
 * variable (`${aws:username}`) in `Resource`/`NotResource` and condition values. AWS's example
 * (API_GetContextKeysForCustomPolicy,
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetContextKeysForCustomPolicy.html, and the CLI
 * example `get-context-keys-for-custom-policy`) returns `["aws:username", "aws:CurrentTime"]` for a policy
 * with `${aws:username}` in its Resource and an `aws:CurrentTime` condition: names as written, variables
 * included, each once. Pure: no I/O.
 */

/** The special escapes `${*}`, `${?}`, `${$}` are characters, not keys (IAM policy variables page). */
const ESCAPES = new Set(['*', '?', '$']);

function variablesIn(text: string, add: (key: string) => void): void {
  for (const m of text.matchAll(/\$\{([^}]*)\}/g)) {
    // `${aws:username, 'default'}`: the key is the part before the comma.
    const key = (m[1] ?? '').split(',')[0]!.trim();
    if (key !== '' && !ESCAPES.has(key)) add(key);
  }
}

function stringsOf(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/**
 * The context keys of `documents` (policy JSON texts), in order of first appearance, each once
 * (compared case-insensitively, as condition keys are; the first spelling is kept). Unparseable
 * documents contribute nothing (the handler validates them first).
 */
export function contextKeysOf(documents: readonly string[]): string[] {
  const seen = new Map<string, string>();
  const add = (key: string): void => {
    const k = key.toLowerCase();
    if (!seen.has(k)) seen.set(k, key);
  };
  for (const text of documents) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      continue;
    }
    const stmts = (doc as { Statement?: unknown } | null)?.Statement;
    const list = Array.isArray(stmts) ? stmts : stmts !== undefined ? [stmts] : [];
    for (const s of list) {
      if (s === null || typeof s !== 'object') continue;
      const st = s as Record<string, unknown>;
      for (const r of [...stringsOf(st.Resource), ...stringsOf(st.NotResource)]) variablesIn(r, add);
      const cond = st.Condition;
      if (cond === null || typeof cond !== 'object') continue;
      for (const block of Object.values(cond as Record<string, unknown>)) {
        if (block === null || typeof block !== 'object') continue;
        for (const [key, values] of Object.entries(block as Record<string, unknown>)) {
          add(key);
          for (const v of stringsOf(values)) variablesIn(v, add);
        }
      }
    }
  }
  return [...seen.values()];
}
