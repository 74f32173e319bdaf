// The one rate limiter of huddle: GCRA (a credit bucket without a timer), keyed, with an injected clock.

import type { Clock } from './clock.js';
import { HuddleError } from './errors.js';

export interface RateLimit {
  /** How many requests may arrive at once after a quiet period. */
  burst: number;
  /** How many credits come back per period. */
  refill: number;
  period_seconds: number;
}

/** What the hub needs of a limiter, wherever it keeps its credits. */
export interface Limiter {
  /** Takes one credit for `key`, or throws `rate_limited`; a refusal takes nothing. */
  take(key: string): void | Promise<void>;
  /** Forgets keys whose bucket is full again. */
  prune(): void;
}

/** Makes the limiter named `name`: the hub's dependency for where credits are kept. */
export type LimiterFactory = (name: string, limit: RateLimit) => Limiter;

export interface RateLimiter extends Limiter {
  /**
   * Takes one credit for `key`, or throws `rate_limited` with the time until one is back.
   * Refused requests take nothing.
   */
  take(key: string): void;
  /** Drops the state of every key whose bucket is full again; bounds memory. */
  prune(): void;
  readonly size: number;
}

/** What the refusal says: a name for the limit, shown to the client. */
export function createRateLimiter(
  name: string,
  limit: RateLimit,
  clock: Clock,
  maxKeys = 100_000,
): RateLimiter {
  const interval = (limit.period_seconds * 1000) / limit.refill;
  const tolerance = interval * limit.burst;
  // Theoretical arrival time per key: the bucket is full when tat <= now.
  const tats = new Map<string, number>();

  const prune = () => {
    const now = clock.now();
    for (const [key, tat] of tats) if (tat <= now) tats.delete(key);
  };

  return {
    take(key) {
      const now = clock.now();
      const tat = Math.max(tats.get(key) ?? now, now);
      const next = tat + interval;
      if (next - now > tolerance) {
        throw limitReached(name, limit, Math.ceil(next - now - tolerance));
      }
      if (tats.size >= maxKeys && !tats.has(key)) prune();
      tats.set(key, next);
    },
    prune,
    get size() {
      return tats.size;
    },
  };
}

/**
 * A limiter whose credits the store keeps, so every hub on it shares the limit (for limits on
 * what a stranger may try, such as redeeming pair codes from one address): one store write a take.
 */
export function createStoreRateLimiter(
  name: string,
  limit: RateLimit,
  clock: Clock,
  takeCredit: (
    name: string,
    key: string,
    limit: { interval_ms: number; tolerance_ms: number },
    now: number,
  ) => Promise<number>,
): Limiter {
  const interval_ms = (limit.period_seconds * 1000) / limit.refill;
  const bucket = { interval_ms, tolerance_ms: interval_ms * limit.burst };
  return {
    async take(key) {
      const retryAfterMs = await takeCredit(name, key, bucket, clock.now());
      if (retryAfterMs > 0) throw limitReached(name, limit, retryAfterMs);
    },
    // The store forgets full buckets itself (Store.prune).
    prune() {},
  };
}

function limitReached(name: string, limit: RateLimit, retryAfterMs: number): HuddleError {
  return new HuddleError(
    'rate_limited',
    'rate_limited',
    `Rate limit "${name}" reached (${limit.burst} at once, ${limit.refill} per ${describePeriod(limit.period_seconds)}). Retry in ${Math.ceil(retryAfterMs / 1000)} s.`,
    {
      retryAfterMs,
      details: {
        limit: name,
        burst: limit.burst,
        refill: limit.refill,
        period_seconds: limit.period_seconds,
        retry_after_ms: retryAfterMs,
      },
    },
  );
}

function describePeriod(seconds: number): string {
  if (seconds === 1) return 'second';
  if (seconds === 60) return 'minute';
  if (seconds === 3600) return 'hour';
  if (seconds === 86400) return 'day';
  return `${seconds} s`;
}
