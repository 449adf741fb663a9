/**
 * Session tags and their transitivity (IAM User Guide, "Passing session tags in AWS STS"):
 * - tag keys are case-insensitive: two keys that differ only in case are refused;
 * - every key in `TransitiveTagKeys` must be one of the passed tags;
 * - transitive tags of the calling session carry into a chained role session and cannot be
 *   overridden there; non-transitive ones do not carry;
 * - the tags appear in the request context as `aws:RequestTag/<key>` and `aws:TagKeys`, the
 *   transitive keys as `sts:TransitiveTagKeys`.
 * Error texts are AWS's, recorded in shared/reference/aws-errors.md (STS, InvalidParameterValue rows).
 */
import type { ContextValue } from '../api/operation.js';
import type { SessionClaims, SessionTag } from '../domain/principal.js';
import { AwsError } from '../errors/index.js';
import { emptyBag } from '../core/bag.js';

/** The tags a new session will carry, and which of their keys are transitive. */
export interface SessionTagPlan {
  /** Inherited transitive tags first, then the passed ones. */
  readonly tags: readonly SessionTag[];
  /** Inherited transitive keys, then the newly passed ones (as spelled by the caller). */
  readonly transitiveTagKeys: readonly string[];
}

/** "Duplicate tag keys found. Please note that Tag keys are case insensitive." */
export function duplicateTagKeys(): AwsError {
  return new AwsError(
    'InvalidParameterValue',
    'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
  );
}

/** Wire `Tags` (`[{Key, Value}]`) to session tags; anything else gives none. */
export function inputSessionTags(value: unknown): SessionTag[] {
  if (!Array.isArray(value)) return [];
  return value.map((t: { Key?: unknown; Value?: unknown }) => ({
    key: String(t.Key ?? ''),
    value: String(t.Value ?? ''),
  }));
}

/** Wire `TransitiveTagKeys` (a string list). */
export function inputStringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map((v) => String(v)) : [];
}

/** The transitive tags of a calling session (what a chained session inherits). */
export function inheritedTransitiveTags(caller: SessionClaims | undefined): SessionTag[] {
  const keys = new Set((caller?.transitiveTagKeys ?? []).map((k) => k.toLowerCase()));
  if (keys.size === 0) return [];
  return (caller?.tags ?? []).filter((t) => keys.has(t.key.toLowerCase()));
}

/**
 * Checks the passed tags and transitive keys and merges them with what the calling session passes on.
 * Throws InvalidParameterValue with AWS's texts.
 */
export function planSessionTags(
  passed: readonly SessionTag[],
  transitiveKeys: readonly string[],
  caller: SessionClaims | undefined,
): SessionTagPlan {
  const seen = new Set<string>();
  for (const t of passed) {
    const k = t.key.toLowerCase();
    if (seen.has(k)) throw duplicateTagKeys();
    seen.add(k);
  }
  for (const k of transitiveKeys) {
    if (!seen.has(k.toLowerCase()))
      throw new AwsError(
        'InvalidParameterValue',
        'The specified transitive tag key must be included in the requested tags.',
      );
  }
  const inherited = inheritedTransitiveTags(caller);
  const inheritedKeys = new Set(inherited.map((t) => t.key.toLowerCase()));
  // Recorded against AWS as `override-transitive-tag-error` and `…-case-ignore-error`: a passed tag
  // whose key (in any case) is a transitive key of the calling session is refused.
  if (passed.some((t) => inheritedKeys.has(t.key.toLowerCase())))
    throw new AwsError(
      'InvalidParameterValue',
      "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
    );
  const transitive: string[] = inherited.map((t) => t.key);
  const transitiveSeen = new Set(inheritedKeys);
  for (const k of transitiveKeys) {
    if (transitiveSeen.has(k.toLowerCase())) continue;
    transitiveSeen.add(k.toLowerCase());
    transitive.push(k);
  }
  return { tags: [...inherited, ...passed], transitiveTagKeys: transitive };
}

/** `aws:RequestTag/<key>`, `aws:TagKeys` and `sts:TransitiveTagKeys` for the STS authorization. */
export function sessionTagContext(plan: SessionTagPlan): Record<string, ContextValue> {
  const c = emptyBag<ContextValue>();
  if (plan.tags.length > 0) {
    for (const t of plan.tags) c[`aws:RequestTag/${t.key}`] = t.value;
    c['aws:TagKeys'] = plan.tags.map((t) => t.key);
  }
  if (plan.transitiveTagKeys.length > 0) c['sts:TransitiveTagKeys'] = [...plan.transitiveTagKeys];
  return c;
}
