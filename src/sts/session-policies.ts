/**
 * Session policies (`Policy`, `PolicyArns`) and the packed-size check of AssumeRole and
 * GetFederationToken.
 *
 * AWS (STS API reference, AssumeRole `Policy`): "The plaintext that you use for both inline and managed
 * session policies can't exceed 2,048 characters … An AWS conversion compresses the passed inline
 * session policy, managed policy ARNs, and session tags into a packed binary format that has a separate
 * limit … The PackedPolicySize response element indicates by percentage how close the policies and tags
 * for your request are to the upper size limit." Up to 10 managed policy ARNs; customer managed ones must
 * be in the account of the role (or of the federating user).
 *
 * AWS does not publish its packing. iamd's is deterministic and documented here: the inline policy is
 * minified (JSON re-serialised: whitespace does not count, as in IAM quotas) and joined with the ARNs by
 * newlines; session tags are serialised as `key=value` lines with the transitive keys; each part is
 * compressed with raw DEFLATE (RFC 1951, zlib level 9) and measured against its own budget
 * ({@link PACKED_POLICY_BUDGET}, {@link PACKED_TAGS_BUDGET}). The percentage is rounded up; over 100 fails
 * with AWS's message for the part that overflowed ("Packed policy consumes N% of allotted space, please
 * use smaller policy." / "Packed size of session tags consumes N% of allotted space.", AWS re:Post
 * knowledge center "iam-role-aws-sts-error"; aws-errors.md §1).
 */
import { deflateRawSync } from 'node:zlib';
import type { SessionTag } from '../domain/principal.js';
import { AwsError } from '../errors/index.js';
import type { StoreReader } from '../store/index.js';
import { validatePolicy } from '../policy/index.js';
import { findManagedPolicy } from '../domain/managed-policies.js';

/** Compressed bytes allowed for the session policies (inline + ARNs). */
export const PACKED_POLICY_BUDGET = 1024;
/** Compressed bytes allowed for the session tags (with transitive keys). */
export const PACKED_TAGS_BUDGET = 512;
/** "You can provide up to 10 managed policy ARNs" (STS API reference, `PolicyArns`). */
export const MAX_POLICY_ARNS = 10;
/** Plaintext limit of an inline session policy (STS API reference, `Policy`). */
export const MAX_SESSION_POLICY_CHARS = 2048;

/** Checked session policies, ready to seal into a session. */
export interface SessionPolicies {
  /** The inline policy as the caller sent it (validated). */
  readonly inline: string | undefined;
  readonly arns: readonly string[];
}

/** The packed size of a request's session policies and tags, in percent of the budgets. */
export interface PackedSize {
  readonly policyPercent: number;
  readonly tagsPercent: number;
  /** What `PackedPolicySize` reports: the larger of the two. */
  readonly percent: number;
}

function validationTooLong(value: string, member: string, max: number): AwsError {
  // The Query-protocol constraint message, as recorded for GetFederationToken `policy-too-long-error`.
  return new AwsError(
    'ValidationError',
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
  );
}

/** Wire `PolicyArns` (`[{arn}]`) to ARN strings. */
export function inputPolicyArns(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((d: { arn?: unknown }) => String(d.arn ?? ''));
}

/**
 * Validates `Policy` as a session policy (MalformedPolicyDocument with the validator's first message)
 * and `PolicyArns` (at most 10; each an existing managed policy visible from `account`).
 */
export async function checkSessionPolicies(
  store: StoreReader,
  account: string,
  policy: unknown,
  policyArns: unknown,
): Promise<SessionPolicies> {
  const inline = typeof policy === 'string' ? policy : undefined;
  if (inline !== undefined) {
    if (inline.length > MAX_SESSION_POLICY_CHARS)
      throw validationTooLong(inline, 'policy', MAX_SESSION_POLICY_CHARS);
    const first = validatePolicy(inline, 'session').errors[0];
    if (first !== undefined) throw new AwsError('MalformedPolicyDocument', first.message);
  }
  const arns = inputPolicyArns(policyArns);
  if (arns.length > MAX_POLICY_ARNS)
    throw new AwsError(
      'ValidationError',
      `1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to ${MAX_POLICY_ARNS}`,
    );
  for (const arn of arns) {
    const found = await findManagedPolicy(store, account, arn);
    // IAM's text for a policy ARN that cannot be used (AttachRolePolicy recordings, aws-errors.md).
    if (found === undefined)
      throw new AwsError('InvalidParameterValue', `Policy ${arn} does not exist or is not attachable.`);
  }
  return { inline, arns };
}

function minify(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text.replace(/\s+/g, '');
  }
}

function percentOf(bytes: number, budget: number): number {
  return bytes === 0 ? 0 : Math.ceil((bytes * 100) / budget);
}

function packedBytes(text: string): number {
  return text === '' ? 0 : deflateRawSync(Buffer.from(text, 'utf8'), { level: 9 }).length;
}

/** Packs the session policies and tags (see the module comment) and returns their size in percent. */
export function packedSize(
  policies: SessionPolicies,
  tags: readonly SessionTag[],
  transitiveTagKeys: readonly string[],
): PackedSize {
  const policyText = [
    ...(policies.inline !== undefined ? [minify(policies.inline)] : []),
    ...policies.arns,
  ].join('\n');
  const tagText = [...tags.map((t) => `${t.key}=${t.value}`), ...transitiveTagKeys.map((k) => `>${k}`)].join(
    '\n',
  );
  const policyPercent = percentOf(packedBytes(policyText), PACKED_POLICY_BUDGET);
  const tagsPercent = percentOf(packedBytes(tagText), PACKED_TAGS_BUDGET);
  return { policyPercent, tagsPercent, percent: Math.max(policyPercent, tagsPercent) };
}

/** Throws `PackedPolicyTooLarge` with AWS's wording when either part is over its budget. */
export function checkPackedSize(size: PackedSize): void {
  if (size.policyPercent > 100)
    throw new AwsError(
      'PackedPolicyTooLarge',
      `Packed policy consumes ${size.policyPercent}% of allotted space, please use smaller policy.`,
    );
  if (size.tagsPercent > 100)
    throw new AwsError(
      'PackedPolicyTooLarge',
      `Packed size of session tags consumes ${size.tagsPercent}% of allotted space.`,
    );
}
