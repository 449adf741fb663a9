/**
 * The AWS JSON 1.1 protocol (Smithy, "AWS JSON 1.1 protocol"; botocore `protocol: json`), driven by a
 * compiled service model: `POST /` with `X-Amz-Target: <targetPrefix>.<Operation>`, the input as one
 * JSON object, the output as one JSON object, errors as `{"__type": code, "Message": text, …}`.
 * Timestamps travel as epoch seconds (numbers). Pure: no I/O.
 *
 * Input is checked against the model: unknown members are ignored (as AWS's JSON services do),
 * wrong JSON types, missing required members, and length / range / pattern / enum violations are
 * reported as a {@link JsonViolation} the caller turns into the service's error (Organizations:
 * `InvalidInputException` with a `Reason`).
 */
import type { ServiceModel, Shape, StructureShape } from './model.js';

/** Why an input was refused. `reason` uses the Organizations `InvalidInputExceptionReason` names. */
export interface JsonViolation {
  readonly reason:
    | 'INPUT_REQUIRED'
    | 'INVALID_PATTERN'
    | 'INVALID_ENUM'
    | 'MIN_LENGTH_EXCEEDED'
    | 'MAX_LENGTH_EXCEEDED'
    | 'MIN_VALUE_EXCEEDED'
    | 'MAX_VALUE_EXCEEDED'
    | 'INVALID_TYPE'
    | 'SERIALIZATION';
  /** The member path (`Target.Id`), empty for the body itself. */
  readonly path: string;
  readonly message: string;
}

/** The result of decoding one JSON 1.1 request. */
export type JsonDecodeResult =
  | { readonly ok: true; readonly operation: string; readonly input: Record<string, unknown> }
  | { readonly ok: false; readonly operation?: string | undefined; readonly violation: JsonViolation };

/** The operation an `X-Amz-Target` names for `model`, or undefined when it names none of its operations. */
export function jsonOperationName(model: ServiceModel, target: string | undefined): string | undefined {
  if (target === undefined || model.targetPrefix === undefined) return undefined;
  const dot = target.lastIndexOf('.');
  if (dot < 0 || target.slice(0, dot) !== model.targetPrefix) return undefined;
  const name = target.slice(dot + 1);
  return model.operations.has(name) ? name : undefined;
}

function violation(reason: JsonViolation['reason'], path: string, message: string): JsonViolation {
  return { reason, path, message };
}

/** Checks `value` against `shape`; returns the decoded value or a violation. */
function check(shape: Shape, value: unknown, path: string): { v: unknown } | { bad: JsonViolation } {
  const where = path === '' ? 'the request' : path;
  switch (shape.type) {
    case 'string': {
      if (typeof value !== 'string')
        return { bad: violation('INVALID_TYPE', path, `${where} must be a string`) };
      if (shape.enum && !shape.enum.has(value))
        return {
          bad: violation(
            'INVALID_ENUM',
            path,
            `You specified an invalid value for ${path}. Valid values: ${[...shape.enum].join(', ')}`,
          ),
        };
      const len = [...value].length;
      if (shape.min !== undefined && len < shape.min)
        return {
          bad: violation(
            'MIN_LENGTH_EXCEEDED',
            path,
            `You provided a string parameter that is shorter than allowed for ${path}.`,
          ),
        };
      if (shape.max !== undefined && len > shape.max)
        return {
          bad: violation(
            'MAX_LENGTH_EXCEEDED',
            path,
            `You provided a string parameter that is longer than allowed for ${path}.`,
          ),
        };
      if (shape.regex && !shape.regex.test(value))
        return {
          bad: violation(
            'INVALID_PATTERN',
            path,
            `You specified a value that doesn't match the required pattern for ${path}.`,
          ),
        };
      return { v: value };
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value))
        return { bad: violation('INVALID_TYPE', path, `${where} must be an integer`) };
      if (shape.min !== undefined && value < shape.min)
        return {
          bad: violation(
            'MIN_VALUE_EXCEEDED',
            path,
            `You provided a value that is less than the minimum allowed for ${path}.`,
          ),
        };
      if (shape.max !== undefined && value > shape.max)
        return {
          bad: violation(
            'MAX_VALUE_EXCEEDED',
            path,
            `You provided a value that is greater than the maximum allowed for ${path}.`,
          ),
        };
      return { v: value };
    }
    case 'boolean':
      return typeof value === 'boolean'
        ? { v: value }
        : { bad: violation('INVALID_TYPE', path, `${where} must be a boolean`) };
    case 'timestamp':
      // JSON 1.1 sends epoch seconds; handlers work in milliseconds.
      if (typeof value === 'number' && Number.isFinite(value)) return { v: value * 1000 };
      if (typeof value === 'string' && Number.isFinite(Date.parse(value))) return { v: Date.parse(value) };
      return { bad: violation('INVALID_TYPE', path, `${where} must be a timestamp`) };
    case 'blob':
      return typeof value === 'string'
        ? { v: value }
        : { bad: violation('INVALID_TYPE', path, `${where} must be base64 text`) };
    case 'list': {
      if (!Array.isArray(value)) return { bad: violation('INVALID_TYPE', path, `${where} must be a list`) };
      if (shape.min !== undefined && value.length < shape.min)
        return {
          bad: violation(
            'MIN_LENGTH_EXCEEDED',
            path,
            `You provided a list that is shorter than allowed for ${path}.`,
          ),
        };
      if (shape.max !== undefined && value.length > shape.max)
        return {
          bad: violation(
            'MAX_LENGTH_EXCEEDED',
            path,
            `You provided a list that is longer than allowed for ${path}.`,
          ),
        };
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++) {
        const r = check(shape.member, value[i], `${path}[${i}]`);
        if ('bad' in r) return r;
        out.push(r.v);
      }
      return { v: out };
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return { bad: violation('INVALID_TYPE', path, `${where} must be an object`) };
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const [k, v] of Object.entries(value)) {
        const kr = check(shape.key, k, `${path}.key`);
        if ('bad' in kr) return kr;
        const vr = check(shape.value, v, `${path}.${k}`);
        if ('bad' in vr) return vr;
        out[k] = vr.v;
      }
      return { v: out };
    }
    case 'structure':
      return checkStructure(shape, value, path);
  }
}

function checkStructure(
  shape: StructureShape,
  value: unknown,
  path: string,
): { v: unknown } | { bad: JsonViolation } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return {
      bad: violation('INVALID_TYPE', path, `${path === '' ? 'the request body' : path} must be an object`),
    };
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const m of shape.members) {
    const p = path === '' ? m.name : `${path}.${m.name}`;
    const raw = Object.prototype.hasOwnProperty.call(obj, m.name) ? obj[m.name] : undefined;
    // JSON null is "absent" (Smithy: null members of structures are treated as unset).
    if (raw === undefined || raw === null) {
      if (m.required) return { bad: violation('INPUT_REQUIRED', p, `You must specify a value for ${p}.`) };
      continue;
    }
    const r = check(m.shape, raw, p);
    if ('bad' in r) return r;
    out[m.name] = r.v;
  }
  return { v: out };
}

/** Decodes the body of a JSON 1.1 call to `operation` of `model`. */
export function decodeJsonInput(model: ServiceModel, operation: string, body: string): JsonDecodeResult {
  const op = model.operations.get(operation);
  if (!op)
    return { ok: false, violation: violation('SERIALIZATION', '', `unknown operation \`${operation}\``) };
  let parsed: unknown = {};
  if (body.trim() !== '') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return {
        ok: false,
        operation,
        violation: violation('SERIALIZATION', '', 'the request body is not valid JSON'),
      };
    }
  }
  if (!op.input) return { ok: true, operation, input: {} };
  const r = checkStructure(op.input, parsed, '');
  if ('bad' in r) return { ok: false, operation, violation: r.bad };
  return { ok: true, operation, input: r.v as Record<string, unknown> };
}

function render(shape: Shape, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  switch (shape.type) {
    case 'timestamp': {
      // Handlers hold milliseconds; JSON 1.1 sends epoch seconds (fractions allowed).
      const ms = typeof value === 'number' ? value : Date.parse(String(value));
      return Number.isFinite(ms) ? ms / 1000 : undefined;
    }
    case 'list':
      return Array.isArray(value)
        ? value.map((v) => render(shape.member, v)).filter((v) => v !== undefined)
        : undefined;
    case 'map': {
      if (typeof value !== 'object') return undefined;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const r = render(shape.value, v);
        if (r !== undefined) out[k] = r;
      }
      return out;
    }
    case 'structure': {
      if (typeof value !== 'object') return undefined;
      const obj = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const m of shape.members) {
        const r = render(m.shape, obj[m.name]);
        if (r !== undefined) out[m.name] = r;
      }
      return out;
    }
    default:
      return value;
  }
}

/** Renders `output` of `operation` as its JSON 1.1 body: only modelled members, in model order. */
export function renderJsonResult(
  model: ServiceModel,
  operation: string,
  output: Record<string, unknown>,
): string {
  const op = model.operations.get(operation);
  if (!op?.output) return '{}';
  return JSON.stringify(render(op.output, output) ?? {});
}

/** A JSON 1.1 error body: `__type`, `Message`, and extra members (`Reason`). */
export function renderJsonError(
  code: string,
  message: string,
  fields: Readonly<Record<string, string>> = {},
): string {
  return JSON.stringify({ __type: code, Message: message, ...fields });
}
