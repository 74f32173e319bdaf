// Message ids keep the documented shape and sort by the time they were made.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cryptoRandom, timeOrderedId } from '../../src/core/random.js';

test('a time-ordered id is the prefix and 16 lowercase base-36 characters', () => {
  const id = timeOrderedId(cryptoRandom, 'msg', Date.UTC(2026, 11, 4));
  assert.match(id, /^msg_[0-9a-z]{16}$/);
  assert.match(timeOrderedId(cryptoRandom, 'msg', 0), /^msg_00000000[0-9a-z]{8}$/);
});

test('ids made later sort later, and ids made at once differ', () => {
  const times = [0, 1, 999, Date.UTC(2000, 0, 1), Date.UTC(2026, 11, 4), Date.UTC(2059, 0, 1)];
  const ids = times.map((t) => timeOrderedId(cryptoRandom, 'msg', t));
  assert.deepEqual([...ids].sort(), ids);
  const now = Date.now();
  const same = new Set(Array.from({ length: 1000 }, () => timeOrderedId(cryptoRandom, 'msg', now)));
  assert.equal(same.size, 1000);
});
