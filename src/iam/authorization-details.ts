/**
 * GetAccountAuthorizationDetails: every user, group, role and managed policy of the account with
 * their policies, in one paginated answer (API reference). Shapes follow the recorded answers
 * (localstack pr-13720 test_iam_account_authorization_details): users omit `UserPolicyList` when empty
 * but always carry `Tags`; groups always carry `GroupPolicyList`; roles carry `InstanceProfileList`,
 * `RolePolicyList`, `Tags` and `RoleLastUsed`; AWS managed policies appear only when used in the account.
 *
 * Limitation: the catalog holds only the default version of an AWS managed policy, so its
 * `PolicyVersionList` has that one version (AWS lists older versions too).
 */
import type { Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import { callerAccount, paginate } from './common.js';
import { nameKey } from '../domain/names.js';
import type {
  GroupBody,
  InlinePolicies,
  InstanceProfileBody,
  ManagedPolicyBody,
  RoleBody,
  UserBody,
} from '../domain/entities.js';
import { awsPolicyUsage, listAwsManagedPolicies } from '../domain/aws-managed-catalog.js';
import {
  awsPolicyWire,
  encodeDocument,
  localPolicyVersionList,
  localPolicyWire,
} from './managed-policies.js';
import { parsePolicyArn } from '../domain/managed-policies.js';
import { instanceProfileWire } from './instance-profiles.js';
import { roleWire } from './roles.js';
import { roleForDisplay } from '../domain/trust-principals.js';

const ALL_FILTERS = ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] as const;

function inlineList(policies: InlinePolicies): Record<string, unknown>[] {
  return Object.keys(policies)
    .sort()
    .map((name) => ({ PolicyName: name, PolicyDocument: encodeDocument(policies[name] ?? '') }));
}

function attachedList(arns: readonly string[]): Record<string, unknown>[] {
  return arns.map((arn) => ({ PolicyName: parsePolicyArn(arn)?.name ?? arn, PolicyArn: arn }));
}

function boundaryWire(arn: string | undefined): Record<string, unknown> | undefined {
  return arn === undefined ? undefined : { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn };
}

type Section = 'UserDetailList' | 'GroupDetailList' | 'RoleDetailList' | 'Policies';

interface Row {
  /** Sort/pagination key: section number then entity key. */
  readonly sort: string;
  readonly section: Section;
  readonly build: () => Promise<Record<string, unknown>>;
}

/** GetAccountAuthorizationDetails. */
export const getAccountAuthorizationDetails = iamOperation<'GetAccountAuthorizationDetails'>({
  service: 'iam',
  name: 'GetAccountAuthorizationDetails',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    await ctx.authorize({ action: 'iam:GetAccountAuthorizationDetails', resource: '*' });
    const filter = new Set<string>(
      input.Filter !== undefined && input.Filter.length > 0 ? input.Filter : ALL_FILTERS,
    );
    const store = ctx.store;
    const rows: Row[] = [];

    if (filter.has('User'))
      for (const e of await store.list<UserBody>(account, 'user')) {
        const b = e.body;
        rows.push({
          sort: `0:${e.key}`,
          section: 'UserDetailList',
          build: async () => {
            const out: Record<string, unknown> = {
              Path: b.path,
              UserName: b.userName,
              UserId: b.userId,
              Arn: b.arn,
              CreateDate: b.createDate,
              GroupList: [...b.groups],
              AttachedManagedPolicies: attachedList(b.attachedPolicies),
              Tags: b.tags.map((t) => ({ ...t })),
            };
            const inline = inlineList(b.inlinePolicies);
            if (inline.length > 0) out.UserPolicyList = inline;
            const boundary = boundaryWire(b.permissionsBoundary);
            if (boundary !== undefined) out.PermissionsBoundary = boundary;
            return out;
          },
        });
      }

    if (filter.has('Group'))
      for (const e of await store.list<GroupBody>(account, 'group')) {
        const b = e.body;
        rows.push({
          sort: `1:${e.key}`,
          section: 'GroupDetailList',
          build: () =>
            Promise.resolve({
              Path: b.path,
              GroupName: b.groupName,
              GroupId: b.groupId,
              Arn: b.arn,
              CreateDate: b.createDate,
              GroupPolicyList: inlineList(b.inlinePolicies),
              AttachedManagedPolicies: attachedList(b.attachedPolicies),
            }),
        });
      }

    if (filter.has('Role')) {
      const profiles = await store.list<InstanceProfileBody>(account, 'instanceProfile');
      for (const e of await store.list<RoleBody>(account, 'role')) {
        const b = e.body;
        rows.push({
          sort: `2:${e.key}`,
          section: 'RoleDetailList',
          build: async () => {
            const role = roleWire(await roleForDisplay(store, b), 'detail');
            const mine = profiles.filter((p) => p.body.roles.some((r) => nameKey(r) === e.key));
            const list: Record<string, unknown>[] = [];
            for (const p of mine) list.push(await instanceProfileWire(store, account, p.body, 'omit'));
            return {
              ...role,
              InstanceProfileList: list,
              RolePolicyList: inlineList(b.inlinePolicies),
              AttachedManagedPolicies: attachedList(b.attachedPolicies),
            };
          },
        });
      }
    }

    if (filter.has('LocalManagedPolicy'))
      for (const e of await store.list<ManagedPolicyBody>(account, 'policy')) {
        const b = e.body;
        rows.push({
          sort: `3:${e.key}`,
          section: 'Policies',
          build: () => {
            const out = localPolicyWire(b, 'omit');
            out.PolicyVersionList = localPolicyVersionList(b);
            return Promise.resolve(out);
          },
        });
      }

    if (filter.has('AWSManagedPolicy')) {
      const usage = await awsPolicyUsage(store, account);
      for (const p of listAwsManagedPolicies()) {
        const u = usage.get(p.arn);
        if (u === undefined) continue; // Only AWS policies in use in this account are listed.
        rows.push({
          sort: `4:${p.arn}`,
          section: 'Policies',
          build: () => {
            const out = awsPolicyWire(p, u, false);
            out.PolicyVersionList = [
              {
                Document: encodeDocument(p.document),
                VersionId: p.defaultVersionId,
                IsDefaultVersion: true,
                CreateDate: p.updateDate,
              },
            ];
            return Promise.resolve(out);
          },
        });
      }
    }

    rows.sort((a, b) => (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0));
    const { page, ...rest } = paginate(rows, (r) => r.sort, input, ctx.services);
    const out: Record<Section, Record<string, unknown>[]> = {
      UserDetailList: [],
      GroupDetailList: [],
      RoleDetailList: [],
      Policies: [],
    };
    for (const r of page) out[r.section].push(await r.build());
    return { ...out, ...rest };
  },
});

/** The authorization-details operation, for `src/iam/index.ts`. */
export const authorizationDetailsOperations: readonly Operation[] = [getAccountAuthorizationDetails];
