/**
 * The organization itself: CreateOrganization, DescribeOrganization, DeleteOrganization, ListRoots,
 * EnablePolicyType, DisablePolicyType (Organizations API reference, each action's page).
 */
import type { Operation } from '../api/operation.js';
import type { StoreTx } from '../store/index.js';
import {
  MEMBERSHIP_KEY,
  ORG_KEY,
  type MembershipBody,
  type OrgAccountBody,
  type OrganizationBody,
  type OrgPolicyBody,
  type OrgPolicyType,
} from '../domain/organizations.js';
import { newOrganizationId, newRootId, orgArn } from './ids.js';
import {
  callerAccountOf,
  callerOrg,
  managementCall,
  OrgError,
  orgErrors,
  organizationShape,
  page,
  rootShape,
  syntheticEmail,
} from './common.js';
import { allTargets, attach, ensureManagedPolicy } from './policy-store.js';

/** Every entity kind an organization keeps in its management account. */
const ORG_KINDS = [
  'orgUnit',
  'orgAccount',
  'orgPolicy',
  'orgAttachment',
  'orgHandshake',
  'orgDelegatedAdmin',
  'orgCreateAccount',
] as const;

/** CreateOrganization: the caller's account becomes the management account of a new organization. */
export const createOrganization: Operation = {
  service: 'organizations',
  name: 'CreateOrganization',
  async handle(input, ctx) {
    const account = callerAccountOf(ctx);
    await ctx.authorize({ action: 'organizations:CreateOrganization', resource: '*' });
    // iamd builds organizations with all features only (issue #19); consolidated billing has no meaning here.
    if (input.FeatureSet !== undefined && input.FeatureSet !== 'ALL')
      throw orgErrors.invalidInput(
        'INVALID_ENUM',
        'iamd supports only organizations with all features enabled: FeatureSet must be ALL',
      );
    const random = (n: number): Uint8Array => ctx.services.random(n);
    return ctx.transact(async (tx) => {
      if (await tx.get(account, 'orgMembership', MEMBERSHIP_KEY)) throw orgErrors.alreadyInOrganization();
      const id = newOrganizationId(random);
      const rootId = newRootId(random);
      const acct = await tx.getAccount(account);
      const org: OrganizationBody = {
        id,
        arn: orgArn.organization(account, id),
        featureSet: 'ALL',
        managementAccount: account,
        managementAccountEmail: syntheticEmail(account),
        rootId,
        rootArn: orgArn.root(account, id, rootId),
        createdAt: ctx.now,
        enabledPolicyTypes: [],
        iamFeatures: [],
        trustedServices: [],
      };
      await tx.insert(account, 'organization', ORG_KEY, org);
      const membership: MembershipBody = { organizationId: id, managementAccount: account };
      await tx.insert(account, 'orgMembership', MEMBERSHIP_KEY, membership);
      const place: OrgAccountBody = {
        id: account,
        arn: orgArn.account(account, id, account),
        email: org.managementAccountEmail,
        name: acct?.alias ?? account,
        status: 'ACTIVE',
        joinedMethod: 'CREATED',
        joinedAt: ctx.now,
        parentId: rootId,
      };
      await tx.insert(account, 'orgAccount', account, place, rootId);
      return { Organization: organizationShape(org) };
    });
  },
};

/** DescribeOrganization: any account of the organization may call it. */
export const describeOrganization: Operation = {
  service: 'organizations',
  name: 'DescribeOrganization',
  async handle(_input, ctx) {
    const c = await callerOrg(ctx);
    await ctx.authorize({ action: 'organizations:DescribeOrganization', resource: '*' });
    return { Organization: organizationShape(c.org) };
  },
};

/** DeleteOrganization: only when no member account is left but the management account. */
export const deleteOrganization: Operation = {
  service: 'organizations',
  name: 'DeleteOrganization',
  async handle(_input, ctx) {
    const c = await managementCall(ctx, 'DeleteOrganization', (o) => o.arn);
    return ctx.transact(async (tx) => {
      const accounts = await tx.list(c.mgmt, 'orgAccount');
      if (accounts.some((a) => a.key !== c.mgmt)) throw orgErrors.organizationNotEmpty();
      for (const kind of ORG_KINDS)
        for (const e of await tx.list(c.mgmt, kind)) await tx.delete(c.mgmt, kind, e.key);
      await tx.delete(c.mgmt, 'organization', ORG_KEY);
      await tx.delete(c.mgmt, 'orgMembership', MEMBERSHIP_KEY);
      return {};
    });
  },
};

/** ListRoots: the one root. Member accounts may call it too (API reference: management or delegated admin). */
export const listRoots: Operation = {
  service: 'organizations',
  name: 'ListRoots',
  async handle(input, ctx) {
    const c = await managementCall(ctx, 'ListRoots', () => '*', { delegated: true });
    const p = page(ctx, [rootShape(c.org)], input);
    return { Roots: p.items, NextToken: p.NextToken };
  },
};

async function rootFor(tx: StoreTx, mgmt: string, rootId: string): Promise<OrganizationBody> {
  const org = (await tx.get<OrganizationBody>(mgmt, 'organization', ORG_KEY))?.body;
  if (!org) throw orgErrors.notInUse();
  if (org.rootId !== rootId) throw orgErrors.rootNotFound();
  return org;
}

/**
 * EnablePolicyType: enables a policy type on the root. For SCPs and RCPs the AWS managed policy
 * (FullAWSAccess / RCPFullAWSAccess) is attached to the root, every OU and every account
 * (https://docs.aws.amazon.com/organizations/latest/userguide/enable-policy-type.html).
 */
export const enablePolicyType: Operation = {
  service: 'organizations',
  name: 'EnablePolicyType',
  async handle(input, ctx) {
    const rootId = input.RootId as string;
    const type = input.PolicyType as OrgPolicyType;
    const c = await managementCall(ctx, 'EnablePolicyType', (o) => o.rootArn);
    return ctx.transact(async (tx) => {
      const org = await rootFor(tx, c.mgmt, rootId);
      if (org.enabledPolicyTypes.includes(type))
        throw new OrgError(
          'PolicyTypeAlreadyEnabledException',
          'The specified policy type is already enabled.',
        );
      const next: OrganizationBody = { ...org, enabledPolicyTypes: [...org.enabledPolicyTypes, type] };
      await tx.update(c.mgmt, 'organization', ORG_KEY, next);
      const managed = await ensureManagedPolicy(tx, next, type);
      if (managed !== undefined)
        for (const t of await allTargets(tx, next)) await attach(tx, c.mgmt, t, managed);
      return { Root: rootShape(next) };
    });
  },
};

/** DisablePolicyType: detaches every policy of the type from every target and disables it. */
export const disablePolicyType: Operation = {
  service: 'organizations',
  name: 'DisablePolicyType',
  async handle(input, ctx) {
    const rootId = input.RootId as string;
    const type = input.PolicyType as OrgPolicyType;
    const c = await managementCall(ctx, 'DisablePolicyType', (o) => o.rootArn);
    return ctx.transact(async (tx) => {
      const org = await rootFor(tx, c.mgmt, rootId);
      if (!org.enabledPolicyTypes.includes(type)) throw orgErrors.policyTypeNotEnabled();
      const ofType = new Set(
        (await tx.list<OrgPolicyBody>(c.mgmt, 'orgPolicy', { index: type })).map((e) => e.body.id),
      );
      for (const e of await tx.list<{ policyId: string }>(c.mgmt, 'orgAttachment'))
        if (ofType.has(e.body.policyId)) await tx.delete(c.mgmt, 'orgAttachment', e.key);
      const next: OrganizationBody = {
        ...org,
        enabledPolicyTypes: org.enabledPolicyTypes.filter((t) => t !== type),
      };
      await tx.update(c.mgmt, 'organization', ORG_KEY, next);
      return { Root: rootShape(next) };
    });
  },
};

/**
 * EnableAllFeatures: iamd organizations are created with all features (CreateOrganization accepts only
 * ALL), so the answer is AWS's for an organization that already has them: HandshakeConstraintViolation
 * reason ORGANIZATION_ALREADY_HAS_ALL_FEATURES
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_EnableAllFeatures.html, Errors).
 */
export const enableAllFeatures: Operation = {
  service: 'organizations',
  name: 'EnableAllFeatures',
  async handle(_input, ctx) {
    await managementCall(ctx, 'EnableAllFeatures', () => '*');
    throw new OrgError(
      'HandshakeConstraintViolationException',
      'The handshake request is invalid because the organization has already enabled all features.',
      { Reason: 'ORGANIZATION_ALREADY_HAS_ALL_FEATURES' },
    );
  },
};

/**
 * EnableAWSServiceAccess / DisableAWSServiceAccess / ListAWSServiceAccessForOrganization: trusted
 * access for a service principal. IAM's centralized root access needs `iam.amazonaws.com`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user-access-management).
 */
function serviceAccess(name: 'EnableAWSServiceAccess' | 'DisableAWSServiceAccess'): Operation {
  return {
    service: 'organizations',
    name,
    async handle(input, ctx) {
      const principal = input.ServicePrincipal as string;
      const c = await managementCall(ctx, name, () => '*');
      return ctx.transact(async (tx) => {
        const org = (await tx.get<OrganizationBody>(c.mgmt, 'organization', ORG_KEY))?.body;
        if (!org) throw orgErrors.notInUse();
        const others = org.trustedServices.filter((s) => s !== principal);
        const trustedServices = name === 'EnableAWSServiceAccess' ? [...others, principal] : others;
        await tx.update(c.mgmt, 'organization', ORG_KEY, { ...org, trustedServices });
        return {};
      });
    },
  };
}

/** ListAWSServiceAccessForOrganization. */
export const listAwsServiceAccess: Operation = {
  service: 'organizations',
  name: 'ListAWSServiceAccessForOrganization',
  async handle(input, ctx) {
    const c = await managementCall(ctx, 'ListAWSServiceAccessForOrganization', () => '*', {
      delegated: true,
    });
    const p = page(
      ctx,
      c.org.trustedServices.map((s) => ({ ServicePrincipal: s, DateEnabled: c.org.createdAt })),
      input,
    );
    return { EnabledServicePrincipals: p.items, NextToken: p.NextToken };
  },
};

/** The organization operations. */
export const organizationOperations: readonly Operation[] = [
  createOrganization,
  describeOrganization,
  deleteOrganization,
  listRoots,
  enablePolicyType,
  disablePolicyType,
  serviceAccess('EnableAWSServiceAccess'),
  serviceAccess('DisableAWSServiceAccess'),
  listAwsServiceAccess,
  enableAllFeatures,
];
