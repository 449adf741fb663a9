/**
 * ISO-8601 basic-format timestamps (`20150830T123600Z`) as SigV4 uses them in `X-Amz-Date`
 * and error messages.
 */

function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Parse `yyyymmddThhmmssZ` to epoch ms; undefined when malformed or not a real date/time. */
export function parseAmzDate(s: string): number | undefined {
  if (s.length !== 16 || s[8] !== 'T' || s[15] !== 'Z') return undefined;
  const y = digits(s, 0, 4);
  const mo = digits(s, 4, 6);
  const d = digits(s, 6, 8);
  const h = digits(s, 9, 11);
  const mi = digits(s, 11, 13);
  const se = digits(s, 13, 15);
  if (
    y < 0 ||
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    d > 31 ||
    h < 0 ||
    h > 23 ||
    mi < 0 ||
    mi > 59 ||
    se < 0 ||
    se > 59
  ) {
    return undefined;
  }
  const ms = Date.UTC(y, mo - 1, d, h, mi, se);
  // Reject 20150231 and the like, which Date.UTC would roll over.
  if (new Date(ms).getUTCDate() !== d) return undefined;
  return ms;
}

/** The last second {@link formatAmzDate} formatted, and its text: calls come many to a second. */
let lastSecond = Number.NaN;
let lastText = '';

/** Format epoch ms as `yyyymmddThhmmssZ`. */
export function formatAmzDate(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second === lastSecond) return lastText;
  const iso = new Date(ms).toISOString(); // 2015-08-30T12:36:00.000Z
  lastSecond = second;
  lastText =
    iso.slice(0, 4) +
    iso.slice(5, 7) +
    iso.slice(8, 10) +
    'T' +
    iso.slice(11, 13) +
    iso.slice(14, 16) +
    iso.slice(17, 19) +
    'Z';
  return lastText;
}

/** Convert an HTTP `Date` header (IMF-fixdate) to `yyyymmddThhmmssZ`; undefined when unparsable. */
export function httpDateToAmzDate(value: string): string | undefined {
  // Date.parse accepts RFC 7231 dates; it is a pure function of its argument.
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || ms < 0 || ms > 253402300799000) return undefined;
  return formatAmzDate(Math.floor(ms / 1000) * 1000);
}
