/**
 * Where an S3 request points: bucket and key from virtual-hosted (`bucket.s3.example`) or path-style
 * (`/bucket/key`) addressing (S3 User Guide, "Virtual hosting of buckets",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html).
 */
import { percentDecode } from '../../core/percent.js';

/** The bucket and key a request addresses (both absent: the service, e.g. ListBuckets). */
export interface S3Address {
  readonly bucket?: string | undefined;
  /** The object key, percent-decoded (may contain `/`; never empty when present). */
  readonly key?: string | undefined;
  /** Whether the bucket came from the Host header. */
  readonly virtualHosted: boolean;
}

/** The host name of a `Host` header value, lower-case, without its port (IPv6 literals kept whole). */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end < 0 ? h : h.slice(0, end + 1);
  }
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/**
 * The bucket and key of a request for `host` and raw `path`. `baseHosts` are the host names iamd
 * answers S3 on (e.g. `s3.localhost`): a host `<bucket>.<base>` is virtual-hosted addressing, any other
 * host path-style.
 */
export function s3Address(host: string, rawPath: string, baseHosts: readonly string[]): S3Address {
  const name = hostName(host);
  for (const base of baseHosts) {
    const b = base.toLowerCase();
    if (name.length > b.length + 1 && name.endsWith('.' + b)) {
      const bucket = name.slice(0, name.length - b.length - 1);
      const rest = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
      return { bucket, key: rest === '' ? undefined : percentDecode(rest, false), virtualHosted: true };
    }
  }
  const rest = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  if (rest === '') return { virtualHosted: false };
  const slash = rest.indexOf('/');
  const bucket = percentDecode(slash < 0 ? rest : rest.slice(0, slash), false);
  const key = slash < 0 ? '' : percentDecode(rest.slice(slash + 1), false);
  return { bucket, key: key === '' ? undefined : key, virtualHosted: false };
}
