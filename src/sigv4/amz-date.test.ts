/**
 * `yyyymmddThhmmssZ` dates: formatting (remembered per second — calls come many to a second) and
 * parsing round-trip, whatever order the instants come in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatAmzDate, parseAmzDate } from './amz-date.js';

/** The format without any remembering: ISO 8601 basic format, seconds precision (SigV4's X-Amz-Date). */
function reference(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.slice(0, 19).replace(/[-:]/g, '') + 'Z';
}

test('formatAmzDate: a known instant (the SigV4 test suite date)', () => {
  assert.equal(formatAmzDate(Date.UTC(2015, 7, 30, 12, 36, 0)), '20150830T123600Z');
  assert.equal(formatAmzDate(Date.UTC(2015, 7, 30, 12, 36, 0, 999)), '20150830T123600Z');
  assert.equal(formatAmzDate(Date.UTC(2015, 7, 30, 12, 36, 1)), '20150830T123601Z');
});

test('formatAmzDate: any sequence of instants, repeated seconds included, formats each as its own', () => {
  const instant = fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59) });
  fc.assert(
    fc.property(
      fc.array(fc.oneof(instant, fc.constantFrom(1_000, 1_999, 2_000, 1_440_938_160_000)), { maxLength: 20 }),
      (instants) => {
        for (const ms of instants) {
          const text = formatAmzDate(ms);
          assert.equal(text, reference(ms));
          assert.equal(parseAmzDate(text), Math.floor(ms / 1000) * 1000);
        }
      },
    ),
  );
});
