import { AwsError } from '../errors/index.js';
import { validationMessage } from './validation-texts.js';
import type {
  ListShape,
  MapShape,
  NumberShape,
  ServiceModel,
  Shape,
  StringShape,
  StructureShape,
} from './model.js';

/** Result of decoding a Query request. */
export interface DecodedInput {
  /** Operation name (`CreateUser`). */
  operation: string;
  /** Input members by wire name; lists are arrays, maps null-prototype records, timestamps Dates, blobs Uint8Arrays. */
  input: Record<string, unknown>;
}

interface Ctx {
  readonly params: ReadonlyMap<string, string>;
  /** Every proper dotted prefix of every parameter name, so "has nested parameters" is one lookup. */
  readonly prefixes: ReadonlySet<string>;
  readonly echo: boolean;
  readonly errors: string[];
}

// Smithy/Coral constraint texts, as recorded from AWS (aws-errors.md, ValidationError rows).
const NOT_NULL = 'Member must not be null';
const lenMax = (n: number): string => `Member must have length less than or equal to ${n}`;
const lenMin = (n: number): string => `Member must have length greater than or equal to ${n}`;
const valMax = (n: number): string => `Member must have value less than or equal to ${n}`;
const valMin = (n: number): string => `Member must have value greater than or equal to ${n}`;
const patternText = (p: string): string => `Member must satisfy regular expression pattern: ${p}`;
// Recorded for UpdateServiceSpecificCredential Status: no value list follows.
const ENUM = 'Member must satisfy enum value set';
// Wrong-shape input (issue #16 item 4); not recorded from AWS, worded like the constraint texts.
const SHAPE_STRUCT = 'Member must be a structure';
const SHAPE_SCALAR = 'Member must be a single value';
const SHAPE_LIST = 'Member must be a list';
const SHAPE_MAP = 'Member must be a map';

function addError(ctx: Ctx, path: string, value: string | undefined, constraint: string): void {
  const subject = ctx.echo && value !== undefined ? `Value '${value}' at '${path}'` : `Value at '${path}'`;
  ctx.errors.push(`${subject} failed to satisfy constraint: ${constraint}`);
}

/** Constraint violations of a string value, in AWS's order: max length, min length, pattern, enum. */
function stringViolations(shape: StringShape, v: string): string[] {
  const out: string[] = [];
  if (shape.max !== undefined && v.length > shape.max) out.push(lenMax(shape.max));
  if (shape.min !== undefined && v.length < shape.min) out.push(lenMin(shape.min));
  if (shape.regex !== undefined && shape.pattern !== undefined && !shape.regex.test(v))
    out.push(patternText(shape.pattern));
  if (shape.enum !== undefined && !shape.enum.has(v)) out.push(ENUM);
  return out;
}

function numberViolations(shape: NumberShape, n: number): string[] {
  const out: string[] = [];
  if (shape.max !== undefined && n > shape.max) out.push(valMax(shape.max));
  if (shape.min !== undefined && n < shape.min) out.push(valMin(shape.min));
  return out;
}

/** Every constraint of a scalar shape, as AWS lists them for a failing list element. */
function allConstraints(shape: Shape): string[] {
  const out: string[] = [];
  if (shape.type === 'string') {
    if (shape.max !== undefined) out.push(lenMax(shape.max));
    if (shape.min !== undefined) out.push(lenMin(shape.min));
    if (shape.pattern !== undefined) out.push(patternText(shape.pattern));
    if (shape.enum !== undefined) out.push(ENUM);
    // Recorded: tagKeys (pattern) ends with "Member must not be null"; clientIDList (no pattern) does not.
    if (shape.pattern !== undefined) out.push(NOT_NULL);
  } else if (shape.type === 'integer' || shape.type === 'long') {
    if (shape.max !== undefined) out.push(valMax(shape.max));
    if (shape.min !== undefined) out.push(valMin(shape.min));
  }
  return out;
}

const INTEGER = /^[+-]?[0-9]+$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/;
const EPOCH_SECONDS = /^[0-9]+(?:\.[0-9]+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decode a scalar. Returns the decoded value or undefined after recording an error. When `check` is
 * false the length/pattern/range constraints are left to the caller (list elements).
 */
function decodeScalar(shape: Shape, raw: string, path: string, ctx: Ctx, check: boolean): unknown {
  switch (shape.type) {
    case 'string': {
      if (check) for (const c of stringViolations(shape, raw)) addError(ctx, path, raw, c);
      return raw;
    }
    case 'integer':
    case 'long': {
      const n = INTEGER.test(raw) ? Number(raw) : NaN;
      const limit = shape.type === 'integer' ? 2147483647 : Number.MAX_SAFE_INTEGER;
      if (!Number.isFinite(n) || n > limit || n < -limit - 1) {
        addError(
          ctx,
          path,
          raw,
          shape.type === 'integer' ? 'Member must be an integer' : 'Member must be a long',
        );
        return undefined;
      }
      if (check) for (const c of numberViolations(shape, n)) addError(ctx, path, raw, c);
      return n;
    }
    case 'boolean': {
      const lower = raw.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      addError(ctx, path, raw, 'Member must be a boolean');
      return undefined;
    }
    case 'timestamp': {
      // botocore's Query serializer sends ISO-8601; epoch seconds are accepted too.
      const ms = ISO_TIMESTAMP.test(raw)
        ? Date.parse(raw)
        : EPOCH_SECONDS.test(raw)
          ? Number(raw) * 1000
          : NaN;
      if (!Number.isFinite(ms)) {
        addError(ctx, path, raw, 'Member must be a timestamp');
        return undefined;
      }
      return new Date(ms);
    }
    case 'blob': {
      if (!BASE64.test(raw)) {
        addError(ctx, path, undefined, 'Member must be base64 encoded');
        return undefined;
      }
      const bin = atob(raw);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      return bytes;
    }
    default:
      return undefined;
  }
}

function isPresent(key: string, ctx: Ctx): boolean {
  return ctx.params.has(key) || ctx.prefixes.has(key);
}

function decodeList(shape: ListShape, key: string, path: string, ctx: Ctx): unknown[] | undefined {
  const own = ctx.params.get(key);
  // `Tags=` (empty) is how the Query protocol sends an empty list (Smithy awsQuery tests); a value
  // there (`Tags=x`) is a plain value where a list is expected.
  if (own !== undefined && own !== '') addError(ctx, path, undefined, SHAPE_LIST);
  if (!ctx.prefixes.has(key)) return own !== undefined ? [] : undefined;
  const items: unknown[] = [];
  const member = shape.member;
  const scalar = member.type !== 'structure' && member.type !== 'list' && member.type !== 'map';
  let elementFailed = false;
  // Elements are `key.member.1`, `key.member.2`, …; decoding stops at the first gap.
  for (let i = 1; ; i++) {
    const ik = `${key}.member.${i}`;
    if (!isPresent(ik, ctx)) break;
    if (scalar) {
      const raw = ctx.params.get(ik);
      if (raw === undefined) {
        elementFailed = true;
        continue;
      }
      const v = decodeScalar(member, raw, path, ctx, false);
      if (member.type === 'string' && stringViolations(member, raw).length > 0) elementFailed = true;
      if (
        (member.type === 'integer' || member.type === 'long') &&
        typeof v === 'number' &&
        numberViolations(member, v).length > 0
      ) {
        elementFailed = true;
      }
      items.push(v);
    } else {
      items.push(decodeValue(member, ik, `${path}.${i}.member`, ctx));
    }
  }
  if (shape.max !== undefined && items.length > shape.max) addError(ctx, path, undefined, lenMax(shape.max));
  if (shape.min !== undefined && items.length < shape.min) addError(ctx, path, undefined, lenMin(shape.min));
  // A failing scalar element is reported once, on the list, with all of the element's constraints
  // (recorded: "Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [...]").
  if (elementFailed)
    addError(ctx, path, undefined, `Member must satisfy constraint: [${allConstraints(member).join(', ')}]`);
  return items;
}

function decodeMap(
  shape: MapShape,
  key: string,
  path: string,
  ctx: Ctx,
): Record<string, unknown> | undefined {
  const own = ctx.params.get(key);
  // As for lists: `X=` is an empty map, `X=value` a plain value where a map is expected.
  if (own !== undefined && own !== '') addError(ctx, path, undefined, SHAPE_MAP);
  if (!ctx.prefixes.has(key)) return own !== undefined ? Object.create(null) : undefined;
  // Keys come from the user: a null-prototype object keeps `__proto__` an ordinary key (STYLE.md).
  const out = Object.create(null) as Record<string, unknown>;
  let count = 0;
  for (let i = 1; ; i++) {
    const ek = `${key}.entry.${i}`;
    const epath = `${path}.entry.${i}`;
    // An entry is a key/value pair: a plain value there (`X.entry.1=x`) is the wrong shape.
    const plainEntry = ctx.params.has(ek);
    if (plainEntry) addError(ctx, epath, undefined, SHAPE_STRUCT);
    if (!ctx.prefixes.has(ek)) {
      if (plainEntry) continue;
      break;
    }
    count++;
    const k = decodeValue(shape.key, `${ek}.key`, `${epath}.key`, ctx);
    const v = decodeValue(shape.value, `${ek}.value`, `${epath}.value`, ctx);
    if (k === undefined) addError(ctx, `${epath}.key`, undefined, NOT_NULL);
    else out[String(k)] = v;
  }
  if (shape.max !== undefined && count > shape.max) addError(ctx, path, undefined, lenMax(shape.max));
  if (shape.min !== undefined && count < shape.min) addError(ctx, path, undefined, lenMin(shape.min));
  return out;
}

function decodeStructure(
  shape: StructureShape,
  prefix: string,
  path: string,
  ctx: Ctx,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of shape.members) {
    const key = prefix === '' ? m.name : `${prefix}.${m.name}`;
    const mpath = path === '' ? m.path : `${path}.${m.path}`;
    const v = decodeValue(m.shape, key, mpath, ctx);
    if (v === undefined) {
      // Recorded form for a missing required member: "Value null at 'x' failed to satisfy constraint: Member must not be null".
      if (m.required && !isPresent(key, ctx))
        ctx.errors.push(`Value null at '${mpath}' failed to satisfy constraint: ${NOT_NULL}`);
      continue;
    }
    out[m.name] = v;
  }
  return out;
}

function decodeValue(shape: Shape, key: string, path: string, ctx: Ctx): unknown {
  switch (shape.type) {
    case 'structure':
      // A plain value where a structure is expected (`Tags.member.1=x`), alone or beside the
      // structure's members: nothing is recorded from AWS for this shape, so it is a ValidationError
      // like the decoder's other bad input.
      if (ctx.params.has(key)) addError(ctx, path, undefined, SHAPE_STRUCT);
      if (ctx.prefixes.has(key)) return decodeStructure(shape, key, path, ctx);
      return undefined;
    case 'list':
      return decodeList(shape, key, path, ctx);
    case 'map':
      return decodeMap(shape, key, path, ctx);
    default: {
      const raw = ctx.params.get(key);
      // Nested parameters under a scalar member (`Tags.member.1.Key.x=y`) and no value of its own.
      if (raw === undefined && ctx.prefixes.has(key)) addError(ctx, path, undefined, SHAPE_SCALAR);
      return raw === undefined ? undefined : decodeScalar(shape, raw, path, ctx, true);
    }
  }
}

function prefixesOf(params: ReadonlyMap<string, string>): Set<string> {
  const out = new Set<string>();
  for (const k of params.keys()) {
    for (let i = k.indexOf('.'); i >= 0; i = k.indexOf('.', i + 1)) out.add(k.slice(0, i));
  }
  return out;
}

/**
 * Validate `Action` and `Version` and decode the operation's input members per the model
 * (`X.member.N` lists, `X.entry.N.key/value` maps, `X.Member` structures, scalars), checking
 * required members, lengths, patterns, enums and ranges. Parameters the model does not know are
 * ignored. Throws `AwsError`:
 * - `MissingAction` "Missing Action" when there is no `Action`;
 * - `MissingParameter` when there is no `Version`;
 * - `InvalidAction` "Could not find operation X for version V" for an unknown action or version;
 * - `ValidationError` "N validation error(s) detected: …" listing every violation in model order, or in
 *   AWS's order / with AWS's own text where it has one (validation-texts.ts).
 */
export function decodeOperationInput(model: ServiceModel, params: ReadonlyMap<string, string>): DecodedInput {
  const action = params.get('Action');
  if (action === undefined || action === '') throw new AwsError('MissingAction', 'Missing Action');
  const version = params.get('Version');
  if (version === undefined || version === '') {
    throw new AwsError('MissingParameter', 'The request must contain the parameter Version');
  }
  const op = model.operations.get(action);
  if (op === undefined || version !== model.apiVersion) {
    throw new AwsError('InvalidAction', `Could not find operation ${action} for version ${version}`);
  }
  if (op.input === undefined) return { operation: op.name, input: {} };
  const ctx: Ctx = { params, prefixes: prefixesOf(params), echo: model.echoValues, errors: [] };
  const input = decodeStructure(op.input, '', '', ctx);
  if (ctx.errors.length > 0) {
    throw new AwsError('ValidationError', validationMessage(op.name, ctx.errors));
  }
  return { operation: op.name, input };
}
