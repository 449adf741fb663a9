/**
 * sts:GetWebIdentityToken (issue #20, outbound identity federation): a JWT, signed with the caller's
 * account key, that proves the calling AWS identity to an outside service which trusts the account's
 * issuer (published by iamd at `<issuer>/.well-known/openid-configuration` and `jwks.json`).
 *
 * AWS: https://docs.aws.amazon.com/STS/latest/APIReference/API_GetWebIdentityToken.html (Audience 1–10,
 * DurationSeconds 60–3600 default 300, SigningAlgorithm RS256 | ES384, Tags become claims; errors
 * OutboundWebIdentityFederationDisabledException, SessionDurationEscalationException) and
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_token_claims.html (the
 * claims: iss, aud, sub, iat, exp, jti and, under `https://sts.amazonaws.com/`, aws_account,
 * source_region, principal_id, principal_tags, request_tags).
 *
 * Authorization (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_policies.html):
 * `sts:GetWebIdentityToken` with the condition keys `sts:IdentityTokenAudience` (multivalued),
 * `sts:SigningAlgorithm`, `sts:DurationSeconds` and the request tags (`aws:RequestTag/…`,
 * `aws:TagKeys`); passing Tags also needs `sts:TagGetWebIdentityToken`.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { CallContext, ContextValue } from '../api/operation.js';
import { stsOperation } from '../api/typed-operation.js';
import type { Principal, SessionTag } from '../domain/principal.js';
import type { RoleBody, UserBody } from '../domain/entities.js';
import { nameKey } from '../domain/names.js';
import { AwsError } from '../errors/index.js';
import {
  OUTBOUND_FEDERATION_KEY,
  SIGNING_ALGORITHMS,
  currentKey,
  getOutboundState,
  issuerUrl,
  needsRotation,
  newSigningKey,
  privateKeyOf,
  withKey,
  type OutboundKey,
  type OutboundState,
  type SigningAlgorithm,
} from '../domain/outbound-federation.js';
import { duplicateTagKeys, inputSessionTags } from './session-tags.js';

/** Default token lifetime: 300 s (API reference, DurationSeconds). */
export const DEFAULT_WEB_IDENTITY_TOKEN_SECONDS = 300;

/** The claim namespace of AWS's own claims (token claims page). */
export const STS_CLAIM_NAMESPACE = 'https://sts.amazonaws.com/';

/** The model's description of OutboundWebIdentityFederationDisabledException. */
export function outboundDisabled(): AwsError {
  return new AwsError(
    'OutboundWebIdentityFederationDisabledException',
    'The outbound web identity federation feature is not enabled for this account. To use this feature, you must first enable it through the AWS Management Console or API.',
  );
}

/** The model's description of SessionDurationEscalationException (botocore STS exceptions reference). */
export function sessionDurationEscalation(): AwsError {
  return new AwsError(
    'SessionDurationEscalationException',
    'The requested token duration would extend the session beyond its original expiration time. You cannot use this operation to extend the lifetime of a session beyond what was granted when the session was originally created.',
  );
}

/** The ARN a token names: a role session's role (token claims page: "sub" is the role ARN), else the caller's. */
function subjectArn(p: Exclude<Principal, { type: 'Anonymous' }>): string {
  return p.type === 'AssumedRole' ? p.roleArn : p.arn;
}

/** The caller's principal tags (user tags; role tags overridden by session tags), as `aws:PrincipalTag`. */
async function principalTags(ctx: CallContext, p: Principal): Promise<SessionTag[]> {
  if (p.type === 'IAMUser') {
    const u = await ctx.store.get<UserBody>(p.account, 'user', nameKey(p.userName));
    return u === undefined ? [] : u.body.tags.map((t) => ({ key: t.Key, value: t.Value }));
  }
  if (p.type === 'AssumedRole') {
    const tags = new Map<string, SessionTag>();
    const r = await ctx.store.get<RoleBody>(p.account, 'role', nameKey(p.roleName));
    for (const t of r?.body.tags ?? []) tags.set(t.Key.toLowerCase(), { key: t.Key, value: t.Value });
    for (const t of p.session.tags ?? []) tags.set(t.key.toLowerCase(), t);
    return [...tags.values()];
  }
  return p.type === 'FederatedUser' ? [...(p.session.tags ?? [])] : [];
}

function tagObject(tags: readonly SessionTag[]): Record<string, string> {
  const o: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const t of tags) o[t.key] = t.value;
  return o;
}

/**
 * The key that signs with `alg` now, rotating when the current one is older than a day. A rotation
 * is written to the store (every node then publishes and signs with the same keys); when another node
 * rotated first, its key is used.
 */
async function signingKey(
  ctx: CallContext,
  account: string,
  state: OutboundState,
  alg: SigningAlgorithm,
): Promise<OutboundKey> {
  const key = currentKey(state, alg);
  if (key !== undefined && !needsRotation(state, alg, ctx.now)) return key;
  const fresh = newSigningKey(account, alg, ctx.now, ctx.services);
  const written = await ctx.transact(async (tx) => {
    const cur = await tx.get<OutboundState>(account, 'setting', OUTBOUND_FEDERATION_KEY);
    if (cur === undefined) return { kid: '' };
    if (!needsRotation(cur.body, alg, ctx.now)) return { kid: currentKey(cur.body, alg)?.kid ?? '' };
    await tx.update(account, 'setting', OUTBOUND_FEDERATION_KEY, withKey(cur.body, fresh, ctx.now), {
      expectedVersion: cur.version,
    });
    return { kid: fresh.kid };
  });
  if (written.kid === fresh.kid) return fresh;
  const again = await getOutboundState(ctx.store, account);
  const other = again === undefined ? undefined : again.state.keys.find((k) => k.kid === written.kid);
  if (other === undefined) throw outboundDisabled();
  return other;
}

/** sts:GetWebIdentityToken. */
export const getWebIdentityToken = stsOperation<'GetWebIdentityToken'>({
  service: 'sts',
  name: 'GetWebIdentityToken',
  async handle(input, ctx) {
    const p = ctx.principal;
    if (p.type === 'Anonymous')
      throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
    const audiences = input.Audience;
    const alg = input.SigningAlgorithm;
    if (!(SIGNING_ALGORITHMS as readonly string[]).includes(alg))
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value '${alg}' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]`,
      );
    const algorithm = alg as SigningAlgorithm;
    const duration = input.DurationSeconds ?? DEFAULT_WEB_IDENTITY_TOKEN_SECONDS;
    const requestTags = inputSessionTags(input.Tags);
    const seen = new Set<string>();
    for (const t of requestTags) {
      if (seen.has(t.key.toLowerCase())) throw duplicateTagKeys();
      seen.add(t.key.toLowerCase());
    }
    const context: Record<string, ContextValue> = Object.create(null) as Record<string, ContextValue>;
    context['sts:IdentityTokenAudience'] = audiences;
    context['sts:SigningAlgorithm'] = algorithm;
    context['sts:DurationSeconds'] = duration;
    for (const t of requestTags) context[`aws:RequestTag/${t.key}`] = t.value;
    if (requestTags.length > 0) context['aws:TagKeys'] = requestTags.map((t) => t.key);
    await ctx.authorize({ action: 'sts:GetWebIdentityToken', resource: '*', context });
    // Tags need their own permission ("Controlling access with IAM policies", outbound federation).
    if (requestTags.length > 0)
      await ctx.authorize({ action: 'sts:TagGetWebIdentityToken', resource: '*', context });

    const account = p.account;
    const found = await getOutboundState(ctx.store, account);
    if (found === undefined || !found.state.enabled) throw outboundDisabled();
    // A session's token may not outlive the session (API reference, SessionDurationEscalationException).
    const expiresAt = ctx.now + duration * 1000;
    if (p.session !== undefined && expiresAt > p.session.expiresAt) throw sessionDurationEscalation();

    const key = await signingKey(ctx, account, found.state, algorithm);
    const issuer = issuerUrl(ctx.services.publicUrl?.() ?? 'http://localhost', account, found.state.issuerId);
    const aws: Record<string, unknown> = {
      aws_account: account,
      source_region: ctx.region,
      principal_id: subjectArn(p),
    };
    const ptags = await principalTags(ctx, p);
    if (ptags.length > 0) aws.principal_tags = tagObject(ptags);
    if (requestTags.length > 0) aws.request_tags = tagObject(requestTags);
    const iat = Math.floor(ctx.now / 1000);
    const token = await new SignJWT({ [STS_CLAIM_NAMESPACE]: aws })
      .setProtectedHeader({ alg: algorithm, kid: key.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setSubject(subjectArn(p))
      .setAudience(audiences.length === 1 ? audiences[0]! : [...audiences])
      .setIssuedAt(iat)
      .setExpirationTime(iat + duration)
      .setJti(randomUUID())
      .sign(privateKeyOf(account, key, ctx.services.unsealSecret));
    return { WebIdentityToken: token, Expiration: (iat + duration) * 1000 };
  },
});
