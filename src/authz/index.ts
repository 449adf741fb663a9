/**
 * The authorizer: turns a handler's {@link AuthorizationRequest} into a policy-engine evaluation for the
 * calling principal and throws AWS's `AccessDenied` when the engine does not allow it.
 */
import type { AuthorizationRequest, ContextValue } from '../api/operation.js';
import type { Principal } from '../domain/principal.js';
import { AwsError } from '../errors/index.js';
import { parseArn } from '../core/arn.js';
import type { Store } from '../store/index.js';
import {
  denialReason,
  evaluate,
  loadPolicy,
  type Decision,
  type EvaluationRequest,
  type RequestPrincipal,
} from '../policy/index.js';
import { globalContext, type RequestFacts } from './context.js';
import { gatherPolicies, type PrincipalPolicies } from './gather.js';
import {
  gatherAccountOrg,
  isServiceLinkedRoleSession,
  rcpGoverns,
  type AccountOrgPolicies,
} from './org-policies.js';

export { gatherAccountOrg, orgPolicyId, type AccountOrgPolicies } from './org-policies.js';
export { globalContext, type RequestFacts } from './context.js';
export { gatherPolicies, type PrincipalPolicies } from './gather.js';

/** The outcome of one authorization, kept for the audit trail and explanations. */
export interface AuthorizationRecord {
  readonly request: EvaluationRequest;
  readonly decision: Decision;
  /** The `AccessDenied` to throw when the decision is not Allow. */
  readonly denial?: AwsError | undefined;
  /**
   * The condition keys (lower-cased) the deciding evaluation looked up and the context lacked
   * ({@link Decision.absentKeys} of the evaluation without diagnostics, also for a denial, whose
   * `decision` is the diagnosed one): a caller that can supply such a key's value (the S3 gateway,
   * `s3:ExistingObjectTag/<key>`) decides again with it; a key not listed cannot change the decision.
   */
  readonly absentKeys?: readonly string[] | undefined;
}

/** The first evaluation records the keys it missed (free while every key looked up is present). */
const RECORD_ABSENT = Object.freeze({ recordAbsent: true });

/** The engine's view of an iamd principal. */
export function requestPrincipal(principal: Principal): RequestPrincipal {
  switch (principal.type) {
    case 'Anonymous':
      return { kind: 'Anonymous' };
    case 'AssumedRole':
      return {
        kind: 'AWS',
        arn: principal.arn,
        account: principal.account,
        roleArn: principal.roleArn,
        userId: principal.userId,
        // aws:userid of a role session is `AROA…:session`; the part before `:` is the role's id.
        principalId: principal.session.roleId ?? principal.userId.split(':')[0],
      };
    case 'IAMUser':
      return {
        kind: 'AWS',
        arn: principal.arn,
        account: principal.account,
        userId: principal.userId,
        principalId: principal.userId,
      };
    default:
      return { kind: 'AWS', arn: principal.arn, account: principal.account, userId: principal.userId };
  }
}

/**
 * A map of values gathered from the store: a lookup in flight is shared as its promise; once settled,
 * the entry holds the value itself, so the hot path reads it without awaiting (no microtask hop per
 * lookup). A failed lookup is forgotten. At most `limit` entries; flushed on every store change.
 */
class SettlingMap<T> {
  private readonly entries = new Map<string, T | Promise<T>>();
  /** Bumped by clear(): a lookup started before a flush must not store its stale value after it. */
  private generation = 0;

  constructor(private readonly limit: number) {}

  /** The value for `key` (settled), or the promise of it, gathering it with `load` if absent. */
  get(key: string, load: () => Promise<T>): T | Promise<T> {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const generation = this.generation;
    const pending = load().then(
      (value) => {
        if (this.generation === generation && this.entries.get(key) === pending) this.entries.set(key, value);
        return value;
      },
      (err: unknown) => {
        if (this.entries.get(key) === pending) this.entries.delete(key);
        throw err;
      },
    );
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(key, pending);
    return pending;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}

/** A per-node cache of gathered policies, flushed on every store change. */
export class PolicyCache {
  private readonly entries = new SettlingMap<PrincipalPolicies>(10_000);
  /** Organization facts per account (SCPs, RCPs, org id and path), flushed with the rest. */
  private readonly accounts = new SettlingMap<AccountOrgPolicies>(10_000);
  private readonly unsubscribe: () => void;

  constructor(private readonly store: Store) {
    this.unsubscribe = store.onChange(() => {
      this.entries.clear();
      this.accounts.clear();
    });
  }

  /** The organization facts of `account`, from cache (as a value once settled) or the store. */
  account(account: string): AccountOrgPolicies | Promise<AccountOrgPolicies> {
    return this.accounts.get(account, () => gatherAccountOrg(this.store, account));
  }

  /** The policies of `principal`, from cache (as a value once settled) or the store. */
  get(principal: Principal): PrincipalPolicies | Promise<PrincipalPolicies> {
    return this.entries.get(cacheKey(principal), () => gatherPolicies(this.store, principal));
  }

  close(): void {
    this.unsubscribe();
    this.entries.clear();
    this.accounts.clear();
  }
}

function cacheKey(principal: Principal): string {
  if (principal.type === 'Anonymous') return 'anonymous';
  const s = principal.session;
  if (!s) return `${principal.type}|${principal.arn}|${principal.userId}`;
  // Session policies are part of the token: tokens with different policies must not share an entry.
  return `${principal.type}|${principal.arn}|${s.roleId ?? ''}|${s.accessKeyId}`;
}

/** The ARN shown in "User: ARN is not authorized…" for a principal. */
export function principalDisplayArn(principal: Principal): string {
  return principal.type === 'Anonymous' ? 'anonymous' : principal.arn;
}

/** Restrictions AWS puts on GetSessionToken and GetFederationToken credentials whatever the policies say. */
function checkCredentialKind(principal: Principal, action: string): void {
  if (principal.type === 'Anonymous' || !principal.session) return;
  const s = principal.session;
  const service = action.slice(0, action.indexOf(':')).toLowerCase();
  const name = action.slice(action.indexOf(':') + 1);
  // An sts:AssumeRoot session is a SessionToken of the member account's root, bound by its task policy,
  // not by GetSessionToken's rules; so is a delegated session (sts:GetDelegatedAccessToken), bound by
  // the delegation request's permission policy.
  if (s.kind === 'SessionToken' && s.assumedRoot !== true && s.delegated !== true) {
    // "You cannot call any IAM API operations unless MFA authentication information is included in the
    // request. You cannot call any STS API except AssumeRole or GetCallerIdentity." (STS API reference,
    // GetSessionToken). IAM answers InvalidClientTokenId (aws-errors.md, cloudyr/aws.iam#15).
    // A console sign-in session (`console: true`, src/console) proved the password like AWS's console
    // sign-in, whose sessions call IAM with the user's permissions; the rule is for GetSessionToken only.
    if (service === 'iam' && s.mfaAuthenticatedAt === undefined && s.console !== true)
      throw new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid');
    if (service === 'sts' && name !== 'AssumeRole' && name !== 'GetCallerIdentity')
      throw new AwsError('AccessDenied', `Cannot call ${name} with session credentials`);
  }
  if (s.kind === 'FederatedUser') {
    // "You cannot call any IAM operations … You cannot call any STS operations except GetCallerIdentity."
    // (STS API reference, GetFederationToken).
    if (service === 'iam' || (service === 'sts' && name !== 'GetCallerIdentity'))
      throw new AwsError(
        'AccessDenied',
        `Cannot call ${action} with session credentials obtained via GetFederationToken`,
      );
  }
}

/**
 * Decides `request` for `principal`. The record carries the `AccessDenied` (AWS's message) to throw when
 * it is not allowed; credential-kind restrictions throw directly.
 */
export async function authorize(
  cache: PolicyCache,
  principal: Principal,
  facts: RequestFacts,
  request: AuthorizationRequest,
): Promise<AuthorizationRecord> {
  checkCredentialKind(principal, request.action);
  // Settled cache entries are values: awaited only while a lookup is in flight (src/authz: SettlingMap).
  const cachedPolicies = cache.get(principal);
  const policies = cachedPolicies instanceof Promise ? await cachedPolicies : cachedPolicies;
  const context: Record<string, ContextValue> = globalContext(principal, policies.tags, facts);
  if (request.context) Object.assign(context, request.context);
  const resourceAccount =
    request.resourceAccount ??
    parseArn(request.resource)?.account ??
    (principal.type === 'Anonymous' ? '' : principal.account);
  // Organizations: the caller's SCPs and org keys, the resource account's RCPs and org keys.
  const principalOrgHit = principal.type === 'Anonymous' ? undefined : cache.account(principal.account);
  const principalOrg = principalOrgHit instanceof Promise ? await principalOrgHit : principalOrgHit;
  const resourceOrgHit =
    resourceAccount === ''
      ? undefined
      : principal.type !== 'Anonymous' && resourceAccount === principal.account
        ? principalOrg
        : cache.account(resourceAccount);
  const resourceOrg = resourceOrgHit instanceof Promise ? await resourceOrgHit : resourceOrgHit;
  if (principalOrg?.orgId !== undefined) {
    context['aws:PrincipalOrgID'] = principalOrg.orgId;
    if (principalOrg.orgPath !== undefined) context['aws:PrincipalOrgPaths'] = [principalOrg.orgPath];
  }
  if (resourceOrg?.orgId !== undefined) {
    context['aws:ResourceOrgID'] = resourceOrg.orgId;
    if (resourceOrg.orgPath !== undefined) context['aws:ResourceOrgPaths'] = [resourceOrg.orgPath];
  }
  const scps = isServiceLinkedRoleSession(principal) ? undefined : principalOrg?.scps;
  const rcps = rcpGoverns(request.action) ? resourceOrg?.rcps : undefined;
  const evalRequest: EvaluationRequest = {
    principal: requestPrincipal(principal),
    action: request.action,
    resource: request.resource,
    resourceAccount: resourceAccount === '' ? undefined : resourceAccount,
    context,
  };
  const resource =
    request.resourcePolicy !== undefined
      ? loadPolicy(
          request.resourcePolicy,
          request.resourcePolicyType ?? 'resource',
          `resource:${request.resource}`,
        )
      : undefined;
  const policySet = {
    identity: policies.exists ? policies.identity : [],
    resource,
    permissionsBoundary: policies.permissionsBoundary,
    session: policies.session,
    scps,
    rcps,
  };
  const decision = evaluate(evalRequest, policySet, RECORD_ABSENT);
  if (decision.decision !== 'Allow') {
    // Denials are rare: evaluate again with diagnostics so the audit trail can say what did not match.
    const diagnosed = evaluate(evalRequest, policySet, { diagnostics: true });
    // Denials decided against a role's trust policy (sts:AssumeRole, sts:TagSession,
    // sts:SetSourceIdentity) carry no reason clause, as AWS's do (every recorded sample, 2014–2025:
    // shared/reference/aws-errors.md §1). The clause would also tell a caller whether the role exists
    // ("no resource-based policy" for a missing role, "no identity-based policy" for one trusting its
    // account). The cause stays in the call's audit event for `iamd explain`.
    const reason =
      request.resourcePolicyType === 'trust' ? undefined : denialReason(decision, request.action);
    const denial = new AwsError(
      'AccessDenied',
      `User: ${principalDisplayArn(principal)} is not authorized to perform: ${request.action} on resource: ${request.resource}${reason ? ` ${reason}` : ''}`,
    );
    return { request: evalRequest, decision: diagnosed, denial, absentKeys: decision.absentKeys };
  }
  return { request: evalRequest, decision, absentKeys: decision.absentKeys };
}
