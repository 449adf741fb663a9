/**
 * Outbound identity federation switches (issue #20): EnableOutboundWebIdentityFederation,
 * DisableOutboundWebIdentityFederation, GetOutboundWebIdentityFederationInfo. Enabling gives the
 * account an issuer URL served by iamd (src/server/routes/outbound-issuer.ts) and its first signing
 * keys (RS256 and ES384); sts:GetWebIdentityToken (src/sts/web-identity-token.ts) signs with them.
 *
 * AWS: https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOutboundWebIdentityFederation.html,
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_DisableOutboundWebIdentityFederation.html
 * ("does not affect tokens that were issued before the feature was disabled").
 */
import type { CallContext, Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import { AwsError } from '../errors/index.js';
import { callerAccount } from './common.js';
import {
  OUTBOUND_FEDERATION_KEY,
  SIGNING_ALGORITHMS,
  getOutboundState,
  issuerUrl,
  newSigningKey,
  withKey,
  type OutboundState,
} from '../domain/outbound-federation.js';

/**
 * FeatureEnabled (409), AWS's documented text (API reference, EnableOutboundWebIdentityFederation,
 * Errors).
 */
export function featureEnabled(): AwsError {
  return new AwsError(
    'FeatureEnabled',
    'The request failed because outbound identity federation is already enabled for your AWS account. You cannot enable the feature multiple times. To fetch the current configuration (including the unique issuer URL), use the GetOutboundWebIdentityFederationInfo operation.',
  );
}

/**
 * FeatureDisabled (404) of Disable, AWS's documented text (API reference,
 * DisableOutboundWebIdentityFederation, Errors; no trailing period there either).
 */
export function featureAlreadyDisabled(): AwsError {
  return new AwsError(
    'FeatureDisabled',
    'The request failed because outbound identity federation is already disabled for your AWS account. You cannot disable the feature multiple times',
  );
}

/** FeatureDisabled (404) of GetInfo for an account that never enabled the feature (it has no issuer). */
export function featureNeverEnabled(): AwsError {
  return new AwsError(
    'FeatureDisabled',
    'The request failed because outbound identity federation has never been enabled for your AWS account, so it has no issuer URL.',
  );
}

/** The issuer URL of `state` (iamd knows its URL once it listens, before it serves any call). */
function issuerOf(ctx: CallContext, account: string, state: OutboundState): string {
  const base = ctx.services.publicUrl?.() ?? 'http://localhost';
  return issuerUrl(base, account, state.issuerId);
}

/**
 * EnableOutboundWebIdentityFederation. The issuer id is made on the first enable and kept across
 * disable / enable, so trust configured elsewhere keeps working; keys are made when none is current.
 */
export const enableOutboundWebIdentityFederation = iamOperation<'EnableOutboundWebIdentityFederation'>({
  service: 'iam',
  name: 'EnableOutboundWebIdentityFederation',
  async handle(_input, ctx) {
    const account = callerAccount(ctx);
    await ctx.authorize({ action: 'iam:EnableOutboundWebIdentityFederation', resource: '*' });
    const existing = await getOutboundState(ctx.store, account);
    if (existing?.state.enabled === true) throw featureEnabled();
    // Keys are generated outside the transaction (RSA generation takes tens of milliseconds).
    let state: OutboundState = existing?.state ?? {
      issuerId: Buffer.from(ctx.services.random(16)).toString('hex'),
      enabled: true,
      keys: [],
    };
    for (const alg of SIGNING_ALGORITHMS)
      if (!state.keys.some((k) => k.alg === alg && k.retiredAt === undefined))
        state = withKey(state, newSigningKey(account, alg, ctx.now, ctx.services), ctx.now);
    const next: OutboundState = { ...state, enabled: true };
    return ctx.transact(async (tx) => {
      const cur = await tx.get<OutboundState>(account, 'setting', OUTBOUND_FEDERATION_KEY);
      if (cur?.body.enabled === true) throw featureEnabled();
      if (cur === undefined) await tx.insert(account, 'setting', OUTBOUND_FEDERATION_KEY, next);
      else
        await tx.update(account, 'setting', OUTBOUND_FEDERATION_KEY, next, { expectedVersion: cur.version });
      return { IssuerIdentifier: issuerOf(ctx, account, next) };
    });
  },
});

/** DisableOutboundWebIdentityFederation: no new tokens; keys stay published for tokens already issued. */
export const disableOutboundWebIdentityFederation = iamOperation<'DisableOutboundWebIdentityFederation'>({
  service: 'iam',
  name: 'DisableOutboundWebIdentityFederation',
  async handle(_input, ctx) {
    const account = callerAccount(ctx);
    await ctx.authorize({ action: 'iam:DisableOutboundWebIdentityFederation', resource: '*' });
    return ctx.transact(async (tx) => {
      const cur = await tx.get<OutboundState>(account, 'setting', OUTBOUND_FEDERATION_KEY);
      if (cur === undefined || !cur.body.enabled) throw featureAlreadyDisabled();
      await tx.update(
        account,
        'setting',
        OUTBOUND_FEDERATION_KEY,
        { ...cur.body, enabled: false },
        { expectedVersion: cur.version },
      );
      return {};
    });
  },
});

/**
 * GetOutboundWebIdentityFederationInfo: the issuer URL and whether tokens may be vended. An account
 * that never enabled the feature has no issuer: FeatureDisabled (the model's one error).
 */
export const getOutboundWebIdentityFederationInfo = iamOperation<'GetOutboundWebIdentityFederationInfo'>({
  service: 'iam',
  name: 'GetOutboundWebIdentityFederationInfo',
  async handle(_input, ctx) {
    const account = callerAccount(ctx);
    await ctx.authorize({ action: 'iam:GetOutboundWebIdentityFederationInfo', resource: '*' });
    const found = await getOutboundState(ctx.store, account);
    if (found === undefined) throw featureNeverEnabled();
    return {
      IssuerIdentifier: issuerOf(ctx, account, found.state),
      JwtVendingEnabled: found.state.enabled,
    };
  },
});

/** The outbound federation operations, registered in `src/iam/index.ts`. */
export const outboundFederationOperations: readonly Operation[] = [
  enableOutboundWebIdentityFederation,
  disableOutboundWebIdentityFederation,
  getOutboundWebIdentityFederationInfo,
];
