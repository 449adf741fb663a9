/**
 * UUIDs. Time-ordered ones (RFC 9562, UUID version 7): 48 bits of Unix milliseconds, then version, variant
 * and 74 random bits, in the usual 8-4-4-4-12 lower-case hex form AWS request and event ids have.
 *
 * Why: request ids and CloudTrail event ids are keys of the audit trail's indexes. Random (v4) keys
 * land anywhere in a B-tree, so every insert touches a cold page; ids that grow with time are appended
 * at the right edge. On SQLite that cut an audit insert (seven indexes) from about 22 µs to 9 µs
 * (bench notes in README). The random bits keep ids unguessable.
 */

/** ASCII codes of the lower-case hex digits. */
const DIGITS = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** The 36 characters of an id are written here, then read out as one string. */
const scratch = Buffer.alloc(36);
/** Where each of the 16 bytes goes in the text (two digits each; dashes at 8, 13, 18, 23). */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
scratch[8] = scratch[13] = scratch[18] = scratch[23] = 0x2d;

function put(index: number, byte: number): void {
  const at = AT[index]!;
  scratch[at] = DIGITS[byte >>> 4]!;
  scratch[at + 1] = DIGITS[byte & 15]!;
}

/**
 * A UUIDv7 for `nowMs` with randomness from `random` (which must return at least 10 strong random
 * bytes). Ids of later milliseconds sort after earlier ones, as strings and as bytes.
 */
export function timeOrderedUuid(nowMs: number, random: (n: number) => Uint8Array): string {
  const r = random(10);
  const ms = Math.max(0, Math.floor(nowMs));
  // 48 bits of milliseconds, big-endian: high 16 bits and low 32 bits (exact in a double).
  const high = Math.floor(ms / 2 ** 32) & 0xffff;
  const low = ms % 2 ** 32;
  put(0, (high >>> 8) & 0xff);
  put(1, high & 0xff);
  put(2, (low >>> 24) & 0xff);
  put(3, (low >>> 16) & 0xff);
  put(4, (low >>> 8) & 0xff);
  put(5, low & 0xff);
  put(6, 0x70 | (r[0]! & 0x0f));
  put(7, r[1]!);
  put(8, 0x80 | (r[2]! & 0x3f));
  for (let i = 3; i < 10; i++) put(6 + i, r[i]!);
  return scratch.toString('latin1', 0, 36);
}

/**
 * A random UUID (RFC 9562, UUID version 4) from the first 16 bytes of `bytes` (strong random bytes):
 * the job ids of GenerateServiceLastAccessedDetails and GenerateOrganizationsAccessReport.
 */
export function randomUuid(bytes: Uint8Array): string {
  const h = [...bytes.slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16] ?? '0', 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
