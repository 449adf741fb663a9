import { uriEncode } from './uri-encode.js';
import { percentDecode } from '../core/percent.js';

/**
 * Canonical URI of a request. `rawPath` is the path exactly as it arrived on the wire (still
 * percent-encoded, no query). Services other than S3 normalise the path (remove `.`/`..` segments
 * and empty segments, RFC 3986 section 5.2.4) and URI-encode it once more, so an already encoded
 * `%20` on the wire becomes `%2520` — "each path segment must be URI-encoded twice (except for
 * Amazon S3)" (AWS SigV4 docs, canonical request). `normalize: false` is the S3 behaviour.
 */
export function canonicalPath(rawPath: string, normalize = true): string {
  if (rawPath === '') return '/';
  if (!normalize) return uriEncode(rawPath, true);
  const segments: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const trailing = rawPath.endsWith('/') || rawPath.endsWith('/.') || rawPath.endsWith('/..');
  const joined = '/' + segments.join('/') + (trailing && segments.length > 0 ? '/' : '');
  return uriEncode(joined, true);
}

/**
 * S3's canonical URI: the path URI-encoded exactly once (no normalisation, `/` kept). The wire path is
 * already percent-encoded by the client, so it is decoded first: `/b/a%20b` stays `/b/a%20b` (not
 * `%2520`), and a client that sent a character raw gets the encoding SigV4 signs.
 */
export function canonicalS3Path(rawPath: string): string {
  if (rawPath === '') return '/';
  return uriEncode(percentDecode(rawPath, false), true);
}
