/**
 * Generate/GetOrganizationsAccessReport (API_GenerateOrganizationsAccessReport,
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateOrganizationsAccessReport.html): last
 * accessed data for an entity of an AWS Organizations organization, callable only from the
 * organization's management account.
 *
 * iamd keeps no Organizations data on this branch (issue #19 builds it), so every account is an account
 * outside any organization, and is answered as IAM answers one: OrganizationNotFoundException ("no
 * organization is associated with your account"); no report job can exist, so GetOrganizationsAccessReport
 * finds none (NoSuchEntity).
 */
import type { Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import { AwsError } from '../errors/index.js';
import { callerAccount } from './common.js';

/** GenerateOrganizationsAccessReport for an account in no organization. */
export const generateOrganizationsAccessReport = iamOperation<'GenerateOrganizationsAccessReport'>({
  service: 'iam',
  name: 'GenerateOrganizationsAccessReport',
  async handle(_input, ctx) {
    callerAccount(ctx);
    await ctx.authorize({ action: 'iam:GenerateOrganizationsAccessReport', resource: '*' });
    throw new AwsError(
      'OrganizationNotFoundException',
      'The request was rejected because no organization is associated with your account.',
    );
  },
});

/** GetOrganizationsAccessReport: no job exists for an account in no organization. */
export const getOrganizationsAccessReport = iamOperation<'GetOrganizationsAccessReport'>({
  service: 'iam',
  name: 'GetOrganizationsAccessReport',
  async handle(input, ctx) {
    callerAccount(ctx);
    await ctx.authorize({ action: 'iam:GetOrganizationsAccessReport', resource: '*' });
    throw new AwsError('NoSuchEntity', `No such job id: ${input.JobId}`);
  },
});

/** The Organizations access report operations. */
export const organizationsAccessReportOperations: readonly Operation[] = [
  generateOrganizationsAccessReport,
  getOrganizationsAccessReport,
];
