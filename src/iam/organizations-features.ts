/**
 * IAM centralized root access for member accounts (IAM API reference:
 * EnableOrganizationsRootCredentialsManagement, EnableOrganizationsRootSessions, the Disable pair,
 * ListOrganizationsFeatures; https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user-access-management).
 *
 * - The organization must exist (OrganizationNotFoundException) and have trusted access for
 *   `iam.amazonaws.com` (ServiceAccessNotEnabledException; Organizations EnableAWSServiceAccess).
 * - Enabling is for the management account only (CallerIsNotManagementAccountException); disabling
 *   and listing also for a delegated administrator of `iam.amazonaws.com`
 *   (AccountNotManagementOrDelegatedAdministratorException otherwise).
 * - `RootSessions` lets the management account (or delegated admin) call sts:AssumeRoot on members.
 * Error texts are the IAM API reference's descriptions of each error.
 */
import type { CallContext, Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import { AwsError } from '../errors/index.js';
import { membershipOf, organizationOf, ORG_KEY, type OrganizationBody } from '../domain/organizations.js';
import { callerAccount } from './common.js';

/** The IAM service principal whose trusted access and delegated administrators count here. */
export const IAM_SERVICE_PRINCIPAL = 'iam.amazonaws.com';

type Feature = 'RootCredentialsManagement' | 'RootSessions';

/** The caller's organization, checked as every feature operation checks it. */
async function featureOrg(ctx: CallContext, managementOnly: boolean): Promise<OrganizationBody> {
  const account = callerAccount(ctx);
  const m = await membershipOf(ctx.store, account);
  const org = m && (await organizationOf(ctx.store, m.managementAccount));
  if (!org)
    throw new AwsError(
      'OrganizationNotFoundException',
      'The request was rejected because no organization is associated with your account.',
    );
  if (!org.trustedServices.includes(IAM_SERVICE_PRINCIPAL))
    throw new AwsError(
      'ServiceAccessNotEnabledException',
      'The request was rejected because trusted access is not enabled for IAM in AWS Organizations.',
    );
  if (account === org.managementAccount) return org;
  if (managementOnly)
    throw new AwsError(
      'CallerIsNotManagementAccountException',
      'The request was rejected because the account making the request is not the management account for the organization.',
    );
  const delegated = await ctx.store.get(
    org.managementAccount,
    'orgDelegatedAdmin',
    `${account}|${IAM_SERVICE_PRINCIPAL}`,
  );
  if (!delegated)
    throw new AwsError(
      'AccountNotManagementOrDelegatedAdministratorException',
      'The request was rejected because the account making the request is not the management account or delegated administrator account for centralized root access.',
    );
  return org;
}

/** The output of every feature operation: the organization and the features now enabled. */
type FeaturesOutput = {
  readonly OrganizationId: string;
  readonly EnabledFeatures: string[];
};

function output(org: OrganizationBody): FeaturesOutput {
  return { OrganizationId: org.id, EnabledFeatures: [...org.iamFeatures] };
}

/** The shared body of the Enable/Disable operations: turns `feature` on or off for the organization. */
async function toggle(
  ctx: CallContext,
  name: string,
  feature: Feature,
  enable: boolean,
): Promise<FeaturesOutput> {
  await ctx.authorize({ action: `iam:${name}`, resource: '*' });
  const org = await featureOrg(ctx, enable);
  return ctx.transact(async (tx) => {
    const cur = (await tx.get<OrganizationBody>(org.managementAccount, 'organization', ORG_KEY))?.body ?? org;
    const others = cur.iamFeatures.filter((f) => f !== feature);
    const next: OrganizationBody = { ...cur, iamFeatures: enable ? [...others, feature] : others };
    await tx.update(org.managementAccount, 'organization', ORG_KEY, next);
    return output(next);
  });
}

/** EnableOrganizationsRootCredentialsManagement. */
export const enableOrganizationsRootCredentialsManagement =
  iamOperation<'EnableOrganizationsRootCredentialsManagement'>({
    service: 'iam',
    name: 'EnableOrganizationsRootCredentialsManagement',
    handle: (_input, ctx) =>
      toggle(ctx, 'EnableOrganizationsRootCredentialsManagement', 'RootCredentialsManagement', true),
  });

/** DisableOrganizationsRootCredentialsManagement. */
export const disableOrganizationsRootCredentialsManagement =
  iamOperation<'DisableOrganizationsRootCredentialsManagement'>({
    service: 'iam',
    name: 'DisableOrganizationsRootCredentialsManagement',
    handle: (_input, ctx) =>
      toggle(ctx, 'DisableOrganizationsRootCredentialsManagement', 'RootCredentialsManagement', false),
  });

/** EnableOrganizationsRootSessions. */
export const enableOrganizationsRootSessions = iamOperation<'EnableOrganizationsRootSessions'>({
  service: 'iam',
  name: 'EnableOrganizationsRootSessions',
  handle: (_input, ctx) => toggle(ctx, 'EnableOrganizationsRootSessions', 'RootSessions', true),
});

/** DisableOrganizationsRootSessions. */
export const disableOrganizationsRootSessions = iamOperation<'DisableOrganizationsRootSessions'>({
  service: 'iam',
  name: 'DisableOrganizationsRootSessions',
  handle: (_input, ctx) => toggle(ctx, 'DisableOrganizationsRootSessions', 'RootSessions', false),
});

/** ListOrganizationsFeatures. */
export const listOrganizationsFeatures = iamOperation<'ListOrganizationsFeatures'>({
  service: 'iam',
  name: 'ListOrganizationsFeatures',
  async handle(_input, ctx) {
    await ctx.authorize({ action: 'iam:ListOrganizationsFeatures', resource: '*' });
    return output(await featureOrg(ctx, false));
  },
});

/** The centralized root access operations. */
export const organizationsFeatureOperations: readonly Operation[] = [
  enableOrganizationsRootCredentialsManagement,
  disableOrganizationsRootCredentialsManagement,
  enableOrganizationsRootSessions,
  disableOrganizationsRootSessions,
  listOrganizationsFeatures,
];
