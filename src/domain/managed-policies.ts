/**
 * Managed-policy resolution: parse a policy ARN and find the policy it names, local (stored in the
 * account) or AWS managed (the shipped catalogue), and the document of its default version — what
 * the authorizer, analysis and STS (session policy ARNs) use.
 */
import type { Entity, StoreReader } from '../store/index.js';
import type { ManagedPolicyBody } from './entities.js';
import { nameKey } from './names.js';
import {
  AWS_POLICY_ARN_PREFIX,
  awsManagedPolicyEntry,
  type AwsManagedPolicy,
} from './aws-managed-catalog.js';

/** The parts of a managed-policy ARN `arn:aws:iam::ACCOUNT|aws:policy/PATH/NAME`. */
export interface PolicyArnParts {
  /** 12-digit account, or `aws` for AWS managed policies. */
  readonly account: string;
  readonly path: string;
  readonly name: string;
}

const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy(\/(?:[^/]+\/)*)([\w+=,.@-]+)$/;

/** Parses a managed-policy ARN; `undefined` when it is not one. */
export function parsePolicyArn(arn: string): PolicyArnParts | undefined {
  const m = POLICY_ARN.exec(arn);
  if (m === null) return undefined;
  const [, account, path, name] = m;
  if (account === undefined || path === undefined || name === undefined) return undefined;
  return { account, path, name };
}

/** A managed policy found by ARN: AWS's (read-only) or a customer managed one of this account. */
export type ResolvedPolicy =
  | { readonly kind: 'aws'; readonly entry: AwsManagedPolicy }
  | { readonly kind: 'local'; readonly entity: Entity<ManagedPolicyBody> };

/**
 * Looks up a managed policy by ARN as seen from `account`: AWS managed policies from the catalog,
 * customer managed ones only in `account` (another account's customer policy cannot be used here).
 */
export async function findManagedPolicy(
  store: StoreReader,
  account: string,
  arn: string,
): Promise<ResolvedPolicy | undefined> {
  if (arn.startsWith(AWS_POLICY_ARN_PREFIX)) {
    const entry = awsManagedPolicyEntry(arn);
    return entry === undefined ? undefined : { kind: 'aws', entry };
  }
  const parts = parsePolicyArn(arn);
  if (parts === undefined || parts.account !== account) return undefined;
  const entity = await store.get<ManagedPolicyBody>(account, 'policy', nameKey(parts.name));
  return entity !== undefined && entity.body.arn === arn ? { kind: 'local', entity } : undefined;
}

/** Whether a resolved policy may be newly attached (AWS hides deprecated and unattachable ones). */
export function isAttachable(p: ResolvedPolicy): boolean {
  return p.kind === 'local' || (p.entry.attachable && !p.entry.deprecated);
}

/**
 * The default version's document of a customer or AWS managed policy, for the authorizer. Customer
 * policies are looked up in the account named by the ARN.
 */
export async function resolveManagedPolicyDocument(
  store: StoreReader,
  arn: string,
): Promise<string | undefined> {
  if (arn.startsWith(AWS_POLICY_ARN_PREFIX)) return awsManagedPolicyEntry(arn)?.document;
  const parts = parsePolicyArn(arn);
  if (parts === undefined) return undefined;
  const entity = await store.get<ManagedPolicyBody>(parts.account, 'policy', nameKey(parts.name));
  if (entity === undefined || entity.body.arn !== arn) return undefined;
  return entity.body.versions.find((v) => v.versionId === entity.body.defaultVersionId)?.document;
}
