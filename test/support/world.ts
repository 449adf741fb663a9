/**
 * A small in-process iamd for unit tests of authn, authz and the request pipeline: a memory store with
 * one account (root key known), the services, a credential resolver at a chosen enforcement level,
 * and a SigV4 signer for requests. No HTTP server.
 */
import { randomBytes } from 'node:crypto';
import { openMemoryStore } from '../../src/store/memory/index.js';
import type { Store } from '../../src/store/index.js';
import type { Services } from '../../src/api/operation.js';
import { loadKeyring, SessionTokenSealer } from '../../src/credentials/session-token.js';
import { makeServices } from '../../src/main.js';
import { ensureAccount } from '../../src/devmode/index.js';
import { ensureFirstAccount } from '../../src/accounts/index.js';
import { CredentialResolver } from '../../src/authn/resolve.js';
import { signRequest, encodeQuery } from '../../src/console/signer.js';
import type { IncomingCall } from '../../src/server/pipeline/incoming.js';

/** The world's account and its root credentials. */
export const ACCOUNT = '111122223333';
export const ROOT = {
  accessKeyId: 'AKIAWORLDROOT0000001',
  secretAccessKey: 'world-root-secret-world-root-0001',
};

/** The enforcement level the resolver runs at. */
export type Level = 'enforce' | 'permissive' | 'off';

export interface World {
  readonly store: Store;
  readonly services: Services;
  readonly sealer: SessionTokenSealer;
  readonly resolver: CredentialResolver;
  close(): Promise<void>;
}

/** Opens a world with {@link ACCOUNT} and its root key. */
export async function openWorld(level: Level = 'enforce'): Promise<World> {
  const store = await openMemoryStore();
  const masterKey = randomBytes(32);
  const sealer = new SessionTokenSealer(await loadKeyring(store, masterKey, Date.now()));
  const services = makeServices(masterKey, sealer);
  await ensureFirstAccount(store, services, Date.now(), {
    accountId: ACCOUNT,
    accessKeyId: ROOT.accessKeyId,
    secretAccessKey: ROOT.secretAccessKey,
  });
  const resolver = new CredentialResolver({
    store,
    unsealSecret: services.unsealSecret,
    unsealSession: (t) => sealer.unseal(t),
    off: level === 'off',
    permissive:
      level === 'enforce'
        ? undefined
        : { defaultAccount: () => ACCOUNT, ensureAccount: (a) => ensureAccount(store, a, Date.now()) },
  });
  return {
    store,
    services,
    sealer,
    resolver,
    async close() {
      resolver.close();
      await store.close();
    },
  };
}

/** Options of {@link signedQuery}. */
export interface SignOptions {
  readonly service?: string;
  readonly region?: string;
  readonly now?: number;
  readonly sessionToken?: string;
  readonly sourceIp?: string;
}

/** A Query-protocol POST signed with `creds` (service `iam` unless told), as the pipeline receives it. */
export function signedQuery(
  params: Readonly<Record<string, string>>,
  creds: { readonly accessKeyId: string; readonly secretAccessKey: string },
  options: SignOptions = {},
): IncomingCall {
  const body = encodeQuery(params);
  const headers = signRequest(
    {
      method: 'POST',
      host: 'iamd.test',
      path: '/',
      query: '',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
    },
    { ...creds, sessionToken: options.sessionToken },
    {
      service: options.service ?? 'iam',
      region: options.region ?? 'us-east-1',
      now: options.now ?? Date.now(),
    },
  );
  return {
    method: 'POST',
    path: '/',
    query: '',
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    body,
    sourceIp: options.sourceIp ?? '192.0.2.10',
    secureTransport: false,
  };
}

/** The same request unsigned. */
export function unsignedQuery(params: Readonly<Record<string, string>>): IncomingCall {
  return {
    method: 'POST',
    path: '/',
    query: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: encodeQuery(params),
    sourceIp: '192.0.2.10',
    secureTransport: false,
  };
}
