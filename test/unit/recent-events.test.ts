// The in-memory cache of recent events: it serves only contiguous runs and stays within budget.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRecentEvents } from '../../src/core/recent-events.js';
import { createPooledRandom } from '../../src/core/random.js';
import type { RoomEvent } from '../../src/core/types.js';

const ev = (seq: number, text = 'x'): RoomEvent => ({
  room: 'r',
  seq,
  id: `ev_${seq}`,
  ts: '2026-01-01T00:00:00.000Z',
  actor: null,
  type: 'note',
  body: { text },
});
const seqs = (events: RoomEvent[] | null) => events?.map((e) => e.seq) ?? null;

describe('recent events', () => {
  it('serves the events after a cursor when it holds the next one and no gap', () => {
    const cache = createRecentEvents({ perRoom: 10, maxBytes: 1e6 });
    for (const seq of [5, 6, 7, 8]) cache.add('a', ev(seq));
    assert.deepEqual(seqs(cache.after('a', 4, 10)), [5, 6, 7, 8]);
    assert.deepEqual(seqs(cache.after('a', 6, 1)), [7]);
  });

  it('answers null when it cannot be sure: before its first event, at its end, or across a gap', () => {
    const cache = createRecentEvents({ perRoom: 10, maxBytes: 1e6 });
    for (const seq of [5, 6, 8]) cache.add('a', ev(seq));
    assert.equal(cache.after('a', 2, 10), null, 'events 3 and 4 are not here');
    assert.equal(cache.after('a', 8, 10), null, 'a newer event may exist elsewhere');
    assert.equal(cache.after('a', 5, 10), null, 'seq 7 is missing between 6 and 8');
    assert.equal(cache.after('b', 0, 10), null, 'unknown room');
  });

  it('ignores repeated and older events', () => {
    const cache = createRecentEvents({ perRoom: 10, maxBytes: 1e6 });
    cache.add('a', ev(1));
    cache.add('a', ev(2));
    cache.add('a', ev(2, 'replayed'));
    cache.add('a', ev(1));
    assert.deepEqual(
      cache.after('a', 0, 10)!.map((e) => e.body.text),
      ['x', 'x'],
    );
  });

  it('keeps at most perRoom events per room and drops whole rooms past the byte budget', () => {
    const cache = createRecentEvents({ perRoom: 3, maxBytes: 2000 });
    for (let seq = 1; seq <= 5; seq++) cache.add('a', ev(seq));
    assert.equal(cache.after('a', 1, 10), null, 'events 1 and 2 were dropped');
    assert.deepEqual(seqs(cache.after('a', 2, 10)), [3, 4, 5]);
    cache.add('b', ev(1, 'y'.repeat(1800)));
    assert.equal(cache.after('a', 2, 10), null, 'room a went to make room for b');
    assert.deepEqual(seqs(cache.after('b', 0, 10)), [1]);
  });

  it('serializes an event once', () => {
    const cache = createRecentEvents({ perRoom: 3, maxBytes: 1e6 });
    const e = ev(1);
    cache.add('a', e);
    assert.equal(cache.json(e), JSON.stringify(e));
    assert.equal(cache.json(e), cache.json(e));
  });

  it('forgets a deleted room', () => {
    const cache = createRecentEvents({ perRoom: 3, maxBytes: 1e6 });
    cache.add('a', ev(1));
    cache.forget('a');
    assert.equal(cache.after('a', 0, 10), null);
  });
});

describe('pooled randomness', () => {
  it('never hands out the same bytes twice and refills its pool', () => {
    const random = createPooledRandom(64);
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const bytes = random(16).toString('hex');
      assert.equal(bytes.length, 32);
      assert.ok(!seen.has(bytes));
      seen.add(bytes);
    }
    assert.equal(random(100).length, 100, 'a draw larger than the pool');
  });

  it('returns copies the caller may keep', () => {
    const random = createPooledRandom(32);
    const a = random(16);
    const copy = Buffer.from(a);
    random(16);
    random(16);
    assert.deepEqual(a, copy);
  });
});
