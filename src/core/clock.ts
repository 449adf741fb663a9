/** A source of the current time, passed to everything that needs `now` (tests move it). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
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
