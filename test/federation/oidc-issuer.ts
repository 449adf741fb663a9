/**
 * A real OpenID Connect issuer for tests: an HTTP server on loopback that serves the discovery
 * document and the JWKS (OpenID Connect Discovery 1.0 §4), with keys made by `jose`, and key rotation.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/** One signing key of the issuer. */
export interface IssuerKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

/** A running test issuer. */
export interface TestIssuer {
  /** `http://127.0.0.1:PORT` — the `iss` of its tokens. */
  readonly url: string;
  /** `127.0.0.1:PORT` — the provider key / condition-key prefix. */
  readonly host: string;
  /** The key currently used to sign. */
  current: IssuerKey;
  /** How many times the JWKS was fetched. */
  jwksFetches: number;
  /** Replaces the published keys by a new one (old key removed) and signs with it from now on. */
  rotate(): Promise<IssuerKey>;
  /** Signs claims (defaults: iss, iat, exp in 10 min) with the current key, or with `key`. */
  sign(claims: JWTPayload, options?: { key?: IssuerKey; alg?: string; kid?: string }): Promise<string>;
  close(): Promise<void>;
}

let counter = 0;

/** Makes an RS256 key pair with a fresh key id. */
export async function makeKey(alg = 'RS256'): Promise<IssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `k${++counter}-${Date.now()}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, privateKey, publicJwk };
}

/** Starts an issuer on 127.0.0.1 with one key. */
export async function startIssuer(): Promise<TestIssuer> {
  let published: IssuerKey[] = [await makeKey()];
  let url = '';
  const issuer: TestIssuer = {
    url: '',
    host: '',
    current: published[0]!,
    jwksFetches: 0,
    async rotate() {
      const next = await makeKey();
      published = [next];
      issuer.current = next;
      return next;
    },
    async sign(claims, options = {}) {
      const key = options.key ?? issuer.current;
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: url, iat: now, exp: now + 600, ...claims })
        .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? key.kid, typ: 'JWT' })
        .sign(key.privateKey);
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          issuer: url,
          jwks_uri: `${url}/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
    } else if (req.url === '/keys') {
      issuer.jwksFetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published.map((k) => k.publicJwk) }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
  Object.assign(issuer, { url, host: `127.0.0.1:${port}` });
  return issuer;
}
