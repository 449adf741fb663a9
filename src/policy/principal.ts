/**
 * Building a {@link RequestPrincipal} from text, and the principal's request-context keys.
 * IAM User Guide, "AWS global condition context keys" (aws:PrincipalArn, aws:PrincipalAccount,
 * aws:PrincipalType, aws:username, aws:userid) and "IAM identifiers" (ARN shapes).
 */
import type { ContextValue, RequestPrincipal } from './types.js';

/**
 * Parses a principal as written in a CLI case or test: an IAM user/role/root ARN, an assumed-role
 * session ARN (`arn:aws:sts::A:assumed-role/R/S`, whose role ARN becomes `arn:aws:iam::A:role/R`),
 * a federated-user ARN, an account id, a service principal (`ec2.amazonaws.com`), an OIDC/SAML
 * provider ARN, `cognito-identity.amazonaws.com`-style federated providers given as
 * `federated:NAME`, or `anonymous`/`*`. `undefined` for anything else.
 */
export function principalFromString(text: string): RequestPrincipal | undefined {
  if (text === 'anonymous' || text === '*') return { kind: 'Anonymous' };
  if (/^\d{12}$/.test(text)) return { kind: 'AWS', arn: `arn:aws:iam::${text}:root`, account: text };
  if (text.startsWith('federated:')) return { kind: 'Federated', provider: text.slice(10) };
  const m = /^arn:([^:]+):(iam|sts)::(\d{12}):(.+)$/.exec(text);
  if (m) {
    const [, partition, service, account, res] = m as unknown as [string, string, string, string, string];
    if (service === 'iam' && /^(oidc-provider|saml-provider)\//.test(res))
      return { kind: 'Federated', provider: text };
    if (service === 'sts') {
      const s = /^assumed-role\/([^/]+)\/(.+)$/.exec(res);
      if (s)
        return { kind: 'AWS', arn: text, account, roleArn: `arn:${partition}:iam::${account}:role/${s[1]}` };
      if (/^federated-user\/./.test(res)) return { kind: 'AWS', arn: text, account };
      return undefined;
    }
    if (res === 'root' || /^(user|role)\/./.test(res)) return { kind: 'AWS', arn: text, account };
    return undefined;
  }
  if (/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(text)) return { kind: 'Service', service: text };
  return undefined;
}

/**
 * Context keys AWS sets from the principal itself (aws:PrincipalArn, aws:PrincipalAccount,
 * aws:PrincipalType, aws:username for IAM users, aws:userid when known). Callers merge them under
 * the request's own keys. For role sessions aws:PrincipalArn is the role ARN (condition-keys page).
 */
export function principalContext(p: RequestPrincipal): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = Object.create(null) as Record<string, ContextValue>;
  if (p.kind === 'Service') {
    out['aws:PrincipalServiceName'] = p.service;
    return out;
  }
  if (p.kind !== 'AWS') return out;
  out['aws:PrincipalAccount'] = p.account;
  out['aws:PrincipalArn'] = p.roleArn ?? p.arn;
  if (p.userId !== undefined) out['aws:userid'] = p.userId;
  const res = p.arn.slice(p.arn.indexOf(':', p.arn.indexOf('::') + 2) + 1);
  if (res === 'root') out['aws:PrincipalType'] = 'Account';
  else if (res.startsWith('user/')) {
    out['aws:PrincipalType'] = 'User';
    out['aws:username'] = res.slice(res.lastIndexOf('/') + 1);
  } else if (res.startsWith('assumed-role/')) out['aws:PrincipalType'] = 'AssumedRole';
  else if (res.startsWith('federated-user/')) out['aws:PrincipalType'] = 'FederatedUser';
  return out;
}
