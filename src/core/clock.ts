/** A source of the current time, passed to everything that needs `now` (tests move it). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Real time, which a test clock's moves do not change: what signature freshness (the 15-minute skew
   * window, presigned-URL expiry) is checked against, so unmodified clients, which sign with their
   * own clock, keep working after `POST /_iamd/clock`. Absent means {@link Clock.now}.
   */
  wallNow?(): number;
}

/** The time a signature's freshness is checked against: `clock.wallNow()`, else `clock.now()`. */
export function signingNow(clock: Clock): number {
  return clock.wallNow !== undefined ? clock.wallNow() : clock.now();
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that tests (and the loudly-logged developer flag) can move forward. Never moves backwards. */
export interface AdjustableClock extends Clock {
  advance(ms: number): void;
  readonly offsetMs: number;
}

/** Makes an {@link AdjustableClock} on top of `base`, starting at offset 0. */
export function adjustableClock(base: Clock = systemClock): AdjustableClock {
  let offset = 0;
  return {
    now: () => base.now() + offset,
    // Moving the clock expires sessions, MFA ages and the like, never signatures (issue #16 item 8).
    wallNow: () => signingNow(base),
    advance(ms: number) {
      if (!(ms >= 0)) throw new RangeError('a clock only moves forward');
      offset += ms;
    },
    get offsetMs() {
      return offset;
    },
  };
}

/**
 * Recently formatted seconds. Requests format the same few instants over and over (the current second,
 * a session's issue time, an entity's creation date), and `toISOString` is a measurable part of a call.
 */
const formatted = new Map<number, string>();

/** ISO-8601 with seconds precision and `Z`, the way AWS renders timestamps in XML (`2026-02-09T21:40:18Z`). */
export function isoSeconds(ms: number): string {
  const second = Math.floor(ms / 1000);
  let text = formatted.get(second);
  if (text === undefined) {
    text = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    if (formatted.size >= 4096) formatted.clear();
    formatted.set(second, text);
  }
  return text;
}
