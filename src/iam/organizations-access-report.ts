/**
 * GenerateOrganizationsAccessReport / GetOrganizationsAccessReport
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateOrganizationsAccessReport.html,
 * API_GetOrganizationsAccessReport.html): service last accessed data for an entity of the caller's
 * organization — the root, an OU or an account, named by its path `o-…/r-…[/ou-…]*[/ACCOUNT]` —
 * computed from the audit trail of the accounts it covers, as GenerateServiceLastAccessedDetails
 * computes it for IAM entities (service-last-accessed.ts).
 *
 * AWS's rules, from the Generate page:
 * - Only the management account, with SCPs enabled on the root; an account in no organization gets
 *   OrganizationNotFoundException.
 * - Root: the services the root's SCPs allow, data for every account but the management account. OU:
 *   the services allowed by the SCPs of the OU and its parents, data for the accounts in the OU or its
 *   children. Management account: every service (it is not limited by SCPs), its own data only. Another
 *   account: the services the SCPs of the account and its parents allow, its data only.
 * - With `OrganizationsPolicyId`: the services that SCP allows, data for the accounts in the entity to
 *   which the SCP applies (attached to the account or one of its parents); ignored for the management
 *   account.
 * - "Service last accessed data does not use other policy types … It only applies SCP logic." and
 *   "The data includes all attempts to access AWS, not just the successful ones."
 * - For each service: when an authenticated principal (root user, IAM user, IAM role) of a covered
 *   account last attempted to use it, from which Region and which account (`EntityPath`), and how many
 *   accounts did (`TotalAuthenticatedEntities`).
 *
 * Which services an SCP allows uses the same reading of Allow statements as the IAM report
 * (`allowedServices`); every level from the root to the entity must allow a service. The job is
 * computed within the Generate call and kept as a `setting` of the management account (key
 * `organizations-access-report/JOBID`), so every node of a cluster serves it.
 */
import type { CallContext, Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import { AwsError } from '../errors/index.js';
import { randomUuid } from '../core/uuid.js';
import type { StoreReader } from '../store/index.js';
import type { AccessDetail } from '../protocol/shapes/iam.js';
import {
  membershipOf,
  organizationOf,
  pathOf,
  type OrgAccountBody,
  type OrganizationBody,
  type OrgPolicyBody,
  type OrgUnitBody,
} from '../domain/organizations.js';
import { orgPolicyLevels } from '../authz/org-policies.js';
import { callerAccount, paginate } from './common.js';
import { allowedServices, SERVICE_NAMES } from './service-last-accessed.js';

/** At most this many audit events are read per account for one report (newest first). */
const MAX_EVENTS_PER_ACCOUNT = 100_000;

/** One service of a report. */
interface ReportRow {
  readonly namespace: string;
  readonly last?: number | undefined;
  readonly region?: string | undefined;
  readonly entityPath?: string | undefined;
  readonly accounts: number;
}

interface ReportJob {
  readonly jobId: string;
  readonly created: number;
  readonly completed: number;
  readonly services: readonly ReportRow[];
}

const jobKey = (id: string): string => `organizations-access-report/${id}`;

/** What the entity path names. */
interface ReportEntity {
  /** Root, OU and account ids from the root down to the entity. */
  readonly path: readonly string[];
  readonly kind: 'ROOT' | 'OU' | 'ACCOUNT';
}

const badPath = (path: string, org: OrganizationBody): AwsError =>
  new AwsError(
    'InvalidInput',
    `entity path \`${path}\` does not name a root, OU or account of \`${org.id}\``,
  );

/** Checks `entityPath` against the organization: each OU under the one before it, the account under the last. */
async function resolvePath(
  store: StoreReader,
  org: OrganizationBody,
  entityPath: string,
): Promise<ReportEntity> {
  const parts = entityPath.replace(/\/+$/, '').split('/');
  if (parts[0] !== org.id || parts[1] !== org.rootId) throw badPath(entityPath, org);
  const path = parts.slice(1);
  let parent = org.rootId;
  for (let i = 1; i < path.length; i++) {
    const id = path[i]!;
    const last = i === path.length - 1;
    if (last && /^\d{12}$/.test(id)) {
      const a = await store.get<OrgAccountBody>(org.managementAccount, 'orgAccount', id);
      if (!a || a.body.parentId !== parent) throw badPath(entityPath, org);
      return { path, kind: 'ACCOUNT' };
    }
    const ou = await store.get<OrgUnitBody>(org.managementAccount, 'orgUnit', id);
    if (!ou || ou.body.parentId !== parent) throw badPath(entityPath, org);
    parent = id;
  }
  return { path, kind: path.length === 1 ? 'ROOT' : 'OU' };
}

/** The audit events of `account` (newest first), without calls whose credentials did not authenticate. */
async function* accountEvents(
  ctx: CallContext,
  account: string,
): AsyncGenerator<{ namespace: string; time: number; region: string }> {
  const trail = ctx.services.auditTrail;
  if (trail === undefined) return;
  let nextToken: string | undefined;
  let n = 0;
  do {
    const page = await trail.query({ account, limit: 1000, ...(nextToken ? { nextToken } : {}) });
    for (const e of page.events) {
      if (++n > MAX_EVENTS_PER_ACCOUNT) return;
      // "AWS does not report unauthenticated requests": only the root user, IAM users and roles (their
      // sessions) count; failed authentications name no principal.
      const who = e.record.userIdentity as { type?: unknown; accountId?: unknown } | undefined;
      if (who?.type !== 'Root' && who?.type !== 'IAMUser' && who?.type !== 'AssumedRole') continue;
      // A cross-account call is recorded in the resource's account too (AssumeRole into one of its
      // roles): only the account's own principals' attempts are its activity.
      if (who.accountId !== account) continue;
      if (
        e.errorCode !== undefined &&
        /^(InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|IncompleteSignature)/.test(e.errorCode)
      )
        continue;
      const namespace = e.eventSource.split('.')[0] ?? '';
      if (namespace === '') continue;
      yield { namespace, time: e.eventTime, region: String(e.record.awsRegion ?? '') };
    }
    nextToken = page.nextToken;
  } while (nextToken);
}

/** The services the SCP `levels` allow: a service must be allowed at every level. */
function allowedByLevels(
  levels: readonly (readonly OrgPolicyBody[])[],
  known: readonly string[],
): Set<string> {
  let allowed = new Set(known);
  for (const level of levels) {
    const here = allowedServices(
      level.map((p) => p.content),
      known,
    ).namespaces;
    allowed = new Set([...allowed].filter((ns) => here.has(ns)));
  }
  return allowed;
}

/** Computes the report for `entityPath` (and `policyId`) of the caller's organization. */
async function computeReport(
  ctx: CallContext,
  org: OrganizationBody,
  entityPath: string,
  policyId: string | undefined,
): Promise<ReportRow[]> {
  const store = ctx.store;
  const mgmt = org.managementAccount;
  const entity = await resolvePath(store, org, entityPath);
  const target = entity.path[entity.path.length - 1]!;
  const managementOnly = entity.kind === 'ACCOUNT' && target === mgmt;

  let policy: OrgPolicyBody | undefined;
  if (policyId !== undefined && !managementOnly) {
    policy = (await store.get<OrgPolicyBody>(mgmt, 'orgPolicy', policyId))?.body;
    if (!policy || policy.type !== 'SERVICE_CONTROL_POLICY')
      throw new AwsError('NoSuchEntity', `The service control policy ${policyId} does not exist.`);
  }

  // The accounts covered, with their paths (root … account).
  const covered: { account: string; path: string[] }[] = [];
  if (managementOnly) covered.push({ account: mgmt, path: entity.path.slice() });
  else
    for (const e of await store.list<OrgAccountBody>(mgmt, 'orgAccount')) {
      if (e.key === mgmt) continue;
      const path = await pathOf(store, org, e.key);
      if (!path || !entity.path.every((id, i) => path[i] === id)) continue;
      if (policy) {
        const attached = await Promise.all(
          path.map((node) => store.get(mgmt, 'orgAttachment', `${node}|${policy!.id}`)),
        );
        if (!attached.some((a) => a !== undefined)) continue;
      }
      covered.push({ account: e.key, path });
    }

  interface Use {
    time: number;
    region: string;
    account: string;
  }
  const last = new Map<string, Use>();
  const accountsBy = new Map<string, Set<string>>();
  const known = new Set(Object.keys(SERVICE_NAMES));
  for (const c of covered)
    for await (const e of accountEvents(ctx, c.account)) {
      known.add(e.namespace);
      const prior = last.get(e.namespace);
      if (!prior || e.time > prior.time)
        last.set(e.namespace, { time: e.time, region: e.region, account: c.account });
      const set = accountsBy.get(e.namespace) ?? new Set<string>();
      set.add(c.account);
      accountsBy.set(e.namespace, set);
    }
  const knownList = [...known].sort();

  let allowed: Set<string>;
  if (managementOnly) allowed = new Set(knownList);
  else if (policy) allowed = allowedByLevels([[policy]], knownList);
  else {
    const levels = await orgPolicyLevels(store, mgmt, entity.path, 'SERVICE_CONTROL_POLICY');
    allowed = allowedByLevels(
      levels.map((level) => level.map((l) => l.policy)),
      knownList,
    );
  }
  const pathOfAccount = new Map(covered.map((c) => [c.account, `${org.id}/${c.path.join('/')}`]));
  return [...allowed].sort().map((ns) => {
    const use = last.get(ns);
    return {
      namespace: ns,
      accounts: accountsBy.get(ns)?.size ?? 0,
      ...(use ? { last: use.time, region: use.region, entityPath: pathOfAccount.get(use.account) } : {}),
    };
  });
}

/** GenerateOrganizationsAccessReport. */
export const generateOrganizationsAccessReport = iamOperation<'GenerateOrganizationsAccessReport'>({
  service: 'iam',
  name: 'GenerateOrganizationsAccessReport',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    await ctx.authorize({ action: 'iam:GenerateOrganizationsAccessReport', resource: '*' });
    const m = await membershipOf(ctx.store, account);
    const org = m && (await organizationOf(ctx.store, m.managementAccount));
    if (!org)
      throw new AwsError(
        'OrganizationNotFoundException',
        'The request was rejected because no organization is associated with your account.',
      );
    // "To call this operation, you must be signed in using your Organizations management account
    // credentials … SCPs must be enabled for your organization root."
    if (account !== org.managementAccount)
      throw new AwsError(
        'AccessDenied',
        'only the management account of the organization can generate an Organizations access report',
      );
    if (!org.enabledPolicyTypes.includes('SERVICE_CONTROL_POLICY'))
      throw new AwsError(
        'InvalidInput',
        `service control policies must be enabled on the root of \`${org.id}\` for an Organizations access report`,
      );
    const services = await computeReport(ctx, org, input.EntityPath, input.OrganizationsPolicyId);
    const jobId = randomUuid(ctx.services.random(16));
    const job: ReportJob = { jobId, created: ctx.now, completed: ctx.now, services };
    return ctx.transact(async (tx) => {
      await tx.insert(account, 'setting', jobKey(jobId), job);
      return { JobId: jobId };
    });
  },
});

/** The rows in the order `SortKey` asks ("By default, the list is sorted by service namespace"). */
function sorted(rows: readonly ReportRow[], sortKey: string | undefined): ReportRow[] {
  const byName = (a: ReportRow, b: ReportRow) =>
    a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0;
  const byTime = (a: ReportRow, b: ReportRow) => (a.last ?? -1) - (b.last ?? -1) || byName(a, b);
  switch (sortKey) {
    case 'SERVICE_NAMESPACE_DESCENDING':
      return [...rows].sort((a, b) => byName(b, a));
    case 'LAST_AUTHENTICATED_TIME_ASCENDING':
      return [...rows].sort(byTime);
    case 'LAST_AUTHENTICATED_TIME_DESCENDING':
      return [...rows].sort((a, b) => byTime(b, a));
    default:
      return [...rows].sort(byName);
  }
}

function accessDetail(r: ReportRow): AccessDetail {
  return {
    ServiceName: SERVICE_NAMES[r.namespace] ?? r.namespace,
    ServiceNamespace: r.namespace,
    ...(r.last !== undefined
      ? { Region: r.region, EntityPath: r.entityPath, LastAuthenticatedTime: r.last }
      : {}),
    TotalAuthenticatedEntities: r.accounts,
  };
}

/** GetOrganizationsAccessReport. */
export const getOrganizationsAccessReport = iamOperation<'GetOrganizationsAccessReport'>({
  service: 'iam',
  name: 'GetOrganizationsAccessReport',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    await ctx.authorize({ action: 'iam:GetOrganizationsAccessReport', resource: '*' });
    const job = (await ctx.store.get<ReportJob>(account, 'setting', jobKey(input.JobId)))?.body;
    if (job === undefined) throw new AwsError('NoSuchEntity', `No such job id: ${input.JobId}`);
    const rows = sorted(job.services, input.SortKey).map((r, i) => ({ r, k: String(i).padStart(6, '0') }));
    const { page, IsTruncated, Marker } = paginate(rows, (x) => x.k, input, ctx.services);
    return {
      JobStatus: 'COMPLETED',
      JobCreationDate: job.created,
      JobCompletionDate: job.completed,
      NumberOfServicesAccessible: job.services.length,
      NumberOfServicesNotAccessed: job.services.filter((s) => s.last === undefined).length,
      AccessDetails: page.map((x) => accessDetail(x.r)),
      IsTruncated,
      ...(Marker ? { Marker } : {}),
    };
  },
});

/** The Organizations access report operations. */
export const organizationsAccessReportOperations: readonly Operation[] = [
  generateOrganizationsAccessReport,
  getOrganizationsAccessReport,
];
