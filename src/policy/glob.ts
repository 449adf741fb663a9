/**
 * Wildcard matching for policy elements, compiled once per pattern.
 *
 * IAM policies use two wildcards: `*` (any run of characters, including none) and `?` (exactly one
 * character) — IAM User Guide, "IAM JSON policy elements: Action" and "… Resource". Patterns are
 * compiled into a token list at policy-load time so evaluation never builds a regular expression.
 */

/** `*` in a token list. */
export const STAR = 0;
/** `?` in a token list. */
export const QMARK = 1;
/** One token: a literal run of characters, {@link STAR} or {@link QMARK}. */
export type GlobToken = string | typeof STAR | typeof QMARK;

/** A compiled wildcard pattern. `kind` selects a fast path; `tokens` is the general form. */
export interface Glob {
  readonly kind: 'any' | 'exact' | 'prefix' | 'suffix' | 'general';
  /** The literal for `exact`, `prefix` and `suffix`. */
  readonly literal: string;
  readonly tokens: readonly GlobToken[];
}

/** Splits a pattern into literal runs and wildcards. */
export function tokenize(pattern: string): GlobToken[] {
  const out: GlobToken[] = [];
  let lit = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' || c === '?') {
      if (lit !== '') out.push(lit);
      lit = '';
      // Consecutive stars are equivalent to one.
      if (c === '*') {
        if (out[out.length - 1] !== STAR) out.push(STAR);
      } else out.push(QMARK);
    } else lit += c;
  }
  if (lit !== '') out.push(lit);
  return out;
}

/** Compiles a wildcard pattern. The caller lower-cases both sides for case-insensitive elements. */
export function compileGlob(pattern: string): Glob {
  return globFromTokens(tokenize(pattern));
}

/** Builds a {@link Glob} from tokens, picking the cheapest matching strategy. */
export function globFromTokens(tokens: readonly GlobToken[]): Glob {
  const [first, second] = tokens;
  if (tokens.length === 0) return { kind: 'exact', literal: '', tokens };
  if (tokens.length === 1) {
    if (first === STAR) return { kind: 'any', literal: '', tokens };
    if (typeof first === 'string') return { kind: 'exact', literal: first, tokens };
  }
  if (tokens.length === 2) {
    if (typeof first === 'string' && second === STAR) return { kind: 'prefix', literal: first, tokens };
    if (first === STAR && typeof second === 'string') return { kind: 'suffix', literal: second, tokens };
  }
  return { kind: 'general', literal: '', tokens };
}

/** True when `text` matches `glob` (case-sensitive; normalise case beforehand if needed). */
export function globMatch(glob: Glob, text: string): boolean {
  switch (glob.kind) {
    case 'any':
      return true;
    case 'exact':
      return text === glob.literal;
    case 'prefix':
      return text.startsWith(glob.literal);
    case 'suffix':
      return text.endsWith(glob.literal);
    default:
      return tokensMatch(glob.tokens, text);
  }
}

/**
 * Matches a token list against `text`. Classic single-backtrack algorithm: on a mismatch, only the
 * most recent `*` needs to absorb one more character, so the run time is O(|text| * |pattern|) worst
 * case and linear in practice.
 */
export function tokensMatch(tokens: readonly GlobToken[], text: string): boolean {
  let ti = 0;
  let si = 0;
  let starTi = -1;
  let starSi = 0;
  const n = text.length;
  while (si < n || ti < tokens.length) {
    if (ti < tokens.length) {
      const t = tokens[ti] as GlobToken;
      if (t === STAR) {
        starTi = ti;
        starSi = si;
        ti++;
        continue;
      }
      if (t === QMARK) {
        if (si < n) {
          ti++;
          si++;
          continue;
        }
      } else if (text.startsWith(t, si)) {
        ti++;
        si += t.length;
        continue;
      }
    }
    if (starTi >= 0 && starSi < n) {
      starSi++;
      si = starSi;
      ti = starTi + 1;
      continue;
    }
    return false;
  }
  return true;
}

/** True when the pattern contains a wildcard. */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}
