/**
 * IAM temporary delegation (issue #20): CreateDelegationRequest, GetDelegationRequest,
 * ListDelegationRequests, AssociateDelegationRequest, AcceptDelegationRequest, RejectDelegationRequest,
 * UpdateDelegationRequest and SendDelegationToken; sts:GetDelegatedAccessToken is in
 * src/sts/delegated-access-token.ts.
 *
 * The flow (IAM User Guide, "Building your integration", request lifecycle:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/temporary-delegation-building-integration.html):
 * a partner (the requestor account) creates a request, optionally for one target account, naming a
 * policy template and its parameters; it is UNASSIGNED. A principal of the customer account associates
 * it (ASSIGNED; that principal becomes the owner), may forward it to an administrator with
 * UpdateDelegationRequest (PENDING_APPROVAL), the customer accepts (ACCEPTED) or rejects it (REJECTED), and SendDelegationToken releases the exchange token to the partner (FINALIZED): "The
 * delegation period (exchange token validity) begins when the request reaches Finalized state", and
 * lasts SessionDuration seconds ("The active time window for the session starts when the customer calls
 * the SendDelegationToken API", CreateDelegationRequest API reference). The partner trades the token
 * in for credentials of the owner limited to the request's permission policy.
 *
 * Storage (generic entities, no migration): `delegationRequest` in the requestor's account, key = the
 * id; `delegationLink` in the target/owner account, key = the id, pointing at the requestor's account
 * (so the customer can list and find it); `delegationNotification` in the requestor's account: the
 * message iamd would publish to the request's SNS NotificationChannel (iamd serves no SNS), the token
 * sealed at rest, read with `iamd delegation notifications`.
 *
 * Where the AWS documentation is silent iamd chooses, and says so beside the choice.
 */
import type { CallContext, ContextValue, Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import type { Entity, StoreReader, StoreTx } from '../store/index.js';
import { AwsError, errors } from '../errors/index.js';
import { base32Encode } from '../credentials/base32.js';
import { evaluate, validatePolicy } from '../policy/index.js';
import { gatherPolicies, globalContext, requestPrincipal } from '../authz/index.js';
import { resolveManagedPolicyDocument } from '../domain/managed-policies.js';
import type { Principal } from '../domain/principal.js';
import { callerAccount, paginate } from './common.js';
import type { DelegationRequest, PolicyParameter } from '../protocol/shapes/iam.js';
import {
  DELEGATION_REQUEST_TTL_SECONDS,
  effectiveState,
  hashTokenSecret,
  notificationAad,
  requestorOf,
  type DelegationLinkBody,
  type DelegationNotificationBody,
  type DelegationOwner,
  type DelegationRequestBody,
  type DelegationState,
} from '../domain/delegation-requests.js';

/** A new request id: the requestor's account, `-`, 20 base32 characters (the model: `[\w-]+`, 16–128). */
function makeRequestId(account: string, random: (n: number) => Uint8Array): string {
  return `${account}-${base32Encode(random(15)).slice(0, 20)}`;
}

/** The ARN of a delegation request as seen from `account` (resource type `delegation-request`). */
export function delegationRequestArn(account: string, id: string): string {
  return `arn:aws:iam::${account}:delegation-request/${id}`;
}

/**
 * Message for an id the caller cannot see. The API reference lists NoSuchEntity without a text; iamd
 * words it like its other "cannot be found" messages.
 */
function noSuchRequest(id: string): AwsError {
  return errors.noSuchEntity(`The delegation request with id ${id} cannot be found.`);
}

/**
 * Renders a policy template. In any string, `{{Name}}` is replaced by the value of the `string`
 * parameter `Name`; an array element that uses a `stringList` parameter is repeated once per value
 * (`["arn:aws:iam::{{AccountId}}:role/{{Roles}}"]` with Roles = [a, b] gives two ARNs). The partner
 * guide registers templates with AWS and does not publish their placeholder syntax; iamd's templates are
 * managed policies of the requestor's account (or AWS managed policies) written with `{{Name}}`
 * placeholders where a value goes, so the template itself is a valid policy. A placeholder without a
 * parameter, a parameter the template does not use, a `string` parameter without exactly one value, a
 * `stringList` outside an array or two in one element is InvalidInput.
 */
export function renderPolicyTemplate(
  template: string,
  parameters: readonly PolicyParameter[],
): { ok: true; policy: string } | { ok: false; message: string } {
  const byName = new Map<string, PolicyParameter>();
  for (const p of parameters) {
    if (p.Name === undefined) return { ok: false, message: 'every policy parameter needs a Name' };
    if (byName.has(p.Name)) return { ok: false, message: `policy parameter \`${p.Name}\` is given twice` };
    byName.set(p.Name, p);
  }
  const used = new Set<string>();
  let problem: string | undefined;
  const placeholder = /\{\{([^{}]+)\}\}/g;
  const isList = (name: string): boolean => byName.get(name)?.Type === 'stringList';
  /** Substitutes string parameters in `text`; `list` = [name, value] substitutes one stringList value. */
  const fill = (text: string, list?: readonly [string, string]): string =>
    text.replace(placeholder, (_m, name: string) => {
      used.add(name);
      if (list !== undefined && name === list[0]) return list[1];
      const p = byName.get(name);
      if (p === undefined) problem ??= `the policy template needs parameter \`${name}\``;
      else if (isList(name))
        problem ??= `parameter \`${name}\` is a stringList and may only be used in a list`;
      else if (p.Values?.length !== 1)
        problem ??= `parameter \`${name}\` is a string and needs exactly one value`;
      else return p.Values[0] ?? '';
      return '';
    });
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return fill(v);
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (const e of v) {
        const lists =
          typeof e === 'string' ? [...e.matchAll(placeholder)].map((m) => m[1] ?? '').filter(isList) : [];
        const name = lists[0];
        if (typeof e !== 'string' || name === undefined) out.push(walk(e));
        else if (new Set(lists).size > 1)
          problem ??= `one list element may use one stringList parameter, not \`${lists.join('`, `')}\``;
        else for (const value of byName.get(name)?.Values ?? []) out.push(fill(e, [name, value]));
      }
      return out;
    }
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, e] of Object.entries(v)) out[k] = walk(e);
      return out;
    }
    return v;
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(template);
  } catch {
    return { ok: false, message: 'the policy template is not valid JSON' };
  }
  const rendered = walk(parsed);
  if (problem !== undefined) return { ok: false, message: problem };
  const unused = [...byName.keys()].find((n) => !used.has(n));
  if (unused !== undefined)
    return { ok: false, message: `the policy template has no parameter \`${unused}\`` };
  return { ok: true, policy: JSON.stringify(rendered) };
}

/** The owner record for a calling principal; undefined for callers that cannot own a request. */
function ownerFor(p: Principal): DelegationOwner | undefined {
  switch (p.type) {
    case 'IAMUser':
      return { type: p.type, account: p.account, arn: p.arn, userName: p.userName, userId: p.userId };
    case 'Root':
      return { type: p.type, account: p.account, arn: p.arn };
    case 'AssumedRole':
      return {
        type: p.type,
        account: p.account,
        arn: p.arn,
        roleName: p.roleName,
        roleId: p.session.roleId,
        rolePath: p.session.rolePath,
        sessionName: p.session.sessionName,
      };
    default:
      return undefined;
  }
}

/** The `DelegationRequest` shape. */
function requestOutput(b: DelegationRequestBody, now: number): DelegationRequest {
  return {
    DelegationRequestId: b.id,
    OwnerAccountId: b.owner?.account ?? b.targetAccount,
    Description: b.description,
    RequestMessage: b.requestMessage,
    Permissions: {
      PolicyTemplateArn: b.policyTemplateArn,
      Parameters: b.parameters.length > 0 ? b.parameters : undefined,
    },
    PermissionPolicy: b.permissionPolicy,
    OwnerId: b.owner?.arn,
    ApproverId: b.approverArn,
    State: effectiveState(b, now),
    ExpirationTime: b.expiresAt,
    RequestorId: b.requestorAccount,
    CreateDate: b.createdAt,
    SessionDuration: b.sessionDuration,
    RedirectUrl: b.redirectUrl,
    Notes: b.notes,
    RejectionReason: b.rejectionReason,
    OnlySendByOwner: b.onlySendByOwner,
    UpdatedTime: b.updatedAt,
  };
}

/**
 * Finds a request the caller's account may see: its requestor, the account it is linked to (target or
 * owner), or — for an UNASSIGNED request created without a target — any account ("resulting in a
 * request that can be associated by any account", CreateDelegationRequest API reference). Anything else
 * is NoSuchEntity, the same as an unknown id, so no account learns what another owns.
 */
async function visibleRequest(
  reader: StoreReader,
  account: string,
  id: string,
  now: number,
): Promise<Entity<DelegationRequestBody>> {
  const requestor = requestorOf(id);
  if (requestor === undefined) throw noSuchRequest(id);
  const e = await reader.get<DelegationRequestBody>(requestor, 'delegationRequest', id);
  if (e === undefined) throw noSuchRequest(id);
  const b = e.body;
  if (account === b.requestorAccount) return e;
  const linked = b.owner?.account ?? b.targetAccount;
  if (linked === account) return e;
  if (linked === undefined && effectiveState(b, now) === 'UNASSIGNED') return e;
  throw noSuchRequest(id);
}

/** For the customer-side operations: the request must be the caller account's (its owner account). */
async function ownedRequest(
  reader: StoreReader,
  account: string,
  id: string,
  now: number,
): Promise<Entity<DelegationRequestBody>> {
  const e = await visibleRequest(reader, account, id, now);
  if (e.body.owner?.account !== account) throw noSuchRequest(id);
  return e;
}

/** Whether the calling principal is the request's owner. */
function callerOwns(ctx: CallContext, b: DelegationRequestBody): boolean {
  return ctx.principal.type !== 'Anonymous' && b.owner?.arn === ctx.principal.arn;
}

/** Condition keys of a request as a resource. */
function requestContext(b: DelegationRequestBody): Record<string, ContextValue> {
  return b.owner !== undefined ? { 'iam:DelegationRequestOwner': b.owner.arn } : {};
}

/** Rewrites the request inside the call's transaction, failing if it changed since it was read. */
async function writeRequest(
  tx: StoreTx,
  read: Entity<DelegationRequestBody>,
  body: DelegationRequestBody,
): Promise<void> {
  const cur = await tx.get<DelegationRequestBody>(read.account, 'delegationRequest', read.key);
  if (cur === undefined || cur.version !== read.version)
    throw new AwsError(
      'ConcurrentModification',
      'The delegation request was changed by another request at the same time. Please try again.',
    );
  await tx.update(read.account, 'delegationRequest', read.key, body, { expectedVersion: read.version });
}

/**
 * Reads the caller account's own request and authorizes `action` on it (with the request's condition
 * keys). With `ownerExempt` the request's owner needs no permission ("Once a delegation request has an
 * owner, that owner gets a default permission", UpdateDelegationRequest API reference).
 */
async function authorizedOwnedRequest(
  ctx: CallContext,
  id: string,
  action: string,
  ownerExempt = false,
): Promise<Entity<DelegationRequestBody>> {
  const account = callerAccount(ctx);
  const e = await ownedRequest(ctx.store, account, id, ctx.now);
  if (!(ownerExempt && callerOwns(ctx, e.body)))
    await ctx.authorize({
      action,
      resource: delegationRequestArn(account, id),
      context: requestContext(e.body),
    });
  return e;
}

/** One step of a request's lifecycle (see {@link transition}). */
interface Transition {
  /** The operation, named in the wrong-state message. */
  readonly operation: string;
  /** The states the request may move from. */
  readonly from: readonly DelegationState[];
  /** The code for a request in any other state (the message names the state); InvalidInput unless set. */
  readonly wrongStateCode?: 'InvalidInput' | 'ConcurrentModification';
  /**
   * What the step changes. It runs once the state is known to be right, so it may also refuse the
   * step for reasons of its own by throwing an AwsError.
   */
  readonly update: () => {
    /** The fields the step sets, the new `state` among them. */
    readonly set: Partial<DelegationRequestBody>;
    /** Further writes inside the same transaction, after the request is rewritten. */
    readonly alsoWrite?: (tx: StoreTx) => Promise<void>;
  };
}

/**
 * Moves request `e` (read as `id`) one step on: checks its effective state is one of `step.from`,
 * rewrites it with `step.update()` and a new `updatedAt` in the call's transaction, and records the
 * call in the requestor's account too (it is the partner's request).
 */
async function transition(
  ctx: CallContext,
  id: string,
  e: Entity<DelegationRequestBody>,
  step: Transition,
): Promise<Record<string, never>> {
  const state = effectiveState(e.body, ctx.now);
  if (!step.from.includes(state))
    throw new AwsError(
      step.wrongStateCode ?? 'InvalidInput',
      `delegation request ${id} is ${state}; ${step.operation} is not possible in this state`,
    );
  const { set, alsoWrite } = step.update();
  const body: DelegationRequestBody = { ...e.body, ...set, updatedAt: ctx.now };
  return ctx.transact(async (tx) => {
    await writeRequest(tx, e, body);
    await alsoWrite?.(tx);
    ctx.alsoRecordIn(e.body.requestorAccount);
    return {};
  });
}

/**
 * CreateDelegationRequest (partner side). Authorized as `iam:CreateDelegationRequest` on the new
 * request with `iam:TemplateArn`, `iam:NotificationChannel` and `iam:DelegationDuration` (Service
 * Authorization Reference, IAM actions). The template must resolve and render to a valid policy.
 */
export const createDelegationRequest = iamOperation<'CreateDelegationRequest'>({
  service: 'iam',
  name: 'CreateDelegationRequest',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const id = makeRequestId(account, (n) => ctx.services.random(n));
    const templateArn = input.Permissions.PolicyTemplateArn;
    await ctx.authorize({
      action: 'iam:CreateDelegationRequest',
      resource: delegationRequestArn(account, id),
      context: {
        ...(templateArn !== undefined ? { 'iam:TemplateArn': templateArn } : {}),
        'iam:NotificationChannel': input.NotificationChannel,
        'iam:DelegationDuration': String(input.SessionDuration),
      },
    });
    if (templateArn === undefined) throw errors.invalidInput('Permissions must name a PolicyTemplateArn');
    // A template is one of the requestor's own policies or an AWS managed one, never another account's.
    const own =
      templateArn.startsWith(`arn:aws:iam::${account}:`) || templateArn.startsWith('arn:aws:iam::aws:');
    const template = own ? await resolveManagedPolicyDocument(ctx.store, templateArn) : undefined;
    if (template === undefined)
      throw errors.invalidInput(`policy template ${templateArn} does not exist or is not attachable`);
    const rendered = renderPolicyTemplate(template, input.Permissions.Parameters ?? []);
    if (!rendered.ok) throw errors.invalidInput(rendered.message);
    const invalid = validatePolicy(rendered.policy, 'session').errors[0];
    if (invalid !== undefined) throw errors.malformedPolicy(invalid.message);
    if (
      input.OwnerAccountId !== undefined &&
      (await ctx.store.getAccount(input.OwnerAccountId)) === undefined
    )
      throw errors.invalidInput(`account ${input.OwnerAccountId} does not exist`);
    const body: DelegationRequestBody = {
      id,
      requestorAccount: account,
      requestorArn: ctx.principal.type === 'Anonymous' ? '' : ctx.principal.arn,
      targetAccount: input.OwnerAccountId,
      description: input.Description,
      requestMessage: input.RequestMessage,
      policyTemplateArn: templateArn,
      parameters: input.Permissions.Parameters ?? [],
      permissionPolicy: rendered.policy,
      requestorWorkflowId: input.RequestorWorkflowId,
      redirectUrl: input.RedirectUrl,
      notificationChannel: input.NotificationChannel,
      sessionDuration: input.SessionDuration,
      onlySendByOwner: input.OnlySendByOwner === true,
      state: 'UNASSIGNED',
      createdAt: ctx.now,
      updatedAt: ctx.now,
      expiresAt: ctx.now + DELEGATION_REQUEST_TTL_SECONDS * 1000,
    };
    const base = ctx.services.publicUrl?.();
    return ctx.transact(async (tx) => {
      await tx.insert(account, 'delegationRequest', id, body, null);
      if (body.targetAccount !== undefined && body.targetAccount !== account) {
        const link: DelegationLinkBody = { requestorAccount: account };
        await tx.insert(body.targetAccount, 'delegationLink', id, link, null);
        ctx.alsoRecordIn(body.targetAccount);
      }
      return {
        DelegationRequestId: id,
        // The page a customer opens to review the request (AWS: the IAM console's). iamd's console.
        ConsoleDeepLink:
          base !== undefined ? `${base}/console/delegation-requests/${encodeURIComponent(id)}` : undefined,
      };
    });
  },
});

/**
 * GetDelegationRequest. "Once the delegation request is fully owned, the owner of the request gets a
 * default permission to get that delegation request" (GetDelegationRequest API reference): the owner
 * is not asked for `iam:GetDelegationRequest`; everyone else is. With `DelegationPermissionCheck`, the
 * answer says whether the caller holds what the request delegates (see {@link permissionCheck}).
 */
export const getDelegationRequest = iamOperation<'GetDelegationRequest'>({
  service: 'iam',
  name: 'GetDelegationRequest',
  // Decided in the handler: the owner needs no permission, anyone else needs iam:GetDelegationRequest.
  action: null,
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const e = await visibleRequest(ctx.store, account, input.DelegationRequestId, ctx.now);
    if (!callerOwns(ctx, e.body))
      await ctx.authorize({
        action: 'iam:GetDelegationRequest',
        resource: delegationRequestArn(account, e.key),
        context: requestContext(e.body),
      });
    const out = { DelegationRequest: requestOutput(e.body, ctx.now) };
    if (input.DelegationPermissionCheck !== true) return out;
    const result = await permissionCheck(ctx, e.body.permissionPolicy);
    return { ...out, PermissionCheckStatus: 'COMPLETE', PermissionCheckResult: result };
  },
});

/**
 * Whether the caller "has sufficient permissions to cover the asks from this delegation request"
 * ("This is an approximate result", GetDelegationRequest API reference). Each Allow statement's
 * actions × resources are decided by the engine against the caller's own policies (identity,
 * boundary, session policies; no SCPs), with the caller's global condition keys: DENIED when any is
 * not allowed, UNSURE when a statement uses wildcards, NotAction/NotResource or conditions (no single
 * request stands for it), else ALLOWED. The check runs at once, so the status is always COMPLETE.
 */
async function permissionCheck(ctx: CallContext, policy: string): Promise<'ALLOWED' | 'DENIED' | 'UNSURE'> {
  const policies = await gatherPolicies(ctx.store, ctx.principal);
  const context = globalContext(ctx.principal, policies.tags, ctx);
  const principal = requestPrincipal(ctx.principal);
  const set = {
    identity: policies.identity,
    ...(policies.permissionsBoundary !== undefined
      ? { permissionsBoundary: policies.permissionsBoundary }
      : {}),
    ...(policies.session !== undefined ? { session: policies.session } : {}),
  };
  const list = (v: unknown): string[] | undefined =>
    typeof v === 'string' ? [v] : Array.isArray(v) ? (v as string[]) : undefined;
  const wild = (v: string): boolean => v.includes('*') || v.includes('?');
  const doc = JSON.parse(policy) as { Statement?: unknown };
  const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as Record<
    string,
    unknown
  >[];
  let unsure = false;
  for (const st of statements) {
    if (st.Effect !== 'Allow') continue;
    const actions = list(st.Action);
    const resources = list(st.Resource);
    if (actions === undefined || resources === undefined || st.Condition !== undefined) unsure = true;
    for (const action of actions ?? [])
      for (const resource of resources ?? []) {
        if (wild(action) || (resource !== '*' && wild(resource))) {
          unsure = true;
          continue;
        }
        const d = evaluate({ principal, action, resource, context }, set, { diagnostics: false });
        if (d.decision !== 'Allow') return 'DENIED';
      }
  }
  return unsure ? 'UNSURE' : 'ALLOWED';
}

/**
 * ListDelegationRequests: the requests of the caller's account — those it created and those linked to
 * it — oldest id first; `OwnerId` keeps those owned by that principal. Authorized as
 * `iam:ListDelegationRequests` (no resource type) with `iam:DelegationRequestOwner` = `OwnerId`.
 */
export const listDelegationRequests = iamOperation<'ListDelegationRequests'>({
  service: 'iam',
  name: 'ListDelegationRequests',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    await ctx.authorize({
      action: 'iam:ListDelegationRequests',
      resource: '*',
      context: input.OwnerId !== undefined ? { 'iam:DelegationRequestOwner': input.OwnerId } : {},
    });
    const own = await ctx.store.list<DelegationRequestBody>(account, 'delegationRequest');
    const links = await ctx.store.list<DelegationLinkBody>(account, 'delegationLink');
    const linked: DelegationRequestBody[] = [];
    for (const l of links) {
      const e = await ctx.store.get<DelegationRequestBody>(
        l.body.requestorAccount,
        'delegationRequest',
        l.key,
      );
      if (e !== undefined && (e.body.owner?.account ?? e.body.targetAccount) === account) linked.push(e.body);
    }
    const all = [...own.map((e) => e.body), ...linked]
      .filter((b) => input.OwnerId === undefined || b.owner?.arn === input.OwnerId)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const { page, IsTruncated, Marker } = paginate(all, (b) => b.id, input, ctx.services);
    return {
      DelegationRequests: page.map((b) => requestOutput(b, ctx.now)),
      Marker,
      isTruncated: IsTruncated,
    };
  },
});

/**
 * AssociateDelegationRequest: an UNASSIGNED request becomes the calling principal's (ASSIGNED). A
 * request created for another account is NoSuchEntity here; the owner must be an IAM user, a role
 * session or the root (iamd's choice: the principal delegated credentials are minted for).
 */
export const associateDelegationRequest = iamOperation<'AssociateDelegationRequest'>({
  service: 'iam',
  name: 'AssociateDelegationRequest',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const id = input.DelegationRequestId;
    const e = await visibleRequest(ctx.store, account, id, ctx.now);
    await ctx.authorize({
      action: 'iam:AssociateDelegationRequest',
      resource: delegationRequestArn(account, id),
    });
    return transition(ctx, id, e, {
      operation: 'AssociateDelegationRequest',
      from: ['UNASSIGNED'],
      update: () => {
        if (e.body.requestorAccount === account)
          throw errors.invalidInput(
            'a delegation request cannot be associated by the account that created it',
          );
        const owner = ownerFor(ctx.principal);
        if (owner === undefined)
          throw errors.invalidInput(
            'a delegation request can be associated by an IAM user, a role session or the root',
          );
        return {
          set: { owner, state: 'ASSIGNED' },
          alsoWrite: async (tx) => {
            if (e.body.targetAccount === undefined)
              await tx.insert(
                account,
                'delegationLink',
                id,
                { requestorAccount: e.body.requestorAccount },
                null,
              );
          },
        };
      },
    });
  },
});

/**
 * AcceptDelegationRequest: ASSIGNED or PENDING_APPROVAL → ACCEPTED, the caller recorded as approver.
 * The model lists no InvalidInput for it: a request in another state is ConcurrentModification (it
 * was moved on by someone else).
 */
export const acceptDelegationRequest = iamOperation<'AcceptDelegationRequest'>({
  service: 'iam',
  name: 'AcceptDelegationRequest',
  async handle(input, ctx) {
    const id = input.DelegationRequestId;
    const e = await authorizedOwnedRequest(ctx, id, 'iam:AcceptDelegationRequest');
    return transition(ctx, id, e, {
      operation: 'AcceptDelegationRequest',
      from: ['ASSIGNED', 'PENDING_APPROVAL'],
      wrongStateCode: 'ConcurrentModification',
      update: () => ({
        set: {
          state: 'ACCEPTED',
          approverArn: ctx.principal.type === 'Anonymous' ? undefined : ctx.principal.arn,
        },
      }),
    });
  },
});

/** RejectDelegationRequest: ASSIGNED or PENDING_APPROVAL → REJECTED, `Notes` kept as RejectionReason. */
export const rejectDelegationRequest = iamOperation<'RejectDelegationRequest'>({
  service: 'iam',
  name: 'RejectDelegationRequest',
  async handle(input, ctx) {
    const id = input.DelegationRequestId;
    const e = await authorizedOwnedRequest(ctx, id, 'iam:RejectDelegationRequest');
    return transition(ctx, id, e, {
      operation: 'RejectDelegationRequest',
      from: ['ASSIGNED', 'PENDING_APPROVAL'],
      update: () => ({ set: { state: 'REJECTED', rejectionReason: input.Notes } }),
    });
  },
});

/**
 * UpdateDelegationRequest: "Updates an existing delegation request with additional information. When
 * the delegation request is updated, it reaches the PENDING_APPROVAL state. Once a delegation request
 * has an owner, that owner gets a default permission to update the delegation request"
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateDelegationRequest.html): the owner
 * forwards its request, with `Notes`, to an administrator, who accepts or rejects it. Possible from
 * ASSIGNED and PENDING_APPROVAL. Anyone else of the owner account needs `iam:UpdateDelegationRequest`
 * (the Service Authorization Reference lists no action for it; iamd uses the operation's name).
 */
export const updateDelegationRequest = iamOperation<'UpdateDelegationRequest'>({
  service: 'iam',
  name: 'UpdateDelegationRequest',
  // Decided in the handler: the owner needs no permission, anyone else iam:UpdateDelegationRequest.
  action: null,
  async handle(input, ctx) {
    const id = input.DelegationRequestId;
    const e = await authorizedOwnedRequest(ctx, id, 'iam:UpdateDelegationRequest', true);
    return transition(ctx, id, e, {
      operation: 'UpdateDelegationRequest',
      from: ['ASSIGNED', 'PENDING_APPROVAL'],
      update: () => ({ set: { state: 'PENDING_APPROVAL', notes: input.Notes } }),
    });
  },
});

/**
 * SendDelegationToken: ACCEPTED → FINALIZED; the delegation period (SessionDuration) starts now. With
 * OnlySendByOwner only the owner may call it ("This flag prevents any party other than the owner from
 * calling SendDelegationToken API", CreateDelegationRequest API reference): anyone else is AccessDenied.
 * The token `ID.SECRET` goes to the partner's notification channel (kept sealed in the requestor
 * account's outbox); only its hash stays on the request.
 */
export const sendDelegationToken = iamOperation<'SendDelegationToken'>({
  service: 'iam',
  name: 'SendDelegationToken',
  async handle(input, ctx) {
    const id = input.DelegationRequestId;
    const e = await authorizedOwnedRequest(ctx, id, 'iam:SendDelegationToken');
    return transition(ctx, id, e, {
      operation: 'SendDelegationToken',
      from: ['ACCEPTED'],
      update: () => {
        const callerArn = ctx.principal.type === 'Anonymous' ? '' : ctx.principal.arn;
        if (e.body.onlySendByOwner && callerArn !== e.body.owner?.arn)
          throw errors.accessDenied(
            `User: ${callerArn} is not authorized to perform: iam:SendDelegationToken on resource: ${delegationRequestArn(callerAccount(ctx), id)} because only the owner of the delegation request may send its token`,
          );
        const secret = base32Encode(ctx.services.random(30));
        const token = `${id}.${secret}`;
        const expiresAt = ctx.now + e.body.sessionDuration * 1000;
        const notification: DelegationNotificationBody = {
          delegationRequestId: id,
          notificationChannel: e.body.notificationChannel,
          requestorWorkflowId: e.body.requestorWorkflowId,
          sentAt: ctx.now,
          expiresAt,
          sealedToken: ctx.services.sealSecret(token, notificationAad(id)),
        };
        return {
          set: { state: 'FINALIZED', finalizedAt: ctx.now, expiresAt, tokenHash: hashTokenSecret(secret) },
          alsoWrite: async (tx) => {
            await tx.insert(e.body.requestorAccount, 'delegationNotification', id, notification, null);
          },
        };
      },
    });
  },
});

/** Every delegation-request operation. */
export const delegationRequestOperations: readonly Operation[] = [
  createDelegationRequest,
  getDelegationRequest,
  listDelegationRequests,
  associateDelegationRequest,
  acceptDelegationRequest,
  rejectDelegationRequest,
  updateDelegationRequest,
  sendDelegationToken,
];
