/**
 * The SigV4 verifier's hashing (src/sigv4 is pure and takes it injected), on Node's crypto. SHA-256
 * uses the one-shot `crypto.hash` where the runtime has it (Node ≥ 20.12): it skips the Hash object a
 * `createHash` call allocates, and a request hashes twice.
 */
import * as nodeCrypto from 'node:crypto';
import type { SigV4Crypto } from '../sigv4/index.js';

const oneShot = (
  nodeCrypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'hex') => string }
).hash;

/** SigV4 hashing on Node's crypto. */
export const sigv4Crypto: SigV4Crypto = {
  sha256Hex:
    oneShot !== undefined
      ? (data) => oneShot('sha256', data, 'hex')
      : (data) => nodeCrypto.createHash('sha256').update(data).digest('hex'),
  hmac: (key, data) => nodeCrypto.createHmac('sha256', key).update(data).digest(),
};
