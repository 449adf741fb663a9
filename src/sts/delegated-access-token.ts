/**
 * sts:GetDelegatedAccessToken (STS API reference:
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetDelegatedAccessToken.html): "Exchanges a
 * trade-in token for temporary AWS credentials with the permissions associated with the assumed
 * principal". The token is the one SendDelegationToken released for a FINALIZED delegation request
 * (src/iam/delegation-requests.ts); the credentials are a session of the request's owner (the principal
 * that associated it) whose session policy is the request's permission policy, so they can do at most
 * what both the owner and the accepted permissions allow. They end with the delegation period
 * (finalized + SessionDuration). `PackedPolicySize` "is not populated for GetDelegatedAccessToken".
 *
 * Where the reference is silent, iamd chooses: only the requestor account may trade the token in (it
 * was sent to that account's channel); it may be traded in more than once within the period (each
 * session still ends with the period); every invalid token — unknown, altered, another account's,
 * past the period, or for a request no longer FINALIZED — gets the same ExpiredTradeInTokenException,
 * so the answer tells nothing about which check failed.
 */
import { stsOperation } from '../api/typed-operation.js';
import { AwsError } from '../errors/index.js';
import { mintSession, type SessionFields } from '../domain/sessions.js';
import {
  effectiveState,
  hashTokenSecret,
  requestorOf,
  sameHash,
  type DelegationOwner,
  type DelegationRequestBody,
} from '../domain/delegation-requests.js';

/** The one answer for any token that cannot be traded in. */
function expiredToken(): AwsError {
  return new AwsError(
    'ExpiredTradeInTokenException',
    'The trade-in token provided in the request has expired or is invalid.',
  );
}

/** The session fields of the owner's delegated session. */
function ownerSession(owner: DelegationOwner, policy: string, issuerArn: string): SessionFields {
  const base = {
    account: owner.account,
    sessionPolicies: [policy],
    delegated: true,
    issuerArn,
    issuerType: 'AWSService',
  };
  if (owner.type === 'AssumedRole')
    return {
      ...base,
      kind: 'AssumedRole',
      roleName: owner.roleName,
      roleId: owner.roleId,
      rolePath: owner.rolePath,
      sessionName: owner.sessionName,
    };
  return { ...base, kind: 'SessionToken', userName: owner.userName, userId: owner.userId };
}

/** sts:GetDelegatedAccessToken. */
export const getDelegatedAccessToken = stsOperation<'GetDelegatedAccessToken'>({
  service: 'sts',
  name: 'GetDelegatedAccessToken',
  async handle(input, ctx) {
    const caller = ctx.principal;
    if (caller.type === 'Anonymous')
      throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
    await ctx.authorize({ action: 'sts:GetDelegatedAccessToken', resource: '*' });
    const dot = input.TradeInToken.indexOf('.');
    const id = dot > 0 ? input.TradeInToken.slice(0, dot) : '';
    const secret = dot > 0 ? input.TradeInToken.slice(dot + 1) : '';
    const requestor = requestorOf(id);
    if (requestor === undefined || requestor !== caller.account) throw expiredToken();
    const e = await ctx.store.get<DelegationRequestBody>(requestor, 'delegationRequest', id);
    const b = e?.body;
    if (
      b === undefined ||
      b.tokenHash === undefined ||
      b.owner === undefined ||
      !sameHash(hashTokenSecret(secret), b.tokenHash) ||
      effectiveState(b, ctx.now) !== 'FINALIZED'
    )
      throw expiredToken();
    const seconds = Math.floor((b.expiresAt - ctx.now) / 1000);
    if (seconds <= 0) throw expiredToken();
    const minted = mintSession(ctx, ownerSession(b.owner, b.permissionPolicy, caller.arn), seconds);
    ctx.alsoRecordIn(b.owner.account);
    const assumed =
      b.owner.type === 'AssumedRole'
        ? `arn:aws:sts::${b.owner.account}:assumed-role/${b.owner.roleName}/${b.owner.sessionName}`
        : b.owner.arn;
    return { Credentials: minted.credentials, AssumedPrincipal: assumed };
  },
});
