/**
 * sts:GetSessionToken (STS API reference, GetSessionToken): temporary credentials for an IAM user or
 * the account root, typically to prove MFA. "No permissions are required for users to perform this
 * operation." Durations are 900–129,600 s (12 hours by default); "sessions for AWS account owners are
 * restricted to a maximum of 3,600 seconds (one hour). If the duration is longer than one hour, the
 * session for AWS account owners defaults to one hour." The credentials themselves cannot call IAM
 * without MFA, nor STS other than AssumeRole and GetCallerIdentity; the authorizer enforces that.
 */
import { stsOperation } from '../api/typed-operation.js';
import { AwsError } from '../errors/index.js';
import { mintSession } from '../domain/sessions.js';
import { consumeMfa, mfaInput, precheckMfa } from './mfa.js';

/** Default DurationSeconds of GetSessionToken and GetFederationToken: 43,200 s (12 hours). */
export const DEFAULT_TOKEN_DURATION_SECONDS = 43_200;
/** The account root's cap for GetSessionToken and GetFederationToken sessions: one hour. */
export const ROOT_TOKEN_MAX_SECONDS = 3600;

/** AccessDenied for GetSessionToken / GetFederationToken called with temporary credentials (aws-errors.md §1). */
export function sessionCredentialsRefused(operation: 'GetSessionToken' | 'GetFederationToken'): AwsError {
  return new AwsError('AccessDenied', `Cannot call ${operation} with session credentials`);
}

/** The session length for a user or root caller of GetSessionToken / GetFederationToken. */
export function tokenDuration(requested: unknown, root: boolean): number {
  const d = typeof requested === 'number' ? requested : DEFAULT_TOKEN_DURATION_SECONDS;
  return root ? Math.min(d, ROOT_TOKEN_MAX_SECONDS) : d;
}

/** sts:GetSessionToken. */
export const getSessionToken = stsOperation<'GetSessionToken'>({
  service: 'sts',
  name: 'GetSessionToken',
  action: null,
  async handle(input, ctx) {
    const caller = ctx.principal;
    if (caller.type === 'Anonymous')
      throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
    if (caller.session !== undefined || (caller.type !== 'IAMUser' && caller.type !== 'Root'))
      throw sessionCredentialsRefused('GetSessionToken');
    const root = caller.type === 'Root';
    const duration = tokenDuration(input.DurationSeconds, root);
    const mfa = mfaInput(input);
    if (mfa !== undefined) await precheckMfa(ctx, caller, mfa);
    const minted = mintSession(
      ctx,
      {
        kind: 'SessionToken',
        account: caller.account,
        userName: caller.type === 'IAMUser' ? caller.userName : undefined,
        userId: caller.type === 'IAMUser' ? caller.userId : undefined,
        mfaAuthenticatedAt: mfa !== undefined ? ctx.now : undefined,
        issuerType: caller.type,
        issuerArn: caller.arn,
      },
      duration,
    );
    const output = { Credentials: minted.credentials };
    if (mfa === undefined) return output;
    // The used MFA step is recorded in the call's one transaction (with its audit event).
    return ctx.transact(async (tx) => {
      await consumeMfa(ctx, tx, caller, mfa);
      return output;
    });
  },
});
