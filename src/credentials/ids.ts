/**
 * AWS-style identifiers. AWS documents the prefixes and shapes in "IAM identifiers → Unique identifiers"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids):
 * `AIDA` user, `AROA` role, `AGPA` group, `ANPA` managed policy, `AIPA` instance profile, `AKIA` long-term
 * access key, `ASIA` temporary (STS) access key. Unique ids are 21 characters (e.g. `AIDACKCEVSQ6C2EXAMPLE`,
 * and every `PolicyId` in shared/reference/aws-managed-policies, e.g. `ANPAZKAPJZG4LSO5ZZZOE`); access key
 * ids are 20 (`AKIAIOSFODNN7EXAMPLE`). The characters after the prefix are base32 (`A–Z`, `2–7`).
 */
import { BASE32_ALPHABET, base32Decode, base32Encode } from './base32.js';

/** The four-letter prefixes of IAM unique ids. */
export type UniqueIdPrefix = 'AIDA' | 'AROA' | 'AGPA' | 'ANPA' | 'AIPA';

/** The two access-key-id prefixes: long-term (`AKIA`) and temporary (`ASIA`). */
export type AccessKeyPrefix = 'AKIA' | 'ASIA';

/** Returns `n` random bytes (a {@link import('../core/random.js').Random}'s `bytes`, or node's `randomBytes`). */
export type RandomBytes = (n: number) => Uint8Array;

/** Length of an IAM unique id (`AIDA…`): prefix plus 17 base32 characters. */
export const UNIQUE_ID_LENGTH = 21;

/** Length of an access key id (`AKIA…`): prefix plus 16 base32 characters. */
export const ACCESS_KEY_ID_LENGTH = 20;

/** Length of a secret access key (AWS: 40 characters, e.g. `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`). */
export const SECRET_ACCESS_KEY_LENGTH = 40;

const ACCOUNT_MAX = 999_999_999_999n;

/** Makes a random unique id such as `AIDA…` (21 characters). */
export function makeUniqueId(prefix: UniqueIdPrefix, random: RandomBytes): string {
  // 17 base32 characters need 85 bits; 11 bytes give 88 and the surplus is dropped.
  return prefix + base32Encode(random(11)).slice(0, UNIQUE_ID_LENGTH - prefix.length);
}

/**
 * Makes an access key id that encodes `account`, the way AWS's current ids do, so
 * `sts:GetAccessKeyInfo` recovers the account without a lookup (GetAccessKeyInfo API reference:
 * "returns the account identifier for the specified access key ID"). Layout of the 80 bits after the
 * prefix (publicly analysed, e.g. Tal Be'ery, "A short note on AWS KEY ID", 2021): the first 48 bits are
 * `1 | account (40 bits) | 7 random bits` (the leading 1 is why every current key's fifth character is
 * `Q`–`7`), then 32 random bits.
 *
 * INVARIANT: `account` is a 12-digit account id.
 */
export function makeAccessKeyId(kind: AccessKeyPrefix, account: string, random: RandomBytes): string {
  if (!/^\d{12}$/.test(account)) throw new RangeError(`not a 12-digit account id: \`${account}\``);
  const rnd = random(5);
  const r0 = rnd[0] ?? 0;
  // 48 bits are exact in a double (below 2^53): 2^47 + account·2^7 + 7 random bits.
  const head = 2 ** 47 + Number(account) * 128 + (r0 & 0x7f);
  const bytes = new Uint8Array(10);
  for (let i = 0; i < 6; i++) bytes[i] = Math.floor(head / 2 ** (8 * (5 - i))) % 256;
  for (let i = 0; i < 4; i++) bytes[6 + i] = rnd[1 + i] ?? 0;
  return kind + base32Encode(bytes);
}

/**
 * Recovers the account encoded in an access key id made by {@link makeAccessKeyId} (or by AWS):
 * base32-decode the 16 characters after the prefix, take the first 6 bytes as a big-endian 48-bit
 * integer, mask with `0x7fffffffff80` and shift right by 7. Returns undefined when the id is malformed,
 * is of the old format that does not encode an account (fifth character `A`–`P`, e.g. the documentation
 * key `AKIAIOSFODNN7EXAMPLE`), or decodes to more than 12 digits.
 */
export function accountFromAccessKeyId(id: string): string | undefined {
  if (id.length !== ACCESS_KEY_ID_LENGTH || !/^(AKIA|ASIA)[A-Z2-7]{16}$/.test(id)) return undefined;
  const bytes = base32Decode(id.slice(4));
  if (bytes === undefined || bytes.length !== 10) return undefined;
  let head = 0n;
  for (let i = 0; i < 6; i++) head = (head << 8n) | BigInt(bytes[i] ?? 0);
  if (head >> 47n !== 1n) return undefined;
  const account = (head & 0x7fffffffff80n) >> 7n;
  if (account > ACCOUNT_MAX) return undefined;
  return account.toString().padStart(12, '0');
}

/** Whether `id` has the shape of an access key id (prefix plus 16 base32 characters). */
export function isAccessKeyId(id: string): boolean {
  return /^(AKIA|ASIA)[A-Z2-7]{16}$/.test(id);
}

const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const SECRET_CODES: readonly number[] = Array.from(SECRET_ALPHABET, (c) => c.charCodeAt(0));

/**
 * Makes a 40-character secret access key over the base64 alphabet, as AWS's are
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html shows
 * `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`). 240 bits of entropy: each byte's low 6 bits pick a
 * character, so every character is uniform.
 */
export function makeSecretAccessKey(random: RandomBytes): string {
  const bytes = random(SECRET_ACCESS_KEY_LENGTH);
  const codes = new Array<number>(SECRET_ACCESS_KEY_LENGTH);
  for (let i = 0; i < SECRET_ACCESS_KEY_LENGTH; i++) codes[i] = SECRET_CODES[(bytes[i] ?? 0) & 63]!;
  return String.fromCharCode(...codes);
}

/** Re-exported so callers validating ids need not import the codec. */
export { BASE32_ALPHABET };
