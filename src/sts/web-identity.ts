/**
 * sts:AssumeRoleWithWebIdentity (STS API reference; IAM User Guide, "OIDC federation", "Available keys
 * for AWS OIDC federation"), and the part it shares with AssumeRoleWithSAML: deciding the role's trust
 * policy for a federated principal and minting the role session.
 *
 * The request is unsigned; the caller is the federated identity, not an AWS principal, so the trust
 * decision is made here with the policy engine directly: principal `{Federated: PROVIDER_ARN}`, the
 * role's trust policy as the resource-based policy, the token's claims as condition keys. No
 * identity-based policy takes part (there is no IAM caller), exactly as AWS decides these calls.
 * A role that does not exist is refused like a role whose trust policy does not allow the call.
 */
import { createHash } from 'node:crypto';
import type { CallContext, ContextValue } from '../api/operation.js';
import { stsOperation } from '../api/typed-operation.js';
import type { SessionTag } from '../domain/principal.js';
import { AwsError } from '../errors/index.js';
import { evaluate, loadPolicy } from '../policy/index.js';
import { globalContext } from '../authz/context.js';
import type { OidcProviderBody, RoleBody } from '../domain/entities.js';
import { nameKey } from '../domain/names.js';
import { oidcProviderKey } from '../domain/identity-providers.js';
import {
  unverifiedIssuer,
  verifyWebIdentityToken,
  webIdentityConditionKeys,
  webIdentityTags,
  type FederationServices,
} from '../federation/index.js';
import { DEFAULT_ROLE_DURATION_SECONDS, parseRoleArn } from './assume-role.js';
import { TRUSTS_NOBODY } from '../domain/trust-principals.js';
import { mintSession, type CredentialsOutput } from '../domain/sessions.js';
import { checkPackedSize, checkSessionPolicies, packedSize } from './session-policies.js';
import { planSessionTags, sessionTagContext } from './session-tags.js';

/** What {@link assumeRoleFederated} needs from the two federation operations. */
export interface FederatedAssumeRequest {
  readonly action: 'sts:AssumeRoleWithWebIdentity' | 'sts:AssumeRoleWithSAML';
  readonly roleArn: string;
  readonly providerArn: string;
  readonly sessionName: string;
  /** Claim / attribute condition keys (`HOST:sub`, `saml:aud`, …). */
  readonly claimContext: Readonly<Record<string, ContextValue>>;
  readonly tags: readonly SessionTag[];
  readonly transitiveTagKeys: readonly string[];
  readonly sourceIdentity: string | undefined;
  /** `DurationSeconds`, or the IdP's wish (SAML `SessionDuration`); default one hour. */
  readonly durationSeconds: number | undefined;
  /** The session may not outlive this instant (SAML `SessionNotOnOrAfter`), ms. */
  readonly notAfter?: number | undefined;
  readonly policy: unknown;
  readonly policyArns: unknown;
  readonly issuerType: 'WebIdentityUser' | 'SAMLUser';
  readonly subject: string;
}

/** The common part of both answers. */
export interface FederatedAssumeResult {
  readonly Credentials: CredentialsOutput;
  readonly AssumedRoleUser: { readonly AssumedRoleId: string; readonly Arn: string };
  readonly PackedPolicySize?: number;
  readonly SourceIdentity?: string;
}

/** "Not authorized to perform sts:AssumeRoleWithWebIdentity" / "…WithSAML" (aws-errors.md §1, 403 AccessDenied). */
export function notAuthorized(action: string): AwsError {
  return new AwsError('AccessDenied', `Not authorized to perform ${action}`);
}

/** The federation services, which the composition root always provides. */
export function federationServices(ctx: CallContext): FederationServices {
  const f = ctx.services.federation;
  if (f === undefined) throw new Error('federation services are not configured');
  return f;
}

/**
 * Decides the trust policy for the federated principal (and `sts:TagSession` / `sts:SetSourceIdentity`
 * when tags or a source identity come with the identity), checks duration and session policies, and
 * mints the role session. Throws AWS's errors.
 */
export async function assumeRoleFederated(
  ctx: CallContext,
  req: FederatedAssumeRequest,
): Promise<FederatedAssumeResult> {
  const parts = parseRoleArn(req.roleArn);
  const roleEntity =
    parts === undefined
      ? undefined
      : await ctx.store.get<RoleBody>(parts.account, 'role', nameKey(parts.name));
  const role = roleEntity !== undefined && roleEntity.body.arn === req.roleArn ? roleEntity.body : undefined;
  const tagPlan = planSessionTags(req.tags, req.transitiveTagKeys, undefined);

  const context = globalContext({ type: 'Anonymous' }, [], {
    now: ctx.now,
    sourceIp: ctx.sourceIp,
    userAgent: ctx.userAgent,
    secureTransport: ctx.secureTransport,
    region: ctx.region,
  });
  // aws:FederatedProvider names the IdP the identity came from (IAM User Guide, global condition keys).
  context['aws:FederatedProvider'] = req.providerArn;
  context['sts:RoleSessionName'] = req.sessionName;
  Object.assign(context, req.claimContext, sessionTagContext(tagPlan));
  if (req.sourceIdentity !== undefined) context['sts:SourceIdentity'] = req.sourceIdentity;

  const trust = loadPolicy(role?.assumeRolePolicyDocument ?? TRUSTS_NOBODY, 'trust');
  const allowed = (action: string): boolean =>
    evaluate(
      {
        principal: { kind: 'Federated', provider: req.providerArn },
        action,
        resource: req.roleArn,
        ...(parts !== undefined ? { resourceAccount: parts.account } : {}),
        context,
      },
      { resource: trust },
    ).decision === 'Allow';
  if (!allowed(req.action) || role === undefined || parts === undefined) throw notAuthorized(req.action);
  if (tagPlan.tags.length > 0 && !allowed('sts:TagSession')) throw notAuthorized('sts:TagSession');
  if (req.sourceIdentity !== undefined && !allowed('sts:SetSourceIdentity'))
    throw notAuthorized('sts:SetSourceIdentity');

  const requested = req.durationSeconds ?? DEFAULT_ROLE_DURATION_SECONDS;
  if (requested > role.maxSessionDuration)
    throw new AwsError(
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  let duration = requested;
  if (req.notAfter !== undefined) {
    // "…or until the time specified in the SAML authentication response's SessionNotOnOrAfter value,
    // whichever is shorter" (STS API reference, AssumeRoleWithSAML DurationSeconds).
    const left = Math.floor((req.notAfter - Math.floor(ctx.now / 1000) * 1000) / 1000);
    if (left <= 0)
      throw new AwsError(
        'ExpiredTokenException',
        'The SAML assertion has expired: SessionNotOnOrAfter has passed',
      );
    duration = Math.min(duration, left);
  }

  const policies = await checkSessionPolicies(ctx.store, parts.account, req.policy, req.policyArns);
  const packed = packedSize(policies, tagPlan.tags, tagPlan.transitiveTagKeys);
  checkPackedSize(packed);

  const minted = mintSession(
    ctx,
    {
      kind: 'AssumedRole',
      account: parts.account,
      roleName: role.roleName,
      roleId: role.roleId,
      rolePath: role.path,
      sessionName: req.sessionName,
      sessionPolicies: policies.inline !== undefined ? [policies.inline] : undefined,
      sessionPolicyArns: policies.arns.length > 0 ? policies.arns : undefined,
      tags: tagPlan.tags.length > 0 ? tagPlan.tags : undefined,
      transitiveTagKeys: tagPlan.transitiveTagKeys.length > 0 ? tagPlan.transitiveTagKeys : undefined,
      sourceIdentity: req.sourceIdentity,
      issuerType: req.issuerType,
      issuerArn: req.providerArn,
      federatedProvider: req.providerArn,
      federatedSubject: req.subject,
    },
    duration,
  );
  // The unsigned caller has no account; the event belongs to the role's account, and CloudTrail names
  // the federated identity (userIdentity type WebIdentityUser / SAMLUser, CloudTrail userIdentity element).
  ctx.identifyCaller?.(
    {
      type: req.issuerType,
      principalId: `${req.providerArn}:${req.subject}`,
      userName: req.subject,
      identityProvider: req.providerArn,
    },
    parts.account,
  );
  const passedPackables = req.policy !== undefined || req.policyArns !== undefined || tagPlan.tags.length > 0;
  return {
    Credentials: minted.credentials,
    AssumedRoleUser: {
      AssumedRoleId: `${role.roleId}:${req.sessionName}`,
      Arn: `arn:aws:sts::${parts.account}:assumed-role/${role.roleName}/${req.sessionName}`,
    },
    ...(passedPackables ? { PackedPolicySize: packed.percent } : {}),
    ...(req.sourceIdentity !== undefined ? { SourceIdentity: req.sourceIdentity } : {}),
  };
}

/** `sts:SourceIdentity` rule (STS API reference, SourceIdentity: `[\w+=,.@-]*`, 2–64 characters). */
export const SOURCE_IDENTITY_PATTERN = /^[\w+=,.@-]{2,64}$/;

/** sts:AssumeRoleWithWebIdentity. */
export const assumeRoleWithWebIdentity = stsOperation<'AssumeRoleWithWebIdentity'>({
  service: 'sts',
  name: 'AssumeRoleWithWebIdentity',
  auth: 'unsigned',
  async handle(input, ctx) {
    const fed = federationServices(ctx);
    const roleArn = input.RoleArn;
    const token = input.WebIdentityToken;
    // ProviderId is only for OAuth 2.0 access tokens of www.amazon.com / graph.facebook.com (API reference).
    if (input.ProviderId !== undefined)
      throw new AwsError(
        'InvalidParameterValue',
        'ProviderId is only for OAuth 2.0 access tokens from www.amazon.com and graph.facebook.com, which iamd does not support',
      );
    const issuer = unverifiedIssuer(token);
    const parts = parseRoleArn(roleArn);
    if (parts === undefined) throw notAuthorized('sts:AssumeRoleWithWebIdentity');
    const key = oidcProviderKey(issuer);
    const entity = await ctx.store.get<OidcProviderBody>(parts.account, 'oidcProvider', key);
    // "No OpenIDConnect provider found in your account for ISS" (aws-errors.md: mozilla-iam/mozilla-aws-cli#127).
    if (entity === undefined || entity.body.url !== issuer)
      throw new AwsError(
        'InvalidIdentityToken',
        `No OpenIDConnect provider found in your account for ${issuer}`,
      );
    const provider = entity.body;
    const verified = await verifyWebIdentityToken(token, provider, fed.oidcKeys, ctx.now);
    const tags = webIdentityTags(verified.claims);
    const si = verified.claims['https://aws.amazon.com/source_identity'];
    let sourceIdentity: string | undefined;
    if (si !== undefined) {
      if (typeof si !== 'string' || !SOURCE_IDENTITY_PATTERN.test(si))
        throw new AwsError('InvalidIdentityToken', 'Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64}');
      sourceIdentity = si;
    }
    const result = await assumeRoleFederated(ctx, {
      action: 'sts:AssumeRoleWithWebIdentity',
      roleArn,
      providerArn: provider.arn,
      sessionName: input.RoleSessionName,
      claimContext: webIdentityConditionKeys(key, verified),
      tags: tags.tags,
      transitiveTagKeys: tags.transitiveTagKeys,
      sourceIdentity,
      durationSeconds: typeof input.DurationSeconds === 'number' ? input.DurationSeconds : undefined,
      policy: input.Policy,
      policyArns: input.PolicyArns,
      issuerType: 'WebIdentityUser',
      subject: verified.subject,
    });
    return {
      ...result,
      SubjectFromWebIdentityToken: verified.subject,
      Provider: provider.arn,
      Audience: verified.audience,
    };
  },
});

/** A short digest for keys built from untrusted text (meta names stay bounded). */
export function digestKey(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\n'), 'utf8').digest('base64url');
}
