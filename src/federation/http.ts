/**
 * The only outbound HTTP iamd makes: fetching an OIDC issuer's discovery document and JWKS
 * (issue 5). Bounded in time and size, no redirects, HTTPS only — plain HTTP is allowed for loopback
 * issuers alone and only when the operator opts in (`--oidc-allow-http-loopback`).
 */

/** Fetches a JSON document from an issuer; throws {@link FetchFailure} on any problem. */
export type JsonFetcher = (url: string) => Promise<unknown>;

/** Why a fetch failed (mapped to `IDPCommunicationError` by the caller; never shown verbatim). */
export class FetchFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FetchFailure';
  }
}

/** Limits of {@link makeJsonFetcher}. */
export interface FetchLimits {
  /** Allow `http://` URLs whose host is a loopback address (127.0.0.0/8, ::1, localhost). */
  readonly allowHttpLoopback: boolean;
  /** Whole-request deadline (default 5 s). */
  readonly timeoutMs?: number | undefined;
  /** Largest body read (default 256 KiB): a JWKS is a few kilobytes. */
  readonly maxBytes?: number | undefined;
}

/** True for `localhost`, `127.x.x.x` and `[::1]` hosts (URL.hostname form). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Whether iamd may fetch from `url`: HTTPS always; HTTP only to a loopback host with the opt-in.
 * Userinfo, fragments and other schemes are refused.
 */
export function fetchAllowed(url: string, allowHttpLoopback: boolean): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.username !== '' || u.password !== '' || u.hash !== '') return false;
  if (u.protocol === 'https:') return true;
  return u.protocol === 'http:' && allowHttpLoopback && isLoopbackHost(u.hostname);
}

/** A {@link JsonFetcher} over the global `fetch` with the given limits. */
export function makeJsonFetcher(limits: FetchLimits): JsonFetcher {
  const timeoutMs = limits.timeoutMs ?? 5000;
  const maxBytes = limits.maxBytes ?? 256 * 1024;
  return async (url) => {
    if (!fetchAllowed(url, limits.allowHttpLoopback)) throw new FetchFailure(`refusing to fetch \`${url}\``);
    const signal = AbortSignal.timeout(timeoutMs);
    let res: Response;
    try {
      // Redirects are refused: the issuer's documents must be served where the issuer says they are.
      res = await fetch(url, { signal, redirect: 'error', headers: { accept: 'application/json' } });
    } catch (e) {
      throw new FetchFailure(`fetching \`${url}\` failed: ${(e as Error).message}`);
    }
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      throw new FetchFailure(`\`${url}\` answered HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new FetchFailure(`\`${url}\` is larger than ${maxBytes} bytes`);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      const reader = res.body?.getReader();
      if (reader === undefined) throw new FetchFailure(`\`${url}\` sent no body`);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw new FetchFailure(`\`${url}\` is larger than ${maxBytes} bytes`);
        }
        chunks.push(value);
      }
    } catch (e) {
      if (e instanceof FetchFailure) throw e;
      throw new FetchFailure(`reading \`${url}\` failed: ${(e as Error).message}`);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch {
      throw new FetchFailure(`\`${url}\` is not JSON`);
    }
  };
}
