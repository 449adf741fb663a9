/**
 * Delegated administrators: RegisterDelegatedAdministrator, DeregisterDelegatedAdministrator,
 * ListDelegatedAdministrators, ListDelegatedServicesForAccount (Organizations API reference). A
 * delegated administrator may call the read-only Organizations operations AWS opens to it
 * (src/organizations/common.ts `managementCall`, `delegated`).
 */
import type { Operation } from '../api/operation.js';
import type { DelegatedAdminBody, OrgAccountBody } from '../domain/organizations.js';
import { accountShape, managementCall, OrgError, orgErrors, page } from './common.js';

/** "Maximum number of delegated administrators per service" is service-specific; IAM allows one. */
const MAX_PER_SERVICE = 1;

/** RegisterDelegatedAdministrator. */
export const registerDelegatedAdministrator: Operation = {
  service: 'organizations',
  name: 'RegisterDelegatedAdministrator',
  async handle(input, ctx) {
    const account = input.AccountId as string;
    const service = input.ServicePrincipal as string;
    const c = await managementCall(ctx, 'RegisterDelegatedAdministrator', () => '*');
    return ctx.transact(async (tx) => {
      const place = await tx.get<OrgAccountBody>(c.mgmt, 'orgAccount', account);
      if (!place) throw orgErrors.accountNotFound();
      // "You cannot register a suspended account as a delegated administrator" (ConstraintViolationException).
      if (place.body.closedAt !== undefined)
        throw orgErrors.constraint(
          'CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR',
          'You cannot register a suspended account as a delegated administrator.',
        );
      if (account === c.mgmt)
        throw orgErrors.constraint(
          'CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR',
          'You cannot register the management account of the organization as a delegated administrator for an AWS service integrated with Organizations.',
        );
      const key = `${account}|${service}`;
      if (await tx.get(c.mgmt, 'orgDelegatedAdmin', key))
        throw new OrgError(
          'AccountAlreadyRegisteredException',
          'The provided account is already a delegated administrator for your organization.',
        );
      const same = await tx.list(c.mgmt, 'orgDelegatedAdmin', { index: service });
      if (same.length >= MAX_PER_SERVICE)
        throw orgErrors.constraint(
          'MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED',
          'You attempted to register more delegated administrators than allowed for the service principal.',
        );
      const body: DelegatedAdminBody = {
        accountId: account,
        servicePrincipal: service,
        registeredAt: ctx.now,
      };
      await tx.insert(c.mgmt, 'orgDelegatedAdmin', key, body, service);
      return {};
    });
  },
};

/** DeregisterDelegatedAdministrator. */
export const deregisterDelegatedAdministrator: Operation = {
  service: 'organizations',
  name: 'DeregisterDelegatedAdministrator',
  async handle(input, ctx) {
    const account = input.AccountId as string;
    const service = input.ServicePrincipal as string;
    const c = await managementCall(ctx, 'DeregisterDelegatedAdministrator', () => '*');
    return ctx.transact(async (tx) => {
      if (!(await tx.get(c.mgmt, 'orgAccount', account))) throw orgErrors.accountNotFound();
      if (!(await tx.delete(c.mgmt, 'orgDelegatedAdmin', `${account}|${service}`)))
        throw new OrgError(
          'AccountNotRegisteredException',
          'The provided account is not a registered delegated administrator for your organization.',
        );
      return {};
    });
  },
};

/** ListDelegatedAdministrators (optionally for one `ServicePrincipal`). */
export const listDelegatedAdministrators: Operation = {
  service: 'organizations',
  name: 'ListDelegatedAdministrators',
  async handle(input, ctx) {
    const service = input.ServicePrincipal as string | undefined;
    const c = await managementCall(ctx, 'ListDelegatedAdministrators', () => '*', { delegated: true });
    const regs = await ctx.store.list<DelegatedAdminBody>(
      c.mgmt,
      'orgDelegatedAdmin',
      service === undefined ? {} : { index: service },
    );
    const byAccount = new Map<string, DelegatedAdminBody>();
    for (const r of regs) if (!byAccount.has(r.body.accountId)) byAccount.set(r.body.accountId, r.body);
    const out: Record<string, unknown>[] = [];
    for (const [id, reg] of byAccount) {
      const place = await ctx.store.get<OrgAccountBody>(c.mgmt, 'orgAccount', id);
      if (place) out.push({ ...accountShape(place.body, ctx.now), DelegationEnabledDate: reg.registeredAt });
    }
    const p = page(ctx, out, input);
    return { DelegatedAdministrators: p.items, NextToken: p.NextToken };
  },
};

/** ListDelegatedServicesForAccount. */
export const listDelegatedServicesForAccount: Operation = {
  service: 'organizations',
  name: 'ListDelegatedServicesForAccount',
  async handle(input, ctx) {
    const account = input.AccountId as string;
    const c = await managementCall(ctx, 'ListDelegatedServicesForAccount', () => '*', { delegated: true });
    if (!(await ctx.store.get(c.mgmt, 'orgAccount', account))) throw orgErrors.accountNotFound();
    const regs = await ctx.store.list<DelegatedAdminBody>(c.mgmt, 'orgDelegatedAdmin', {
      keyPrefix: `${account}|`,
    });
    if (regs.length === 0)
      throw new OrgError(
        'AccountNotRegisteredException',
        'The provided account is not a registered delegated administrator for your organization.',
      );
    const p = page(
      ctx,
      regs.map((r) => ({
        ServicePrincipal: r.body.servicePrincipal,
        DelegationEnabledDate: r.body.registeredAt,
      })),
      input,
    );
    return { DelegatedServices: p.items, NextToken: p.NextToken };
  },
};

/** The delegated-administrator operations. */
export const delegatedAdminOperations: readonly Operation[] = [
  registerDelegatedAdministrator,
  deregisterDelegatedAdministrator,
  listDelegatedAdministrators,
  listDelegatedServicesForAccount,
];
