/**
 * The IAM policy simulator: `SimulatePrincipalPolicy` and `SimulateCustomPolicy` (IAM API reference;
 * IAM User Guide, "Testing IAM policies with the IAM policy simulator"). Decisions come from the same
 * policy engine as live requests. Inputs and outputs follow the IAM model: `EvaluationResults` with
 * `EvalDecision` (allowed / explicitDeny / implicitDeny), `MatchedStatements` (SourcePolicyId,
 * SourcePolicyType, StartPosition, EndPosition as 1-based line/column in the policy text),
 * `MissingContextValues`, `ResourceSpecificResults`, `PermissionsBoundaryDecisionDetail`,
 * `OrganizationsDecisionDetail`; `MaxItems` / `Marker` paging.
 *
 * As in AWS, the simulator uses only the context keys the caller passes in `ContextEntries`: a
 * condition on a key that was not passed does not match, and the key is listed in
 * `MissingContextValues`.
 *
 * Organizations: "The IAM policy simulator evaluates statements in identity-based policies, service
 * control policies (SCPs) including their condition keys and resource scoping, and the inputs that you
 * provide" (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html).
 * SimulatePrincipalPolicy applies the SCPs that bind the simulated entity's account, read from the
 * organization exactly as the live authorizer reads them (src/authz/org-policies.ts, `scpLevelsOf`):
 * none for the management account or a service-linked role, every level from the root to the account
 * otherwise. SimulateCustomPolicy has no principal and so no account: it applies only the SCP
 * hierarchy given in `OrderedOrganizationPolicyInputList` ("Use this parameter to simulate the effect
 * of an SCP hierarchy without calling SimulatePrincipalPolicy", API_SimulateCustomPolicy.html). RCPs
 * are not simulated: AWS's simulator does not evaluate them ("Resource control policies (RCPs) are not
 * supported in this release", SimulatePrincipalPolicy `PolicyExclusionList`).
 */
import type { Operation, CallContext } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import { AwsError } from '../errors/index.js';
import { parseArn } from '../core/arn.js';
import type { StoreReader } from '../store/index.js';
import type { EvaluationResult, SimulatePrincipalPolicyOutput, Statement } from '../protocol/shapes/iam.js';
import { scpLevelsOf } from '../authz/org-policies.js';
import {
  evaluate,
  loadPolicy,
  validatePolicy,
  type CompiledPolicy,
  type ContextValue,
  type Decision,
  type EvaluationRequest,
  type PolicyType,
  type RequestPrincipal,
} from '../policy/index.js';
import { statementSpans } from '../explain/positions.js';
import type { GroupBody, RoleBody, UserBody } from '../domain/entities.js';
import { paginate, type MarkerCodec } from './common.js';
import { nameKey } from '../domain/names.js';
import { resolveManagedPolicyDocument } from '../domain/managed-policies.js';
import { AWS_POLICY_ARN_PREFIX } from '../domain/aws-managed-catalog.js';

/** `SourcePolicyType` values (IAM API reference, Statement). */
export type SourcePolicyType =
  'user' | 'group' | 'role' | 'aws-managed' | 'user-managed' | 'resource' | 'none';

/** A policy given to the simulator, with the names the output reports. */
export interface SimulationPolicy {
  readonly id: string;
  readonly type: SourcePolicyType;
  readonly text: string;
}

/** Everything one simulation needs (already resolved from the store or the input). */
export interface SimulationInput {
  readonly identity: readonly SimulationPolicy[];
  readonly boundaries: readonly SimulationPolicy[];
  /** Organization levels from the root down, each a list of SCPs (`OrderedOrganizationPolicyInputList`). */
  readonly organizations: readonly (readonly SimulationPolicy[])[];
  /**
   * The simulated principal's account is in an organization whose SCPs do not bind it (the management
   * account, a service-linked role, SCPs disabled): `OrganizationsDecisionDetail` still says it is
   * allowed by Organizations.
   */
  readonly inOrganization?: boolean | undefined;
  readonly resourcePolicy?: SimulationPolicy | undefined;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly principal: RequestPrincipal;
  readonly resourceOwner?: string | undefined;
  readonly context: Readonly<Record<string, ContextValue>>;
}

type Position = { Line: number; Column: number };

interface Loaded {
  readonly meta: SimulationPolicy;
  readonly compiled: CompiledPolicy;
  readonly spans: readonly { start: Position; end: Position }[];
}

function decisionName(d: Decision): 'allowed' | 'explicitDeny' | 'implicitDeny' {
  return d.decision === 'Allow' ? 'allowed' : d.decision === 'ExplicitDeny' ? 'explicitDeny' : 'implicitDeny';
}

function load(p: SimulationPolicy, type: PolicyType, index: number): Loaded {
  const problems = validatePolicy(p.text, type);
  const first = problems.errors[0];
  if (first !== undefined) throw new AwsError('InvalidInput', `${p.id}: ${first.message}`);
  return {
    meta: p,
    compiled: loadPolicy(p.text, type, `sim:${index}`),
    spans: statementSpans(p.text).map((s) => ({
      start: { Line: s.start.line, Column: s.start.column },
      end: { Line: s.end.line, Column: s.end.column },
    })),
  };
}

/** Allows everything: the identity side of the Organizations-only decision (AllowedByOrganizations). */
const ALLOW_ALL = loadPolicy(
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
  'identity',
  'sim:allow-all',
);

/** Runs a simulation; the `EvaluationResults` list, before paging. */
export function simulate(input: SimulationInput): EvaluationResult[] {
  let n = 0;
  const identity = input.identity.map((p) => load(p, 'identity', n++));
  const boundaries = input.boundaries.map((p) => load(p, 'boundary', n++));
  const orgLevels = input.organizations.map((level) => level.map((p) => load(p, 'scp', n++)));
  const orgs = orgLevels.flat();
  const resource = input.resourcePolicy ? load(input.resourcePolicy, 'resource', n++) : undefined;
  const all = [...identity, ...boundaries, ...orgs, ...(resource ? [resource] : [])];
  const byId = new Map(all.map((l) => [l.compiled.id, l]));
  const results: EvaluationResult[] = [];
  const explicitResources = !(input.resources.length === 1 && input.resources[0] === '*');

  const one = (action: string, res: string) => {
    const request: EvaluationRequest = {
      principal: input.principal,
      action,
      resource: res,
      resourceAccount:
        input.resourceOwner !== undefined
          ? (parseArn(input.resourceOwner)?.account ?? input.resourceOwner)
          : undefined,
      context: input.context,
    };
    const boundarySet = boundaries.length > 0 ? boundaries.map((b) => b.compiled) : [];
    // The engine takes one boundary; several boundary inputs are one boundary whose statements are
    // the union (each document is evaluated, any Allow allows, any Deny denies).
    const decision = evaluate(
      request,
      {
        identity: identity.map((l) => l.compiled),
        resource: resource?.compiled,
        ...(boundarySet.length === 1 ? { permissionsBoundary: boundarySet[0]! } : {}),
        ...(orgs.length > 0 ? { scps: orgLevels.map((level) => level.map((l) => l.compiled)) } : {}),
      },
      { diagnostics: true },
    );
    let boundaryAllowed: boolean | undefined;
    let final = decision;
    if (boundarySet.length > 1) {
      const b = boundarySet.map((pb) => evaluate(request, { identity: [pb] }, { diagnostics: false }));
      const denied = b.some((d) => d.decision === 'ExplicitDeny');
      boundaryAllowed = !denied && b.some((d) => d.decision === 'Allow');
      if (!boundaryAllowed && final.decision === 'Allow')
        final = {
          ...final,
          decision: denied ? 'ExplicitDeny' : 'ImplicitDeny',
          decidedBy: 'permissionsBoundary',
        };
    } else if (boundarySet.length === 1) {
      const inBoundary = decision.matched.filter((m) => m.source === 'permissionsBoundary');
      boundaryAllowed =
        inBoundary.some((m) => m.effect === 'Allow') && !inBoundary.some((m) => m.effect === 'Deny');
    }
    const wanted =
      final.decision === 'Allow' ? 'Allow' : final.decision === 'ExplicitDeny' ? 'Deny' : undefined;
    const matched: Statement[] =
      wanted === undefined
        ? []
        : final.matched
            .filter((m) => m.effect === wanted)
            .map((m) => {
              const l = byId.get(m.policyId);
              const span = l?.spans[m.statement];
              return {
                SourcePolicyId: l?.meta.id ?? m.policyId,
                SourcePolicyType: l?.meta.type ?? 'none',
                ...(span ? { StartPosition: span.start, EndPosition: span.end } : {}),
              };
            });
    const missing = new Set<string>();
    // Keys of conditions in statements that otherwise applied (Action, Resource, Principal matched).
    for (const nm of final.nonMatches)
      if (nm.mismatches.every((mm) => mm.element === 'Condition'))
        for (const mm of nm.mismatches)
          if (mm.element === 'Condition' && mm.actual === undefined) missing.add(mm.key);
    // "Whether the simulated operation is allowed by the Organizations service control policies that
    // impact the simulated user's account" (OrganizationsDecisionDetail): the SCP levels alone, decided
    // by the same engine with an identity side that allows everything.
    const allowedByOrganizations =
      orgs.length > 0
        ? evaluate(
            request,
            { identity: [ALLOW_ALL], scps: orgLevels.map((level) => level.map((l) => l.compiled)) },
            { diagnostics: false },
          ).decision === 'Allow'
        : input.inOrganization === true
          ? true
          : undefined;
    const boundaryDetail =
      boundaryAllowed !== undefined ? { AllowedByPermissionsBoundary: boundaryAllowed } : undefined;
    const decisionText = decisionName(final);
    results.push({
      EvalActionName: action,
      EvalResourceName: res,
      EvalDecision: decisionText,
      MatchedStatements: matched,
      MissingContextValues: [...missing],
      ...(allowedByOrganizations !== undefined
        ? { OrganizationsDecisionDetail: { AllowedByOrganizations: allowedByOrganizations } }
        : {}),
      ...(boundaryDetail ? { PermissionsBoundaryDecisionDetail: boundaryDetail } : {}),
      ...(explicitResources
        ? {
            ResourceSpecificResults: [
              {
                EvalResourceName: res,
                EvalResourceDecision: decisionText,
                MatchedStatements: matched,
                MissingContextValues: [...missing],
                ...(boundaryDetail ? { PermissionsBoundaryDecisionDetail: boundaryDetail } : {}),
              },
            ],
          }
        : {}),
    });
  };
  for (const action of input.actions) for (const res of input.resources) one(action, res);
  return results;
}

/** `ContextEntries` → request context, typed as `ContextKeyType` says. */
export function contextFromEntries(entries: unknown): Record<string, ContextValue> {
  const ctx = Object.create(null) as Record<string, ContextValue>;
  if (!Array.isArray(entries)) return ctx;
  for (const e of entries as {
    ContextKeyName?: unknown;
    ContextKeyValues?: unknown;
    ContextKeyType?: unknown;
  }[]) {
    const name = typeof e.ContextKeyName === 'string' ? e.ContextKeyName : undefined;
    if (name === undefined) continue;
    const values = Array.isArray(e.ContextKeyValues) ? e.ContextKeyValues.map(String) : [];
    const type = typeof e.ContextKeyType === 'string' ? e.ContextKeyType : 'string';
    const list = type.endsWith('List');
    const conv = (v: string): string | number | boolean =>
      type.startsWith('numeric') ? Number(v) : type.startsWith('boolean') ? v.toLowerCase() === 'true' : v;
    if (list) ctx[name] = values.map((v) => String(conv(v)));
    else if (values[0] !== undefined) ctx[name] = conv(values[0]);
  }
  return ctx;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Applies `MaxItems` / `Marker` (IAM paging: a marker iamd issued over the result's position). */
function page(
  results: readonly EvaluationResult[],
  input: { readonly Marker?: string | undefined; readonly MaxItems?: number | undefined },
  markers: MarkerCodec,
): SimulatePrincipalPolicyOutput {
  const { page: slice, ...rest } = paginate(
    results.map((r, i) => ({ r, k: String(i).padStart(6, '0') })),
    (x) => x.k,
    input,
    markers,
  );
  return { EvaluationResults: slice.map((x) => x.r), ...rest };
}

function inputPolicies(list: unknown, name: string, type: SourcePolicyType): SimulationPolicy[] {
  return strings(list).map((text, i) => ({ id: `${name}.${i + 1}`, type, text }));
}

async function managedPolicies(store: StoreReader, arns: readonly string[]): Promise<SimulationPolicy[]> {
  const out: SimulationPolicy[] = [];
  for (const arn of arns) {
    const text = await resolveManagedPolicyDocument(store, arn);
    if (text === undefined) continue;
    out.push({
      id: arn.slice(arn.lastIndexOf('/') + 1),
      type: arn.startsWith(AWS_POLICY_ARN_PREFIX) ? 'aws-managed' : 'user-managed',
      text,
    });
  }
  return out;
}

function inlinePolicies(p: Readonly<Record<string, string>>, type: SourcePolicyType): SimulationPolicy[] {
  return Object.entries(p).map(([id, text]) => ({ id, type, text }));
}

/** The policies of the user, group or role `arn`, and the principal to simulate. */
async function policySource(
  ctx: CallContext,
  arn: string,
): Promise<{
  policies: SimulationPolicy[];
  boundary?: string | undefined;
  principal: RequestPrincipal;
  account: string;
  /** A service-linked role (path `/aws-service-role/`): "SCPs don't affect service-linked roles". */
  serviceLinked?: boolean | undefined;
}> {
  const parsed = parseArn(arn);
  const kind = parsed?.resource.slice(0, parsed.resource.indexOf('/'));
  const name = parsed?.resource.slice(parsed.resource.lastIndexOf('/') + 1) ?? '';
  if (parsed === undefined || parsed.service !== 'iam' || name === '' || !/^\d{12}$/.test(parsed.account))
    throw new AwsError('InvalidInput', `Invalid ARN: ${arn}`);
  const account = parsed.account;
  const store = ctx.store;
  if (kind === 'user') {
    const u = await store.get<UserBody>(account, 'user', nameKey(name));
    if (!u || u.body.arn !== arn)
      throw new AwsError('NoSuchEntity', `The user with name ${name} cannot be found.`);
    const policies = [
      ...inlinePolicies(u.body.inlinePolicies, 'user'),
      ...(await managedPolicies(store, u.body.attachedPolicies)),
    ];
    for (const g of u.body.groups) {
      const group = await store.get<GroupBody>(account, 'group', nameKey(g));
      if (!group) continue;
      policies.push(...inlinePolicies(group.body.inlinePolicies, 'group'));
      policies.push(...(await managedPolicies(store, group.body.attachedPolicies)));
    }
    return {
      policies,
      boundary: u.body.permissionsBoundary,
      principal: { kind: 'AWS', arn, account, userId: u.body.userId, principalId: u.body.userId },
      account,
    };
  }
  if (kind === 'role') {
    const r = await store.get<RoleBody>(account, 'role', nameKey(name));
    if (!r || r.body.arn !== arn)
      throw new AwsError('NoSuchEntity', `The role with name ${name} cannot be found.`);
    return {
      policies: [
        ...inlinePolicies(r.body.inlinePolicies, 'role'),
        ...(await managedPolicies(store, r.body.attachedPolicies)),
      ],
      boundary: r.body.permissionsBoundary,
      principal: {
        kind: 'AWS',
        arn,
        account,
        roleArn: arn,
        userId: r.body.roleId,
        principalId: r.body.roleId,
      },
      account,
      serviceLinked: r.body.path.startsWith('/aws-service-role/'),
    };
  }
  if (kind === 'group') {
    const g = await store.get<GroupBody>(account, 'group', nameKey(name));
    if (!g || g.body.arn !== arn)
      throw new AwsError('NoSuchEntity', `The group with name ${name} cannot be found.`);
    return {
      policies: [
        ...inlinePolicies(g.body.inlinePolicies, 'group'),
        ...(await managedPolicies(store, g.body.attachedPolicies)),
      ],
      principal: { kind: 'AWS', arn, account },
      account,
    };
  }
  throw new AwsError('InvalidInput', `Invalid ARN: ${arn}`);
}

/**
 * The SCP levels (root first) that bind the principals of `account`, as simulator policies named by
 * the SCP's name; `inOrganization` when the account is in an organization whose SCPs do not bind it.
 */
async function organizationPolicies(
  store: StoreReader,
  account: string,
  serviceLinked: boolean,
): Promise<{ levels: SimulationPolicy[][]; inOrganization: boolean }> {
  const org = await scpLevelsOf(store, account);
  if (org === undefined) return { levels: [], inOrganization: false };
  if (serviceLinked || org.levels === undefined) return { levels: [], inOrganization: true };
  return {
    levels: org.levels.map((level) =>
      level.map((l) => ({ id: l.policy.name, type: 'none' as const, text: l.policy.content })),
    ),
    inOrganization: true,
  };
}

function callerPrincipal(callerArn: unknown, fallback: RequestPrincipal): RequestPrincipal {
  if (typeof callerArn !== 'string') return fallback;
  const a = parseArn(callerArn);
  if (a === undefined) throw new AwsError('InvalidInput', `Invalid ARN: ${callerArn}`);
  return { kind: 'AWS', arn: callerArn, account: a.account };
}

function resourcesOf(input: { readonly ResourceArns?: readonly string[] | undefined }): string[] {
  const r = input.ResourceArns ?? [];
  return r.length > 0 ? [...r] : ['*'];
}

/** iam:SimulatePrincipalPolicy. */
export const simulatePrincipalPolicy = iamOperation<'SimulatePrincipalPolicy'>({
  service: 'iam',
  name: 'SimulatePrincipalPolicy',
  async handle(input, ctx) {
    const sourceArn = input.PolicySourceArn;
    await ctx.authorize({ action: 'iam:SimulatePrincipalPolicy', resource: sourceArn });
    const src = await policySource(ctx, sourceArn);
    const boundaries = inputPolicies(
      input.PermissionsBoundaryPolicyInputList,
      'PermissionsBoundaryPolicyInputList',
      'none',
    );
    // "If you specify a permissions boundary using PermissionsBoundaryPolicyInputList, then you cannot
    // use the boundary attached to the entity" — the input replaces it (API reference).
    if (boundaries.length === 0 && src.boundary !== undefined) {
      const b = await managedPolicies(ctx.store, [src.boundary]);
      boundaries.push(...b);
    }
    const org = await organizationPolicies(ctx.store, src.account, src.serviceLinked === true);
    const results = simulate({
      identity: [...src.policies, ...inputPolicies(input.PolicyInputList, 'PolicyInputList', 'none')],
      boundaries,
      organizations: org.levels,
      inOrganization: org.inOrganization,
      resourcePolicy:
        typeof input.ResourcePolicy === 'string'
          ? { id: 'ResourcePolicy', type: 'resource', text: input.ResourcePolicy }
          : undefined,
      actions: strings(input.ActionNames),
      resources: resourcesOf(input),
      principal: callerPrincipal(input.CallerArn, src.principal),
      resourceOwner: typeof input.ResourceOwner === 'string' ? input.ResourceOwner : undefined,
      context: contextFromEntries(input.ContextEntries),
    });
    return page(results, input, ctx.services);
  },
});

/** iam:SimulateCustomPolicy. */
export const simulateCustomPolicy = iamOperation<'SimulateCustomPolicy'>({
  service: 'iam',
  name: 'SimulateCustomPolicy',
  async handle(input, ctx) {
    await ctx.authorize({ action: 'iam:SimulateCustomPolicy', resource: '*' });
    const account = ctx.principal.type === 'Anonymous' ? '' : ctx.principal.account;
    const results = simulate({
      identity: inputPolicies(input.PolicyInputList, 'PolicyInputList', 'none'),
      boundaries: inputPolicies(
        input.PermissionsBoundaryPolicyInputList,
        'PermissionsBoundaryPolicyInputList',
        'none',
      ),
      organizations: (Array.isArray(input.OrderedOrganizationPolicyInputList)
        ? input.OrderedOrganizationPolicyInputList
        : []
      ).map((level: { ServiceControlPolicyInputList?: unknown }, i: number) =>
        inputPolicies(
          level.ServiceControlPolicyInputList,
          `OrderedOrganizationPolicyInputList.${i + 1}.ServiceControlPolicyInputList`,
          'none',
        ),
      ),
      resourcePolicy:
        typeof input.ResourcePolicy === 'string'
          ? { id: 'ResourcePolicy', type: 'resource', text: input.ResourcePolicy }
          : undefined,
      actions: strings(input.ActionNames),
      resources: resourcesOf(input),
      principal: callerPrincipal(input.CallerArn, {
        kind: 'AWS',
        arn: `arn:aws:iam::${account}:user/iamd-simulated-caller`,
        account,
      }),
      resourceOwner: typeof input.ResourceOwner === 'string' ? input.ResourceOwner : undefined,
      context: contextFromEntries(input.ContextEntries),
    });
    return page(results, input, ctx.services);
  },
});

/** The simulator operations. */
export const simulateOperations: readonly Operation[] = [simulatePrincipalPolicy, simulateCustomPolicy];
