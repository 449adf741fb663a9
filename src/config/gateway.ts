/**
 * The gateway's configuration (issue #18): `--upstream SERVICE=URL` (repeatable; `IAMD_UPSTREAMS`,
 * comma-separated) and `--upstream-credentials SERVICE=ACCESS_KEY_ID:SECRET` (repeatable;
 * `IAMD_UPSTREAM_CREDENTIALS`), validated with the rest of the configuration.
 */

/** The services iamd can gate. */
export const GATED_SERVICES = ['s3', 'dynamodb'] as const;

/** One gated service's upstream. */
export interface UpstreamConfig {
  readonly url: URL;
  /** Credentials iamd signs upstream requests with; undefined: a fixed local key. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
}

/** The gateway: upstream per service name (`s3`, `dynamodb`). */
export interface GatewayConfig {
  readonly upstreams: Readonly<Record<string, UpstreamConfig>>;
  /** Host names that take S3 virtual-hosted addressing (`<bucket>.<host>`). */
  readonly s3VirtualHosts: readonly string[];
  /** How long to wait for an upstream (connection, each read), in ms. */
  readonly timeoutMs: number;
}

/** Default host for S3 virtual-hosted addressing (`*.localhost` resolves to loopback, RFC 6761). */
export const DEFAULT_S3_VIRTUAL_HOSTS: readonly string[] = ['s3.localhost'];

/** Default upstream timeout. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;

function split(list: readonly string[] | undefined, env: string | undefined): string[] {
  const out = [...(list ?? [])];
  if (list === undefined || list.length === 0)
    for (const part of (env ?? '').split(',')) if (part.trim() !== '') out.push(part.trim());
  return out;
}

/** Parses the gateway options; pushes every problem; undefined when no upstream is configured. */
export function parseGateway(
  upstreams: readonly string[] | undefined,
  credentials: readonly string[] | undefined,
  env: Readonly<Record<string, string | undefined>>,
  problems: string[],
): GatewayConfig | undefined {
  const byService = Object.create(null) as Record<
    string,
    { url: URL; credentials?: UpstreamConfig['credentials'] }
  >;
  for (const item of split(upstreams, env.IAMD_UPSTREAMS)) {
    const eq = item.indexOf('=');
    const service = eq < 0 ? '' : item.slice(0, eq);
    const urlText = eq < 0 ? '' : item.slice(eq + 1);
    if (!(GATED_SERVICES as readonly string[]).includes(service)) {
      problems.push(
        `upstream \`${item}\` must be SERVICE=URL with SERVICE one of ${GATED_SERVICES.join(', ')} (--upstream / IAMD_UPSTREAMS)`,
      );
      continue;
    }
    let url: URL | undefined;
    try {
      url = new URL(urlText);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      problems.push(`upstream URL \`${urlText}\` for ${service} is not an http:// or https:// URL`);
      continue;
    }
    if (byService[service] !== undefined) problems.push(`upstream for ${service} is given twice`);
    byService[service] = { url };
  }
  for (const item of split(credentials, env.IAMD_UPSTREAM_CREDENTIALS)) {
    const m = /^([a-z0-9-]+)=([^:]+):(.+)$/.exec(item);
    if (m === null) {
      problems.push('upstream credentials must be SERVICE=ACCESS_KEY_ID:SECRET (--upstream-credentials)');
      continue;
    }
    const entry = byService[m[1]!];
    if (entry === undefined) {
      problems.push(`upstream credentials for ${m[1]} name a service with no --upstream`);
      continue;
    }
    entry.credentials = { accessKeyId: m[2]!, secretAccessKey: m[3]! };
  }
  const hosts = (env.IAMD_S3_VIRTUAL_HOSTS ?? DEFAULT_S3_VIRTUAL_HOSTS.join(','))
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  const timeoutText = env.IAMD_UPSTREAM_TIMEOUT_MS;
  const timeoutMs = timeoutText === undefined ? DEFAULT_UPSTREAM_TIMEOUT_MS : Number(timeoutText);
  if (timeoutText !== undefined && !(/^\d+$/.test(timeoutText) && timeoutMs >= 100))
    problems.push(`upstream timeout \`${timeoutText}\` is not a number of milliseconds (100 or more)`);
  if (Object.keys(byService).length === 0) return undefined;
  const frozen = Object.create(null) as Record<string, UpstreamConfig>;
  for (const [k, v] of Object.entries(byService)) frozen[k] = Object.freeze({ ...v });
  return Object.freeze({ upstreams: Object.freeze(frozen), s3VirtualHosts: Object.freeze(hosts), timeoutMs });
}
