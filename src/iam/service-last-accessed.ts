/**
 * Service last accessed data (IAM access advisor): GenerateServiceLastAccessedDetails,
 * GetServiceLastAccessedDetails and GetServiceLastAccessedDetailsWithEntities, computed from the audit
 * trail. AWS pages: API_GenerateServiceLastAccessedDetails
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateServiceLastAccessedDetails.html) —
 * the report lists the services the entity's policies allow, with when each was last used ("last
 * authenticated") and by whom; for a group, its members; for a policy, the users, groups' members and
 * roles it is attached to; ACTION_LEVEL adds the last use of each tracked action for the services AWS
 * tracks actions of (IAM, EC2, Lambda, S3) — and "Viewing last accessed information for IAM".
 *
 * iamd computes the job within the Generate call (the job is COMPLETED when Get first sees it) and keeps
 * it as a `setting` entity (key `access-advisor/JOBID`) so every node of a cluster serves it.
 */
import type { CallContext, Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import { AwsError } from '../errors/index.js';
import { parseArn } from '../core/arn.js';
import { randomUuid } from '../core/uuid.js';
import type { AuditRecord } from '../store/index.js';
import { callerAccount, paginate } from './common.js';
import { nameKey } from '../domain/names.js';
import type { GroupBody, RoleBody, UserBody } from '../domain/entities.js';
import { entityPolicies, type EntityPolicy } from './policy-reports.js';
import { resolveManagedPolicyDocument } from '../domain/managed-policies.js';

/** Display names of the namespaces iamd serves or gates (AWS's names in access advisor). */
export const SERVICE_NAMES: Readonly<Record<string, string>> = {
  iam: 'AWS Identity and Access Management',
  sts: 'AWS Security Token Service',
  s3: 'Amazon S3',
  dynamodb: 'Amazon DynamoDB',
  organizations: 'AWS Organizations',
};

/** Services whose actions AWS tracks in ACTION_LEVEL reports. */
const ACTION_TRACKED = new Set(['iam', 'ec2', 'lambda', 's3']);

/** At most this many audit events are read for one report (newest first). */
const MAX_EVENTS = 100_000;

/** One entity the report is about. */
interface JobEntity {
  readonly arn: string;
  readonly name: string;
  readonly type: 'USER' | 'ROLE';
  readonly id: string;
  readonly path: string;
}

interface ServiceRow {
  readonly namespace: string;
  readonly lastAuthenticated?: number | undefined;
  readonly lastEntity?: string | undefined;
  readonly lastRegion?: string | undefined;
  readonly totalEntities: number;
  readonly actions?: readonly { name: string; time?: number; entity?: string; region?: string }[] | undefined;
  /** Per entity ARN, when it last used the service. */
  readonly entityLast: Readonly<Record<string, number>>;
}

interface JobBody {
  readonly jobId: string;
  readonly arn: string;
  readonly granularity: 'SERVICE_LEVEL' | 'ACTION_LEVEL';
  readonly created: number;
  readonly completed: number;
  readonly entities: readonly JobEntity[];
  readonly services: readonly ServiceRow[];
}

const jobKey = (id: string): string => `access-advisor/${id}`;

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * The namespaces and explicit actions a set of policies allows: a named action (`s3:GetObject`) gives
 * its service and action; a service wildcard (`s3:Get*`) its service; `*` or a NotAction every service
 * in `known`.
 */
export function allowedServices(
  texts: readonly string[],
  known: readonly string[],
): { namespaces: Set<string>; actions: Map<string, Set<string>> } {
  const namespaces = new Set<string>();
  const actions = new Map<string, Set<string>>();
  for (const text of texts) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      continue;
    }
    const s = (doc as { Statement?: unknown } | null)?.Statement;
    for (const st of Array.isArray(s) ? s : s !== undefined ? [s] : []) {
      if (st === null || typeof st !== 'object') continue;
      const stmt = st as Record<string, unknown>;
      if (stmt.Effect !== 'Allow') continue;
      if (stmt.NotAction !== undefined) {
        for (const k of known) namespaces.add(k);
        continue;
      }
      for (const a of strings(stmt.Action)) {
        if (a === '*') {
          for (const k of known) namespaces.add(k);
          continue;
        }
        const colon = a.indexOf(':');
        if (colon <= 0) continue;
        const ns = a.slice(0, colon).toLowerCase();
        if (/[*?]/.test(ns)) {
          for (const k of known)
            if (new RegExp(`^${ns.replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(k)) namespaces.add(k);
          continue;
        }
        namespaces.add(ns);
        const name = a.slice(colon + 1);
        if (!/[*?]/.test(name)) {
          const set = actions.get(ns) ?? new Set<string>();
          set.add(name);
          actions.set(ns, set);
        }
      }
    }
  }
  return { namespaces, actions };
}

/** The entity whose credentials made a recorded call: a user's ARN, or the role ARN behind a session. */
function actingEntity(record: Readonly<Record<string, unknown>>): string | undefined {
  const id = record.userIdentity as Record<string, unknown> | undefined;
  if (!id) return undefined;
  if (id.type === 'IAMUser') return typeof id.arn === 'string' ? id.arn : undefined;
  if (id.type === 'AssumedRole') {
    const issuer = (id.sessionContext as { sessionIssuer?: { arn?: unknown } } | undefined)?.sessionIssuer;
    return typeof issuer?.arn === 'string' ? issuer.arn : undefined;
  }
  return undefined;
}

function userEntity(u: UserBody): JobEntity {
  return { arn: u.arn, name: u.userName, type: 'USER', id: u.userId, path: u.path };
}
function roleEntity(r: RoleBody): JobEntity {
  return { arn: r.arn, name: r.roleName, type: 'ROLE', id: r.roleId, path: r.path };
}

/** The entities and policy texts a report on `arn` covers. */
async function subject(ctx: CallContext, arn: string): Promise<{ entities: JobEntity[]; texts: string[] }> {
  const account = callerAccount(ctx);
  const parsed = parseArn(arn);
  const store = ctx.store;
  if (parsed?.service === 'iam' && parsed.resource.startsWith('policy/')) {
    const text =
      parsed.account === account || parsed.account === 'aws'
        ? await resolveManagedPolicyDocument(store, arn)
        : undefined;
    if (text === undefined)
      throw new AwsError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
    const entities: JobEntity[] = [];
    const users = await store.list<UserBody>(account, 'user');
    const groups = await store.list<GroupBody>(account, 'group');
    const viaGroup = new Set(
      groups.filter((g) => g.body.attachedPolicies.includes(arn)).flatMap((g) => g.body.members.map(nameKey)),
    );
    for (const u of users)
      if (u.body.attachedPolicies.includes(arn) || viaGroup.has(u.key)) entities.push(userEntity(u.body));
    for (const r of await store.list<RoleBody>(account, 'role'))
      if (r.body.attachedPolicies.includes(arn)) entities.push(roleEntity(r.body));
    return { entities, texts: [text] };
  }
  const policies: EntityPolicy[] = await entityPolicies(ctx, arn);
  const texts = policies.map((p) => p.text);
  const kind = parsed!.resource.slice(0, parsed!.resource.indexOf('/'));
  const name = parsed!.resource.slice(parsed!.resource.lastIndexOf('/') + 1);
  if (kind === 'user') {
    const u = await store.get<UserBody>(account, 'user', nameKey(name));
    return { entities: u ? [userEntity(u.body)] : [], texts };
  }
  if (kind === 'role') {
    const r = await store.get<RoleBody>(account, 'role', nameKey(name));
    return { entities: r ? [roleEntity(r.body)] : [], texts };
  }
  const g = await store.get<GroupBody>(account, 'group', nameKey(name));
  const entities: JobEntity[] = [];
  for (const m of g?.body.members ?? []) {
    const u = await store.get<UserBody>(account, 'user', nameKey(m));
    if (u) entities.push(userEntity(u.body));
  }
  return { entities, texts };
}

/**
 * Reads the account's audit events (newest first), at most {@link MAX_EVENTS}, through the audit-trail
 * service (which first writes out the events of calls already answered); without one, nothing.
 */
async function* auditEvents(ctx: CallContext, account: string): AsyncGenerator<AuditRecord> {
  const trail = ctx.services.auditTrail;
  if (trail === undefined) return;
  let nextToken: string | undefined;
  let n = 0;
  do {
    const page = await trail.query({ account, limit: 1000, ...(nextToken ? { nextToken } : {}) });
    for (const e of page.events) {
      if (++n > MAX_EVENTS) return;
      yield e;
    }
    nextToken = page.nextToken;
  } while (nextToken);
}

/** Builds the report rows from the policies and the audit trail. */
async function computeJob(
  ctx: CallContext,
  arn: string,
  granularity: JobBody['granularity'],
): Promise<JobBody> {
  const account = callerAccount(ctx);
  const { entities, texts } = await subject(ctx, arn);
  const byArn = new Set(entities.map((e) => e.arn));
  interface Use {
    time: number;
    entity: string;
    region: string;
    action: string;
  }
  const uses = new Map<string, Use[]>();
  const seenNamespaces = new Set<string>(Object.keys(SERVICE_NAMES));
  for await (const e of auditEvents(ctx, account)) {
    const ns = e.eventSource.split('.')[0] ?? '';
    if (ns === '') continue;
    seenNamespaces.add(ns);
    // "Last accessed information includes all attempts to access an AWS API, not just the successful
    // ones" (IAM User Guide, "Refine permissions in AWS using last accessed information"): denied calls
    // count; calls whose credentials did not authenticate name no entity and are skipped.
    if (
      e.errorCode !== undefined &&
      /^(InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|IncompleteSignature)/.test(e.errorCode)
    )
      continue;
    const who = actingEntity(e.record);
    if (who === undefined || !byArn.has(who)) continue;
    const list = uses.get(ns) ?? [];
    list.push({
      time: e.eventTime,
      entity: who,
      region: String(e.record.awsRegion ?? ''),
      action: e.eventName,
    });
    uses.set(ns, list);
  }
  const allowed = allowedServices(texts, [...seenNamespaces].sort());
  const services: ServiceRow[] = [...allowed.namespaces].sort().map((ns) => {
    const list = uses.get(ns) ?? [];
    const entityLast: Record<string, number> = {};
    for (const u of list) entityLast[u.entity] = Math.max(entityLast[u.entity] ?? 0, u.time);
    const last = list.reduce<Use | undefined>(
      (a, u) => (a === undefined || u.time > a.time ? u : a),
      undefined,
    );
    let actions: ServiceRow['actions'];
    if (granularity === 'ACTION_LEVEL' && ACTION_TRACKED.has(ns)) {
      const names = new Set([...(allowed.actions.get(ns) ?? []), ...list.map((u) => u.action)]);
      actions = [...names].sort().map((name) => {
        const a = list
          .filter((u) => u.action === name)
          .reduce<Use | undefined>((x, u) => (x === undefined || u.time > x.time ? u : x), undefined);
        return a ? { name, time: a.time, entity: a.entity, region: a.region } : { name };
      });
    }
    return {
      namespace: ns,
      lastAuthenticated: last?.time,
      lastEntity: last?.entity,
      lastRegion: last?.region,
      totalEntities: Object.keys(entityLast).length,
      actions,
      entityLast,
    };
  });
  return { jobId: '', arn, granularity, created: ctx.now, completed: ctx.now, entities, services };
}

/** GenerateServiceLastAccessedDetails. */
export const generateServiceLastAccessedDetails = iamOperation<'GenerateServiceLastAccessedDetails'>({
  service: 'iam',
  name: 'GenerateServiceLastAccessedDetails',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const arn = input.Arn;
    await ctx.authorize({ action: 'iam:GenerateServiceLastAccessedDetails', resource: arn });
    const granularity = input.Granularity ?? 'SERVICE_LEVEL';
    const job = await computeJob(ctx, arn, granularity);
    const jobId = randomUuid(ctx.services.random(16));
    return ctx.transact(async (tx) => {
      await tx.insert(account, 'setting', jobKey(jobId), { ...job, jobId });
      return { JobId: jobId };
    });
  },
});

async function loadJob(ctx: CallContext, jobId: string): Promise<JobBody> {
  const account = callerAccount(ctx);
  const job = await ctx.store.get<JobBody>(account, 'setting', jobKey(jobId));
  if (job === undefined) throw new AwsError('NoSuchEntity', `No such job id: ${jobId}`);
  return job.body;
}

/** GetServiceLastAccessedDetails: the services, paged. */
export const getServiceLastAccessedDetails = iamOperation<'GetServiceLastAccessedDetails'>({
  service: 'iam',
  name: 'GetServiceLastAccessedDetails',
  async handle(input, ctx) {
    await ctx.authorize({ action: 'iam:GetServiceLastAccessedDetails', resource: '*' });
    const job = await loadJob(ctx, input.JobId);
    const { page, IsTruncated, Marker } = paginate(job.services, (s) => s.namespace, input, ctx.services);
    return {
      JobStatus: 'COMPLETED',
      JobType: job.granularity,
      JobCreationDate: job.created,
      JobCompletionDate: job.completed,
      ServicesLastAccessed: page.map((s) => ({
        ServiceName: SERVICE_NAMES[s.namespace] ?? s.namespace,
        ServiceNamespace: s.namespace,
        TotalAuthenticatedEntities: s.totalEntities,
        ...(s.lastAuthenticated !== undefined
          ? {
              LastAuthenticated: s.lastAuthenticated,
              LastAuthenticatedEntity: s.lastEntity,
              LastAuthenticatedRegion: s.lastRegion,
            }
          : {}),
        ...(s.actions
          ? {
              TrackedActionsLastAccessed: s.actions.map((a) =>
                a.time !== undefined
                  ? {
                      ActionName: a.name,
                      LastAccessedTime: a.time,
                      LastAccessedEntity: a.entity,
                      LastAccessedRegion: a.region,
                    }
                  : { ActionName: a.name },
              ),
            }
          : {}),
      })),
      IsTruncated,
      ...(Marker ? { Marker } : {}),
    };
  },
});

/** GetServiceLastAccessedDetailsWithEntities: for one service, each entity and its last use. */
export const getServiceLastAccessedDetailsWithEntities =
  iamOperation<'GetServiceLastAccessedDetailsWithEntities'>({
    service: 'iam',
    name: 'GetServiceLastAccessedDetailsWithEntities',
    async handle(input, ctx) {
      await ctx.authorize({ action: 'iam:GetServiceLastAccessedDetailsWithEntities', resource: '*' });
      const job = await loadJob(ctx, input.JobId);
      const ns = input.ServiceNamespace;
      const row = job.services.find((s) => s.namespace === ns);
      const list = row === undefined ? [] : job.entities;
      const { page, IsTruncated, Marker } = paginate(list, (e) => e.arn, input, ctx.services);
      return {
        JobStatus: 'COMPLETED',
        JobCreationDate: job.created,
        JobCompletionDate: job.completed,
        EntityDetailsList: page.map((e) => {
          const last = row?.entityLast[e.arn];
          return {
            EntityInfo: { Arn: e.arn, Name: e.name, Type: e.type, Id: e.id, Path: e.path },
            ...(last !== undefined ? { LastAuthenticated: last } : {}),
          };
        }),
        IsTruncated,
        ...(Marker ? { Marker } : {}),
      };
    },
  });

/** The service-last-accessed operations. */
export const serviceLastAccessedOperations: readonly Operation[] = [
  generateServiceLastAccessedDetails,
  getServiceLastAccessedDetails,
  getServiceLastAccessedDetailsWithEntities,
];
