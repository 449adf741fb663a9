/**
 * ListBuckets shows the caller's account's buckets only (issue #18): the upstream's
 * `ListAllMyBucketsResult` with every `<Bucket>` another account owns removed.
 */

/** XML's five predefined entities and numeric references, decoded. */
export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_m, e: string) => {
    if (e === 'amp') return '&';
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    const code = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

/** `xml` without the `<Bucket>` entries whose owner (per `ownerOf`) is not `account`. */
export async function filterListBuckets(
  xml: string,
  account: string,
  ownerOf: (bucket: string) => Promise<string>,
): Promise<string> {
  const entries = [...xml.matchAll(/<Bucket>([\s\S]*?)<\/Bucket>/g)];
  let out = '';
  let at = 0;
  for (const m of entries) {
    const name = /<Name>([\s\S]*?)<\/Name>/.exec(m[1] ?? '')?.[1];
    const keep = name !== undefined && (await ownerOf(unescapeXml(name))) === account;
    out += xml.slice(at, m.index) + (keep ? m[0] : '');
    at = (m.index ?? 0) + m[0].length;
  }
  return out + xml.slice(at);
}

/** The objects a DeleteObjects body (`<Delete><Object><Key/><VersionId/></Object>…`) names. */
export function deleteObjectsKeys(xml: string): { key: string; versionId?: string | undefined }[] {
  const out: { key: string; versionId?: string | undefined }[] = [];
  for (const m of xml.matchAll(/<Object>([\s\S]*?)<\/Object>/g)) {
    const body = m[1] ?? '';
    const key = /<Key>([\s\S]*?)<\/Key>/.exec(body)?.[1];
    if (key === undefined) continue;
    const version = /<VersionId>([\s\S]*?)<\/VersionId>/.exec(body)?.[1];
    out.push({ key: unescapeXml(key), versionId: version === undefined ? undefined : unescapeXml(version) });
  }
  return out;
}
