/**
 * Policy grammar and validation with AWS's `MalformedPolicyDocument` messages.
 *
 * Sources: IAM User Guide, "IAM JSON policy element reference" and "Grammar of the IAM JSON policy
 * language"; the messages and their precedence come from real `CreatePolicy` answers recorded in
 * `shared/reference/policy-validation-cases.json` (78 invalid / 51 valid documents) and, for trust
 * policies, `shared/reference/aws-errors.md` (CreateRole / UpdateAssumeRolePolicy).
 *
 * AWS answers with one message. We report every problem, each with a JSON path, ordered so that the
 * first one is the message AWS would send: AWS checks in phases (syntax → version → "legacy parsing"
 * → Sid uniqueness → actions present → resources present → resource ARN format → action prefixes)
 * and answers with the first phase that fails.
 */
import { parseOperator } from './conditions.js';
import type { PolicyProblem, PolicyType } from './types.js';

/** AWS's messages, verbatim. */
export const MESSAGES = {
  syntax: 'Syntax errors in policy.',
  invalidJson: 'This policy contains invalid Json',
  version: 'Policy document must be version 2012-10-17 or greater.',
  legacy: 'The policy failed legacy parsing',
  sidUnique: 'Statement IDs (SID) in a single policy must be unique.',
  noActions: 'Policy statement must contain actions.',
  noResources: 'Policy statement must contain resources.',
  vendorMissing: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  oneColon: 'Actions/Condition can contain only one colon.',
  vendorQualified: 'Resource vendor must be fully qualified and cannot contain regexes.',
  iamPath:
    'IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.',
  principalProhibited: 'Policy document should not specify a principal.',
  principalMissing: 'Missing required field Principal',
  trustActions: 'AssumeRole policy may only specify STS AssumeRole actions.',
} as const;

/** Options for {@link validatePolicy}. */
export interface ValidateOptions {
  /**
   * Reject documents without `"Version": "2012-10-17"`. AWS does so for managed policies
   * (`CreatePolicy`, recorded cases invalid-1/-2); trust and resource policies still accept
   * `2008-10-17`. Default: true for `identity` and `boundary`, false otherwise.
   */
  readonly requireCurrentVersion?: boolean;
}

/** The result of {@link validatePolicy}. */
export interface ValidationResult {
  errors: PolicyProblem[];
  warnings: PolicyProblem[];
}

/** The parsed document together with its problems (used by the compiler to avoid re-parsing). */
export interface ParsedPolicy extends ValidationResult {
  readonly doc: Record<string, unknown> | undefined;
  readonly statements: readonly Record<string, unknown>[];
}

const TOP_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const PRINCIPAL_KEYS = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const VERSIONS = new Set(['2008-10-17', '2012-10-17']);
/** Partitions AWS knows ("Amazon Resource Names (ARNs)", partition component). */
const PARTITIONS = new Set([
  'aws',
  'aws-cn',
  'aws-us-gov',
  'aws-iso',
  'aws-iso-b',
  'aws-iso-e',
  'aws-iso-f',
  'aws-eusc',
  '*',
]);
const IAM_PATH_STARTS = [
  'user/',
  'federated-user/',
  'role/',
  'group/',
  'instance-profile/',
  'mfa/',
  'server-certificate/',
  'policy/',
  'sms-mfa/',
  'saml-provider/',
  'oidc-provider/',
  'report/',
  'access-report/',
];
/** Actions a role trust policy may name ("AssumeRole policy may only specify STS AssumeRole actions."). */
const TRUST_ACTIONS = new Set([
  'sts:assumerole',
  'sts:assumerolewithsaml',
  'sts:assumerolewithwebidentity',
  'sts:tagsession',
  'sts:setsourceidentity',
  'sts:setcontext',
]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringOrStrings(v: unknown): v is string | string[] {
  return typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
}

/** The values of a string-or-list element as a list. */
export function asList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** The statements of a syntactically valid document (a single object counts as one). */
function statementsOf(doc: Record<string, unknown>): unknown[] {
  const s = doc['Statement'];
  return Array.isArray(s) ? s : [s];
}

/** Phase 1: structure. Every problem here carries AWS's "Syntax errors in policy." */
function checkSyntax(doc: unknown, push: (path: string) => void): void {
  if (!isObject(doc)) return push('');
  for (const k of Object.keys(doc)) if (!TOP_KEYS.has(k)) push(k);
  const version = doc['Version'];
  if (version !== undefined && !(typeof version === 'string' && VERSIONS.has(version))) push('Version');
  if (doc['Id'] !== undefined && typeof doc['Id'] !== 'string') push('Id');
  const st = doc['Statement'];
  if (st === undefined) return push('Statement');
  if (Array.isArray(st) && st.length === 0) return push('Statement');
  if (!isObject(st) && !Array.isArray(st)) return push('Statement');
  const list = Array.isArray(st) ? st : [st];
  list.forEach((s, i) => {
    const at = Array.isArray(st) ? `Statement[${i}]` : 'Statement';
    if (!isObject(s)) return push(at);
    for (const k of Object.keys(s)) if (!STATEMENT_KEYS.has(k)) push(`${at}.${k}`);
    if (s['Sid'] !== undefined && typeof s['Sid'] !== 'string') push(`${at}.Sid`);
    const effect = s['Effect'];
    if (typeof effect !== 'string' || !['allow', 'deny'].includes(effect.toLowerCase())) push(`${at}.Effect`);
    for (const k of ['Action', 'NotAction', 'Resource', 'NotResource']) {
      if (s[k] !== undefined && !isStringOrStrings(s[k])) push(`${at}.${k}`);
    }
    if (s['Action'] !== undefined && s['NotAction'] !== undefined) push(`${at}.NotAction`);
    if (s['Resource'] !== undefined && s['NotResource'] !== undefined) push(`${at}.NotResource`);
    if (s['Principal'] !== undefined && s['NotPrincipal'] !== undefined) push(`${at}.NotPrincipal`);
    for (const k of ['Principal', 'NotPrincipal']) {
      const p = s[k];
      if (p === undefined || p === '*') continue;
      if (!isObject(p)) {
        push(`${at}.${k}`);
        continue;
      }
      for (const [pk, pv] of Object.entries(p)) {
        if (!PRINCIPAL_KEYS.has(pk) || !isStringOrStrings(pv)) push(`${at}.${k}.${pk}`);
      }
    }
    const cond = s['Condition'];
    if (cond === undefined) return;
    if (!isObject(cond)) return push(`${at}.Condition`);
    for (const [op, keys] of Object.entries(cond)) {
      const cp = `${at}.Condition.${op}`;
      if (!isObject(keys)) {
        push(cp);
        continue;
      }
      const entries = Object.entries(keys);
      // AWS accepts an unknown operator with an empty key map (recorded valid-19, valid-31) but not
      // with keys (invalid-47, invalid-52, invalid-53).
      if (entries.length > 0 && !parseOperator(op)) push(cp);
      for (const [key, val] of entries) {
        const scalar = (x: unknown) =>
          typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';
        if (!(scalar(val) || (Array.isArray(val) && val.every(scalar)))) push(`${cp}.${key}`);
      }
    }
  });
}

/**
 * AWS's date check for `Date*` condition values ("legacy parsing"): epoch seconds that fit a signed
 * 64-bit integer, or an ISO 8601 date/time with year -292275054..292278993, month 1-12, day 1-31,
 * hour 0-23, minute/second 0-59, up to 9 fraction digits and a `Z` or `±hh[[:]mm]` zone. Derived
 * from the recorded cases valid-30/34-37 and invalid-64/72-75.
 */
export function isValidPolicyDate(value: string): boolean {
  if (/^-?\d+$/.test(value)) {
    const n = BigInt(value);
    return n >= -9223372036854775808n && n <= 9223372036854775807n;
  }
  const lower = value.toLowerCase();
  const t = lower.indexOf('t');
  const datePart = t < 0 ? lower : lower.slice(0, t);
  let timePart = t < 0 ? '' : lower.slice(t + 1);
  const negative = datePart.startsWith('-');
  const dateFields = (negative ? datePart.slice(1) : datePart).split('-');
  if (dateFields.length > 3) return false;
  const int = (s: string | undefined): number => (s !== undefined && /^\d+$/.test(s) ? Number(s) : NaN);
  const year = int(dateFields[0]) * (negative ? -1 : 1);
  if (!(year >= -292275054 && year <= 292278993)) return false;
  if (dateFields.length > 1 && !(int(dateFields[1]) >= 1 && int(dateFields[1]) <= 12)) return false;
  if (dateFields.length > 2 && !(int(dateFields[2]) >= 1 && int(dateFields[2]) <= 31)) return false;
  if (timePart.endsWith('z')) timePart = timePart.slice(0, -1);
  else timePart = timePart.replace(/[+-]\d{2}(:?\d{2})?$/, '');
  if (timePart === '') return true;
  const tf = timePart.split(':');
  if (tf.length > 3) return false;
  if (tf[0] !== '' && !(int(tf[0]) <= 23)) return false;
  if (tf.length > 1 && !(int(tf[1]) <= 59)) return false;
  if (tf.length > 2) {
    const [sec, frac, extra] = (tf[2] as string).split('.');
    if (extra !== undefined || !(int(sec) <= 59)) return false;
    if (frac !== undefined && !/^\d{1,9}$/.test(frac)) return false;
  }
  return true;
}

/** AWS's ARN-format message for one `Resource`/`NotResource` value, or `undefined` when it is acceptable. */
export function resourceFormatError(r: string): string | undefined {
  if (r === '*') return undefined;
  const c1 = r.indexOf(':');
  if (c1 < 0) return `Resource ${r} must be in ARN format or "*".`;
  const rest = r.slice(c1 + 1);
  const c2 = rest.indexOf(':');
  const partition = c2 < 0 ? rest : rest.slice(0, c2);
  const after = c2 < 0 ? '' : rest.slice(c2 + 1);
  if (!PARTITIONS.has(partition)) {
    // AWS echoes the value as a six-part ARN, filling absent parts with `*` (invalid-21…25).
    const p = after.split(':');
    const a1 = p[0] !== '' || p.length > 1 ? (p[0] as string) : '*';
    const a2 = p.length > 1 ? (p[1] as string) : '*';
    const a3 = p.length > 2 ? (p[2] as string) : '*';
    const a4 = p.length > 3 ? p.slice(3).join(':') : '*';
    return `Partition "${partition}" is not valid for resource "arn:${partition}:${a1}:${a2}:${a3}:${a4}".`;
  }
  if (c2 < 0) return MESSAGES.vendorQualified;
  const c3 = after.indexOf(':');
  const service = c3 < 0 ? after : after.slice(0, c3);
  const afterService = c3 < 0 ? '' : after.slice(c3 + 1);
  // IAM and S3 ARNs have no region (invalid-55, invalid-56).
  if (service === 'iam' && !afterService.startsWith(':'))
    return `IAM resource ${r} cannot contain region information.`;
  // S3 bucket/object ARNs have neither region nor account; access points (`arn:aws:s3:REGION:ACCT:
  // accesspoint/…`, valid-50) have both, so only a region without an account is rejected.
  if (service === 's3' && !afterService.startsWith(':') && afterService.split(':')[1] === '') {
    return `Resource ${r} can not contain region information.`;
  }
  if (service === 'iam') {
    const acct = afterService.slice(1);
    const c4 = acct.indexOf(':');
    const path = c4 < 0 ? '' : acct.slice(c4 + 1);
    if (!(path.startsWith('*') || path === 'root' || IAM_PATH_STARTS.some((s) => path.startsWith(s)))) {
      return MESSAGES.iamPath;
    }
  }
  return undefined;
}

/** AWS's "legacy" ARN shape check: six components or no empty `::`, and a non-empty service. */
function resourceFailsLegacy(r: string): boolean {
  if (r === '*') return false;
  const colons = r.split(':').length - 1;
  if (colons < 5 && r.includes('::')) return true;
  const service = r.split(':')[2];
  return service === '';
}

/** AWS's message for a malformed action, or `undefined`. Unknown services are fine (valid-6, valid-25). */
export function actionFormatError(a: string): string | undefined {
  if (a === '*') return undefined;
  const c = a.indexOf(':');
  if (c < 0) return MESSAGES.vendorMissing;
  if (a.indexOf(':', c + 1) >= 0) return MESSAGES.oneColon;
  const vendor = a.slice(0, c);
  if (vendor !== '*' && /[^a-zA-Z0-9.-]/.test(vendor)) return `Vendor ${vendor} is not valid`;
  return undefined;
}

/** True for an AWS principal value AWS accepts: `*`, an account id, an IAM/STS principal ARN or a unique id. */
function isAwsPrincipalValue(v: string): boolean {
  if (v === '*' || /^\d{12}$/.test(v)) return true;
  if (/^A[A-Z]{3}[A-Z0-9]{12,}$/.test(v)) return true;
  const m = /^arn:[a-z-]+:(iam|sts)::(\d{12}|aws):(.+)$/.exec(v);
  if (!m) return false;
  const [, svc, , res] = m as unknown as [string, string, string, string];
  if (svc === 'iam') return res === 'root' || /^(user|role)\/./.test(res);
  return /^(assumed-role\/[^/]+\/.|federated-user\/.)/.test(res);
}

/**
 * Parses and validates a policy document for a policy type. Never throws.
 * INVARIANT: callers that store a document store it only when `errors` is empty.
 */
export function parsePolicy(text: string, type: PolicyType, options: ValidateOptions = {}): ParsedPolicy {
  const errors: PolicyProblem[] = [];
  const warnings: PolicyProblem[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return {
      doc: undefined,
      statements: [],
      errors: [{ path: '', message: type === 'trust' ? MESSAGES.invalidJson : MESSAGES.syntax }],
      warnings,
    };
  }
  const push = (path: string, message: string) => errors.push({ path, message });
  // Phase 1: grammar.
  checkSyntax(doc, (path) => push(path, MESSAGES.syntax));
  if (errors.length > 0 || !isObject(doc)) return { doc: undefined, statements: [], errors, warnings };

  const st = doc['Statement'];
  const statements = statementsOf(doc) as Record<string, unknown>[];
  const v: PhaseInput = {
    doc,
    type,
    statements,
    at: (i: number) => (Array.isArray(st) ? `Statement[${i}]` : 'Statement'),
    push,
    warn: (path, message) => warnings.push({ path, message }),
  };
  // AWS reports problems phase by phase, in this order (the first error is the one it answers with).
  checkVersion(v, options);
  checkPolicyTypeRules(v);
  const formatErrors = checkLegacyParsing(v);
  checkSidsUnique(v);
  checkActionsAndResourcesPresent(v);
  reportArnFormatErrors(v, formatErrors);
  checkActionSyntax(v);
  warnNotPrincipalAllow(v);
  return { doc, statements, errors, warnings };
}

/** What each validation phase reads, and where it reports. */
interface PhaseInput {
  readonly doc: Record<string, unknown>;
  readonly type: PolicyType;
  readonly statements: readonly Record<string, unknown>[];
  /** The JSON path of statement `i` (`Statement` when the document has a single object). */
  readonly at: (i: number) => string;
  readonly push: (path: string, message: string) => void;
  readonly warn: (path: string, message: string) => void;
}

/** An ARN-format problem found by the legacy phase, reported in AWS's order by phase 7. */
interface FormatError {
  readonly stmt: number;
  readonly path: string;
  readonly value: string;
  readonly message: string;
}

/** Phase 2: the version. */
function checkVersion({ doc, type, push, warn }: PhaseInput, options: ValidateOptions): void {
  const version = doc['Version'];
  const requireCurrent = options.requireCurrentVersion ?? (type === 'identity' || type === 'boundary');
  if (version === '2012-10-17') return;
  if (requireCurrent) push('Version', MESSAGES.version);
  else if (JSON.stringify(doc).includes('${'))
    warn('Version', 'policy variables are only resolved under `Version` 2012-10-17');
}

/**
 * Policy-type rules ("Policy types" in the IAM User Guide: identity-based policies have no Principal;
 * resource-based and trust policies must name one; trust policies have no Resource).
 */
function checkPolicyTypeRules({ type, statements, at, push }: PhaseInput): void {
  statements.forEach((s, i) => {
    const hasPrincipal = s['Principal'] !== undefined || s['NotPrincipal'] !== undefined;
    const needsPrincipal = type === 'trust' || type === 'resource' || type === 'rcp';
    if (needsPrincipal && !hasPrincipal) push(`${at(i)}.Principal`, MESSAGES.principalMissing);
    if (!needsPrincipal && hasPrincipal) {
      push(
        `${at(i)}.${s['Principal'] !== undefined ? 'Principal' : 'NotPrincipal'}`,
        MESSAGES.principalProhibited,
      );
    }
    if (type === 'trust') {
      for (const k of ['Resource', 'NotResource']) {
        if (s[k] !== undefined) push(`${at(i)}.${k}`, `Has prohibited field ${k}`);
      }
      const acts = asList(s['Action'] ?? s['NotAction']);
      if (s['NotAction'] !== undefined || acts.some((a) => !isTrustAction(a))) {
        push(`${at(i)}.${s['NotAction'] !== undefined ? 'NotAction' : 'Action'}`, MESSAGES.trustActions);
      }
    }
    for (const k of ['Principal', 'NotPrincipal']) {
      const p = s[k];
      if (!isObject(p)) continue;
      for (const v of asList(p['AWS'])) {
        if (!isAwsPrincipalValue(v)) push(`${at(i)}.${k}.AWS`, `Invalid principal in policy: "AWS":"${v}"`);
      }
    }
  });
}

/**
 * Phase 3: "legacy parsing": exact Effect, Date values, ARN shape. Returns the ARN-format errors, which
 * AWS reports later (phase 7).
 */
function checkLegacyParsing({ type, statements, at, push }: PhaseInput): FormatError[] {
  let resourceErrorSeen = false;
  const formatErrors: FormatError[] = [];
  statements.forEach((s, i) => {
    if (s['Effect'] !== 'Allow' && s['Effect'] !== 'Deny') push(`${at(i)}.Effect`, MESSAGES.legacy);
    const cond = s['Condition'];
    if (isObject(cond)) {
      for (const [op, keys] of Object.entries(cond)) {
        if (parseOperator(op)?.def.family !== 'date' || !isObject(keys)) continue;
        for (const [key, val] of Object.entries(keys)) {
          for (const v of Array.isArray(val) ? val : [val]) {
            if (!isValidPolicyDate(String(v))) push(`${at(i)}.Condition.${op}.${key}`, MESSAGES.legacy);
          }
        }
      }
    }
    for (const k of ['Resource', 'NotResource']) {
      const el = s[k];
      if (el === undefined || type === 'trust') continue;
      const list = asList(el);
      list.forEach((r, j) => {
        const path = Array.isArray(el) ? `${at(i)}.${k}[${j}]` : `${at(i)}.${k}`;
        const m = resourceFormatError(r);
        if (m !== undefined) formatErrors.push({ stmt: i, path, value: r, message: m });
      });
      if (formatErrors.length > 0) resourceErrorSeen = true;
      // AWS skips the shape check once an ARN-format error has been found (invalid-24).
      if (!resourceErrorSeen) {
        list.forEach((r, j) => {
          const path = Array.isArray(el) ? `${at(i)}.${k}[${j}]` : `${at(i)}.${k}`;
          if (resourceFailsLegacy(r)) push(path, MESSAGES.legacy);
        });
      }
    }
  });
  return formatErrors;
}

/** Phase 4: Sid uniqueness (empty Sids may repeat: valid-49). */
function checkSidsUnique({ statements, at, push }: PhaseInput): void {
  const sids = new Set<string>();
  statements.forEach((s, i) => {
    const sid = s['Sid'];
    if (typeof sid !== 'string' || sid === '') return;
    if (sids.has(sid)) push(`${at(i)}.Sid`, MESSAGES.sidUnique);
    sids.add(sid);
  });
}

/** Phases 5 and 6: actions and resources present. */
function checkActionsAndResourcesPresent({ type, statements, at, push }: PhaseInput): void {
  statements.forEach((s, i) => {
    if (asList(s['Action'] ?? s['NotAction']).length === 0) push(`${at(i)}.Action`, MESSAGES.noActions);
  });
  if (type !== 'trust') {
    statements.forEach((s, i) => {
      if (asList(s['Resource'] ?? s['NotResource']).length === 0)
        push(`${at(i)}.Resource`, MESSAGES.noResources);
    });
  }
}

/**
 * Phase 7: ARN format. AWS reports the error of the last statement that has one, and within a statement
 * the lexicographically smallest offending value (invalid-25); the others follow.
 */
function reportArnFormatErrors({ push }: PhaseInput, formatErrors: readonly FormatError[]): void {
  if (formatErrors.length === 0) return;
  const lastStmt = Math.max(...formatErrors.map((e) => e.stmt));
  const first = formatErrors
    .filter((e) => e.stmt === lastStmt)
    .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))[0];
  if (first) push(first.path, first.message);
  for (const e of formatErrors) if (e !== first) push(e.path, e.message);
}

/** Phase 8: action syntax. */
function checkActionSyntax({ statements, at, push }: PhaseInput): void {
  statements.forEach((s, i) => {
    for (const k of ['Action', 'NotAction']) {
      const el = s[k];
      asList(el).forEach((a, j) => {
        const m = actionFormatError(a);
        if (m !== undefined) push(Array.isArray(el) ? `${at(i)}.${k}[${j}]` : `${at(i)}.${k}`, m);
      });
    }
  });
}

/** A warning, not an error: NotPrincipal with Allow. */
function warnNotPrincipalAllow({ statements, at, warn }: PhaseInput): void {
  statements.forEach((s, i) => {
    if (s['NotPrincipal'] !== undefined && s['Effect'] === 'Allow')
      warn(
        `${at(i)}.NotPrincipal`,
        'NotPrincipal with Allow grants access to everyone not listed, including anonymous users',
      );
  });
}

function isTrustAction(a: string): boolean {
  const l = a.toLowerCase();
  if (TRUST_ACTIONS.has(l)) return true;
  // `sts:*` and `sts:AssumeRole*` cover only STS actions.
  return l.startsWith('sts:') && (l.includes('*') || l.includes('?'));
}

/**
 * Validates a policy document for a policy type. Never throws. `errors[0].message` is the message
 * AWS returns with `MalformedPolicyDocument`; every problem carries its JSON path.
 */
export function validatePolicy(text: string, type: PolicyType, options?: ValidateOptions): ValidationResult {
  const { errors, warnings } = parsePolicy(text, type, options);
  return { errors, warnings };
}
