import { Q_SECURITY_TOKEN, Q_SIGNATURE } from './constants.js';
import { uriEncode } from './uri-encode.js';
import { percentDecode } from '../core/percent.js';

/**
 * Canonical query string: every `name=value` pair decoded, re-encoded with SigV4's strict
 * encoding, sorted by name then value, joined with `&` (AWS SigV4 docs, canonical request).
 * For presigned requests `X-Amz-Signature` is left out, since it cannot sign itself; with
 * `omitSecurityToken` so is `X-Amz-Security-Token` (the older STS/IoT style that appends the token
 * after signing; vector post-sts-header-after).
 */
export function canonicalQuery(rawQuery: string, presigned = false, omitSecurityToken = false): string {
  if (rawQuery === '') return '';
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    const name = uriEncode(percentDecode(rawName, true));
    if (presigned && name === Q_SIGNATURE) continue;
    if (omitSecurityToken && name === Q_SECURITY_TOKEN) continue;
    pairs.push([name, uriEncode(percentDecode(rawValue, true))]);
  }
  // Sort by code unit; all characters are ASCII after encoding, so this is byte order.
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  let out = '';
  for (let i = 0; i < pairs.length; i++) {
    const p = pairs[i] as [string, string];
    out += (i === 0 ? '' : '&') + p[0] + '=' + p[1];
  }
  return out;
}
