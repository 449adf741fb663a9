/**
 * RFC 4648 base32 (alphabet `A–Z2–7`), the alphabet of AWS access-key ids and unique ids and of TOTP seeds
 * (RFC 6238 authenticator apps read seeds as base32, per the Google Authenticator key-URI format).
 */

/** The RFC 4648 §6 base32 alphabet. */
export const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

const DECODE: Readonly<Record<string, number>> = (() => {
  const table: Record<string, number> = Object.create(null) as Record<string, number>;
  for (let i = 0; i < BASE32_ALPHABET.length; i++) table[BASE32_ALPHABET.charAt(i)] = i;
  return table;
})();

/** Encodes bytes as unpadded base32. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET.charAt((buffer >>> (bits - 5)) & 31);
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET.charAt((buffer << (5 - bits)) & 31);
  return out;
}

/**
 * Decodes base32, ignoring case, spaces and trailing `=` padding (authenticator apps show seeds in
 * groups of four, lower- or upper-case). Returns undefined on any other character. Trailing bits that
 * do not fill a byte are dropped.
 */
export function base32Decode(text: string): Uint8Array | undefined {
  const clean = text.replace(/[\s]/g, '').replace(/=+$/, '').toUpperCase();
  const out = new Uint8Array(Math.floor((clean.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let n = 0;
  for (const ch of clean) {
    const value = DECODE[ch];
    if (value === undefined) return undefined;
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out[n++] = (buffer >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  return out;
}
