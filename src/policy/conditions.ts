/**
 * Condition operators, compiled once per policy and evaluated against the request context.
 *
 * IAM User Guide, "IAM JSON policy elements: Condition operators" (operators, `…IfExists`, `Null`)
 * and "Multivalued context keys" / "Condition with multiple context keys or values" (several values
 * of one key: any matches; several keys or operators: all must match; `ForAllValues`/`ForAnyValue`).
 */
import { compileArnPattern, arnMatch, splitArn, type ArnPattern } from './arn-pattern.js';
import { compileGlob, globMatch, tokensMatch, type Glob } from './glob.js';
import { cidrContains, parseCidr, parseIp, type Cidr, type IpValue } from './ip.js';
import { parseTemplate, resolveText, resolveTokens, type ContextLookup, type Template } from './template.js';

/** How values of an operator are compared. */
type Family =
  | 'string'
  | 'stringIgnoreCase'
  | 'stringLike'
  | 'numeric'
  | 'date'
  | 'bool'
  | 'binary'
  | 'ip'
  | 'arn'
  | 'null';
/** Comparison for numeric and date operators. */
type Cmp = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

/** One operator: a table entry, not a class (STYLE.md). */
interface OperatorDef {
  readonly name: string;
  readonly family: Family;
  readonly negated: boolean;
  readonly cmp: Cmp;
}

const OPERATOR_LIST: readonly OperatorDef[] = [
  { name: 'StringEquals', family: 'string', negated: false, cmp: 'eq' },
  { name: 'StringNotEquals', family: 'string', negated: true, cmp: 'eq' },
  { name: 'StringEqualsIgnoreCase', family: 'stringIgnoreCase', negated: false, cmp: 'eq' },
  { name: 'StringNotEqualsIgnoreCase', family: 'stringIgnoreCase', negated: true, cmp: 'eq' },
  { name: 'StringLike', family: 'stringLike', negated: false, cmp: 'eq' },
  { name: 'StringNotLike', family: 'stringLike', negated: true, cmp: 'eq' },
  { name: 'NumericEquals', family: 'numeric', negated: false, cmp: 'eq' },
  { name: 'NumericNotEquals', family: 'numeric', negated: true, cmp: 'eq' },
  { name: 'NumericLessThan', family: 'numeric', negated: false, cmp: 'lt' },
  { name: 'NumericLessThanEquals', family: 'numeric', negated: false, cmp: 'le' },
  { name: 'NumericGreaterThan', family: 'numeric', negated: false, cmp: 'gt' },
  { name: 'NumericGreaterThanEquals', family: 'numeric', negated: false, cmp: 'ge' },
  { name: 'DateEquals', family: 'date', negated: false, cmp: 'eq' },
  { name: 'DateNotEquals', family: 'date', negated: true, cmp: 'eq' },
  { name: 'DateLessThan', family: 'date', negated: false, cmp: 'lt' },
  { name: 'DateLessThanEquals', family: 'date', negated: false, cmp: 'le' },
  { name: 'DateGreaterThan', family: 'date', negated: false, cmp: 'gt' },
  { name: 'DateGreaterThanEquals', family: 'date', negated: false, cmp: 'ge' },
  { name: 'Bool', family: 'bool', negated: false, cmp: 'eq' },
  { name: 'BinaryEquals', family: 'binary', negated: false, cmp: 'eq' },
  { name: 'IpAddress', family: 'ip', negated: false, cmp: 'eq' },
  { name: 'NotIpAddress', family: 'ip', negated: true, cmp: 'eq' },
  { name: 'ArnEquals', family: 'arn', negated: false, cmp: 'eq' },
  { name: 'ArnLike', family: 'arn', negated: false, cmp: 'eq' },
  { name: 'ArnNotEquals', family: 'arn', negated: true, cmp: 'eq' },
  { name: 'ArnNotLike', family: 'arn', negated: true, cmp: 'eq' },
  { name: 'Null', family: 'null', negated: false, cmp: 'eq' },
];

const OPERATORS: ReadonlyMap<string, OperatorDef> = new Map(
  OPERATOR_LIST.map((o) => [o.name.toLowerCase(), o]),
);

/** Names of every base operator (without set prefixes or `IfExists`). */
export const OPERATOR_NAMES: readonly string[] = OPERATOR_LIST.map((o) => o.name);

/** 0 = single-valued, 1 = `ForAnyValue:`, 2 = `ForAllValues:`. */
export type SetOperator = 0 | 1 | 2;

/** A condition operator name taken apart. */
export interface ParsedOperator {
  readonly def: OperatorDef;
  readonly set: SetOperator;
  readonly ifExists: boolean;
}

/** Parses `ForAnyValue:StringLikeIfExists` etc.; `undefined` for an unknown operator. */
export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name.toLowerCase();
  let set: SetOperator = 0;
  if (rest.startsWith('foranyvalue:')) {
    set = 1;
    rest = rest.slice(12);
  } else if (rest.startsWith('forallvalues:')) {
    set = 2;
    rest = rest.slice(13);
  }
  let ifExists = false;
  if (rest.endsWith('ifexists')) {
    ifExists = true;
    rest = rest.slice(0, -8);
  }
  const def = OPERATORS.get(rest);
  if (!def) return undefined;
  return { def, set, ifExists };
}

/** A compiled policy value. Which member is set depends on the family. */
interface CValue {
  readonly text?: string;
  readonly template?: Template;
  readonly glob?: Glob;
  readonly num?: number;
  readonly cidr?: Cidr;
  readonly arn?: ArnPattern;
}

/** One compiled `operator: { key: values }` entry. */
export interface CompiledCondition {
  /** The operator as written in the policy. */
  readonly operator: string;
  readonly key: string;
  readonly keyLower: string;
  readonly family: Family;
  readonly negated: boolean;
  readonly cmp: Cmp;
  readonly set: SetOperator;
  readonly ifExists: boolean;
  readonly values: readonly CValue[];
  /** The policy's values as text (for explanations). */
  readonly raw: readonly string[];
}

/** Number of whole seconds in a numeric date (`aws:EpochTime` style) — AWS accepts epoch seconds. */
const EPOCH_SECONDS = /^-?\d+$/;

/** Parses a date value: epoch seconds or ISO 8601; milliseconds since the epoch, NaN if invalid. */
export function parseDate(value: string | number): number {
  if (typeof value === 'number') return value * 1000;
  if (EPOCH_SECONDS.test(value)) return Number(value) * 1000;
  return Date.parse(value);
}

function compileValue(family: Family, text: string, variables: boolean): CValue {
  switch (family) {
    case 'string':
    case 'binary': {
      const template = variables ? parseTemplate(text) : undefined;
      return template ? { template } : { text };
    }
    case 'stringIgnoreCase': {
      const template = variables ? parseTemplate(text) : undefined;
      return template ? { template } : { text: text.toLowerCase() };
    }
    case 'stringLike': {
      const template = variables ? parseTemplate(text) : undefined;
      return template ? { template } : { glob: compileGlob(text) };
    }
    case 'numeric':
      return { num: text.trim() === '' ? NaN : Number(text) };
    case 'date':
      return { num: parseDate(text) };
    case 'bool':
      return { text: text.toLowerCase() };
    case 'ip': {
      const cidr = parseCidr(text);
      return cidr ? { cidr } : {};
    }
    case 'arn':
      return { arn: compileArnPattern(text, variables) };
    case 'null':
      return { text: text.toLowerCase() };
  }
}

/** Renders a JSON condition value (string, number or boolean) as the text AWS compares. */
function valueText(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}

/**
 * Compiles one condition block (`{"StringEquals": {"aws:username": "bob"}}`). Unknown operators
 * compile to nothing: the validator only lets them through with an empty key map (AWS accepts
 * `{"x": {}}`), so they carry no constraint.
 * INVARIANT: `block` passed validatePolicy.
 */
export function compileConditions(block: Record<string, unknown>, variables: boolean): CompiledCondition[] {
  const out: CompiledCondition[] = [];
  for (const [operator, keys] of Object.entries(block)) {
    const parsed = parseOperator(operator);
    if (!parsed || typeof keys !== 'object' || keys === null) continue;
    for (const [key, raw] of Object.entries(keys as Record<string, unknown>)) {
      const list = Array.isArray(raw) ? raw.map(valueText) : [valueText(raw)];
      out.push({
        operator,
        key,
        keyLower: key.toLowerCase(),
        family: parsed.def.family,
        negated: parsed.def.negated,
        cmp: parsed.def.cmp,
        set: parsed.set,
        ifExists: parsed.ifExists,
        values: list.map((t) => compileValue(parsed.def.family, t, variables)),
        raw: list,
      });
    }
  }
  return out;
}

function compare(cmp: Cmp, a: number, b: number): boolean {
  switch (cmp) {
    case 'eq':
      return a === b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
  }
}

// One-entry caches: a request usually carries one source IP and one current time, compared against
// several policy values and statements; this avoids re-parsing them for every comparison.
let lastIpText = '';
let lastIp: IpValue | undefined;
let lastDateText = '';
let lastDate = NaN;

function contextIp(text: string): IpValue | undefined {
  if (text !== lastIpText) {
    lastIp = parseIp(text);
    lastIpText = text;
  }
  return lastIp;
}

function contextDate(v: string | number | boolean): number {
  if (typeof v === 'number') return v * 1000;
  if (typeof v !== 'string') return NaN;
  if (v !== lastDateText) {
    lastDate = parseDate(v);
    lastDateText = v;
  }
  return lastDate;
}

/** True when the single context value `v` equals/matches any of the policy's values (un-negated). */
function anyValueMatches(c: CompiledCondition, v: string | number | boolean, lookup: ContextLookup): boolean {
  const values = c.values;
  switch (c.family) {
    case 'string':
    case 'binary': {
      const s = typeof v === 'string' ? v : String(v);
      for (const pv of values) {
        const t = pv.template ? resolveText(pv.template, lookup) : pv.text;
        if (t === s) return true;
      }
      return false;
    }
    case 'stringIgnoreCase': {
      const s = (typeof v === 'string' ? v : String(v)).toLowerCase();
      for (const pv of values) {
        const t = pv.template ? resolveText(pv.template, lookup)?.toLowerCase() : pv.text;
        if (t === s) return true;
      }
      return false;
    }
    case 'stringLike': {
      const s = typeof v === 'string' ? v : String(v);
      for (const pv of values) {
        if (pv.glob) {
          if (globMatch(pv.glob, s)) return true;
        } else if (pv.template) {
          const toks = resolveTokens(pv.template, lookup, false);
          if (toks && tokensMatch(toks, s)) return true;
        }
      }
      return false;
    }
    case 'numeric': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (Number.isNaN(n)) return false;
      for (const pv of values) if (compare(c.cmp, n, pv.num as number)) return true;
      return false;
    }
    case 'date': {
      const d = contextDate(v);
      if (Number.isNaN(d)) return false;
      for (const pv of values) if (compare(c.cmp, d, pv.num as number)) return true;
      return false;
    }
    case 'bool': {
      const s = typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v).toLowerCase();
      for (const pv of values) if (pv.text === s) return true;
      return false;
    }
    case 'ip': {
      if (typeof v !== 'string') return false;
      const ip = contextIp(v);
      if (!ip) return false;
      for (const pv of values) if (pv.cidr && cidrContains(pv.cidr, ip)) return true;
      return false;
    }
    case 'arn': {
      if (typeof v !== 'string') return false;
      const parts = splitArn(v);
      for (const pv of values) if (pv.arn && arnMatch(pv.arn, v, parts, lookup)) return true;
      return false;
    }
    case 'null':
      return false;
  }
}

/**
 * Evaluates one condition. Missing keys (AWS "Condition operators"): `…IfExists` → true;
 * `ForAllValues` → true; `ForAnyValue` → false; negated operators (`StringNotEquals`, `NotIpAddress`,
 * `ArnNotLike`, …) → true; all others → false. `Null: true` holds when the key is absent.
 */
export function conditionHolds(c: CompiledCondition, lookup: ContextLookup): boolean {
  const v = lookup(c.keyLower, c.key) as string | number | boolean | readonly string[] | undefined;
  if (c.family === 'null') {
    const absent = v === undefined || (Array.isArray(v) && v.length === 0);
    for (const pv of c.values) if ((pv.text === 'true') === absent) return true;
    return false;
  }
  if (v === undefined) {
    if (c.ifExists) return true;
    if (c.set === 1) return false;
    if (c.set === 2) return true;
    return c.negated;
  }
  if (Array.isArray(v)) {
    const list = v as readonly string[];
    if (c.set === 2) {
      for (const x of list) if (anyValueMatches(c, x, lookup) === c.negated) return false;
      return true;
    }
    if (c.set === 1) {
      for (const x of list) if (anyValueMatches(c, x, lookup) !== c.negated) return true;
      return false;
    }
    let any = false;
    for (const x of list) {
      if (anyValueMatches(c, x, lookup)) {
        any = true;
        break;
      }
    }
    return c.negated ? !any : any;
  }
  const m = anyValueMatches(c, v as string | number | boolean, lookup);
  return c.negated ? !m : m;
}
