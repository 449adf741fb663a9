/**
 * One factory for the three tagging operations every taggable IAM resource has: `Tag<Noun>`,
 * `Untag<Noun>` and `List<Noun>Tags` (IAM API reference, e.g. TagUser, UntagRole, ListPolicyTags;
 * IAM User Guide, "Tagging IAM resources"). The resource modules supply how to load, authorize and
 * rewrite their entity; this module supplies the shared flow and AWS's per-resource tag-key rules.
 *
 * The flow is the same for every resource: authorize the action on the resource (with
 * `aws:RequestTag/*` and `aws:TagKeys` for Tag, `aws:TagKeys` for Untag), answer the resource's own
 * not-found error only after authorization, then change the tags in one read-modify-write.
 */
import type { CallContext, ContextValue, Operation } from '../api/operation.js';
import type { IamOperations, TagOutput } from '../protocol/shapes/iam.js';
import { errors } from '../errors/index.js';
import type { Entity } from '../store/index.js';
import {
  inputTags,
  mergeTags,
  paginate,
  replaceOrAppendTags,
  requestTagContext,
  type MarkerCodec,
} from './common.js';
import type { TagBody } from '../domain/entities.js';

/** How a resource compares tag keys: AWS differs per resource (recorded behaviour, see each rule). */
export interface TagKeyRules {
  /** Checks the tags of one Tag call before anything is written (after authorization). */
  readonly checkAdded?: (added: readonly TagBody[]) => void;
  /** The tag list after a Tag call: `added` replaces tags with the same key; the 50-tag quota holds. */
  readonly merge: (existing: readonly TagBody[], added: readonly TagBody[]) => TagBody[];
  /** The tag list after an Untag call; keys that are not there are ignored, as AWS does. */
  readonly remove: (existing: readonly TagBody[], keys: readonly string[]) => TagBody[];
}

/** Removes the tags whose keys are in `keys`, comparing keys case-insensitively as IAM does. */
export function removeTags(tags: readonly TagBody[], keys: readonly string[]): TagBody[] {
  const drop = new Set(keys.map((k) => k.toLowerCase()));
  return tags.filter((t) => !drop.has(t.Key.toLowerCase()));
}

/**
 * Rejects two tags whose keys differ only in case (recorded CreateRole/TagRole error: "Duplicate tag
 * keys found. Please note that Tag keys are case insensitive.").
 */
export function checkCaseInsensitiveTagDuplicates(tags: readonly TagBody[]): void {
  const seen = new Set<string>();
  for (const t of tags) {
    const k = t.Key.toLowerCase();
    if (seen.has(k))
      throw errors.invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(k);
  }
}

/**
 * Rejects two tags with the same key, compared case-sensitively: policy tag keys are case-sensitive
 * (recorded: `a` and `A` coexist on one policy; AWS's text "Duplicate tag keys found.").
 */
export function checkCaseSensitiveTagDuplicates(tags: readonly TagBody[]): void {
  const seen = new Set<string>();
  for (const t of tags) {
    if (seen.has(t.Key)) throw errors.invalidInput('Duplicate tag keys found.');
    seen.add(t.Key);
  }
}

/** Users, MFA devices, OIDC and SAML providers: keys replace and are removed case-insensitively. */
export const CASE_INSENSITIVE_TAG_KEYS: TagKeyRules = { merge: mergeTags, remove: removeTags };

/**
 * Roles and instance profiles: as {@link CASE_INSENSITIVE_TAG_KEYS}, and a Tag call naming two keys
 * that differ only in case is refused before the write.
 */
export const CASE_INSENSITIVE_TAG_KEYS_CHECKED: TagKeyRules = {
  checkAdded: checkCaseInsensitiveTagDuplicates,
  merge: mergeTags,
  remove: removeTags,
};

/** Managed policies: keys are case-sensitive (recorded: removing `a` keeps `A`). */
export const CASE_SENSITIVE_TAG_KEYS: TagKeyRules = {
  merge(existing, added) {
    checkCaseSensitiveTagDuplicates(added);
    return replaceOrAppendTags(existing, added, (k) => k);
  },
  remove: (existing, keys) => existing.filter((t) => !keys.includes(t.Key)),
};

/**
 * Tag list pagination (every `List*Tags`): tags keep their insertion order; the sort key is the
 * zero-padded position, so the marker survives tags being added after the page was read.
 */
export function paginateTags(
  tags: readonly TagBody[],
  input: { readonly Marker?: string | undefined; readonly MaxItems?: number | undefined },
  markers: MarkerCodec,
): ListTagsOutput {
  const indexed = tags.map((t, i) => ({ t, k: String(i).padStart(4, '0') }));
  const { page, IsTruncated, Marker } = paginate(indexed, (x) => x.k, input, markers);
  const out: { Tags: TagBody[]; IsTruncated: boolean; Marker?: string } = {
    Tags: page.map((x) => ({ Key: x.t.Key, Value: x.t.Value })),
    IsTruncated,
  };
  if (Marker !== undefined) out.Marker = Marker;
  return out;
}

/**
 * The nouns `N` the IAM model has all three tagging operations for (`Tag<N>`, `Untag<N>`,
 * `List<N>Tags`): `User`, `Role`, `Policy`, `MFADevice`, `ServerCertificate`, …
 */
export type TaggableNoun = {
  [K in keyof IamOperations]: K extends `Tag${infer N}`
    ? `Untag${N}` extends keyof IamOperations
      ? `List${N}Tags` extends keyof IamOperations
        ? N
        : never
      : never
    : never;
}[keyof IamOperations];

/** The decoded input of `Tag<N>`. */
export type TagInput<N extends TaggableNoun> = IamOperations[`Tag${N}`]['input'];
/** The decoded input of `Untag<N>`. */
export type UntagInput<N extends TaggableNoun> = IamOperations[`Untag${N}`]['input'];
/** The decoded input of `List<N>Tags`. */
export type ListTagsInput<N extends TaggableNoun> = IamOperations[`List${N}Tags`]['input'];

/** The output of every `Tag<N>` and `Untag<N>` (the model's empty structure). */
export type EmptyOutput = Readonly<Record<string, never>>;

/** The output of every `List<N>Tags`. */
export type ListTagsOutput = {
  readonly Tags: TagOutput[];
  readonly IsTruncated: boolean;
  readonly Marker?: string;
};

/** `Tag<N>`: the model's input; the output is {@link EmptyOutput}, as the model's `Tag<N>Response`. */
export interface TagOperation<N extends TaggableNoun> extends Operation<TagInput<N>, EmptyOutput> {
  readonly service: 'iam';
  readonly name: `Tag${N}`;
}

/** `Untag<N>`: the model's input; the output is {@link EmptyOutput}, as the model's `Untag<N>Response`. */
export interface UntagOperation<N extends TaggableNoun> extends Operation<UntagInput<N>, EmptyOutput> {
  readonly service: 'iam';
  readonly name: `Untag${N}`;
}

/** `List<N>Tags`: the model's input; the output is {@link ListTagsOutput}, a `List<N>TagsResponse`. */
export interface ListTagsOperation<N extends TaggableNoun> extends Operation<
  ListTagsInput<N>,
  ListTagsOutput
> {
  readonly service: 'iam';
  readonly name: `List${N}Tags`;
}

/** What a resource module supplies to {@link taggingOperations}. */
export interface TaggableResource<N extends TaggableNoun, B extends { readonly tags: readonly TagBody[] }> {
  /** The noun of the operation names: `User` gives TagUser, UntagUser, ListUserTags (and `iam:` actions). */
  readonly noun: N;
  /**
   * The input member naming the resource (`UserName`, `PolicyArn`, `SerialNumber`, …), read from any
   * of the three inputs (the model has it, required, in each).
   */
  readonly resourceId: (input: TagInput<N> | UntagInput<N> | ListTagsInput<N>) => string;
  /** The resource's tag-key rules. */
  readonly keys: TagKeyRules;
  /**
   * Authorizes `action` on the resource named `id` (its tags as `aws:ResourceTag/*`, plus `extra`) and
   * returns it; throws the resource's not-found error, after authorization, when it does not exist.
   */
  readonly load: (
    ctx: CallContext,
    id: string,
    action: string,
    extra?: Record<string, ContextValue>,
  ) => Promise<Entity<B>>;
  /**
   * One read-modify-write in the call's transaction: re-reads the resource (not-found error when it is
   * gone) and stores it with its tags replaced by `change(current tags)`. Resolves to the transaction's
   * result, which must be the operation's empty output `{}`: the server builds the audit event from it.
   */
  readonly writeTags: (
    ctx: CallContext,
    id: string,
    loaded: Entity<B>,
    change: (tags: readonly TagBody[]) => TagBody[],
  ) => Promise<EmptyOutput>;
}

/** The Tag, Untag and List…Tags operations of one taggable resource, each typed by the model. */
export interface TaggingOperations<N extends TaggableNoun> {
  /** `Tag<Noun>`: adds or overwrites tags (at most 50 per resource). */
  readonly tag: TagOperation<N>;
  /** `Untag<Noun>`: removes tags by key; absent keys are ignored. */
  readonly untag: UntagOperation<N>;
  /** `List<Noun>Tags`: the tags in the order they were added, paginated. */
  readonly list: ListTagsOperation<N>;
}

/** Builds the Tag, Untag and List…Tags operations of `resource`. */
export function taggingOperations<N extends TaggableNoun, B extends { readonly tags: readonly TagBody[] }>(
  resource: TaggableResource<N, B>,
): TaggingOperations<N> {
  const tagName: `Tag${N}` = `Tag${resource.noun}`;
  const untagName: `Untag${N}` = `Untag${resource.noun}`;
  const listName: `List${N}Tags` = `List${resource.noun}Tags`;
  const id = resource.resourceId;
  return {
    tag: {
      service: 'iam',
      name: tagName,
      async handle(input, ctx) {
        const tags = inputTags(input.Tags);
        const found = await resource.load(ctx, id(input), `iam:${tagName}`, requestTagContext(tags));
        resource.keys.checkAdded?.(tags);
        return resource.writeTags(ctx, id(input), found, (current) => resource.keys.merge(current, tags));
      },
    },
    untag: {
      service: 'iam',
      name: untagName,
      async handle(input, ctx) {
        const keys = [...input.TagKeys];
        const found = await resource.load(ctx, id(input), `iam:${untagName}`, { 'aws:TagKeys': keys });
        return resource.writeTags(ctx, id(input), found, (current) => resource.keys.remove(current, keys));
      },
    },
    list: {
      service: 'iam',
      name: listName,
      async handle(input, ctx) {
        const found = await resource.load(ctx, id(input), `iam:${listName}`);
        return paginateTags(found.body.tags, input, ctx.services);
      },
    },
  };
}
