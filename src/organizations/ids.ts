/**
 * Identifiers and ARNs of AWS Organizations objects, as the Organizations API reference documents
 * them (https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html and the
 * `Id` members of Root, OrganizationalUnit, Policy, Handshake, CreateAccountStatus):
 *
 * - organization `o-` + 10 lowercase letters or digits (pattern `^o-[a-z0-9]{10,32}$`)
 * - root `r-` + 4 (`^r-[0-9a-z]{4,32}$`)
 * - OU `ou-` + the root's 4 + `-` + 8 (`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
 * - policy `p-` + 8 (`^p-[0-9a-zA-Z_]{8,128}$`); AWS managed ones are `p-FullAWSAccess`, `p-RCPFullAWSAccess`
 * - handshake `h-` + 10 (`^h-[0-9a-z]{8,32}$`)
 * - create-account request `car-` + 32 (`^car-[a-z0-9]{8,32}$`)
 *
 * Pure: randomness is passed in.
 */

/** A source of `n` random bytes. */
export type RandomBytes = (n: number) => Uint8Array;

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `n` lowercase letters or digits. Rejection sampling keeps every character equally likely. */
export function randomLowerAlnum(random: RandomBytes, n: number): string {
  let out = '';
  while (out.length < n) {
    for (const b of random(n * 2)) {
      // 252 = 7 * 36: bytes at or above it would favour the first characters.
      if (b >= 252) continue;
      out += ALNUM[b % 36];
      if (out.length === n) break;
    }
  }
  return out;
}

/** A new organization id. */
export function newOrganizationId(random: RandomBytes): string {
  return `o-${randomLowerAlnum(random, 10)}`;
}

/** A new root id. */
export function newRootId(random: RandomBytes): string {
  return `r-${randomLowerAlnum(random, 4)}`;
}

/** A new OU id under root `rootId` (the OU id carries the root's suffix). */
export function newOuId(random: RandomBytes, rootId: string): string {
  return `ou-${rootId.slice(2)}-${randomLowerAlnum(random, 8)}`;
}

/** A new customer-managed policy id. */
export function newPolicyId(random: RandomBytes): string {
  return `p-${randomLowerAlnum(random, 8)}`;
}

/** A new handshake id. */
export function newHandshakeId(random: RandomBytes): string {
  return `h-${randomLowerAlnum(random, 10)}`;
}

/** A new create-account request id. */
export function newCreateAccountRequestId(random: RandomBytes): string {
  return `car-${randomLowerAlnum(random, 32)}`;
}

/** The id of the AWS managed SCP attached everywhere when SCPs are enabled. */
export const FULL_AWS_ACCESS_ID = 'p-FullAWSAccess';
/** The id of the AWS managed RCP attached everywhere when RCPs are enabled. */
export const RCP_FULL_AWS_ACCESS_ID = 'p-RCPFullAWSAccess';

/** The kind of target an id names (root, OU or account), or undefined when it is none of them. */
export function targetKind(id: string): 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT' | undefined {
  if (/^r-[0-9a-z]{4,32}$/.test(id)) return 'ROOT';
  if (/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/.test(id)) return 'ORGANIZATIONAL_UNIT';
  if (/^\d{12}$/.test(id)) return 'ACCOUNT';
  return undefined;
}

/** The lower-case path segment AWS uses for a policy type in policy ARNs. */
function typeSegment(type: string): string {
  return type.toLowerCase();
}

/** ARNs of organization objects; `mgmt` is the management account. */
export const orgArn = {
  organization: (mgmt: string, orgId: string): string =>
    `arn:aws:organizations::${mgmt}:organization/${orgId}`,
  root: (mgmt: string, orgId: string, rootId: string): string =>
    `arn:aws:organizations::${mgmt}:root/${orgId}/${rootId}`,
  ou: (mgmt: string, orgId: string, ouId: string): string =>
    `arn:aws:organizations::${mgmt}:ou/${orgId}/${ouId}`,
  account: (mgmt: string, orgId: string, account: string): string =>
    `arn:aws:organizations::${mgmt}:account/${orgId}/${account}`,
  policy: (mgmt: string, orgId: string, type: string, policyId: string): string =>
    `arn:aws:organizations::${mgmt}:policy/${orgId}/${typeSegment(type)}/${policyId}`,
  /** AWS managed policies belong to no organization: `arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess`. */
  awsPolicy: (type: string, policyId: string): string =>
    `arn:aws:organizations::aws:policy/${typeSegment(type)}/${policyId}`,
  handshake: (mgmt: string, orgId: string, handshakeId: string): string =>
    `arn:aws:organizations::${mgmt}:handshake/${orgId}/invite/${handshakeId}`,
};
