/**
 * The request context AWS builds for every call (global condition keys). Source: IAM User Guide,
 * "AWS global condition context keys".
 */
import type { ContextValue } from '../api/operation.js';
import type { Principal, SessionTag } from '../domain/principal.js';
import { isoSeconds } from '../core/clock.js';
import { emptyBag } from '../core/bag.js';

/** Facts about the HTTP request that become condition keys. */
export interface RequestFacts {
  readonly now: number;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly secureTransport: boolean;
  readonly region: string;
}

/**
 * Global keys for `principal` making a request. `tags` are the principal's tags (user or role tags,
 * with session tags overriding role tags, as AWS documents for `aws:PrincipalTag`).
 */
export function globalContext(
  principal: Principal,
  tags: readonly SessionTag[],
  facts: RequestFacts,
): Record<string, ContextValue> {
  const c = emptyBag<ContextValue>();
  c['aws:CurrentTime'] = isoSeconds(facts.now);
  c['aws:EpochTime'] = Math.floor(facts.now / 1000);
  c['aws:SecureTransport'] = facts.secureTransport;
  c['aws:SourceIp'] = facts.sourceIp;
  c['aws:UserAgent'] = facts.userAgent;
  c['aws:RequestedRegion'] = facts.region;
  c['aws:ViaAWSService'] = false;
  c['aws:PrincipalIsAWSService'] = false;
  if (principal.type === 'Anonymous') return c;
  c['aws:PrincipalArn'] = principal.type === 'AssumedRole' ? principal.roleArn : principal.arn;
  c['aws:PrincipalAccount'] = principal.account;
  c['aws:userid'] = principal.userId;
  switch (principal.type) {
    case 'Root':
      c['aws:PrincipalType'] = 'Account';
      break;
    case 'IAMUser':
      c['aws:PrincipalType'] = 'User';
      c['aws:username'] = principal.userName;
      break;
    case 'AssumedRole':
      c['aws:PrincipalType'] = 'AssumedRole';
      break;
    case 'FederatedUser':
      c['aws:PrincipalType'] = 'FederatedUser';
      break;
  }
  for (const t of tags) c[`aws:PrincipalTag/${t.key}`] = t.value;
  const session = principal.session;
  if (session) {
    c['aws:TokenIssueTime'] = isoSeconds(session.issuedAt);
    // aws:MultiFactorAuthPresent is present (true) only for MFA-authenticated temporary credentials;
    // for others it is false in sessions (global keys page).
    c['aws:MultiFactorAuthPresent'] = session.mfaAuthenticatedAt !== undefined;
    if (session.mfaAuthenticatedAt !== undefined)
      c['aws:MultiFactorAuthAge'] = Math.max(0, Math.floor((facts.now - session.mfaAuthenticatedAt) / 1000));
    if (session.sourceIdentity !== undefined) c['aws:SourceIdentity'] = session.sourceIdentity;
    if (session.federatedProvider !== undefined) c['aws:FederatedProvider'] = session.federatedProvider;
  }
  return c;
}
