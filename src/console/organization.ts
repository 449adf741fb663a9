/**
 * The console's Organizations view (issue 19): the tree root → OUs → accounts with each node's attached
 * policies, and for a chosen account the SCPs and RCPs that apply to it with the level each comes from.
 * Built only from Organizations API calls made as the console's principal (`call`), so each read is
 * authorized, audited and limited exactly as the same call from the CLI would be: a member account's
 * user gets the API's own error (AccessDenied / AWSOrganizationsNotInUse) and sees nothing more.
 */

/** One Organizations JSON call: the status and the parsed body. */
export type OrgCall = (
  action: string,
  input: Record<string, unknown>,
) => Promise<{ status: number; body: Record<string, unknown> }>;

/** A policy attached to a node. */
export interface AttachedPolicyView {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly awsManaged: boolean;
}

/** A node of the tree. */
export interface OrgNodeView {
  readonly type: 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT';
  readonly id: string;
  readonly name: string;
  readonly policies: readonly AttachedPolicyView[];
  readonly children: readonly OrgNodeView[];
}

/** Policies of one level that apply to the chosen account. */
export interface AppliedLevelView {
  readonly level: 'root' | 'ou' | 'account';
  readonly targetId: string;
  /** `Root`, `Root/Sandbox/Inner`, … */
  readonly path: string;
  readonly policies: readonly AttachedPolicyView[];
}

/** What the view answers. */
export type OrganizationView =
  | {
      readonly ok: true;
      readonly organizationId: string;
      readonly managementAccount: string;
      readonly enabledPolicyTypes: readonly string[];
      readonly tree: OrgNodeView;
      readonly applied?: { readonly account: string; readonly levels: readonly AppliedLevelView[] };
    }
  | { readonly ok: false; readonly status: number; readonly error: { code: string; message: string } };

/** The two policy types that decide access. */
const ENFORCED = ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'] as const;

class CallFailed extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads the organization the caller may see; `account` picks the account whose policies are shown. */
export async function organizationView(call: OrgCall, account?: string): Promise<OrganizationView> {
  const ask = async (action: string, input: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const res = await call(action, input);
    if (res.status >= 300) {
      const rawType = typeof res.body.__type === 'string' ? res.body.__type : 'ServiceException';
      const code = rawType.slice(rawType.lastIndexOf('#') + 1);
      const message =
        typeof res.body.message === 'string'
          ? res.body.message
          : typeof res.body.Message === 'string'
            ? res.body.Message
            : code;
      throw new CallFailed(res.status, code, message);
    }
    return res.body;
  };
  const all = async (
    action: string,
    input: Record<string, unknown>,
    member: string,
  ): Promise<Record<string, unknown>[]> => {
    const out: Record<string, unknown>[] = [];
    let token: string | undefined;
    for (let i = 0; i < 1000; i++) {
      const body = await ask(action, token === undefined ? input : { ...input, NextToken: token });
      const items = body[member];
      if (Array.isArray(items)) out.push(...(items as Record<string, unknown>[]));
      token = typeof body.NextToken === 'string' ? body.NextToken : undefined;
      if (token === undefined) break;
    }
    return out;
  };
  try {
    const org = (await ask('DescribeOrganization', {})).Organization as Record<string, unknown>;
    const root = (await all('ListRoots', {}, 'Roots'))[0];
    if (root === undefined)
      throw new CallFailed(404, 'RootNotFoundException', 'the organization has no root');
    const enabled = ((root.PolicyTypes as { Type: string; Status: string }[] | undefined) ?? [])
      .filter((p) => p.Status === 'ENABLED')
      .map((p) => p.Type);
    const policiesOf = async (target: string): Promise<AttachedPolicyView[]> => {
      const list: AttachedPolicyView[] = [];
      for (const type of enabled)
        for (const p of await all('ListPoliciesForTarget', { TargetId: target, Filter: type }, 'Policies'))
          list.push({
            id: String(p.Id),
            name: String(p.Name),
            type: String(p.Type),
            awsManaged: p.AwsManaged === true,
          });
      return list;
    };
    const paths = new Map<string, { id: string; name: string; type: OrgNodeView['type'] }[]>();
    const build = async (
      id: string,
      name: string,
      type: OrgNodeView['type'],
      trail: { id: string; name: string; type: OrgNodeView['type'] }[],
    ): Promise<OrgNodeView> => {
      const here = [...trail, { id, name, type }];
      paths.set(id, here);
      const children: OrgNodeView[] = [];
      if (type !== 'ACCOUNT') {
        for (const ou of await all(
          'ListOrganizationalUnitsForParent',
          { ParentId: id },
          'OrganizationalUnits',
        ))
          children.push(await build(String(ou.Id), String(ou.Name), 'ORGANIZATIONAL_UNIT', here));
        for (const a of await all('ListAccountsForParent', { ParentId: id }, 'Accounts'))
          children.push(await build(String(a.Id), String(a.Name), 'ACCOUNT', here));
      }
      return { type, id, name, policies: await policiesOf(id), children };
    };
    const tree = await build(String(root.Id), String(root.Name ?? 'Root'), 'ROOT', []);
    const nodes = new Map<string, OrgNodeView>();
    const index = (n: OrgNodeView): void => {
      nodes.set(n.id, n);
      n.children.forEach(index);
    };
    index(tree);
    let applied: { account: string; levels: AppliedLevelView[] } | undefined;
    if (account !== undefined) {
      const trail = paths.get(account);
      if (trail === undefined || trail[trail.length - 1]?.type !== 'ACCOUNT')
        throw new CallFailed(
          404,
          'AccountNotFoundException',
          `account ${account} is not in this organization`,
        );
      applied = {
        account,
        levels: trail.map((t, i) => ({
          level: t.type === 'ROOT' ? 'root' : t.type === 'ACCOUNT' ? 'account' : 'ou',
          targetId: t.id,
          path: trail
            .slice(0, i + 1)
            .map((x) => x.name)
            .join('/'),
          policies: (nodes.get(t.id)?.policies ?? []).filter((p) =>
            (ENFORCED as readonly string[]).includes(p.type),
          ),
        })),
      };
    }
    return {
      ok: true,
      organizationId: String(org.Id),
      managementAccount: String(org.MasterAccountId),
      enabledPolicyTypes: enabled,
      tree,
      ...(applied === undefined ? {} : { applied }),
    };
  } catch (err) {
    if (err instanceof CallFailed)
      return { ok: false, status: err.status, error: { code: err.code, message: err.message } };
    throw err;
  }
}
