// The shared rate-limit cases every Store must pass, written only against the Store interface:
// a bucket's burst, its refill, keys and limits kept apart, and no overdraft under concurrency.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Store } from '../../src/core/store.js';
import type { OpenedStore } from './store-contract.js';

const T0 = Date.UTC(2026, 0, 1);
/** 3 at once, then one a second. */
const LIMIT = { interval_ms: 1000, tolerance_ms: 3000 };

export function runRateLimitContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Store rate-limit contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(() => opened.cleanup());

    it('gives a burst, then refuses with the time until a credit is back, taking nothing', async () => {
      const takes = [];
      for (let i = 0; i < 4; i++)
        takes.push(await store.takeRateCredit('join', '10.0.0.1', LIMIT, T0));
      assert.deepEqual(takes, [0, 0, 0, 1000]);
      // Refused again a moment later: the refusal took nothing.
      assert.equal(await store.takeRateCredit('join', '10.0.0.1', LIMIT, T0 + 400), 600);
      assert.equal(await store.takeRateCredit('join', '10.0.0.1', LIMIT, T0 + 1000), 0);
      assert.equal(await store.takeRateCredit('join', '10.0.0.1', LIMIT, T0 + 1000), 1000);
      // Quiet long enough, the bucket is full again.
      const later = [];
      for (let i = 0; i < 4; i++)
        later.push(await store.takeRateCredit('join', '10.0.0.1', LIMIT, T0 + 60_000));
      assert.deepEqual(later, [0, 0, 0, 1000]);
    });

    it('keeps keys and limits apart', async () => {
      for (let i = 0; i < 3; i++)
        assert.equal(await store.takeRateCredit('join', 'a', LIMIT, T0), 0);
      assert.ok((await store.takeRateCredit('join', 'a', LIMIT, T0)) > 0);
      assert.equal(await store.takeRateCredit('join', 'b', LIMIT, T0), 0);
      assert.equal(await store.takeRateCredit('room_create', 'a', LIMIT, T0), 0);
    });

    it('of concurrent takes, exactly as many succeed as the bucket holds', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, () => store.takeRateCredit('join', 'busy', LIMIT, T0)),
      );
      assert.equal(results.filter((r) => r === 0).length, 3);
    });

    it('takes limits of a million a second, whose interval is a fraction of a millisecond', async () => {
      const fast = { interval_ms: 0.001, tolerance_ms: 1000 };
      for (let i = 0; i < 5; i++)
        assert.equal(await store.takeRateCredit('fast', 'k', fast, T0), 0);
    });

    it('prune forgets full buckets only', async () => {
      await store.takeRateCredit('join', 'old', LIMIT, T0);
      for (let i = 0; i < 3; i++) await store.takeRateCredit('join', 'new', LIMIT, T0 + 100_000);
      await store.prune(T0 + 50_000);
      // "old" starts over with a full bucket; "new" is still empty.
      assert.equal(await store.takeRateCredit('join', 'new', LIMIT, T0 + 100_000), 1000);
      for (let i = 0; i < 3; i++)
        assert.equal(await store.takeRateCredit('join', 'old', LIMIT, T0 + 100_000), 0);
    });
  });
}
