/**
 * SigV4-signed HTTP calls to iamd's own endpoints (`/_iamd/explain/ID`, CloudTrail's JSON API, …) made
 * with the SDK's own signer (`@smithy/signature-v4`), for tests that need a request no SDK client
 * makes.
 */
import { createHash, createHmac, type Hash as NodeHash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Creds } from './harness.js';

/** SHA-256 and HMAC-SHA256 in the shape of the signer's checksum constructor. */
export class Sha256 {
  private readonly h: NodeHash | Hmac;
  constructor(secret?: string | Uint8Array) {
    this.h = secret !== undefined ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data: string | Uint8Array): void {
    this.h.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

/** A signer for `service` in us-east-1 with `creds`. */
export function signerFor(creds: Creds, service: string): SignatureV4 {
  return new SignatureV4({
    service,
    region: 'us-east-1',
    credentials: creds,
    sha256: Sha256 as never, // structurally the signer's checksum constructor
  });
}

/** `fetch` of `baseUrl` + `path`, signed for `service` with `creds` (header signature). */
export async function signedFetch(
  baseUrl: string,
  creds: Creds,
  service: string,
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const url = new URL(`${baseUrl}${path}`);
  const signed = await signerFor(creds, service).sign({
    method: init.method ?? 'GET',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host, ...(init.headers ?? {}) },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  return fetch(url, {
    method: init.method ?? 'GET',
    headers: signed.headers as Record<string, string>,
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
}
