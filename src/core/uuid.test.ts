import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { randomUuid, timeOrderedUuid } from './uuid.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('timeOrderedUuid has the UUID form with version 7 and the RFC variant (RFC 9562 §5.7)', () => {
  const id = timeOrderedUuid(Date.UTC(2026, 10, 23), (n) => randomBytes(n));
  assert.match(id, UUID);
  // The first 48 bits are the milliseconds: 2026-11-23T00:00:00Z = 0x01a205b3d000.
  assert.equal(id.slice(0, 13), '01a205b3-d000');
});

test('timeOrderedUuid puts the timestamp first, so later ids sort after earlier ones (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 48 - 2 }),
      fc.integer({ min: 1, max: 10_000_000 }),
      fc.uint8Array({ minLength: 10, maxLength: 10 }),
      fc.uint8Array({ minLength: 10, maxLength: 10 }),
      (t, dt, r1, r2) => {
        const a = timeOrderedUuid(t, () => r1);
        const b = timeOrderedUuid(Math.min(t + dt, 2 ** 48 - 1), () => r2);
        assert.match(a, UUID);
        assert.match(b, UUID);
        assert.ok(a < b, `${a} < ${b}`);
      },
    ),
  );
});

test('timeOrderedUuid keeps 74 random bits: ids of one millisecond differ', () => {
  const now = Date.now();
  const ids = new Set(Array.from({ length: 1000 }, () => timeOrderedUuid(now, (n) => randomBytes(n))));
  assert.equal(ids.size, 1000);
});

test('randomUuid has the UUID form with version 4 and the RFC variant (RFC 9562 §5.4), from its bytes', () => {
  const bytes = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
  // Version nibble 4 over the 13th hex digit; variant bits 10 over the 17th (0x8 | 0x0 & 3 = 8).
  assert.equal(randomUuid(bytes), '00112233-4455-4677-8899-aabbccddeeff');
  assert.equal(randomUuid(new Uint8Array(16).fill(255)), 'ffffffff-ffff-4fff-bfff-ffffffffffff');
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
      assert.match(randomUuid(b), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }),
  );
});
