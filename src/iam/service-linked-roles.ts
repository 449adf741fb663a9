/**
 * Service-linked roles: CreateServiceLinkedRole, DeleteServiceLinkedRole and
 * GetServiceLinkedRoleDeletionStatus (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceLinkedRole.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html).
 *
 * The role name, the AWS managed policies attached and whether a CustomSuffix is allowed come, per
 * service, from real-AWS recordings (`data/service-linked-roles.json`, built by
 * `scripts/build-service-linked-roles.mjs` from localstack-snapshots test_iam `TestIAMServiceRoles`).
 * The role lives at `/aws-service-role/SERVICE/`, trusts only that service principal, and only AWS may
 * change it (`protected-roles.ts`). A deletion completes at once; its task is kept as a `setting` entity
 * so GetServiceLinkedRoleDeletionStatus answers SUCCEEDED (recorded `test_service_role_deletion`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import type { RoleBody } from '../domain/entities.js';
import { AwsError, errors } from '../errors/index.js';
import { makeUniqueId } from '../credentials/ids.js';
import { timeOrderedUuid } from '../core/uuid.js';
import { callerAccount } from './common.js';
import { iamArn, nameKey } from '../domain/names.js';
import { awsManagedPolicyEntry } from '../domain/aws-managed-catalog.js';
import { roleWire } from './roles.js';

/** One service's service-linked role as AWS creates it. */
export interface ServiceLinkedRoleSpec {
  readonly service: string;
  readonly roleName: string;
  readonly policies: readonly string[];
  /** Whether CreateServiceLinkedRole accepts a CustomSuffix for this service. */
  readonly customSuffix: boolean | null;
}

let table: ReadonlyMap<string, ServiceLinkedRoleSpec> | undefined;

/** The recorded services, loaded once on first use. */
export function serviceLinkedRoleSpecs(): ReadonlyMap<string, ServiceLinkedRoleSpec> {
  if (table !== undefined) return table;
  // From dist/src/iam/ (compiled) the data folder is three levels up, from src/iam/ two.
  const candidates = ['../../../data/service-linked-roles.json', '../../data/service-linked-roles.json'].map(
    (p) => fileURLToPath(new URL(p, import.meta.url)),
  );
  const file = candidates.find((f) => existsSync(f));
  if (file === undefined)
    throw new Error('data/service-linked-roles.json not found (run scripts/build-service-linked-roles.mjs)');
  const list = (JSON.parse(readFileSync(file, 'utf8')) as { services: ServiceLinkedRoleSpec[] }).services;
  table = new Map(list.map((s) => [s.service, s]));
  return table;
}

/** The `setting` entity key of a deletion task. */
function taskKey(taskId: string): string {
  return `service-linked-role-deletion:${taskId}`;
}

/** CreateServiceLinkedRole. */
export const createServiceLinkedRole = iamOperation<'CreateServiceLinkedRole'>({
  service: 'iam',
  name: 'CreateServiceLinkedRole',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const service = input.AWSServiceName;
    const suffix = input.CustomSuffix;
    const spec = serviceLinkedRoleSpecs().get(service);
    const path = `/aws-service-role/${service}/`;
    const roleName =
      spec === undefined ? '' : suffix === undefined ? spec.roleName : `${spec.roleName}_${suffix}`;
    // The action's resource is the role it creates; iam:AWSServiceName names the service (Service
    // Authorization Reference, IAM condition keys).
    await ctx.authorize({
      action: 'iam:CreateServiceLinkedRole',
      resource: iamArn(account, 'role', path, roleName || '*'),
      context: { 'iam:AWSServiceName': service },
    });
    if (spec === undefined)
      throw errors.invalidInput(`iamd knows no service-linked role for service \`${service}\``);
    // Recorded for 68 services: "Custom suffix is not allowed for <service principal>".
    if (suffix !== undefined && spec.customSuffix !== true)
      throw errors.invalidInput(`Custom suffix is not allowed for ${service}`);
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
    });
    const body: RoleBody = {
      roleName,
      roleId: makeUniqueId('AROA', (n) => ctx.services.random(n)),
      arn: iamArn(account, 'role', path, roleName),
      path,
      createDate: ctx.now,
      assumeRolePolicyDocument: document,
      description: input.Description,
      maxSessionDuration: 3600,
      tags: [],
      inlinePolicies: Object.create(null) as Record<string, string>,
      attachedPolicies: spec.policies.filter((arn) => awsManagedPolicyEntry(arn) !== undefined),
    };
    return ctx.transact(async (tx) => {
      if ((await tx.get(account, 'role', nameKey(roleName))) !== undefined)
        throw errors.invalidInput(
          `Service role name ${roleName} has been taken in this account, please try a different suffix.`,
        );
      await tx.insert(account, 'role', nameKey(roleName), body);
      return { Role: roleWire(body, 'create') };
    });
  },
});

/**
 * DeleteServiceLinkedRole: deletes the role (with the policies AWS attached) and returns the deletion
 * task id `task/aws-service-role/SERVICE/NAME/UUID` (recorded).
 */
export const deleteServiceLinkedRole = iamOperation<'DeleteServiceLinkedRole'>({
  service: 'iam',
  name: 'DeleteServiceLinkedRole',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const name = input.RoleName;
    const found = await ctx.store.get<RoleBody>(account, 'role', nameKey(name));
    await ctx.authorize({
      action: 'iam:DeleteServiceLinkedRole',
      resource: found?.body.arn ?? iamArn(account, 'role', '/', name),
    });
    if (found === undefined) throw errors.noSuchEntity(`The role with name ${name} cannot be found.`);
    if (!found.body.path.startsWith('/aws-service-role/'))
      throw errors.invalidInput(`Role ${found.body.roleName} is not a service-linked role`);
    const taskId = `task${found.body.path}${found.body.roleName}/${timeOrderedUuid(ctx.now, (n) => ctx.services.random(n))}`;
    return ctx.transact(async (tx) => {
      const cur = await tx.get<RoleBody>(account, 'role', found.key);
      if (cur === undefined) throw errors.noSuchEntity(`The role with name ${name} cannot be found.`);
      await tx.delete(account, 'role', cur.key);
      await tx.insert(account, 'setting', taskKey(taskId), {
        taskId,
        roleArn: cur.body.arn,
        status: 'SUCCEEDED',
        createDate: ctx.now,
      });
      return { DeletionTaskId: taskId };
    });
  },
});

/** GetServiceLinkedRoleDeletionStatus: SUCCEEDED for a task this account started. */
export const getServiceLinkedRoleDeletionStatus = iamOperation<'GetServiceLinkedRoleDeletionStatus'>({
  service: 'iam',
  name: 'GetServiceLinkedRoleDeletionStatus',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const taskId = input.DeletionTaskId;
    const task = await ctx.store.get<{ roleArn: string; status: string }>(
      account,
      'setting',
      taskKey(taskId),
    );
    // The task id names the role: task/aws-service-role/SERVICE/NAME/UUID.
    const m = /^task(\/aws-service-role\/[^/]+\/)([^/]+)\/[^/]+$/.exec(taskId);
    await ctx.authorize({
      action: 'iam:GetServiceLinkedRoleDeletionStatus',
      resource: task?.body.roleArn ?? (m ? iamArn(account, 'role', m[1]!, m[2]!) : '*'),
    });
    if (task === undefined) throw new AwsError('NoSuchEntity', `Deletion task ${taskId} cannot be found.`);
    return { Status: task.body.status };
  },
});

/** The service-linked role operations, registered in `src/iam/index.ts`. */
export const serviceLinkedRoleOperations: readonly Operation[] = [
  createServiceLinkedRole,
  deleteServiceLinkedRole,
  getServiceLinkedRoleDeletionStatus,
];
