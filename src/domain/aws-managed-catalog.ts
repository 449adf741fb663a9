/**
 * The AWS managed policies (`arn:aws:iam::aws:policy/...`), read-only, from the committed
 * `data/aws-managed-policies.json` (built by `scripts/build-managed-catalog.mjs` from the reference
 * folder `aws-managed-policies/`). Loaded lazily, once, on first use: most calls never need it, and
 * parsing ~4 MB of JSON at start-up would slow `iamd serve` for nothing.
 *
 * AWS managed policies are global; how often each is attached in an account is per account and is
 * computed from the account's users, groups and roles ({@link awsPolicyUsage}).
 */
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StoreReader } from '../store/index.js';
import type { GroupBody, RoleBody, UserBody } from './entities.js';

/** One AWS managed policy as the catalog holds it (default version only). */
export interface AwsManagedPolicy {
  readonly arn: string;
  readonly name: string;
  readonly path: string;
  readonly policyId: string;
  readonly defaultVersionId: string;
  /** The default version's document (JSON text, compact, AWS's key order). */
  readonly document: string;
  /** Milliseconds since the epoch. */
  readonly createDate: number;
  /** When the default version was published (ms). */
  readonly updateDate: number;
  /** False only for the few AWS marks not attachable (e.g. `AWSConfigRole`). */
  readonly attachable: boolean;
  /** Deprecated policies stay readable but are hidden from listings and new attachments. */
  readonly deprecated: boolean;
}

interface CatalogFile {
  readonly count: number;
  readonly policies: readonly AwsManagedPolicy[];
}

interface Catalog {
  readonly list: readonly AwsManagedPolicy[];
  readonly byArn: ReadonlyMap<string, AwsManagedPolicy>;
}

let catalog: Catalog | undefined;

/** The prefix of every AWS managed policy ARN (partition `aws`). */
export const AWS_POLICY_ARN_PREFIX = 'arn:aws:iam::aws:policy/';

/**
 * Finds the data file: from `dist/src/iam/` (compiled) it is three levels up, from `src/iam/` two.
 * The package's `files` ships `data/` beside `dist/`, so the same lookup works once installed.
 */
function catalogPath(): string {
  for (const rel of ['../../../data/aws-managed-policies.json', '../../data/aws-managed-policies.json']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error('data/aws-managed-policies.json not found (run scripts/build-managed-catalog.mjs)');
}

function load(): Catalog {
  if (catalog !== undefined) return catalog;
  const file = JSON.parse(readFileSync(catalogPath(), 'utf8')) as CatalogFile;
  const byArn = new Map<string, AwsManagedPolicy>();
  for (const p of file.policies) byArn.set(p.arn, p);
  catalog = { list: file.policies, byArn };
  return catalog;
}

/**
 * The AWS managed policy with this ARN, or `undefined`. The authorizer uses it to resolve attached
 * AWS policies; handlers use it for GetPolicy / GetPolicyVersion / attach.
 */
export function getAwsManagedPolicy(arn: string):
  | {
      arn: string;
      name: string;
      path: string;
      policyId: string;
      defaultVersionId: string;
      document: string;
      createDate: number;
      updateDate: number;
    }
  | undefined {
  if (!arn.startsWith(AWS_POLICY_ARN_PREFIX)) return undefined;
  const p = load().byArn.get(arn);
  return p === undefined ? undefined : { ...p };
}

/** The full catalog entry (with `attachable` / `deprecated`), for the IAM handlers. */
export function awsManagedPolicyEntry(arn: string): AwsManagedPolicy | undefined {
  if (!arn.startsWith(AWS_POLICY_ARN_PREFIX)) return undefined;
  return load().byArn.get(arn);
}

/** Every AWS managed policy, in name order (as ListPolicies returns them). */
export function listAwsManagedPolicies(): readonly AwsManagedPolicy[] {
  return load().list;
}

/** How often an AWS managed policy is used in one account. */
export interface AwsPolicyUsage {
  attachmentCount: number;
  permissionsBoundaryUsageCount: number;
}

/**
 * Per-account usage of AWS managed policies, computed from the account's users, groups and roles
 * (AWS reports `AttachmentCount` per account). Only policies in use appear in the map.
 */
export async function awsPolicyUsage(
  store: StoreReader,
  account: string,
): Promise<Map<string, AwsPolicyUsage>> {
  const usage = new Map<string, AwsPolicyUsage>();
  const bump = (arn: string, field: keyof AwsPolicyUsage): void => {
    if (!arn.startsWith(AWS_POLICY_ARN_PREFIX)) return;
    let u = usage.get(arn);
    if (u === undefined) {
      u = { attachmentCount: 0, permissionsBoundaryUsageCount: 0 };
      usage.set(arn, u);
    }
    u[field] += 1;
  };
  for (const e of await store.list<UserBody>(account, 'user')) {
    for (const a of e.body.attachedPolicies) bump(a, 'attachmentCount');
    if (e.body.permissionsBoundary !== undefined)
      bump(e.body.permissionsBoundary, 'permissionsBoundaryUsageCount');
  }
  for (const e of await store.list<GroupBody>(account, 'group'))
    for (const a of e.body.attachedPolicies) bump(a, 'attachmentCount');
  for (const e of await store.list<RoleBody>(account, 'role')) {
    for (const a of e.body.attachedPolicies) bump(a, 'attachmentCount');
    if (e.body.permissionsBoundary !== undefined)
      bump(e.body.permissionsBoundary, 'permissionsBoundaryUsageCount');
  }
  return usage;
}
