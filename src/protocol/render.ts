import type { ServiceModel, Shape, StructureShape } from './model.js';
import { escapeXml } from './xml.js';
import { isoSeconds } from '../core/clock.js';

/**
 * Format a timestamp as AWS's Query responses do: ISO-8601 UTC without milliseconds
 * (`2026-02-09T21:40:18Z`). Accepts a Date, epoch milliseconds or an ISO string.
 */
export function formatTimestamp(v: unknown): string {
  const ms =
    v instanceof Date ? v.getTime() : typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw new TypeError(`not a timestamp: ${String(v)}`);
  // Whole seconds, rounded down (also for instants before 1970), as `toISOString().slice(0, 19)` gives.
  return isoSeconds(ms);
}

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function renderValue(shape: Shape, name: string, v: unknown, out: string[]): void {
  switch (shape.type) {
    case 'structure':
      if (typeof v !== 'object' || v === null)
        throw new TypeError(`${name}: expected an object for ${shape.name}`);
      out.push(`<${name}>`);
      renderMembers(shape, v as Record<string, unknown>, out);
      out.push(`</${name}>`);
      return;
    case 'list': {
      if (!Array.isArray(v)) throw new TypeError(`${name}: expected an array for ${shape.name}`);
      out.push(`<${name}>`);
      for (const item of v)
        if (item !== undefined && item !== null) renderValue(shape.member, 'member', item, out);
      out.push(`</${name}>`);
      return;
    }
    case 'map': {
      if (typeof v !== 'object' || v === null)
        throw new TypeError(`${name}: expected a map for ${shape.name}`);
      const entries: Iterable<[unknown, unknown]> = v instanceof Map ? v.entries() : Object.entries(v);
      out.push(`<${name}>`);
      for (const [k, val] of entries) {
        if (val === undefined || val === null) continue;
        out.push('<entry>');
        renderValue(shape.key, 'key', k, out);
        renderValue(shape.value, 'value', val, out);
        out.push('</entry>');
      }
      out.push(`</${name}>`);
      return;
    }
    case 'timestamp':
      out.push(`<${name}>${formatTimestamp(v)}</${name}>`);
      return;
    case 'boolean':
      out.push(`<${name}>${v === true || v === 'true' ? 'true' : 'false'}</${name}>`);
      return;
    case 'integer':
    case 'long':
      if (
        typeof v !== 'number' &&
        typeof v !== 'bigint' &&
        !(typeof v === 'string' && /^-?[0-9]+$/.test(v))
      ) {
        throw new TypeError(`${name}: expected a number for ${shape.name}`);
      }
      out.push(`<${name}>${String(v)}</${name}>`);
      return;
    case 'blob':
      // Bytes are base64-encoded; a string is taken to be base64 already.
      out.push(`<${name}>${v instanceof Uint8Array ? toBase64(v) : escapeXml(String(v))}</${name}>`);
      return;
    case 'string':
      out.push(`<${name}>${escapeXml(String(v))}</${name}>`);
      return;
  }
}

function renderMembers(shape: StructureShape, obj: Record<string, unknown>, out: string[]): void {
  // Model order, not object order: SDK parsers do not care, but AWS's own output follows the model.
  for (const m of shape.members) {
    const v = obj[m.name];
    if (v === undefined || v === null) continue;
    renderValue(m.shape, m.name, v, out);
  }
}

/**
 * Render a successful Query-protocol response:
 * `<OpResponse xmlns=NS><OpResult>…</OpResult><ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></OpResponse>`.
 * `output` uses wire member names; members render in model order; undefined/null members are
 * omitted; lists render as `<member>`, maps as `<entry><key/><value/></entry>`. Operations without
 * an output shape render only `ResponseMetadata`. Throws TypeError on an unknown operation or a
 * value of the wrong type (a handler bug; the server maps it to InternalFailure).
 */
export function renderResult(
  model: ServiceModel,
  operation: string,
  output: Record<string, unknown> | undefined,
  requestId: string,
): string {
  const op = model.operations.get(operation);
  if (op === undefined) throw new TypeError(`unknown operation ${operation}`);
  const out: string[] = [`<${op.name}Response xmlns="${escapeXml(model.namespace)}">`];
  if (op.output !== undefined) {
    out.push(`<${op.resultWrapper}>`);
    if (output !== undefined) renderMembers(op.output, output, out);
    out.push(`</${op.resultWrapper}>`);
  }
  out.push(
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${op.name}Response>`,
  );
  return out.join('');
}

/** The fields of an error document. */
export interface RenderableError {
  code: string;
  message: string;
  fault: 'Sender' | 'Receiver';
}

/**
 * Render a Query-protocol error document (aws-errors.md section 0):
 * `<ErrorResponse xmlns=NS><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 */
export function renderError(
  model: ServiceModel | { namespace: string },
  error: RenderableError,
  requestId: string,
): string {
  return (
    `<ErrorResponse xmlns="${escapeXml(model.namespace)}"><Error><Type>${error.fault}</Type>` +
    `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}
