/**
 * Where each statement of a policy document sits in its text, for the policy simulator's
 * `MatchedStatements[].StartPosition/EndPosition` ("The row and column of the beginning/end of the
 * Statement in an IAM policy", IAM API reference, Statement). Lines and columns are 1-based; the start
 * is the statement's opening `{`, the end its closing `}` — the AWS CLI's documented example of
 * simulate-principal-policy (Line 3, Column 19 for a statement opened by `[{` after
 * `    "Statement": `) counts columns that way. Pure; a small JSON scanner that only tracks positions.
 */

/** A 1-based line and column. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/** The span of one statement. */
export interface StatementSpan {
  readonly start: TextPosition;
  readonly end: TextPosition;
}

/** Spans of the statements of `text`, in order; `[]` when the text is not a policy object. */
export function statementSpans(text: string): StatementSpan[] {
  let i = 0;
  // Line starts, to turn offsets into positions.
  const lineStarts = [0];
  for (let k = 0; k < text.length; k++) if (text[k] === '\n') lineStarts.push(k + 1);
  const pos = (offset: number): TextPosition => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (): never => {
    throw new SyntaxError('not JSON');
  };
  const str = (): string => {
    if (text[i] !== '"') fail();
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail();
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  // Skips any value; returns its start and end offsets (end = offset of its last character).
  const value = (): [number, number] => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '"') {
      str();
      return [start, i - 1];
    }
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return [start, i - 1];
      }
      for (;;) {
        if (c === '{') {
          ws();
          str();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === close) {
          i++;
          return [start, i - 1];
        }
        fail();
      }
    }
    const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 64));
    if (!m) fail();
    i += m![0].length;
    return [start, i - 1];
  };
  try {
    ws();
    if (text[i] !== '{') return [];
    i++;
    for (;;) {
      ws();
      if (text[i] === '}') return [];
      const key = str();
      ws();
      if (text[i] !== ':') return [];
      i++;
      ws();
      if (key === 'Statement') {
        if (text[i] === '{') {
          const [s, e] = value();
          return [{ start: pos(s), end: pos(e) }];
        }
        if (text[i] !== '[') return [];
        i++;
        const spans: StatementSpan[] = [];
        for (;;) {
          ws();
          if (text[i] === ']') return spans;
          const [s, e] = value();
          spans.push({ start: pos(s), end: pos(e) });
          ws();
          if (text[i] === ',') i++;
          else if (text[i] === ']') return spans;
          else return spans;
        }
      }
      value();
      ws();
      if (text[i] === ',') i++;
      else return [];
    }
  } catch {
    return [];
  }
}
