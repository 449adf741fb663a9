import type {
  ListShape,
  MapShape,
  Member,
  ModelledError,
  NumberShape,
  Operation,
  ServiceModel,
  Shape,
  StringShape,
  StructureShape,
} from './model.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(message: string): never {
  throw new Error(`invalid service model: ${message}`);
}

function str(o: Json, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string') fail(`${where}.${key} must be a string`);
  return v;
}

function num(o: Json, key: string): number | undefined {
  const v = o[key];
  return typeof v === 'number' ? v : undefined;
}

/**
 * Compile a botocore pattern (Java regex syntax) to a full-match JS RegExp. Java's `matches()` is
 * anchored at both ends. Most patterns need the `u` flag for `\p{L}` and friends; a pattern that
 * does not compile leaves the shape without `regex` rather than rejecting every request.
 */
function compilePattern(pattern: string): RegExp | undefined {
  for (const flags of ['u', '']) {
    try {
      return new RegExp(`^(?:${pattern})$`, flags);
    } catch {
      // try the next flavour
    }
  }
  return undefined;
}

function lowerFirst(name: string): string {
  return name.length === 0 ? name : name[0]!.toLowerCase() + name.slice(1);
}

/**
 * Compile a botocore service model (the parsed JSON of models/iam.json or models/sts.json) for the
 * Query protocol. Throws a plain Error if the JSON is not a Query-protocol model; that is a start-up
 * bug, not a request error.
 */
export function compileServiceModel(json: unknown): ServiceModel {
  if (!isObject(json)) fail('not an object');
  const metadata = json['metadata'];
  const rawShapes = json['shapes'];
  const rawOps = json['operations'];
  if (!isObject(metadata) || !isObject(rawShapes) || !isObject(rawOps))
    fail('missing metadata, shapes or operations');
  const protocol = metadata['protocol'];
  // Query (IAM, STS) and JSON 1.1 (Organizations, src/protocol/json.ts) models share the shape grammar.
  if (protocol !== 'query' && protocol !== 'json') fail(`protocol ${String(protocol)} is not query or json`);

  const shapes = new Map<string, Shape>();
  const links: (() => void)[] = [];
  const ref = (o: unknown, where: string): string => {
    if (!isObject(o)) fail(`${where} must be a shape reference`);
    return str(o, 'shape', where);
  };
  const resolve = (name: string, where: string): Shape =>
    shapes.get(name) ?? fail(`${where} refers to unknown shape ${name}`);

  for (const [name, raw] of Object.entries(rawShapes)) {
    if (!isObject(raw)) fail(`shape ${name}`);
    const type = str(raw, 'type', name);
    const min = num(raw, 'min');
    const max = num(raw, 'max');
    const bounds = { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
    switch (type) {
      case 'string': {
        const pattern = typeof raw['pattern'] === 'string' ? raw['pattern'] : undefined;
        const regex = pattern === undefined ? undefined : compilePattern(pattern);
        const en = Array.isArray(raw['enum'])
          ? new Set(raw['enum'].filter((x): x is string => typeof x === 'string'))
          : undefined;
        const s: StringShape = {
          type: 'string',
          name,
          ...bounds,
          ...(pattern !== undefined ? { pattern } : {}),
          ...(regex !== undefined ? { regex } : {}),
          ...(en !== undefined ? { enum: en } : {}),
          sensitive: raw['sensitive'] === true,
        };
        shapes.set(name, s);
        break;
      }
      case 'integer':
      case 'long': {
        const s: NumberShape = { type, name, ...bounds };
        shapes.set(name, s);
        break;
      }
      case 'boolean':
      case 'timestamp':
      case 'blob':
        shapes.set(name, { type, name });
        break;
      case 'list': {
        const s = { type: 'list', name, ...bounds } as ListShape;
        shapes.set(name, s);
        const m = ref(raw['member'], `${name}.member`);
        links.push(() => (s.member = resolve(m, name)));
        break;
      }
      case 'map': {
        const s = { type: 'map', name, ...bounds } as MapShape;
        shapes.set(name, s);
        const k = ref(raw['key'], `${name}.key`);
        const v = ref(raw['value'], `${name}.value`);
        links.push(() => {
          s.key = resolve(k, name);
          s.value = resolve(v, name);
        });
        break;
      }
      case 'structure': {
        const members = raw['members'];
        if (!isObject(members)) fail(`${name}.members`);
        const required = new Set(Array.isArray(raw['required']) ? raw['required'] : []);
        const list: Member[] = [];
        for (const [mName, mRaw] of Object.entries(members)) {
          const target = ref(mRaw, `${name}.${mName}`);
          const member = { name: mName, path: lowerFirst(mName), required: required.has(mName) } as Member;
          list.push(member);
          links.push(() => (member.shape = resolve(target, `${name}.${mName}`)));
        }
        const s: StructureShape = { type: 'structure', name, members: list };
        shapes.set(name, s);
        break;
      }
      default:
        fail(`shape ${name} has unsupported type ${type}`);
    }
  }
  for (const link of links) link();

  const structure = (name: string, where: string): StructureShape => {
    const s = resolve(name, where);
    if (s.type !== 'structure') fail(`${where} must be a structure`);
    return s;
  };

  const operations = new Map<string, Operation>();
  for (const [name, raw] of Object.entries(rawOps)) {
    if (!isObject(raw)) fail(`operation ${name}`);
    const input =
      raw['input'] === undefined ? undefined : structure(ref(raw['input'], `${name}.input`), `${name}.input`);
    const outRaw = raw['output'];
    const output =
      outRaw === undefined ? undefined : structure(ref(outRaw, `${name}.output`), `${name}.output`);
    const wrapper =
      isObject(outRaw) && typeof outRaw['resultWrapper'] === 'string'
        ? outRaw['resultWrapper']
        : `${name}Result`;
    const errors: string[] = [];
    if (Array.isArray(raw['errors'])) {
      for (const e of raw['errors']) {
        const shape = rawShapes[ref(e, `${name}.errors`)];
        const code = isObject(shape) && isObject(shape['error']) ? shape['error']['code'] : undefined;
        errors.push(typeof code === 'string' ? code : ref(e, name));
      }
    }
    operations.set(name, {
      name,
      ...(input !== undefined ? { input } : {}),
      ...(output !== undefined ? { output } : {}),
      resultWrapper: wrapper,
      errors,
    });
  }

  const errors = new Map<string, ModelledError>();
  for (const raw of Object.values(rawShapes)) {
    if (!isObject(raw) || !isObject(raw['error'])) continue;
    const e = raw['error'];
    const code = e['code'];
    const status = e['httpStatusCode'];
    if (typeof code !== 'string' || typeof status !== 'number') continue;
    errors.set(code, { code, status, fault: e['senderFault'] === true ? 'Sender' : 'Receiver' });
  }

  const serviceId = str(metadata, 'serviceId', 'metadata');
  return {
    namespace: protocol === 'json' ? '' : str(metadata, 'xmlNamespace', 'metadata'),
    ...(protocol === 'json' ? { targetPrefix: str(metadata, 'targetPrefix', 'metadata') } : {}),
    apiVersion: str(metadata, 'apiVersion', 'metadata'),
    serviceId,
    signingName:
      typeof metadata['signingName'] === 'string'
        ? metadata['signingName']
        : str(metadata, 'endpointPrefix', 'metadata'),
    operations,
    shapes,
    errors,
    // Recorded AWS ValidationError texts: IAM writes `Value at '…'`, STS `Value '…' at '…'`.
    echoValues: serviceId !== 'IAM',
  };
}
