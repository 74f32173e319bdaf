// The GCRA rate limiter: a burst, then refusals that say when to retry, then recovery.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createManualClock } from '../../src/core/clock.js';
import { HuddleError } from '../../src/core/errors.js';
import { createRateLimiter } from '../../src/core/rate-limiter.js';

/** burst 3, one credit back every 10 s. */
const LIMIT = { burst: 3, refill: 6, period_seconds: 60 };

function refusal(fn: () => void): HuddleError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof HuddleError);
    assert.equal(err.code, 'rate_limited');
    assert.equal(err.kind, 'rate_limited');
    assert.equal(err.retryable, true);
    return err;
  }
  assert.fail('expected a rate_limited refusal');
}

describe('createRateLimiter', () => {
  it('allows a burst, then refuses with the time until a credit is back', () => {
    const clock = createManualClock();
    const limiter = createRateLimiter('writes', LIMIT, clock);
    for (let i = 0; i < 3; i++) limiter.take('a');
    const err = refusal(() => limiter.take('a'));
    assert.equal(err.retryAfterMs, 10_000);
    assert.equal(err.details.retry_after_ms, 10_000);
    assert.equal(err.details.limit, 'writes');
    assert.equal(err.details.burst, 3);
  });

  it('counts the retry time down as the clock moves and recovers exactly then', () => {
    const clock = createManualClock();
    const limiter = createRateLimiter('writes', LIMIT, clock);
    for (let i = 0; i < 3; i++) limiter.take('a');
    clock.advance(9_999);
    assert.equal(refusal(() => limiter.take('a')).retryAfterMs, 1);
    clock.advance(1);
    limiter.take('a');
    assert.equal(refusal(() => limiter.take('a')).retryAfterMs, 10_000);
  });

  it('takes nothing for a refused request', () => {
    const clock = createManualClock();
    const limiter = createRateLimiter('writes', LIMIT, clock);
    for (let i = 0; i < 3; i++) limiter.take('a');
    for (let i = 0; i < 50; i++) refusal(() => limiter.take('a'));
    clock.advance(10_000);
    limiter.take('a');
    refusal(() => limiter.take('a'));
  });

  it('gives the whole burst back after a quiet period, and no more', () => {
    const clock = createManualClock();
    const limiter = createRateLimiter('writes', LIMIT, clock);
    for (let i = 0; i < 3; i++) limiter.take('a');
    clock.advance(60 * 60_000);
    for (let i = 0; i < 3; i++) limiter.take('a');
    refusal(() => limiter.take('a'));
  });

  it('keeps keys independent', () => {
    const clock = createManualClock();
    const limiter = createRateLimiter('join', LIMIT, clock);
    for (let i = 0; i < 3; i++) limiter.take('10.0.0.1');
    refusal(() => limiter.take('10.0.0.1'));
    for (let i = 0; i < 3; i++) limiter.take('10.0.0.2');
    refusal(() => limiter.take('10.0.0.2'));
  });

  it('prunes only the keys whose bucket is full again', () => {
    const clock = createManualClock();
    const limiter = createRateLimiter('writes', LIMIT, clock);
    limiter.take('once');
    for (let i = 0; i < 3; i++) limiter.take('busy');
    assert.equal(limiter.size, 2);
    limiter.prune();
    assert.equal(limiter.size, 2);
    clock.advance(10_000);
    limiter.prune();
    assert.deepEqual(limiter.size, 1);
    clock.advance(20_000);
    limiter.prune();
    assert.equal(limiter.size, 0);
    // A pruned key starts with a full burst.
    for (let i = 0; i < 3; i++) limiter.take('busy');
    refusal(() => limiter.take('busy'));
  });
});
