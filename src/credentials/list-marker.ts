/**
 * List markers (IAM `Marker`) that only iamd can have issued (issue #21). AWS refuses a marker it did
 * not hand out with 400 ValidationError "Invalid Marker." (recorded: aws-errors.md, ListVirtualMFADevices
 * `list-invalid-marker-error`); a marker that merely decodes must not be enough. Format:
 * base64url(version ‖ position ‖ HMAC-SHA256(key, version ‖ position)[0..16]), the key derived from
 * the master key with HKDF, so every node sharing the master key verifies every other node's markers.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** The marker format's version byte; a new format gets a new one and old markers stop verifying. */
const MARKER_VERSION = 1;
/** Bytes of the HMAC kept (128 bits: forging one needs about 2^128 tries). */
const TAG_BYTES = 16;
/** IAM's own limit on the Marker member (model: markerType, length 1–320). */
const MAX_MARKER_CHARS = 320;

/** Derives the marker key from the master key (HKDF-SHA256, its own `info` label). */
export function deriveMarkerKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'iamd list marker v1', 32));
}

function tagOf(key: Buffer, body: Buffer): Buffer {
  return createHmac('sha256', key).update(body).digest().subarray(0, TAG_BYTES);
}

/** Issues the marker for `position` (the sort key of the last item returned). */
export function issueMarker(key: Buffer, position: string): string {
  const body = Buffer.concat([Buffer.of(MARKER_VERSION), Buffer.from(position, 'utf8')]);
  return Buffer.concat([body, tagOf(key, body)]).toString('base64url');
}

/** The position a marker iamd issued stands for; undefined for anything else (altered, foreign, other version). */
export function openMarker(key: Buffer, marker: string): string | undefined {
  if (marker.length > MAX_MARKER_CHARS || !/^[A-Za-z0-9_-]+$/.test(marker)) return undefined;
  const raw = Buffer.from(marker, 'base64url');
  // A canonical encoding only: one marker per position.
  if (raw.length < 1 + TAG_BYTES || raw.toString('base64url') !== marker) return undefined;
  const body = raw.subarray(0, raw.length - TAG_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  // Constant time: the comparison must not tell how much of a forged tag was right.
  if (!timingSafeEqual(tag, tagOf(key, body))) return undefined;
  if (body[0] !== MARKER_VERSION) return undefined;
  return body.subarray(1).toString('utf8');
}
