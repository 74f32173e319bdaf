// The source of time for the core, injected so that tests control it.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to; for tests of expiry and rate limits. */
export function createManualClock(start = Date.UTC(2026, 0, 1)): Clock & {
  advance(ms: number): void;
  set(ms: number): void;
} {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
  };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
