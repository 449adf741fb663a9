/**
 * Effective management policies: the one document that results from the policies of one type attached
 * to the root, each OU down the path, and the account (tag, backup, AI services opt-out, chat
 * applications, declarative and the other management policy types; never SCPs or RCPs, which are
 * evaluated level by level instead). Pure: documents in, effective document and diagnostics out.
 *
 * The rules are AWS's "Understanding management policy inheritance"
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_mgmt.html),
 * its "Inheritance operators" page (https://docs.aws.amazon.com/organizations/latest/userguide/policy-operators.html)
 * and "Inheritance examples" (https://docs.aws.amazon.com/organizations/latest/userguide/inheritance-examples.html):
 *
 * - Value-setting operators. `@@assign` overwrites the inherited setting (a single value is replaced;
 *   an array loses every inherited value) and adds it when nothing was inherited. `@@append` adds the
 *   given values to the inherited array ("You can use this operator only with multi-valued settings").
 *   `@@remove` removes the given values from the inherited array, leaving the others for children to
 *   inherit.
 * - Child control operator. `@@operators_allowed_for_child_policies` (`["@@all"]`, the default;
 *   some of `@@assign`/`@@append`/`@@remove`; or `["@@none"]`) limits the value-setting operators
 *   policies lower in the organization may use on that setting and everything below it. "If an
 *   inherited child control operator limits the use of an operator, you can't reverse that rule in
 *   the child policies." Several policies attached to the same node that limit the same setting:
 *   only the operators every one of them allows remain (Example 5).
 * - The effective policy shows the merged values without operators ("The syntax doesn't include the
 *   operators that are needed to control merging", Example 1).
 *
 * Choices where the pages are silent, kept deterministic: policies attached to the same node are
 * merged one after the other in policy-id order; a plain value with no operator counts as `@@assign`;
 * `@@append` keeps each value once. A child's use of an operator its parents disallow is not applied
 * and is reported as a diagnostic, as is `@@append`/`@@remove` on a single-valued setting
 * (ListEffectivePolicyValidationErrors lists them).
 */

/** One policy attached at one level. */
export interface LevelPolicy {
  readonly id: string;
  /** The policy document (JSON text, validated as a JSON object when it was stored). */
  readonly content: string;
}

/** A part of a policy that could not be applied. */
export interface EffectivePolicyIssue {
  readonly code: 'OPERATOR_NOT_ALLOWED' | 'OPERATOR_NOT_SUPPORTED_FOR_VALUE' | 'INVALID_OPERATOR';
  readonly message: string;
  /** Path in the effective policy, `tags/costcenter/tag_value`. */
  readonly path: string;
  readonly policyIds: readonly string[];
}

/** The effective policy: undefined when no policy applies at any level. */
export interface EffectivePolicyResult {
  readonly policy: Record<string, unknown> | undefined;
  readonly issues: readonly EffectivePolicyIssue[];
}

type ValueOperator = '@@assign' | '@@append' | '@@remove';
const VALUE_OPERATORS: readonly ValueOperator[] = ['@@assign', '@@append', '@@remove'];
const CHILD_CONTROL = '@@operators_allowed_for_child_policies';

interface SettingNode {
  value?: unknown;
  readonly children: Map<string, SettingNode>;
}

const newNode = (): SettingNode => ({ children: new Map() });

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The operators allowed at `path` by `limits` (path → allowed set), the intersection over its prefixes. */
function allowedAt(limits: ReadonlyMap<string, ReadonlySet<ValueOperator>>, path: readonly string[]) {
  let allowed: Set<ValueOperator> = new Set(VALUE_OPERATORS);
  for (let i = 0; i <= path.length; i++) {
    const limit = limits.get(pathKey(path.slice(0, i)));
    if (limit) allowed = new Set([...allowed].filter((op) => limit.has(op)));
  }
  return allowed;
}

const pathKey = (path: readonly string[]): string => path.map((p) => encodeURIComponent(p)).join('/');
const pathText = (path: readonly string[]): string => path.join('/');

/** `@@operators_allowed_for_child_policies` → allowed set, or undefined when it is not a list of operators. */
function parseChildControl(v: unknown): Set<ValueOperator> | undefined {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return undefined;
  const list = v as string[];
  if (list.includes('@@all')) return new Set(VALUE_OPERATORS);
  if (list.includes('@@none')) return new Set();
  if (!list.every((x) => (VALUE_OPERATORS as readonly string[]).includes(x))) return undefined;
  return new Set(list as ValueOperator[]);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Merges one policy into the tree. */
function applyPolicy(
  root: SettingNode,
  doc: Record<string, unknown>,
  policyId: string,
  inherited: ReadonlyMap<string, ReadonlySet<ValueOperator>>,
  newLimits: Map<string, Set<ValueOperator>>,
  issues: EffectivePolicyIssue[],
): void {
  const issue = (code: EffectivePolicyIssue['code'], message: string, path: readonly string[]) =>
    issues.push({ code, message, path: pathText(path), policyIds: [policyId] });

  const setValue = (node: SettingNode, op: ValueOperator, value: unknown, path: readonly string[]): void => {
    if (!allowedAt(inherited, path).has(op)) {
      issue('OPERATOR_NOT_ALLOWED', `a parent policy does not allow ${op} on this setting`, path);
      return;
    }
    if (op === '@@assign') {
      node.value = value;
      node.children.clear();
      return;
    }
    const values = Array.isArray(value) ? value : [value];
    if (node.value !== undefined && !Array.isArray(node.value)) {
      issue('OPERATOR_NOT_SUPPORTED_FOR_VALUE', `${op} applies only to multi-valued settings`, path);
      return;
    }
    const current = (node.value as unknown[] | undefined) ?? [];
    if (op === '@@append') {
      if (node.value === undefined && node.children.size > 0) {
        issue('OPERATOR_NOT_SUPPORTED_FOR_VALUE', `${op} applies only to multi-valued settings`, path);
        return;
      }
      const next = [...current];
      for (const v of values) if (!next.some((x) => sameValue(x, v))) next.push(v);
      node.value = next;
      return;
    }
    if (node.value !== undefined) node.value = current.filter((x) => !values.some((v) => sameValue(x, v)));
  };

  const walk = (node: SettingNode, obj: Record<string, unknown>, path: string[]): void => {
    for (const [key, raw] of Object.entries(obj)) {
      if (key === CHILD_CONTROL) {
        const limit = parseChildControl(raw);
        if (!limit) {
          issue(
            'INVALID_OPERATOR',
            `${CHILD_CONTROL} must list @@all, @@none or value-setting operators`,
            path,
          );
          continue;
        }
        // Several policies of one node: every limit applies to the children (intersection).
        const k = pathKey(path);
        const prior = newLimits.get(k);
        newLimits.set(k, prior ? new Set([...prior].filter((op) => limit.has(op))) : limit);
        continue;
      }
      if ((VALUE_OPERATORS as readonly string[]).includes(key)) {
        setValue(node, key as ValueOperator, raw, path);
        continue;
      }
      if (key.startsWith('@@')) {
        issue('INVALID_OPERATOR', `unknown operator ${key}`, [...path, key]);
        continue;
      }
      let child = node.children.get(key);
      if (!child) {
        child = newNode();
        node.children.set(key, child);
      }
      if (isObject(raw)) {
        // A setting assigned a single value earlier becomes a container again only through @@assign.
        walk(child, raw, [...path, key]);
      } else {
        // A plain value with no operator is an assignment.
        setValue(child, '@@assign', raw, [...path, key]);
      }
    }
  };
  walk(root, doc, []);
}

function render(node: SettingNode): unknown {
  if (node.value !== undefined) return node.value;
  if (node.children.size === 0) return undefined;
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, child] of node.children) {
    const v = render(child);
    if (v !== undefined) out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The effective policy of an account: `levels` are the policies of one type attached to the root, each
 * OU on the path, and the account, in that order.
 */
export function effectivePolicy(levels: readonly (readonly LevelPolicy[])[]): EffectivePolicyResult {
  const root = newNode();
  const issues: EffectivePolicyIssue[] = [];
  const limits = new Map<string, ReadonlySet<ValueOperator>>();
  let any = false;
  for (const level of levels) {
    const newLimits = new Map<string, Set<ValueOperator>>();
    const ordered = [...level].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const p of ordered) {
      let doc: unknown;
      try {
        doc = JSON.parse(p.content);
      } catch {
        continue;
      }
      if (!isObject(doc)) continue;
      any = true;
      applyPolicy(root, doc, p.id, limits, newLimits, issues);
    }
    // Limits set at this level bind the levels below, on top of those inherited.
    for (const [k, limit] of newLimits) {
      const prior = limits.get(k);
      limits.set(k, prior ? new Set([...prior].filter((op) => limit.has(op))) : limit);
    }
  }
  if (!any) return { policy: undefined, issues };
  const rendered = render(root);
  return {
    policy: isObject(rendered) ? rendered : (Object.create(null) as Record<string, unknown>),
    issues,
  };
}
