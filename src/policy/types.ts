/**
 * Public data types of the policy engine. Plain readonly data: decisions and explanations can be
 * serialised as JSON as they are.
 */

/** Where a policy document is used; selects the grammar rules (which elements are required or prohibited). */
export type PolicyType = 'identity' | 'resource' | 'trust' | 'boundary' | 'scp' | 'rcp' | 'session';

/** One validation problem: a JSON path (`Statement[1].Effect`) and AWS's `MalformedPolicyDocument` text. */
export interface PolicyProblem {
  readonly path: string;
  readonly message: string;
}

/** A request-context value: single-valued keys are strings/booleans/numbers, multivalued keys are string lists. */
export type ContextValue = string | boolean | number | readonly string[];

/** Who makes the request. */
export type RequestPrincipal =
  | {
      kind: 'AWS';
      /** The caller's ARN: user, account root, assumed-role session or federated user. */
      arn: string;
      account: string;
      /** For role sessions: the role ARN (`arn:aws:iam::A:role/path/Name`). */
      roleArn?: string;
      userId?: string;
      /**
       * The unique id of the IAM user (`AIDA…`) or, for role sessions, of the role (`AROA…`). A
       * Principal element holding that id names this principal; a re-created namesake has another id.
       */
      principalId?: string;
    }
  | { kind: 'Service'; service: string }
  | { kind: 'Federated'; provider: string }
  | { kind: 'Anonymous' };

/** What is being decided. */
export interface EvaluationRequest {
  principal: RequestPrincipal;
  /** `service:Action`, any case. */
  action: string;
  /** ARN or `*`. */
  resource: string;
  /** Account that owns the resource; defaults to the ARN's account (S3 ARNs have none: pass it). */
  resourceAccount?: string;
  /** Condition keys, any case (`aws:SourceIp`, `aws:PrincipalTag/team`, …). */
  context: Readonly<Record<string, ContextValue>>;
}

/** A statement after compilation, as seen from outside (the matchers are internal). */
export interface StatementInfo {
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
}

/** A parsed and compiled policy document. Obtain one with `loadPolicy`; treat as opaque. */
export interface CompiledPolicy {
  readonly id: string;
  readonly type: PolicyType;
  readonly version: string;
  readonly statements: readonly StatementInfo[];
  /** @internal compiled matchers. */
  readonly body: unknown;
}

/** The policies that apply to one request. */
export interface PolicySet {
  identity?: readonly CompiledPolicy[];
  resource?: CompiledPolicy;
  permissionsBoundary?: CompiledPolicy;
  /** All session policies of the caller's session (inline + managed ARNs): together they form one filter. */
  session?: readonly CompiledPolicy[];
  /** A flat list is one level; nested lists are levels from the organization root down to the account. */
  scps?: readonly CompiledPolicy[] | readonly (readonly CompiledPolicy[])[];
  rcps?: readonly CompiledPolicy[] | readonly (readonly CompiledPolicy[])[];
}

/** The three outcomes AWS distinguishes. */
export type DecisionKind = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** Which kind of policy a statement came from / which kind decided. */
export type PolicySource = 'identity' | 'resource' | 'permissionsBoundary' | 'session' | 'scp' | 'rcp';

/** A statement that applied to the request. */
export interface StatementMatch {
  readonly source: PolicySource;
  readonly policyId: string;
  readonly statement: number;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  /** SCP/RCP level (0 = organization root) for organization policies. */
  readonly level?: number;
}

/** Why a statement did not apply: the first element(s) that did not match. */
export type Mismatch =
  | { readonly element: 'Action' | 'NotAction' | 'Resource' | 'NotResource' | 'Principal' | 'NotPrincipal' }
  | {
      readonly element: 'Condition';
      readonly operator: string;
      readonly key: string;
      /** The request's value, or `undefined` when the key was missing from the context. */
      readonly actual: ContextValue | undefined;
      readonly expected: readonly string[];
    };

/** A statement that did not apply, with what did not match (collected with `diagnostics`). */
export interface StatementNonMatch extends StatementMatch {
  readonly mismatches: readonly Mismatch[];
}

/** How a same-account resource policy granted access (decides whether it grants on its own). */
export type ResourceGrant = 'principal' | 'session' | 'role' | 'account' | 'service' | 'federated' | 'public';

/** The outcome of {@link evaluate}, with what is needed to explain it. */
export interface Decision {
  readonly decision: DecisionKind;
  /** The policy type that decided (for denials: the one named in AWS's message). */
  readonly decidedBy: PolicySource;
  /** Every statement that applied (Allow and Deny). */
  readonly matched: readonly StatementMatch[];
  /** Statements that did not apply, with reasons (only with `diagnostics: true`). */
  readonly nonMatches: readonly StatementNonMatch[];
  /** Principal and resource in different accounts. */
  readonly crossAccount: boolean;
  /** How the resource-based policy allowed, when it did. */
  readonly resourceGrant: ResourceGrant | undefined;
  /** The SCP/RCP level that had no Allow (0 = root), for organization denials. */
  readonly level?: number;
  /** Policy types that were present (explanations only talk about those). */
  readonly present: readonly PolicySource[];
  /**
   * With {@link EvaluateOptions.recordAbsent}: the condition keys (lower-cased) that the evaluation
   * looked up and the request context did not have, in lookup order; absent when there were none.
   * Without `diagnostics` a statement's elements are checked in order and the check stops at the first
   * that does not match, so this is exact: a context that only adds values for keys not listed here
   * gets the same decision (the gateway uses it to fetch a key's value only when a decision can
   * depend on it, e.g. `s3:ExistingObjectTag/<key>`). With `diagnostics` every condition is checked.
   */
  readonly absentKeys?: readonly string[];
}

/** Options for {@link evaluate}. */
export interface EvaluateOptions {
  /** Collect {@link Decision.nonMatches} (slower; for explanations and simulators). */
  readonly diagnostics?: boolean;
  /** Record {@link Decision.absentKeys} (costs nothing while every key looked up is present). */
  readonly recordAbsent?: boolean;
}
