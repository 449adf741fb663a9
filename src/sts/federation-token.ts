/**
 * sts:GetFederationToken (STS API reference, GetFederationToken): a custom identity broker holding
 * long-term credentials mints credentials for a federated user `Name`. The session's permissions are
 * the intersection of the broker's identity policies and the session policies passed here ("If you do
 * not pass a policy to this operation, then the resulting federated user session has no permissions");
 * the authorizer applies that. Ids: `arn:aws:sts::ACCOUNT:federated-user/NAME` and `ACCOUNT:NAME`
 * (LocalStack snapshot test_get_federation_token, recorded against AWS, which also shows
 * `PackedPolicySize: 0` when no policy is passed). Session tags need `sts:TagSession`; they cannot be
 * transitive (there is no `TransitiveTagKeys` member).
 */
import type { ContextValue } from '../api/operation.js';
import { stsOperation } from '../api/typed-operation.js';
import { AwsError } from '../errors/index.js';
import { mintSession } from '../domain/sessions.js';
import { checkPackedSize, checkSessionPolicies, packedSize } from './session-policies.js';
import { inputSessionTags, planSessionTags, sessionTagContext } from './session-tags.js';
import { sessionCredentialsRefused, tokenDuration } from './session-token.js';

/** sts:GetFederationToken. */
export const getFederationToken = stsOperation<'GetFederationToken'>({
  service: 'sts',
  name: 'GetFederationToken',
  async handle(input, ctx) {
    const caller = ctx.principal;
    if (caller.type === 'Anonymous')
      throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
    if (caller.session !== undefined || (caller.type !== 'IAMUser' && caller.type !== 'Root'))
      throw sessionCredentialsRefused('GetFederationToken');
    const name = input.Name;
    const account = caller.account;
    const arn = `arn:aws:sts::${account}:federated-user/${name}`;
    const tagPlan = planSessionTags(inputSessionTags(input.Tags), [], undefined);
    const context: Record<string, ContextValue> = sessionTagContext(tagPlan);
    await ctx.authorize({ action: 'sts:GetFederationToken', resource: arn, context });
    if (tagPlan.tags.length > 0) await ctx.authorize({ action: 'sts:TagSession', resource: arn, context });

    // Customer managed session policies must be in the broker's account.
    const policies = await checkSessionPolicies(ctx.store, account, input.Policy, input.PolicyArns);
    const packed = packedSize(policies, tagPlan.tags, []);
    checkPackedSize(packed);

    const minted = mintSession(
      ctx,
      {
        kind: 'FederatedUser',
        account,
        userName: caller.type === 'IAMUser' ? caller.userName : undefined,
        userId: caller.type === 'IAMUser' ? caller.userId : undefined,
        federatedName: name,
        sessionPolicies: policies.inline !== undefined ? [policies.inline] : undefined,
        sessionPolicyArns: policies.arns.length > 0 ? policies.arns : undefined,
        tags: tagPlan.tags.length > 0 ? tagPlan.tags : undefined,
        issuerType: caller.type,
        issuerArn: caller.arn,
      },
      tokenDuration(input.DurationSeconds, caller.type === 'Root'),
    );
    return {
      Credentials: minted.credentials,
      FederatedUser: { FederatedUserId: `${account}:${name}`, Arn: arn },
      PackedPolicySize: packed.percent,
    };
  },
});
