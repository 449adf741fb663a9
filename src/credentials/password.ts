/**
 * Password hashing for console passwords (login profiles, the root user): scrypt (RFC 7914) from
 * node:crypto with a random 16-byte salt. The parameters are stored in the hash, so they can be raised
 * later without invalidating existing hashes.
 *
 * The synchronous pair suits the CLI; the server should use the `…Async` pair, which runs scrypt on
 * libuv's thread pool instead of blocking the event loop for ~0.2 s per sign-in.
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * N=2^15, r=8, p=3: one of the equivalent scrypt settings in the OWASP Password Storage Cheat Sheet
 * (alongside N=2^17, r=8, p=1); it needs 32 MiB rather than 128 MiB per hash, which suits small hosts.
 */
const N = 1 << 15;
const R = 8;
const P = 3;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

/** scrypt needs 128·N·r bytes; leave headroom so hashes with raised parameters still verify. */
const maxmem = (n: number, r: number): number => 256 * n * r + 1024 * 1024;

interface Parsed {
  readonly salt: Buffer;
  readonly expected: Buffer;
  readonly options: ScryptOptions;
}

/** Parses a stored hash; undefined when malformed or when its parameters are out of sane bounds. */
function parse(stored: string): Parsed | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const n = Number(parts[1]);
  const r = Number(parts[2]);
  const p = Number(parts[3]);
  // Bound the parameters so a corrupted hash cannot make verification allocate gigabytes.
  if (!Number.isInteger(n) || n < 2 || n > 1 << 20 || (n & (n - 1)) !== 0) return undefined;
  if (!Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) return undefined;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const expected = Buffer.from(parts[5] ?? '', 'base64');
  if (salt.length === 0 || expected.length === 0) return undefined;
  return { salt, expected, options: { N: n, r, p, maxmem: maxmem(n, r) } };
}

const OPTIONS: ScryptOptions = { N, r: R, p: P, maxmem: maxmem(N, R) };
const format = (salt: Buffer, hash: Buffer): string =>
  `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;

/**
 * Hashes `password` as `scrypt$N$r$p$<salt base64>$<hash base64>`. Passwords are NFC-normalised, so
 * the same password typed on different keyboards verifies. `random` defaults to node's CSPRNG.
 */
export function hashPassword(password: string, random: (n: number) => Uint8Array = randomBytes): string {
  const salt = Buffer.from(random(SALT_LENGTH));
  return format(salt, scryptSync(password.normalize('NFC'), salt, KEY_LENGTH, OPTIONS));
}

/**
 * Checks `password` against a hash made by {@link hashPassword}, comparing in constant time
 * (STYLE.md: secrets are compared with `timingSafeEqual`). False for a malformed hash.
 */
export function verifyPassword(password: string, stored: string): boolean {
  const parsed = parse(stored);
  if (parsed === undefined) return false;
  const actual = scryptSync(password.normalize('NFC'), parsed.salt, parsed.expected.length, parsed.options);
  return timingSafeEqual(actual, parsed.expected);
}

function scryptAsync(
  password: string,
  salt: Buffer,
  length: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** {@link hashPassword} off the event loop. */
export async function hashPasswordAsync(
  password: string,
  random: (n: number) => Uint8Array = randomBytes,
): Promise<string> {
  const salt = Buffer.from(random(SALT_LENGTH));
  return format(salt, await scryptAsync(password, salt, KEY_LENGTH, OPTIONS));
}

/** {@link verifyPassword} off the event loop. */
export async function verifyPasswordAsync(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (parsed === undefined) return false;
  const actual = await scryptAsync(password, parsed.salt, parsed.expected.length, parsed.options);
  return timingSafeEqual(actual, parsed.expected);
}
