/**
 * STS operations about the caller and its keys: GetCallerIdentity (no permission needed) and
 * GetAccessKeyInfo (decodes the account from the key id, no lookup).
 */
import type { Operation } from '../api/operation.js';
import { stsOperation } from '../api/typed-operation.js';
import { AwsError } from '../errors/index.js';
import { accountFromAccessKeyId } from '../credentials/ids.js';
import { KEY_ACCOUNT_META } from '../authn/resolve.js';

/**
 * "No permissions are required to perform this operation. If an administrator attaches a policy to your
 * identity that explicitly denies access to the sts:GetCallerIdentity action, you can still perform this
 * operation." (STS API reference, GetCallerIdentity)
 */
export const getCallerIdentity = stsOperation<'GetCallerIdentity'>({
  service: 'sts',
  name: 'GetCallerIdentity',
  action: null,
  async handle(_input, ctx) {
    const p = ctx.principal;
    if (p.type === 'Anonymous')
      throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
    return { UserId: p.userId, Account: p.account, Arn: p.arn };
  },
});

/** GetAccessKeyInfo: the account an access key id belongs to (STS API reference). */
export const getAccessKeyInfo = stsOperation<'GetAccessKeyInfo'>({
  service: 'sts',
  name: 'GetAccessKeyInfo',
  action: null,
  async handle(input, ctx) {
    await ctx.authorize({ action: 'sts:GetAccessKeyInfo', resource: '*' });
    const id = input.AccessKeyId;
    // Keys iamd minted encode their account; keys given from outside (env, seed) are looked up.
    const account = accountFromAccessKeyId(id) ?? (await ctx.store.getMeta(KEY_ACCOUNT_META + id));
    if (account === undefined)
      throw new AwsError('InvalidParameterValue', `The access key ID ${id} is not valid`);
    return { Account: account };
  },
});

/** The STS operations in this file. */
export const callerOperations: readonly Operation[] = [getCallerIdentity, getAccessKeyInfo];
