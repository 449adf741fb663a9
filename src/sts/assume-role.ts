/**
 * sts:AssumeRole (STS API reference, AssumeRole; IAM User Guide, "Using IAM roles", "Passing session
 * tags in AWS STS", "Monitor and control actions taken with assumed roles"; shared/DOMAIN.md).
 *
 * The decision is the policy engine's: the caller's own policies (identity, boundary, its session's
 * policies) for `sts:AssumeRole` on the role, with the role's trust policy as the resource-based policy
 * (`resourcePolicyType: 'trust'`), so the same- and cross-account rules of DOMAIN.md's table hold.
 * Session tags need `sts:TagSession` and a source identity needs `sts:SetSourceIdentity`, decided the
 * same way. A role that does not exist is refused with exactly the AccessDenied of a trust policy that
 * does not trust the caller (never NoSuchEntity: that would let anyone probe for role names).
 */
import { refuse, type ContextValue } from '../api/operation.js';
import { stsOperation } from '../api/typed-operation.js';
import type { Principal, SessionClaims } from '../domain/principal.js';
import { AwsError } from '../errors/index.js';
import { parseArn } from '../core/arn.js';
import type { RoleBody } from '../domain/entities.js';
import { nameKey } from '../domain/names.js';
import { TRUSTS_NOBODY, trustPolicyForEvaluation } from '../domain/trust-principals.js';
import { mintSession } from '../domain/sessions.js';
import { consumeMfa, mfaInput, precheckMfa } from './mfa.js';
import { checkPackedSize, checkSessionPolicies, packedSize } from './session-policies.js';
import { inputSessionTags, inputStringList, planSessionTags, sessionTagContext } from './session-tags.js';
import { emptyBag } from '../core/bag.js';

/** DurationSeconds default: "By default, the value is set to 3600 seconds" (AssumeRole API reference). */
export const DEFAULT_ROLE_DURATION_SECONDS = 3600;
/** Role chaining "limits your AWS CLI or AWS API role session to a maximum of one hour" (IAM User Guide, Roles terms). */
export const ROLE_CHAINING_MAX_SECONDS = 3600;
/** RoleLastUsed is written at most this often per role and region, so AssumeRole rarely writes. */
export const ROLE_LAST_USED_THROTTLE_MS = 60 * 60 * 1000;

/** The parts of a role ARN `arn:aws:iam::ACCOUNT:role/PATH/NAME`. */
export interface RoleArnParts {
  readonly account: string;
  readonly path: string;
  readonly name: string;
}

/**
 * Checks `RoleArn`'s shape. Not an ARN at all is AWS's ValidationError "`<arn>` is invalid" (recorded:
 * malformed-arn, no-partition, no-service, not-enough-colons, no-resource); a well-formed ARN that does
 * not name a role returns undefined and is then treated like a role that does not exist.
 */
export function parseRoleArn(text: string): RoleArnParts | undefined {
  const arn = parseArn(text);
  if (arn === undefined || arn.resource === '') throw new AwsError('ValidationError', `${text} is invalid`);
  if (arn.service !== 'iam' || !/^\d{12}$/.test(arn.account) || !arn.resource.startsWith('role/'))
    return undefined;
  const rest = arn.resource.slice('role'.length);
  const cut = rest.lastIndexOf('/');
  const name = rest.slice(cut + 1);
  if (name === '') return undefined;
  return { account: arn.account, path: rest.slice(0, cut + 1), name };
}

function denyingPrincipalArn(p: Principal): string {
  return p.type === 'Anonymous' ? 'anonymous' : p.arn;
}

function lastUsedIsStale(role: RoleBody, now: number, region: string): boolean {
  const u = role.lastUsed;
  return u === undefined || u.region !== region || now - u.date >= ROLE_LAST_USED_THROTTLE_MS || now < u.date;
}

/** sts:AssumeRole. */
export const assumeRole = stsOperation<'AssumeRole'>({
  service: 'sts',
  name: 'AssumeRole',
  async handle(input, ctx) {
    const caller = ctx.principal;
    if (caller.type === 'Anonymous')
      throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
    // "Roles may not be assumed by root accounts." (aws-errors.md §1: kubeflow/testing#961 and others).
    if (caller.type === 'Root')
      refuse(
        ctx,
        new AwsError('AccessDenied', 'Roles may not be assumed by root accounts.'),
        'sts:AssumeRole',
      );

    const roleArn = input.RoleArn;
    const sessionName = input.RoleSessionName;
    const parts = parseRoleArn(roleArn);
    const callerSession: SessionClaims | undefined = caller.session;
    const chained = caller.type === 'AssumedRole';

    const requested = typeof input.DurationSeconds === 'number' ? input.DurationSeconds : undefined;
    if (chained && requested !== undefined && requested > ROLE_CHAINING_MAX_SECONDS)
      throw new AwsError(
        'ValidationError',
        'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      );

    const tagPlan = planSessionTags(
      inputSessionTags(input.Tags),
      inputStringList(input.TransitiveTagKeys),
      chained ? callerSession : undefined,
    );

    // The source identity is set once and kept through chains; a different value cannot replace it.
    const inheritedSource = chained ? callerSession?.sourceIdentity : undefined;
    const passedSource = typeof input.SourceIdentity === 'string' ? input.SourceIdentity : undefined;
    if (inheritedSource !== undefined && passedSource !== undefined && passedSource !== inheritedSource)
      throw new AwsError(
        'AccessDenied',
        `User: ${caller.arn} is not authorized to perform: sts:SetSourceIdentity on resource: ${roleArn}`,
      );
    const sourceIdentity = inheritedSource ?? passedSource;
    const mfa = mfaInput(input);

    const roleEntity =
      parts === undefined
        ? undefined
        : await ctx.store.get<RoleBody>(parts.account, 'role', nameKey(parts.name));
    const role = roleEntity !== undefined && roleEntity.body.arn === roleArn ? roleEntity.body : undefined;
    const roleAccount = parts?.account;
    const writeLastUsed = role !== undefined && lastUsedIsStale(role, ctx.now, ctx.region);
    // A cross-account AssumeRole is recorded in the role's account too, failed or not, when the role
    // exists, so that account's explanation shows its trust policy and the full reason (issue #16 item 2).
    // DEVIATION: CloudTrail itself "does not log denied AWS STS requests in the target account's
    // CloudTrail" for cross-account role assumption (IAM User Guide, "Logging IAM and AWS STS API calls
    // with AWS CloudTrail",
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html#cloudtrail-integration_apis);
    // iamd records the denied call there as the issue asks. A role that does not exist has no account
    // to record in.
    if (role !== undefined && roleAccount !== undefined && roleAccount !== caller.account)
      ctx.alsoRecordIn(roleAccount);

    // MFA is checked before the decision that depends on it; its step is recorded at the end.
    if (mfa !== undefined) await precheckMfa(ctx, caller, mfa);
    const context = emptyBag<ContextValue>();
    context['sts:RoleSessionName'] = sessionName;
    if (typeof input.ExternalId === 'string') context['sts:ExternalId'] = input.ExternalId;
    if (sourceIdentity !== undefined) context['sts:SourceIdentity'] = sourceIdentity;
    Object.assign(context, sessionTagContext(tagPlan));
    if (mfa !== undefined) {
      // MFA proven in this request: the trust policy sees it (IAM User Guide, "Configuring
      // MFA-protected API access": aws:MultiFactorAuthPresent / aws:MultiFactorAuthAge).
      context['aws:MultiFactorAuthPresent'] = true;
      context['aws:MultiFactorAuthAge'] = 0;
    }
    // User and role principals are matched by the unique id bound when the policy was saved.
    const trust = role !== undefined ? trustPolicyForEvaluation(role) : TRUSTS_NOBODY;
    const authorize = (action: string) =>
      ctx.authorize({
        action,
        resource: roleArn,
        resourceAccount: roleAccount,
        resourcePolicy: trust,
        resourcePolicyType: 'trust',
        context,
      });
    await authorize('sts:AssumeRole');
    if (role === undefined || roleAccount === undefined) {
      // INVARIANT: the engine never allows against TRUSTS_NOBODY; refuse anyway if it ever did.
      throw new AwsError(
        'AccessDenied',
        `User: ${denyingPrincipalArn(caller)} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    if (tagPlan.tags.length > 0) await authorize('sts:TagSession');
    if (sourceIdentity !== undefined) await authorize('sts:SetSourceIdentity');

    const duration = requested ?? DEFAULT_ROLE_DURATION_SECONDS;
    if (duration > role.maxSessionDuration)
      throw new AwsError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );

    // Customer managed session policies must be in the role's account (AssumeRole API reference).
    const policies = await checkSessionPolicies(ctx.store, roleAccount, input.Policy, input.PolicyArns);
    const packed = packedSize(policies, tagPlan.tags, tagPlan.transitiveTagKeys);
    checkPackedSize(packed);

    const mfaAt = mfa !== undefined ? ctx.now : callerSession?.mfaAuthenticatedAt;
    const minted = mintSession(
      ctx,
      {
        kind: 'AssumedRole',
        account: roleAccount,
        roleName: role.roleName,
        roleId: role.roleId,
        rolePath: role.path,
        sessionName,
        sessionPolicies: policies.inline !== undefined ? [policies.inline] : undefined,
        sessionPolicyArns: policies.arns.length > 0 ? policies.arns : undefined,
        tags: tagPlan.tags.length > 0 ? tagPlan.tags : undefined,
        transitiveTagKeys: tagPlan.transitiveTagKeys.length > 0 ? tagPlan.transitiveTagKeys : undefined,
        mfaAuthenticatedAt: mfaAt,
        sourceIdentity,
        chained: chained || undefined,
        issuerType: caller.type,
        issuerArn: caller.arn,
      },
      duration,
    );

    // "PackedPolicySize" is absent from a plain AssumeRole answer and present when session policies or
    // tags were passed (LocalStack snapshot test_assume_role vs test_assume_role_with_policy).
    const passedPackables =
      input.Policy !== undefined || input.PolicyArns !== undefined || input.Tags !== undefined;
    const output: Record<string, unknown> = {
      Credentials: minted.credentials,
      AssumedRoleUser: {
        AssumedRoleId: `${role.roleId}:${sessionName}`,
        Arn: `arn:aws:sts::${roleAccount}:assumed-role/${role.roleName}/${sessionName}`,
      },
    };
    if (passedPackables) output.PackedPolicySize = packed.percent;
    if (sourceIdentity !== undefined) output.SourceIdentity = sourceIdentity;
    if (mfa === undefined && !writeLastUsed) return output;
    // One transaction, only when something is written: the used MFA step (so a code cannot be replayed)
    // and RoleLastUsed; the call's audit event lands in the same transaction. Only `tx` is read inside:
    // the store serialises transactions, so a read outside it would wait for this one to end.
    return ctx.transact(async (tx) => {
      if (mfa !== undefined) await consumeMfa(ctx, tx, caller, mfa);
      if (writeLastUsed) {
        // Re-read inside the transaction: the write never undoes a concurrent change to the role.
        const fresh = await tx.get<RoleBody>(roleAccount, 'role', nameKey(role.roleName));
        if (
          fresh !== undefined &&
          fresh.body.roleId === role.roleId &&
          lastUsedIsStale(fresh.body, ctx.now, ctx.region)
        )
          await tx.update(roleAccount, 'role', fresh.key, {
            ...fresh.body,
            lastUsed: { date: ctx.now, region: ctx.region },
          });
      }
      return output;
    });
  },
});
