/**
 * Sealing small secrets at rest with AES-256-GCM under the master key. The additional authenticated
 * data binds a sealed value to its place (e.g. `accessKey:111111111111:AKIA…`), so a sealed secret
 * copied onto another row does not unseal. Format: `v1.` + base64url(nonce ‖ ciphertext ‖ tag); the
 * version prefix leaves room for another scheme later.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'v1.';
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;

/** Thrown by {@link unsealSecret}; deliberately the same for every cause. */
export class UnsealError extends Error {
  constructor() {
    super('cannot unseal: wrong key, wrong context or corrupted data');
    this.name = 'UnsealError';
  }
}

/**
 * Seals `plaintext` under `masterKey` (32 bytes) bound to `aad`. A fresh random 96-bit nonce per
 * call (NIST SP 800-38D §8.2.2: random nonces are safe for far more messages than iamd seals).
 */
export function sealSecret(
  masterKey: Buffer,
  plaintext: string,
  aad: string,
  random: (n: number) => Uint8Array = randomBytes,
): string {
  const nonce = Buffer.from(random(NONCE_LENGTH));
  const cipher = createCipheriv('aes-256-gcm', masterKey, nonce, { authTagLength: TAG_LENGTH });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
}

/** Opens a value made by {@link sealSecret}; throws {@link UnsealError} on any mismatch or damage. */
export function unsealSecret(masterKey: Buffer, sealed: string, aad: string): string {
  if (!sealed.startsWith(PREFIX)) throw new UnsealError();
  const encoded = sealed.slice(PREFIX.length);
  const raw = Buffer.from(encoded, 'base64url');
  // Only the canonical encoding: otherwise two strings would open to the same secret.
  if (raw.length < NONCE_LENGTH + TAG_LENGTH || raw.toString('base64url') !== encoded)
    throw new UnsealError();
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKey, raw.subarray(0, NONCE_LENGTH), {
      authTagLength: TAG_LENGTH,
    });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_LENGTH));
    const plain = Buffer.concat([
      decipher.update(raw.subarray(NONCE_LENGTH, raw.length - TAG_LENGTH)),
      decipher.final(),
    ]);
    return plain.toString('utf8');
  } catch {
    throw new UnsealError();
  }
}
