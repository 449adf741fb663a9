/**
 * Time-based one-time passwords for virtual MFA devices (RFC 6238 over RFC 4226 HOTP): 30-second steps,
 * HMAC-SHA-1, 6 digits — what IAM virtual MFA devices use ("Assign a virtual MFA device",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html: "supports the
 * TOTP standard algorithm"). Written over node:crypto rather than otplib: it is a dozen lines, synchronous,
 * and the replay and window rules below are ours anyway.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { base32Decode, base32Encode } from './base32.js';

/** RFC 6238 §4: the time step X, in seconds (default 30). */
export const TOTP_STEP_SECONDS = 30;
const DIGITS = 6;
/** Accept one step either side for clock drift (RFC 6238 §5.2 recommends at most one step back). */
const WINDOW = 1;

/** The RFC 6238 time-step counter T for `nowMs` (T0 = 0). */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_STEP_SECONDS);
}

/** RFC 4226 §5.3: HOTP(K, C) with dynamic truncation, as a zero-padded decimal string. */
function hotp(key: Uint8Array, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** DIGITS).padStart(DIGITS, '0');
}

/** The 6-digit code for `seedBase32` at `nowMs` (used by tests and by the CLI's helper). */
export function totpCode(seedBase32: string, nowMs: number): string {
  const key = base32Decode(seedBase32);
  if (key === undefined || key.length === 0) throw new RangeError('the TOTP seed is not base32');
  return hotp(key, totpStep(nowMs));
}

/**
 * Verifies `code` against `seedBase32` at `nowMs`, accepting the current step and one either side.
 * Returns the matched step, or undefined when no step matches, the code is not 6 digits, the seed is
 * not base32, or the only matching steps are in `usedSteps` (a code may be used once: RFC 6238 §5.2 "the
 * verifier MUST NOT accept the second attempt of the OTP after the successful validation"). The
 * caller records the returned step.
 */
export function verifyTotp(
  seedBase32: string,
  code: string,
  nowMs: number,
  usedSteps: readonly number[],
): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const key = base32Decode(seedBase32);
  if (key === undefined || key.length === 0) return undefined;
  const now = totpStep(nowMs);
  const given = Buffer.from(code);
  let matched: number | undefined;
  // Check every step in the window, whatever matches, so timing does not reveal which step it was.
  for (let step = now - WINDOW; step <= now + WINDOW; step++) {
    if (step < 0) continue;
    const ok = timingSafeEqual(Buffer.from(hotp(key, step)), given);
    if (ok && matched === undefined && !usedSteps.includes(step)) matched = step;
  }
  return matched;
}

/**
 * Makes a random base32 seed for a virtual MFA device: 20 bytes (160 bits, RFC 4226 §4 R6 recommends
 * a 160-bit shared secret), which encodes to 32 base32 characters.
 */
export function makeBase32Seed(random: (n: number) => Uint8Array): string {
  return base32Encode(random(20));
}
