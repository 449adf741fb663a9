import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { deriveMarkerKey, issueMarker, openMarker } from './list-marker.js';

const KEY = deriveMarkerKey(Buffer.alloc(32, 7));
const OTHER = deriveMarkerKey(Buffer.alloc(32, 8));

test('an issued marker opens to its position, under the same master key only', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (position) => {
      const marker = issueMarker(KEY, position);
      assert.match(marker, /^[A-Za-z0-9_-]+$/);
      assert.equal(openMarker(KEY, marker), position);
      assert.equal(openMarker(OTHER, marker), undefined);
    }),
  );
});

test('strings iamd did not issue do not open (AWS: "Invalid Marker.")', () => {
  for (const s of ['100', 'invalid-marker-value', '', 'dXNlcg', '!!!', 'a'.repeat(321)])
    assert.equal(openMarker(KEY, s), undefined, s);
  fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => openMarker(KEY, s) === undefined));
});

test('any one character changed, or a non-canonical encoding, does not open', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 60 }), fc.nat(), (position, at) => {
      const marker = issueMarker(KEY, position);
      const i = at % marker.length;
      const swapped = marker[i] === 'A' ? 'B' : 'A';
      assert.equal(openMarker(KEY, marker.slice(0, i) + swapped + marker.slice(i + 1)), undefined);
    }),
  );
});

test('a marker of another format version does not open', () => {
  const marker = issueMarker(KEY, 'alice');
  const raw = Buffer.from(marker, 'base64url');
  raw[0] = 2;
  assert.equal(openMarker(KEY, raw.toString('base64url')), undefined);
});
