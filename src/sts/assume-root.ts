/**
 * sts:AssumeRoot (STS API reference, AssumeRoot; IAM User Guide, "Perform a privileged task on an AWS
 * Organizations member account", https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html):
 * short-term credentials for the root user of a member account, scoped by an AWS task policy
 * (`arn:aws:iam::aws:policy/root-task/…`), at most 900 seconds (the default).
 *
 * - Callable from the management account, or a delegated administrator of `iam.amazonaws.com`, once
 *   IAM's `RootSessions` feature is enabled for the organization (iam:EnableOrganizationsRootSessions).
 * - The target is a member account of the caller's organization, never the management account.
 * - Authorized as `sts:AssumeRoot` on `arn:aws:iam::TARGET:root` with `sts:TaskPolicyArn` in the context.
 */
import { stsOperation } from '../api/typed-operation.js';
import { AwsError } from '../errors/index.js';
import { membershipOf, organizationOf } from '../domain/organizations.js';
import { mintSession } from '../domain/sessions.js';

/** AssumeRoot's longest and default session: 900 seconds (RootDurationSecondsType, max 900). */
export const ROOT_SESSION_SECONDS = 900;

/** The task policies AWS defines (IAM User Guide, "Privileged tasks"; data/aws-managed-policies.json). */
export const ROOT_TASK_POLICIES: ReadonlySet<string> = new Set([
  'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials',
  'arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword',
  'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials',
  'arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy',
  'arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy',
]);

const IAM_SERVICE_PRINCIPAL = 'iam.amazonaws.com';

/** The account a `TargetPrincipal` names: a 12-digit id or an `arn:aws:iam::ID:root` ARN. */
function targetAccount(target: string): string | undefined {
  if (/^\d{12}$/.test(target)) return target;
  return /^arn:aws:iam::(\d{12}):root$/.exec(target)?.[1];
}

/** sts:AssumeRoot. */
export const assumeRoot = stsOperation<'AssumeRoot'>({
  service: 'sts',
  name: 'AssumeRoot',
  async handle(input, ctx) {
    const caller = ctx.principal;
    if (caller.type === 'Anonymous')
      throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
    const target = targetAccount(input.TargetPrincipal);
    const taskArn = input.TaskPolicyArn.arn;
    if (target === undefined)
      throw new AwsError('ValidationError', 'TargetPrincipal must be the account id of a member account');
    if (taskArn === undefined || !ROOT_TASK_POLICIES.has(taskArn))
      throw new AwsError(
        'ValidationError',
        `TaskPolicyArn must be one of the task policies ${[...ROOT_TASK_POLICIES].join(', ')}`,
      );
    const duration = input.DurationSeconds ?? ROOT_SESSION_SECONDS;
    await ctx.authorize({
      action: 'sts:AssumeRoot',
      resource: `arn:aws:iam::${target}:root`,
      // Decided by the caller's identity policies alone: the member's root has no resource policy to
      // grant it, and AWS documents only the identity permission (sts:AssumeRoot) as required.
      resourceAccount: caller.account,
      context: { 'sts:TaskPolicyArn': taskArn },
    });
    const m = await membershipOf(ctx.store, caller.account);
    const org = m && (await organizationOf(ctx.store, m.managementAccount));
    const refused = (why: string): AwsError =>
      new AwsError(
        'AccessDenied',
        `User: ${caller.arn} is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::${target}:root because ${why}`,
      );
    if (!org) throw refused('the account is not in an organization');
    if (caller.account !== org.managementAccount) {
      const delegated = await ctx.store.get(
        org.managementAccount,
        'orgDelegatedAdmin',
        `${caller.account}|${IAM_SERVICE_PRINCIPAL}`,
      );
      if (!delegated)
        throw refused('only the management account or a delegated administrator for IAM may assume root');
    }
    if (!org.iamFeatures.includes('RootSessions'))
      throw refused(
        'root sessions are not enabled for the organization (iam:EnableOrganizationsRootSessions)',
      );
    const targetMembership = await membershipOf(ctx.store, target);
    if (target === org.managementAccount || targetMembership?.organizationId !== org.id)
      throw refused('the target is not a member account of the organization');
    const minted = mintSession(
      ctx,
      {
        kind: 'SessionToken',
        account: target,
        sessionPolicyArns: [taskArn],
        assumedRoot: true,
        issuerType: caller.type,
        issuerArn: caller.arn,
      },
      duration,
    );
    ctx.alsoRecordIn(target);
    return { Credentials: minted.credentials };
  },
});
