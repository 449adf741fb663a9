/**
 * Member accounts: ListAccounts, ListAccountsForParent, DescribeAccount, MoveAccount, CreateAccount,
 * DescribeCreateAccountStatus, ListCreateAccountStatus, RemoveAccountFromOrganization,
 * LeaveOrganization (Organizations API reference).
 *
 * CreateAccount makes a real iamd account at once (AWS does it asynchronously; the request is
 * SUCCEEDED when the call returns). The account has no root credentials: as on AWS, it is reached
 * through the role CreateAccount puts in it, `OrganizationAccountAccessRole` unless `RoleName` says
 * otherwise, which trusts the management account and has AdministratorAccess
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_create-cross-account-role.html).
 */
import type { Operation } from '../api/operation.js';
import type { StoreTx } from '../store/index.js';
import { makeUniqueId } from '../credentials/ids.js';
import type { RoleBody } from '../domain/entities.js';
import {
  MEMBERSHIP_KEY,
  type CreateAccountStatusBody,
  type MembershipBody,
  type OrgAccountBody,
  type OrgTag,
} from '../domain/organizations.js';
import { newCreateAccountRequestId, orgArn } from './ids.js';
import {
  accountShape,
  callerOrg,
  managementCall,
  OrgError,
  orgErrors,
  page,
  parentExists,
  type CallerOrg,
} from './common.js';
import { attachDefaults, detachAll } from './policy-store.js';
import { mayClose } from './closing.js';
import { checkTagCount, inputOrgTags, requestTagContext } from './tags.js';

/** The role CreateAccount adds when `RoleName` is not given. */
export const DEFAULT_ACCESS_ROLE = 'OrganizationAccountAccessRole';
const ADMINISTRATOR_ACCESS = 'arn:aws:iam::aws:policy/AdministratorAccess';

/** "Default maximum number of accounts: 10" is raised on request; iamd allows this many. */
export const MAX_ACCOUNTS = 1000;

function randomAccountId(random: (n: number) => Uint8Array): string {
  let id = '';
  for (const b of random(12)) id += String(b % 10);
  return id[0] === '0' ? `1${id.slice(1)}` : id;
}

function createStatusShape(s: CreateAccountStatusBody): Record<string, unknown> {
  return {
    Id: s.id,
    AccountName: s.accountName,
    State: s.state,
    RequestedTimestamp: s.requestedAt,
    CompletedTimestamp: s.completedAt,
    AccountId: s.accountId,
    FailureReason: s.failureReason,
  };
}

async function placeOf(tx: Pick<StoreTx, 'get'>, c: CallerOrg, account: string): Promise<OrgAccountBody> {
  const e = await tx.get<OrgAccountBody>(c.mgmt, 'orgAccount', account);
  if (!e) throw orgErrors.accountNotFound();
  return e.body;
}

/** Takes `account` out of the organization: its place, attachments, registrations, membership. */
async function removeMember(tx: StoreTx, c: CallerOrg, account: string): Promise<void> {
  // A delegated administrator must be deregistered first (ConstraintViolationException reason
  // CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG, Organizations API reference).
  if ((await tx.list(c.mgmt, 'orgDelegatedAdmin', { keyPrefix: `${account}|`, limit: 1 })).length > 0)
    throw orgErrors.constraint(
      'CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG',
      'You cannot remove a delegated administrator account from the organization. Deregister it as a delegated administrator first.',
    );
  await detachAll(tx, c.mgmt, account);
  await tx.delete(c.mgmt, 'orgAccount', account);
  await tx.delete(account, 'orgMembership', MEMBERSHIP_KEY);
}

/** Puts `account` under the root of the organization (a created or an invited account). */
export async function addMember(
  tx: StoreTx,
  c: Pick<CallerOrg, 'org' | 'mgmt'>,
  account: string,
  details: {
    readonly email: string;
    readonly name: string;
    readonly joinedMethod: 'CREATED' | 'INVITED';
    readonly now: number;
    readonly tags?: readonly OrgTag[] | undefined;
  },
): Promise<OrgAccountBody> {
  const place: OrgAccountBody = {
    id: account,
    arn: orgArn.account(c.mgmt, c.org.id, account),
    email: details.email,
    name: details.name,
    status: 'ACTIVE',
    joinedMethod: details.joinedMethod,
    joinedAt: details.now,
    parentId: c.org.rootId,
    ...(details.tags !== undefined && details.tags.length > 0 ? { tags: details.tags } : {}),
  };
  await tx.insert(c.mgmt, 'orgAccount', account, place, c.org.rootId);
  const membership: MembershipBody = { organizationId: c.org.id, managementAccount: c.mgmt };
  await tx.insert(account, 'orgMembership', MEMBERSHIP_KEY, membership);
  await attachDefaults(tx, c.org, account);
  return place;
}

/** ListAccounts. */
export const listAccounts: Operation = {
  service: 'organizations',
  name: 'ListAccounts',
  async handle(input, ctx) {
    const c = await managementCall(ctx, 'ListAccounts', () => '*', { delegated: true });
    const all = await ctx.store.list<OrgAccountBody>(c.mgmt, 'orgAccount');
    const p = page(
      ctx,
      all.map((e) => accountShape(e.body, ctx.now)),
      input,
    );
    return { Accounts: p.items, NextToken: p.NextToken };
  },
};

/** ListAccountsForParent. */
export const listAccountsForParent: Operation = {
  service: 'organizations',
  name: 'ListAccountsForParent',
  async handle(input, ctx) {
    const parentId = input.ParentId as string;
    const c = await managementCall(ctx, 'ListAccountsForParent', () => '*', { delegated: true });
    if (!(await parentExists(ctx.store, c, parentId))) throw orgErrors.parentNotFound();
    const all = await ctx.store.list<OrgAccountBody>(c.mgmt, 'orgAccount', { index: parentId });
    const p = page(
      ctx,
      all.map((e) => accountShape(e.body, ctx.now)),
      input,
    );
    return { Accounts: p.items, NextToken: p.NextToken };
  },
};

/** DescribeAccount. */
export const describeAccount: Operation = {
  service: 'organizations',
  name: 'DescribeAccount',
  async handle(input, ctx) {
    const id = input.AccountId as string;
    const c = await managementCall(
      ctx,
      'DescribeAccount',
      (o) => orgArn.account(o.managementAccount, o.id, id),
      {
        delegated: true,
      },
    );
    return { Account: accountShape(await placeOf(ctx.store, c, id), ctx.now) };
  },
};

/** MoveAccount: from its current parent (which must be `SourceParentId`) to `DestinationParentId`. */
export const moveAccount: Operation = {
  service: 'organizations',
  name: 'MoveAccount',
  async handle(input, ctx) {
    const id = input.AccountId as string;
    const source = input.SourceParentId as string;
    const dest = input.DestinationParentId as string;
    const c = await managementCall(ctx, 'MoveAccount', (o) => orgArn.account(o.managementAccount, o.id, id));
    return ctx.transact(async (tx) => {
      const place = await placeOf(tx, c, id);
      if (!(await parentExists(tx, c, source)))
        throw new OrgError(
          'SourceParentNotFoundException',
          "We can't find a source root or OU with the ParentId that you specified.",
        );
      if (!(await parentExists(tx, c, dest)))
        throw new OrgError(
          'DestinationParentNotFoundException',
          "We can't find the destination container (a root or OU) with the ParentId that you specified.",
        );
      if (place.parentId === dest)
        throw new OrgError(
          'DuplicateAccountException',
          'That account is already present in the specified destination.',
        );
      if (place.parentId !== source) throw orgErrors.accountNotFound();
      await tx.update(c.mgmt, 'orgAccount', id, { ...place, parentId: dest }, { index: dest });
      return {};
    });
  },
};

/** The role CreateAccount puts in the new account: trusts the management account, AdministratorAccess. */
function accessRole(
  account: string,
  mgmt: string,
  roleName: string,
  now: number,
  random: (n: number) => Uint8Array,
): RoleBody {
  return {
    roleName,
    roleId: makeUniqueId('AROA', random),
    arn: `arn:aws:iam::${account}:role/${roleName}`,
    path: '/',
    createDate: now,
    assumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${mgmt}:root` }, Action: 'sts:AssumeRole' },
      ],
    }),
    trustPrincipalIds: {},
    maxSessionDuration: 3600,
    tags: [],
    inlinePolicies: {},
    attachedPolicies: [ADMINISTRATOR_ACCESS],
  };
}

/** CreateAccount. */
export const createAccountOp: Operation = {
  service: 'organizations',
  name: 'CreateAccount',
  async handle(input, ctx) {
    const email = input.Email as string;
    const name = input.AccountName as string;
    const roleName = (input.RoleName as string | undefined) ?? DEFAULT_ACCESS_ROLE;
    const tags = inputOrgTags(input.Tags);
    checkTagCount(tags);
    const c = await managementCall(ctx, 'CreateAccount', () => '*', { context: requestTagContext(tags) });
    const random = (n: number): Uint8Array => ctx.services.random(n);
    return ctx.transact(async (tx) => {
      const requestId = newCreateAccountRequestId(random);
      const members = await tx.list<OrgAccountBody>(c.mgmt, 'orgAccount');
      let status: CreateAccountStatusBody;
      if (members.length >= MAX_ACCOUNTS)
        throw orgErrors.constraint(
          'ACCOUNT_NUMBER_LIMIT_EXCEEDED',
          'You attempted to exceed the number of accounts that you can have in an organization.',
        );
      if (members.some((m) => m.body.email.toLowerCase() === email.toLowerCase())) {
        // AWS reports a taken address in the request's status, not as an error of the call.
        status = {
          id: requestId,
          accountName: name,
          state: 'FAILED',
          requestedAt: ctx.now,
          completedAt: ctx.now,
          failureReason: 'EMAIL_ALREADY_EXISTS',
        };
      } else {
        let account: string;
        do account = randomAccountId(random);
        while (await tx.getAccount(account));
        await tx.putAccount({ id: account, createdAt: ctx.now });
        await tx.insert(
          account,
          'role',
          roleName.toLowerCase(),
          accessRole(account, c.mgmt, roleName, ctx.now, random),
        );
        await addMember(tx, c, account, { email, name, joinedMethod: 'CREATED', now: ctx.now, tags });
        status = {
          id: requestId,
          accountName: name,
          state: 'SUCCEEDED',
          requestedAt: ctx.now,
          completedAt: ctx.now,
          accountId: account,
        };
      }
      await tx.insert(c.mgmt, 'orgCreateAccount', requestId, status, status.state);
      return { CreateAccountStatus: createStatusShape(status) };
    });
  },
};

/** DescribeCreateAccountStatus. */
export const describeCreateAccountStatus: Operation = {
  service: 'organizations',
  name: 'DescribeCreateAccountStatus',
  async handle(input, ctx) {
    const id = input.CreateAccountRequestId as string;
    const c = await managementCall(ctx, 'DescribeCreateAccountStatus', () => '*', { delegated: true });
    const s = await ctx.store.get<CreateAccountStatusBody>(c.mgmt, 'orgCreateAccount', id);
    if (!s)
      throw new OrgError(
        'CreateAccountStatusNotFoundException',
        "We can't find an create account request with the CreateAccountRequestId that you specified.",
      );
    return { CreateAccountStatus: createStatusShape(s.body) };
  },
};

/** ListCreateAccountStatus (optionally only some `States`). */
export const listCreateAccountStatus: Operation = {
  service: 'organizations',
  name: 'ListCreateAccountStatus',
  async handle(input, ctx) {
    const states = input.States as string[] | undefined;
    const c = await managementCall(ctx, 'ListCreateAccountStatus', () => '*', { delegated: true });
    const all = (await ctx.store.list<CreateAccountStatusBody>(c.mgmt, 'orgCreateAccount'))
      .map((e) => e.body)
      .filter((s) => states === undefined || states.length === 0 || states.includes(s.state))
      .sort((a, b) => a.requestedAt - b.requestedAt || a.id.localeCompare(b.id));
    const p = page(ctx, all.map(createStatusShape), input);
    return { CreateAccountStatuses: p.items, NextToken: p.NextToken };
  },
};

const masterCannotLeave = (): OrgError =>
  new OrgError(
    'MasterCannotLeaveOrganizationException',
    "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.",
  );

/** RemoveAccountFromOrganization. */
export const removeAccountFromOrganization: Operation = {
  service: 'organizations',
  name: 'RemoveAccountFromOrganization',
  async handle(input, ctx) {
    const id = input.AccountId as string;
    const c = await managementCall(ctx, 'RemoveAccountFromOrganization', (o) =>
      orgArn.account(o.managementAccount, o.id, id),
    );
    return ctx.transact(async (tx) => {
      await placeOf(tx, c, id);
      if (id === c.mgmt) throw masterCannotLeave();
      await removeMember(tx, c, id);
      return {};
    });
  },
};

/** LeaveOrganization: a member account leaves on its own. */
export const leaveOrganization: Operation = {
  service: 'organizations',
  name: 'LeaveOrganization',
  async handle(_input, ctx) {
    const c = await callerOrg(ctx);
    await ctx.authorize({ action: 'organizations:LeaveOrganization', resource: '*' });
    if (c.isManagement) throw masterCannotLeave();
    return ctx.transact(async (tx) => {
      await placeOf(tx, c, c.account);
      await removeMember(tx, c, c.account);
      return {};
    });
  },
};

/**
 * CloseAccount: a member account (never the management account) becomes PENDING_CLOSURE, then
 * SUSPENDED (closing.ts); from the call on, its principals are refused everything and its resources are
 * out of reach (src/authz/org-policies.ts, CLOSED_ACCOUNT_POLICY). It stays in the organization, as on
 * AWS, until it is removed. At most closeQuota (closing.ts) closes in 30 days.
 */
export const closeAccount: Operation = {
  service: 'organizations',
  name: 'CloseAccount',
  async handle(input, ctx) {
    const id = input.AccountId as string;
    const c = await managementCall(ctx, 'CloseAccount', (o) => orgArn.account(o.managementAccount, o.id, id));
    return ctx.transact(async (tx) => {
      const place = await placeOf(tx, c, id);
      if (id === c.mgmt)
        throw orgErrors.constraint(
          'CANNOT_CLOSE_MANAGEMENT_ACCOUNT',
          'You attempted to close the management account. To close the management account for the organization, you must first either remove or close all member accounts in the organization. Follow standard account closure process using root credentials.',
        );
      if (place.closedAt !== undefined)
        throw new OrgError(
          'AccountAlreadyClosedException',
          'You attempted to close an account that is already closed.',
        );
      const members = (await tx.list<OrgAccountBody>(c.mgmt, 'orgAccount')).filter((e) => e.key !== c.mgmt);
      const closed = members.flatMap((e) => (e.body.closedAt !== undefined ? [e.body.closedAt] : []));
      if (!mayClose(closed, members.length, ctx.now))
        throw orgErrors.constraint(
          'CLOSE_ACCOUNT_QUOTA_EXCEEDED',
          'You have exceeded close account quota for the past 30 days.',
        );
      const next: OrgAccountBody = { ...place, status: 'PENDING_CLOSURE', closedAt: ctx.now };
      await tx.update(c.mgmt, 'orgAccount', id, next, { index: place.parentId });
      return {};
    });
  },
};

/**
 * CreateGovCloudAccount: iamd has no AWS GovCloud (US) partition, so no management account is paired
 * with a GovCloud account — the precondition the API reference states ("You already have an account in
 * the AWS GovCloud (US) Region that is paired with a management account") — and the answer is the
 * documented ConstraintViolationException reason MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateGovCloudAccount.html).
 */
export const createGovCloudAccount: Operation = {
  service: 'organizations',
  name: 'CreateGovCloudAccount',
  async handle(input, ctx) {
    const tags = inputOrgTags(input.Tags);
    checkTagCount(tags);
    await managementCall(ctx, 'CreateGovCloudAccount', () => '*', { context: requestTagContext(tags) });
    throw orgErrors.constraint(
      'MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED',
      'To complete this operation, the management account must have an associated account in the AWS GovCloud (US-West) Region.',
    );
  },
};

/** The account operations. */
export const accountOperations: readonly Operation[] = [
  listAccounts,
  listAccountsForParent,
  describeAccount,
  moveAccount,
  createAccountOp,
  describeCreateAccountStatus,
  listCreateAccountStatus,
  removeAccountFromOrganization,
  leaveOrganization,
  closeAccount,
  createGovCloudAccount,
];
