// Hub options for tests that build a Hub in process: every limit open unless a test sets one.

import type { HubOptions, HubRateLimits } from '../../src/core/hub.js';

const OPEN = { burst: 1_000_000, refill: 1_000_000, period_seconds: 1 };

export const OPEN_LIMITS: HubRateLimits = {
  room_create: OPEN,
  join: OPEN,
  room_ops: OPEN,
  writes: OPEN,
  global_room_ops: OPEN,
  agent_sends: OPEN,
};

/** The documented defaults for everything but rate limits, which are open; `overrides` win. */
export function testHubOptions(
  overrides: Partial<Omit<HubOptions, 'rate_limits'>> & {
    rate_limits?: Partial<HubRateLimits>;
  } = {},
): HubOptions {
  return {
    code_ttl_seconds: 600,
    idempotency_retention_seconds: 3600,
    messages: { max_reply_depth: 8, max_recipients: 16, duplicate_window_seconds: 10 },
    presence: { offline_after_seconds: 60 },
    leases: { default_ttl_seconds: 1800, offline_grace_seconds: 300 },
    ...overrides,
    rate_limits: { ...OPEN_LIMITS, ...overrides.rate_limits },
  };
}
