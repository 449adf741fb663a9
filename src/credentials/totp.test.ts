import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base32Encode } from './base32.js';
import { makeBase32Seed, totpCode, totpStep, verifyTotp } from './totp.js';

// RFC 6238 Appendix B test vectors for SHA-1 (seed "12345678901234567890"), last 6 of the 8 digits.
const RFC_SEED = base32Encode(new TextEncoder().encode('12345678901234567890'));
const VECTORS: readonly [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

test('totpCode matches RFC 6238 Appendix B (SHA-1, 6 digits)', () => {
  for (const [seconds, eight] of VECTORS) assert.equal(totpCode(RFC_SEED, seconds * 1000), eight.slice(2));
});

test('verifyTotp accepts the current step and one either side, returning the step', () => {
  const now = 1_700_000_000_000;
  const step = totpStep(now);
  assert.equal(verifyTotp(RFC_SEED, totpCode(RFC_SEED, now), now, []), step);
  assert.equal(verifyTotp(RFC_SEED, totpCode(RFC_SEED, now - 30_000), now, []), step - 1);
  assert.equal(verifyTotp(RFC_SEED, totpCode(RFC_SEED, now + 30_000), now, []), step + 1);
  assert.equal(verifyTotp(RFC_SEED, totpCode(RFC_SEED, now - 60_000), now, []), undefined);
  assert.equal(verifyTotp(RFC_SEED, totpCode(RFC_SEED, now + 60_000), now, []), undefined);
});

test('a used step is refused (no replay)', () => {
  const now = 1_700_000_000_000;
  const code = totpCode(RFC_SEED, now);
  const step = verifyTotp(RFC_SEED, code, now, []);
  assert.notEqual(step, undefined);
  assert.equal(verifyTotp(RFC_SEED, code, now, [step ?? -1]), undefined);
});

test('malformed codes and seeds are refused', () => {
  const now = 1_700_000_000_000;
  assert.equal(verifyTotp(RFC_SEED, '12345', now, []), undefined);
  assert.equal(verifyTotp(RFC_SEED, '1234567', now, []), undefined);
  assert.equal(verifyTotp(RFC_SEED, 'abcdef', now, []), undefined);
  assert.equal(verifyTotp('not base32!', '123456', now, []), undefined);
  assert.throws(() => totpCode('1', now), { name: 'RangeError', message: 'the TOTP seed is not base32' });
});

test('seeds are 32 base32 characters and usable', () => {
  const seed = makeBase32Seed(() => new Uint8Array(20).fill(7));
  assert.match(seed, /^[A-Z2-7]{32}$/);
  const now = 1_700_000_000_000;
  assert.equal(verifyTotp(seed, totpCode(seed, now), now, []), totpStep(now));
});
