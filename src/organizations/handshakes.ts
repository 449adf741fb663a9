/**
 * Inviting existing accounts: InviteAccountToOrganization, AcceptHandshake, DeclineHandshake,
 * CancelHandshake, DescribeHandshake, ListHandshakesForAccount (Organizations API reference).
 *
 * A handshake is kept in the management account and in the invited account, so each side lists its
 * own without reading the other's data. Invitations expire after 15 days ("The invitation … expires
 * after 15 days", https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_invites.html).
 * iamd accounts have no email address: invitations name an account id (`Target.Type` ACCOUNT).
 */
import type { CallContext, Operation } from '../api/operation.js';
import type { StoreReader, StoreTx } from '../store/index.js';
import { membershipOf, organizationOf, type HandshakeBody } from '../domain/organizations.js';
import { newHandshakeId, orgArn } from './ids.js';
import { callerAccountOf, managementCall, OrgError, orgErrors, page } from './common.js';
import { addMember } from './accounts.js';

/** Invitation lifetime. */
export const HANDSHAKE_TTL_MS = 15 * 24 * 3600 * 1000;

function stateAt(h: HandshakeBody, now: number): HandshakeBody['state'] {
  return (h.state === 'OPEN' || h.state === 'REQUESTED') && now > h.expiresAt ? 'EXPIRED' : h.state;
}

function handshakeShape(h: HandshakeBody, now: number): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [
    {
      Type: 'ORGANIZATION',
      Value: h.organizationId,
      Resources: [
        { Type: 'MASTER_EMAIL', Value: h.managementAccountEmail },
        { Type: 'MASTER_NAME', Value: h.managementAccount },
        { Type: 'ORGANIZATION_FEATURE_SET', Value: 'ALL' },
      ],
    },
    { Type: 'ACCOUNT', Value: h.target },
  ];
  if (h.notes !== undefined) resources.push({ Type: 'NOTES', Value: h.notes });
  return {
    Id: h.id,
    Arn: h.arn,
    Parties: [
      { Id: h.organizationId.slice(2), Type: 'ORGANIZATION' },
      { Id: h.target, Type: 'ACCOUNT' },
    ],
    State: stateAt(h, now),
    RequestedTimestamp: h.requestedAt,
    ExpirationTimestamp: h.expiresAt,
    Action: 'INVITE',
    Resources: resources,
  };
}

const notFound = (): OrgError =>
  new OrgError(
    'HandshakeNotFoundException',
    "We can't find a handshake with the HandshakeId that you specified.",
  );
const badTransition = (): OrgError =>
  new OrgError(
    'InvalidHandshakeTransitionException',
    "You can't perform the operation on the handshake in its current state.",
  );
const constraint = (reason: string, message: string): OrgError =>
  new OrgError('HandshakeConstraintViolationException', message, { Reason: reason });

async function writeBoth(tx: StoreTx, h: HandshakeBody): Promise<void> {
  if (await tx.get(h.managementAccount, 'orgHandshake', h.id))
    await tx.update(h.managementAccount, 'orgHandshake', h.id, h, { index: h.target });
  if (await tx.get(h.target, 'orgHandshake', h.id))
    await tx.update(h.target, 'orgHandshake', h.id, h, { index: h.managementAccount });
}

/** InviteAccountToOrganization. */
export const inviteAccountToOrganization: Operation = {
  service: 'organizations',
  name: 'InviteAccountToOrganization',
  async handle(input, ctx) {
    const target = input.Target as { Id: string; Type: string };
    const notes = input.Notes as string | undefined;
    const c = await managementCall(ctx, 'InviteAccountToOrganization', () => '*');
    if (target.Type !== 'ACCOUNT' || !/^\d{12}$/.test(target.Id))
      throw orgErrors.invalidInput(
        'INVALID_PARTY_TYPE_TARGET',
        'iamd accounts have no email address: invite an account by its id (Target Type ACCOUNT)',
      );
    return ctx.transact(async (tx) => {
      if (!(await tx.getAccount(target.Id))) throw orgErrors.accountNotFound();
      if (await membershipOf(tx, target.Id))
        throw constraint(
          'ALREADY_IN_AN_ORGANIZATION',
          'The handshake request is invalid because the invited account is already a member of an organization.',
        );
      const open = await tx.list<HandshakeBody>(c.mgmt, 'orgHandshake', { index: target.Id });
      if (open.some((h) => stateAt(h.body, ctx.now) === 'OPEN'))
        throw new OrgError(
          'DuplicateHandshakeException',
          'A handshake with the same action and target already exists.',
        );
      const id = newHandshakeId((n) => ctx.services.random(n));
      const h: HandshakeBody = {
        id,
        arn: orgArn.handshake(c.mgmt, c.org.id, id),
        organizationId: c.org.id,
        managementAccount: c.mgmt,
        managementAccountEmail: c.org.managementAccountEmail,
        target: target.Id,
        targetType: 'ACCOUNT',
        state: 'OPEN',
        requestedAt: ctx.now,
        expiresAt: ctx.now + HANDSHAKE_TTL_MS,
        notes,
      };
      await tx.insert(c.mgmt, 'orgHandshake', id, h, target.Id);
      await tx.insert(target.Id, 'orgHandshake', id, h, c.mgmt);
      return { Handshake: handshakeShape(h, ctx.now) };
    });
  },
};

async function ownHandshake(reader: StoreReader, account: string, id: string): Promise<HandshakeBody> {
  const h = await reader.get<HandshakeBody>(account, 'orgHandshake', id);
  if (!h) throw notFound();
  return h.body;
}

/** Accept or decline: only the invited account, only an open invitation. */
function respond(name: 'AcceptHandshake' | 'DeclineHandshake'): Operation {
  return {
    service: 'organizations',
    name,
    async handle(input, ctx: CallContext) {
      const id = input.HandshakeId as string;
      const account = callerAccountOf(ctx);
      await ctx.authorize({ action: `organizations:${name}`, resource: '*' });
      return ctx.transact(async (tx) => {
        const h = await ownHandshake(tx, account, id);
        if (h.target !== account) throw orgErrors.accessDenied();
        const state = stateAt(h, ctx.now);
        if (state === (name === 'AcceptHandshake' ? 'ACCEPTED' : 'DECLINED'))
          throw new OrgError(
            'HandshakeAlreadyInStateException',
            'The specified handshake is already in the requested state.',
          );
        if (state !== 'OPEN') throw badTransition();
        let next: HandshakeBody;
        if (name === 'AcceptHandshake') {
          const org = await organizationOf(tx, h.managementAccount);
          // The organization that sent the invitation was deleted since: nothing to join.
          if (!org || org.id !== h.organizationId) throw badTransition();
          if (await membershipOf(tx, account))
            throw constraint(
              'ALREADY_IN_AN_ORGANIZATION',
              'The handshake request is invalid because the invited account is already a member of an organization.',
            );
          const acct = await tx.getAccount(account);
          await addMember(tx, { org, mgmt: org.managementAccount }, account, {
            email: `${account}@accounts.iamd.invalid`,
            name: acct?.alias ?? account,
            joinedMethod: 'INVITED',
            now: ctx.now,
          });
          next = { ...h, state: 'ACCEPTED' };
        } else next = { ...h, state: 'DECLINED' };
        await writeBoth(tx, next);
        return { Handshake: handshakeShape(next, ctx.now) };
      });
    },
  };
}

/** CancelHandshake: the management account withdraws an open invitation. */
export const cancelHandshake: Operation = {
  service: 'organizations',
  name: 'CancelHandshake',
  async handle(input, ctx) {
    const id = input.HandshakeId as string;
    const c = await managementCall(ctx, 'CancelHandshake', () => '*');
    return ctx.transact(async (tx) => {
      const h = await ownHandshake(tx, c.mgmt, id);
      const state = stateAt(h, ctx.now);
      if (state === 'CANCELED')
        throw new OrgError(
          'HandshakeAlreadyInStateException',
          'The specified handshake is already in the requested state.',
        );
      if (state !== 'OPEN') throw badTransition();
      const next: HandshakeBody = { ...h, state: 'CANCELED' };
      await writeBoth(tx, next);
      return { Handshake: handshakeShape(next, ctx.now) };
    });
  },
};

/** DescribeHandshake: either party. */
export const describeHandshake: Operation = {
  service: 'organizations',
  name: 'DescribeHandshake',
  async handle(input, ctx) {
    const account = callerAccountOf(ctx);
    await ctx.authorize({ action: 'organizations:DescribeHandshake', resource: '*' });
    return {
      Handshake: handshakeShape(await ownHandshake(ctx.store, account, input.HandshakeId as string), ctx.now),
    };
  },
};

/** ListHandshakesForAccount: the invitations the caller's account received. */
export const listHandshakesForAccount: Operation = {
  service: 'organizations',
  name: 'ListHandshakesForAccount',
  async handle(input, ctx) {
    const account = callerAccountOf(ctx);
    await ctx.authorize({ action: 'organizations:ListHandshakesForAccount', resource: '*' });
    const filter = input.Filter as { ActionType?: string } | undefined;
    const all = (await ctx.store.list<HandshakeBody>(account, 'orgHandshake'))
      .map((e) => e.body)
      .filter(
        (h) => h.target === account && (filter?.ActionType === undefined || filter.ActionType === 'INVITE'),
      );
    const p = page(
      ctx,
      all.map((h) => handshakeShape(h, ctx.now)),
      input,
    );
    return { Handshakes: p.items, NextToken: p.NextToken };
  },
};

/**
 * ListHandshakesForOrganization: the organization's invitations, seen from the management account or a
 * delegated administrator. Filters as the API reference describes them: `ActionType`, or
 * `ParentHandshakeId` ("You can specify only one filter parameter"); iamd's handshakes are all INVITE
 * and none has a parent
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListHandshakesForOrganization.html).
 */
export const listHandshakesForOrganization: Operation = {
  service: 'organizations',
  name: 'ListHandshakesForOrganization',
  async handle(input, ctx) {
    const filter = input.Filter as { ActionType?: string; ParentHandshakeId?: string } | undefined;
    if (filter?.ActionType !== undefined && filter.ParentHandshakeId !== undefined)
      throw orgErrors.invalidInput(
        'MAX_LIMIT_EXCEEDED_FILTER',
        'You can specify only one filter parameter for the operation.',
      );
    const c = await managementCall(ctx, 'ListHandshakesForOrganization', () => '*', { delegated: true });
    const all = (await ctx.store.list<HandshakeBody>(c.mgmt, 'orgHandshake'))
      .map((e) => e.body)
      .filter(
        (h) =>
          h.organizationId === c.org.id &&
          filter?.ParentHandshakeId === undefined &&
          (filter?.ActionType === undefined || filter.ActionType === 'INVITE'),
      )
      .sort((a, b) => a.requestedAt - b.requestedAt || (a.id < b.id ? -1 : 1));
    const p = page(
      ctx,
      all.map((h) => handshakeShape(h, ctx.now)),
      input,
    );
    return { Handshakes: p.items, NextToken: p.NextToken };
  },
};

/** The handshake operations. */
export const handshakeOperations: readonly Operation[] = [
  inviteAccountToOrganization,
  respond('AcceptHandshake'),
  respond('DeclineHandshake'),
  cancelHandshake,
  describeHandshake,
  listHandshakesForAccount,
  listHandshakesForOrganization,
];
