/**
 * `dynamodb:FullTableScan` of a PartiQL SELECT ("PartiQL select statements for DynamoDB",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.select.html): a SELECT
 * scans the whole table (or index) unless its WHERE clause gives the partition key an equality or IN
 * condition. `pk = 1 AND x = 2` and `pk = 1 OR pk = 2` are keyed; `pk > 1`, `x = 2`, `pk = 1 OR x = 2`
 * and a SELECT without WHERE are full scans. The key is what "IAM security policies with PartiQL for
 * DynamoDB" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html, "Allow select
 * statements and deny full table scan statements") denies with `Bool dynamodb:FullTableScan true`.
 *
 * Everything this module does not understand reads as a full scan: a Deny on full scans must never be
 * bypassed by a statement the gateway misreads (a keyed SELECT misread is at worst denied, never a scan
 * allowed). Pure and total: never throws.
 */

/**
 * The longest statement read: DynamoDB's ExecuteStatement caps `Statement` at 8192 characters
 * (models/dynamodb.json, PartiQLStatement); a longer one reads as a full scan (the upstream refuses it).
 */
const MAX_STATEMENT = 8192;
/** The deepest bracket nesting read (recursion stays shallow on hostile input). */
const MAX_DEPTH = 64;

/** A PartiQL token (literals keep only their kind: a condition's values never matter here). */
export type Token =
  | { readonly kind: 'ident'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'string' | 'number' | 'param' }
  | { readonly kind: 'punct'; readonly text: string };

const PUNCT2: readonly string[] = ['<<', '>>', '<=', '>=', '<>', '!=', '||'];
const PUNCT1 = '()[]{},.;:=<>+-*/%?';

/**
 * The tokens of `s` (PartiQL lexical rules: `"…"` identifiers and `'…'` strings with doubled quotes as
 * escapes, `` `…` `` Ion literals, `--` and `/* … *\/` comments, numbers, `?` parameters, `<<`/`>>` bag brackets), or undefined
 * when `s` does not tokenize (an unterminated quote or comment, a character PartiQL has no use for).
 */
export function tokenize(s: string): Token[] | undefined {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (s.startsWith('--', i)) {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl + 1;
    } else if (s.startsWith('/*', i)) {
      const end = s.indexOf('*/', i + 2);
      if (end < 0) return undefined;
      i = end + 2;
    } else if (c === '"' || c === "'" || c === '`') {
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= s.length) return undefined;
        if (s[j] === c) {
          if (s[j + 1] === c) {
            text += c;
            j += 2;
            continue;
          }
          break;
        }
        text += s[j];
        j++;
      }
      out.push(c === '"' ? { kind: 'ident', text, quoted: true } : { kind: 'string' });
      i = j + 1;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(s[i + 1] ?? ''))) {
      const m = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(s.slice(i, i + 400));
      if (m === null) return undefined;
      // A number runs into no letter (`1abc` is no token PartiQL knows).
      if (/[A-Za-z_$]/.test(s[i + m[0].length] ?? '')) return undefined;
      out.push({ kind: 'number' });
      i += m[0].length;
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(s.slice(i, i + 1000));
      const text = m?.[0] ?? c;
      out.push({ kind: 'ident', text, quoted: false });
      i += text.length;
    } else {
      const two = s.slice(i, i + 2);
      if (PUNCT2.includes(two)) {
        out.push({ kind: 'punct', text: two });
        i += 2;
      } else if (PUNCT1.includes(c)) {
        out.push(c === '?' ? { kind: 'param' } : { kind: 'punct', text: c });
        i++;
      } else return undefined;
    }
  }
  return out;
}

/** Whether `t` is the unquoted keyword `word` (keywords are case-insensitive). */
function isWord(t: Token | undefined, word: string): boolean {
  return t?.kind === 'ident' && !t.quoted && t.text.toUpperCase() === word;
}
/** Whether `t` is the punctuation `text`. */
function isPunct(t: Token | undefined, text: string): boolean {
  return t?.kind === 'punct' && t.text === text;
}

/** Each opening bracket → its closing one (`<< … >>` is a bag). */
const OPEN: ReadonlyMap<string, string> = new Map([
  ['(', ')'],
  ['[', ']'],
  ['{', '}'],
  ['<<', '>>'],
]);
const CLOSE: ReadonlySet<string> = new Set(OPEN.values());

/** Whether `t` opens or closes a bracket; {@link balanced} checks that they close in order. */
function bracket(t: Token): 'open' | 'close' | undefined {
  if (t.kind !== 'punct') return undefined;
  if (OPEN.has(t.text)) return 'open';
  return CLOSE.has(t.text) ? 'close' : undefined;
}

/** Whether the brackets of `ts` balance (in order); the depth-0 positions are then meaningful. */
function balanced(ts: readonly Token[]): boolean {
  const stack: string[] = [];
  for (const t of ts) {
    const b = bracket(t);
    if (b === 'open') stack.push(OPEN.get((t as { text: string }).text)!);
    else if (b === 'close' && stack.pop() !== (t as { text: string }).text) return false;
    if (stack.length > MAX_DEPTH) return false;
  }
  return stack.length === 0;
}

/**
 * The bracket depth of each token: an opening bracket and its closing one share the depth outside them,
 * the tokens between are one deeper. INVARIANT: `ts` is {@link balanced}.
 */
function depths(ts: readonly Token[]): number[] {
  const out: number[] = [];
  let d = 0;
  for (const t of ts) {
    const b = bracket(t);
    if (b === 'close') d--;
    out.push(d);
    if (b === 'open') d++;
  }
  return out;
}

/** The verbs of PartiQL for DynamoDB statements. */
const VERBS: ReadonlySet<string> = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'EXISTS']);

/**
 * The verb and target of a PartiQL statement read from its tokens — `SELECT … FROM t[.i]`,
 * `EXISTS(SELECT … FROM t[.i])`, `INSERT INTO t`, `UPDATE t`, `DELETE FROM t` — so that the table
 * authorized is the one DynamoDB reads: a `FROM` inside a quoted name, a string or a comment is none
 * (a pattern over the raw text would take `SELECT "x FROM Other" FROM "T"` for a read of `Other`).
 * Undefined when the statement does not tokenize or names no target where its verb puts one.
 */
export function statementTarget(
  statement: string,
): { readonly verb: string; readonly table: string; readonly index?: string | undefined } | undefined {
  let ts = tokenize(statement);
  if (ts === undefined || !balanced(ts)) return undefined;
  const first = ts[0];
  const verb = first?.kind === 'ident' && !first.quoted ? first.text.toUpperCase() : undefined;
  if (verb === undefined || !VERBS.has(verb)) return undefined;
  let at: number;
  if (verb === 'SELECT' || verb === 'EXISTS') {
    if (verb === 'EXISTS') {
      if (!isPunct(ts[1], '(')) return undefined;
      const d0 = depths(ts);
      const close = ts.findIndex((t, i) => i > 1 && d0[i] === 0 && isPunct(t, ')'));
      if (close < 0) return undefined;
      ts = ts.slice(2, close);
      if (!isWord(ts[0], 'SELECT')) return undefined;
    }
    const d = depths(ts);
    at = ts.findIndex((t, i) => d[i] === 0 && isWord(t, 'FROM')) + 1;
    if (at === 0) return undefined;
  } else if (verb === 'INSERT') {
    if (!isWord(ts[1], 'INTO')) return undefined;
    at = 2;
  } else if (verb === 'DELETE') {
    if (!isWord(ts[1], 'FROM')) return undefined;
    at = 2;
  } else at = 1;
  const table = nameOf(ts[at]);
  if (table === undefined) return undefined;
  const index = isPunct(ts[at + 1], '.') ? nameOf(ts[at + 2]) : undefined;
  return { verb, table, index };
}

/** A SELECT's target and WHERE tokens. */
export interface SelectShape {
  readonly table: string;
  readonly index?: string | undefined;
  /** The WHERE clause's tokens; undefined when the statement has no WHERE. */
  readonly where?: readonly Token[] | undefined;
}

/** A name: an identifier token's text (quoted or not, keywords aside). */
function nameOf(t: Token | undefined): string | undefined {
  if (t?.kind !== 'ident') return undefined;
  return t.text;
}

/**
 * The target (`FROM "T"` or `FROM "T"."Index"`) and WHERE clause of a SELECT (an `EXISTS(SELECT …)` of
 * ExecuteTransaction reads as its SELECT), or undefined when `statement` is no SELECT this reader follows.
 */
export function selectShape(statement: string): SelectShape | undefined {
  let ts = tokenize(statement);
  if (ts === undefined || !balanced(ts)) return undefined;
  while (isPunct(ts[ts.length - 1], ';')) ts = ts.slice(0, -1);
  if (isWord(ts[0], 'EXISTS') && isPunct(ts[1], '(') && isPunct(ts[ts.length - 1], ')')) ts = ts.slice(2, -1);
  if (!balanced(ts) || !isWord(ts[0], 'SELECT')) return undefined;
  const d = depths(ts);
  const from = ts.findIndex((t, i) => d[i] === 0 && isWord(t, 'FROM'));
  if (from < 0) return undefined;
  const table = nameOf(ts[from + 1]);
  if (table === undefined) return undefined;
  let at = from + 2;
  let index: string | undefined;
  if (isPunct(ts[at], '.')) {
    index = nameOf(ts[at + 1]);
    if (index === undefined) return undefined;
    at += 2;
  }
  if (at === ts.length) return { table, index };
  if (isWord(ts[at], 'ORDER')) return { table, index };
  if (!isWord(ts[at], 'WHERE')) return undefined;
  const rest = ts.slice(at + 1);
  const rd = depths(rest);
  const order = rest.findIndex((t, i) => rd[i] === 0 && isWord(t, 'ORDER') && isWord(rest[i + 1], 'BY'));
  return { table, index, where: order < 0 ? rest : rest.slice(0, order) };
}

/** Whether `t` is a value a partition-key condition can name: a literal or a `?` parameter. */
function isValue(t: Token | undefined): boolean {
  return t?.kind === 'string' || t?.kind === 'number' || t?.kind === 'param';
}

/** Whether `t` names the attribute `pk` (attribute names are case-sensitive; keywords are no names). */
function isKey(t: Token | undefined, pk: string): boolean {
  return t?.kind === 'ident' && t.text === pk && (t.quoted || !KEYWORDS.has(pk.toUpperCase()));
}

const KEYWORDS: ReadonlySet<string> = new Set([
  'AND',
  'OR',
  'NOT',
  'IN',
  'IS',
  'NULL',
  'MISSING',
  'BETWEEN',
  'TRUE',
  'FALSE',
  'SELECT',
  'FROM',
  'WHERE',
]);

/** Whether the atom `ts` (no AND/OR/NOT at its top level) is `pk = value`, `value = pk` or `pk IN [values]`. */
function keyedAtom(atom: readonly Token[], pk: string): boolean {
  // A signed number (`-5`) is one value.
  const ts = atom.filter(
    (t, i) => !(isPunct(t, '-') && atom[i + 1]?.kind === 'number' && (i === 0 || !isValue(atom[i - 1]))),
  );
  if (ts.length === 3 && isPunct(ts[1], '=')) {
    return (isKey(ts[0], pk) && isValue(ts[2])) || (isValue(ts[0]) && isKey(ts[2], pk));
  }
  if (ts.length >= 4 && isKey(ts[0], pk) && isWord(ts[1], 'IN')) {
    const open = ts[2];
    const close = ts[ts.length - 1];
    const list = (isPunct(open, '[') && isPunct(close, ']')) || (isPunct(open, '(') && isPunct(close, ')'));
    if (!list) return false;
    const items = ts.slice(3, -1);
    if (items.length === 0 || items.length % 2 === 0) return false;
    return items.every((t, i) => (i % 2 === 0 ? isValue(t) : isPunct(t, ',')));
  }
  return false;
}

/**
 * Recursive-descent reader of a WHERE clause: or := and (OR and)*; and := unary (AND unary)*;
 * unary := NOT unary | '(' or ')' | atom. Returns whether the clause is keyed, undefined if unreadable.
 */
function keyedWhere(ts: readonly Token[], pk: string): boolean | undefined {
  const d = depths(ts);
  let at = 0;
  let fuel = ts.length * 4 + 16;
  const or = (): boolean | undefined => {
    let v = and();
    while (v !== undefined && isWord(ts[at], 'OR')) {
      at++;
      const r = and();
      if (r === undefined) return undefined;
      v = v && r;
    }
    return v;
  };
  const and = (): boolean | undefined => {
    let v = unary();
    while (v !== undefined && isWord(ts[at], 'AND')) {
      at++;
      const r = unary();
      if (r === undefined) return undefined;
      v = v || r;
    }
    return v;
  };
  const unary = (): boolean | undefined => {
    if (fuel-- <= 0 || at >= ts.length) return undefined;
    if (isWord(ts[at], 'NOT')) {
      at++;
      return unary() === undefined ? undefined : false;
    }
    const start = at;
    if (isPunct(ts[at], '(')) {
      // A parenthesised condition, unless the group is an operand (`(a) = 1`): then it is an atom.
      const depth = d[at]!;
      let end = at + 1;
      while (end < ts.length && !(d[end] === depth && isPunct(ts[end], ')'))) end++;
      const next = ts[end + 1];
      if (end + 1 >= ts.length || isWord(next, 'AND') || isWord(next, 'OR') || isPunct(next, ')')) {
        const inner = keyedWhere(ts.slice(at + 1, end), pk);
        at = end + 1;
        return inner;
      }
    }
    // An atom: tokens up to the next AND/OR at this depth (BETWEEN's own AND belongs to it).
    const depth = d[start]!;
    let between = false;
    while (at < ts.length) {
      const t = ts[at]!;
      if (d[at] === depth) {
        if (isWord(t, 'BETWEEN')) between = true;
        else if (isWord(t, 'AND') && between) between = false;
        else if (isWord(t, 'AND') || isWord(t, 'OR')) break;
      }
      at++;
    }
    if (at === start) return undefined;
    return keyedAtom(ts.slice(start, at), pk);
  };
  const v = or();
  return at === ts.length ? v : undefined;
}

/**
 * Whether the SELECT `statement` is a full table scan, given the partition-key attribute of the table or
 * index it reads (`partitionKey`; undefined when the key schema is unknown — then a full scan, so that a
 * Deny on full scans cannot be bypassed while the upstream's DescribeTable fails). Anything unreadable is
 * a full scan too.
 */
export function isFullTableScan(statement: string, partitionKey: string | undefined): boolean {
  if (partitionKey === undefined || statement.length > MAX_STATEMENT) return true;
  const shape = selectShape(statement);
  if (shape?.where === undefined || shape.where.length === 0) return true;
  return keyedWhere(shape.where, partitionKey) !== true;
}
