/**
 * Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, `${*}`, `${?}`, `${$}`).
 *
 * IAM User Guide, "IAM policy elements: Variables and tags": variables are replaced with values from
 * the request context; they are only recognised when `Version` is `2012-10-17`; `${*}`, `${?}` and
 * `${$}` stand for the literal characters; a default value may follow a comma in single quotes; a
 * variable whose key is missing (and has no default) makes that value not match.
 */
import { tokenize, type GlobToken } from './glob.js';

/** Looks up a context key; `keyLower` is the lower-cased key. */
export type ContextLookup = (keyLower: string, key: string) => unknown;

/** One piece of a template: literal text (raw and as wildcard tokens) or a variable reference. */
export type TemplatePiece =
  | { readonly text: string; readonly tokens: readonly GlobToken[] }
  | { readonly key: string; readonly keyLower: string; readonly fallback: string | undefined };

/** A value that contains at least one variable. */
export interface Template {
  readonly pieces: readonly TemplatePiece[];
}

const SPECIAL: Readonly<Record<string, string>> = { '*': '*', '?': '?', $: '$' };

/**
 * Parses `${…}` references. Returns `undefined` when the value has none, so callers keep the cheap
 * literal path. An unterminated `${` is literal text (AWS accepts such values).
 */
export function parseTemplate(value: string): Template | undefined {
  if (!value.includes('${')) return undefined;
  const pieces: TemplatePiece[] = [];
  let lit = '';
  let i = 0;
  let sawVar = false;
  const flush = (): void => {
    if (lit !== '') pieces.push({ text: lit, tokens: tokenize(lit) });
    lit = '';
  };
  while (i < value.length) {
    const start = value.indexOf('${', i);
    if (start < 0) {
      lit += value.slice(i);
      break;
    }
    const end = value.indexOf('}', start + 2);
    if (end < 0) {
      lit += value.slice(i);
      break;
    }
    lit += value.slice(i, start);
    const inner = value.slice(start + 2, end).trim();
    const special = SPECIAL[inner];
    if (special !== undefined) {
      // A special variable is a literal character, never a wildcard: flush and add a literal token.
      flush();
      pieces.push({ text: special, tokens: [special] });
    } else {
      flush();
      let key = inner;
      let fallback: string | undefined;
      const comma = inner.indexOf(',');
      if (comma >= 0) {
        key = inner.slice(0, comma).trim();
        const rest = inner.slice(comma + 1).trim();
        fallback = rest.length >= 2 && rest.startsWith("'") && rest.endsWith("'") ? rest.slice(1, -1) : rest;
      }
      pieces.push({ key, keyLower: key.toLowerCase(), fallback });
    }
    sawVar = true;
    i = end + 1;
  }
  flush();
  return sawVar ? { pieces } : undefined;
}

function variableValue(
  piece: { key: string; keyLower: string; fallback: string | undefined },
  lookup: ContextLookup,
) {
  const v = lookup(piece.keyLower, piece.key);
  // Only single values substitute; a multivalued key cannot stand in one place.
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return piece.fallback;
}

/** Resolves a template to plain text (for exact comparisons); `undefined` when a key is missing. */
export function resolveText(t: Template, lookup: ContextLookup): string | undefined {
  let out = '';
  for (const p of t.pieces) {
    if ('text' in p) out += p.text;
    else {
      const v = variableValue(p, lookup);
      if (v === undefined) return undefined;
      out += v;
    }
  }
  return out;
}

/**
 * Resolves a template to wildcard tokens: literal parts keep their `*`/`?`, substituted values are
 * literal (a `*` inside a user name is not a wildcard). `undefined` when a key is missing.
 */
export function resolveTokens(t: Template, lookup: ContextLookup, lower: boolean): GlobToken[] | undefined {
  const out: GlobToken[] = [];
  for (const p of t.pieces) {
    if ('text' in p) {
      for (const tok of p.tokens) out.push(typeof tok === 'string' && lower ? tok.toLowerCase() : tok);
    } else {
      const v = variableValue(p, lookup);
      if (v === undefined) return undefined;
      if (v !== '') out.push(lower ? v.toLowerCase() : v);
    }
  }
  return out;
}
