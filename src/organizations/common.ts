/**
 * What every Organizations handler shares: the caller's organization, the management-account check,
 * AWS's error texts, paging, and the wire shapes of roots, OUs, accounts and policies.
 *
 * Error texts: the "Errors" sections of the Organizations API reference
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/CommonErrors.html and each action's
 * page, e.g. https://docs.aws.amazon.com/organizations/latest/APIReference/API_AttachPolicy.html).
 */
import type { CallContext, ContextValue } from '../api/operation.js';
import { AwsError, type AwsErrorCode } from '../errors/index.js';
import type { StoreReader } from '../store/index.js';
import {
  membershipOf,
  organizationOf,
  type OrgAccountBody,
  type OrganizationBody,
  type OrgPolicyBody,
  type OrgUnitBody,
} from '../domain/organizations.js';
import { accountStatusAt } from './closing.js';
import { delegationAllows } from './delegation-policy.js';

/** An Organizations error with extra members (`Reason` of ConstraintViolationException, InvalidInputException). */
export class OrgError extends AwsError {
  constructor(
    code: AwsErrorCode,
    message: string,
    /** Extra members rendered next to `message` (JSON 1.1 error body). */
    readonly fields: Readonly<Record<string, string>> = {},
  ) {
    super(code, message);
  }
}

/** AWS's Organizations errors, with the texts of the API reference. */
export const orgErrors = {
  notInUse: () =>
    new OrgError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.'),
  accessDenied: () =>
    new OrgError('AccessDeniedException', "You don't have permissions to access this resource."),
  alreadyInOrganization: () =>
    new OrgError('AlreadyInOrganizationException', 'The AWS account is already a member of an organization.'),
  organizationNotEmpty: () =>
    new OrgError(
      'OrganizationNotEmptyException',
      'To delete an organization you must first remove all member accounts (except the management account).',
    ),
  parentNotFound: () =>
    new OrgError(
      'ParentNotFoundException',
      "We can't find a root or OU with the ParentId that you specified.",
    ),
  ouNotFound: () =>
    new OrgError(
      'OrganizationalUnitNotFoundException',
      "We can't find an OU with the OrganizationalUnitId that you specified.",
    ),
  ouNotEmpty: () =>
    new OrgError(
      'OrganizationalUnitNotEmptyException',
      'The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.',
    ),
  duplicateOu: () =>
    new OrgError('DuplicateOrganizationalUnitException', 'An OU with the same name already exists.'),
  childNotFound: () =>
    new OrgError(
      'ChildNotFoundException',
      "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
    ),
  accountNotFound: () =>
    new OrgError(
      'AccountNotFoundException',
      "We can't find an AWS account with the AccountId that you specified.",
    ),
  rootNotFound: () =>
    new OrgError('RootNotFoundException', "We can't find a root with the RootId that you specified."),
  policyNotFound: () =>
    new OrgError('PolicyNotFoundException', "We can't find a policy with the PolicyId that you specified."),
  targetNotFound: () =>
    new OrgError(
      'TargetNotFoundException',
      "We can't find a root, OU, account, or email address with the TargetId that you specified.",
    ),
  policyTypeNotEnabled: () =>
    new OrgError(
      'PolicyTypeNotEnabledException',
      "The specified policy type isn't currently enabled in this root.",
    ),
  constraint: (reason: string, message: string) =>
    new OrgError('ConstraintViolationException', message, { Reason: reason }),
  invalidInput: (reason: string, message: string) =>
    new OrgError('InvalidInputException', message, { Reason: reason }),
};

/** Where the caller stands: its organization and whether it is the management account. */
export interface CallerOrg {
  readonly account: string;
  readonly org: OrganizationBody;
  readonly mgmt: string;
  readonly isManagement: boolean;
}

/** The caller's account (signed calls only reach handlers). */
export function callerAccountOf(ctx: CallContext): string {
  if (ctx.principal.type === 'Anonymous')
    throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
  return ctx.principal.account;
}

/** The caller's organization; AWSOrganizationsNotInUseException when it has none. */
export async function callerOrg(ctx: CallContext, reader: StoreReader = ctx.store): Promise<CallerOrg> {
  const account = callerAccountOf(ctx);
  const m = await membershipOf(reader, account);
  const org = m && (await organizationOf(reader, m.managementAccount));
  if (!m || !org) throw orgErrors.notInUse();
  return { account, org, mgmt: m.managementAccount, isManagement: account === m.managementAccount };
}

/**
 * Authorizes `action` on `resource` and requires the management account ("This operation can be
 * called only from the organization's management account", every management action's page).
 * Delegated administrators are allowed where `delegated` is set (the read-only calls AWS opens to a
 * delegated administrator), and principals the organization's delegation policy allows for the
 * actions it can open (delegation-policy.ts).
 */
export async function managementCall(
  ctx: CallContext,
  action: string,
  resource: (org: OrganizationBody) => string,
  options: {
    readonly delegated?: boolean;
    /** Extra request context (`aws:RequestTag/…`, `aws:TagKeys` of calls that tag). */
    readonly context?: Readonly<Record<string, ContextValue>>;
  } = {},
): Promise<CallerOrg> {
  const c = await callerOrg(ctx);
  const context = options.context ? { context: options.context } : {};
  if (!c.isManagement) {
    const isDelegatedAdmin =
      options.delegated === true &&
      (await ctx.store.list(c.mgmt, 'orgDelegatedAdmin', { keyPrefix: `${c.account}|`, limit: 1 })).length >
        0;
    // A member the organization's delegation policy names is decided as any cross-account call on a
    // resource with a resource-based policy: its identity policies and the delegation policy must both
    // allow (https://docs.aws.amazon.com/organizations/latest/userguide/orgs-policy-delegate.html).
    if (!isDelegatedAdmin && (await delegationAllows(ctx, c, action, resource(c.org), options.context)))
      return c;
  }
  // Otherwise the caller's own account decides: Organizations resources carry the management
  // account's id in their ARNs, but a member or delegated administrator is authorized by its own
  // identity policies (and SCPs).
  await ctx.authorize({
    action: `organizations:${action}`,
    resource: resource(c.org),
    resourceAccount: c.account,
    ...context,
  });
  if (c.isManagement) return c;
  if (options.delegated) {
    const regs = await ctx.store.list(c.mgmt, 'orgDelegatedAdmin', { keyPrefix: `${c.account}|` });
    if (regs.length > 0) return c;
  }
  throw orgErrors.accessDenied();
}

/** One page of `items` after the position a `NextToken` names; the token is signed (Services.issueMarker). */
export function page<T>(
  ctx: CallContext,
  items: readonly T[],
  input: Record<string, unknown>,
  max = 20,
): { readonly items: T[]; readonly NextToken?: string | undefined } {
  let start = 0;
  const token = input.NextToken as string | undefined;
  if (token !== undefined) {
    const pos = ctx.services.openMarker(token);
    const n = pos === undefined ? NaN : Number(pos);
    if (!Number.isInteger(n) || n < 0)
      throw orgErrors.invalidInput(
        'INVALID_NEXT_TOKEN',
        'You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.',
      );
    start = n;
  }
  const limit = (input.MaxResults as number | undefined) ?? max;
  const out = items.slice(start, start + limit);
  const end = start + out.length;
  return end < items.length
    ? { items: out, NextToken: ctx.services.issueMarker(String(end)) }
    : { items: out };
}

/** Root wire shape. */
export function rootShape(org: OrganizationBody): Record<string, unknown> {
  return {
    Id: org.rootId,
    Arn: org.rootArn,
    Name: 'Root',
    PolicyTypes: org.enabledPolicyTypes.map((t) => ({ Type: t, Status: 'ENABLED' })),
  };
}

/** Organization wire shape. */
export function organizationShape(org: OrganizationBody): Record<string, unknown> {
  return {
    Id: org.id,
    Arn: org.arn,
    FeatureSet: org.featureSet,
    MasterAccountArn: `arn:aws:organizations::${org.managementAccount}:account/${org.id}/${org.managementAccount}`,
    MasterAccountId: org.managementAccount,
    MasterAccountEmail: org.managementAccountEmail,
    // "AvailablePolicyTypes … Do not use. This field is deprecated." (Organization shape); AWS still fills it.
    AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
  };
}

/** OrganizationalUnit wire shape. */
export function ouShape(ou: OrgUnitBody): Record<string, unknown> {
  return { Id: ou.id, Arn: ou.arn, Name: ou.name };
}

/** Account wire shape; `now` turns a closed account's status into PENDING_CLOSURE / SUSPENDED (closing.ts). */
export function accountShape(a: OrgAccountBody, now?: number): Record<string, unknown> {
  const { status, state } =
    now === undefined ? { status: a.status, state: a.status } : accountStatusAt(a, now);
  return {
    Id: a.id,
    Arn: a.arn,
    Email: a.email,
    Name: a.name,
    Status: status,
    State: state,
    JoinedMethod: a.joinedMethod,
    JoinedTimestamp: a.joinedAt,
  };
}

/** PolicySummary wire shape. */
export function policySummary(p: OrgPolicyBody): Record<string, unknown> {
  return {
    Id: p.id,
    Arn: p.arn,
    Name: p.name,
    Description: p.description,
    Type: p.type,
    AwsManaged: p.awsManaged,
  };
}

/** The email iamd gives an account that has none (iamd accounts carry no contact data). */
export function syntheticEmail(account: string): string {
  return `${account}@accounts.iamd.invalid`;
}

/** Whether `parentId` is the root or an existing OU of the organization. */
export async function parentExists(reader: StoreReader, c: CallerOrg, parentId: string): Promise<boolean> {
  if (parentId === c.org.rootId) return true;
  return (await reader.get(c.mgmt, 'orgUnit', parentId)) !== undefined;
}
