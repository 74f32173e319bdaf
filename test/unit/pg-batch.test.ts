// Reads asked for in one turn share one load, each caller gets its own answer, and a failed load
// fails every caller of that group and no other.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchedReads } from '../../src/store/postgres/pg-batch.js';

test('calls of one turn share a load; each gets the answer for its key', async () => {
  const loads: number[][] = [];
  const read = batchedReads(async (keys: number[]) => {
    loads.push(keys);
    return keys.map((k) => k * 10);
  });
  assert.deepEqual(await Promise.all([read(1), read(2), read(3)]), [10, 20, 30]);
  assert.deepEqual(await read(4), 40);
  assert.deepEqual(loads, [[1, 2, 3], [4]]);
});

test('more keys than one load takes are split; a failed load fails only its callers', async () => {
  let calls = 0;
  const read = batchedReads(async (keys: number[]) => {
    calls++;
    if (keys.includes(0)) throw new Error('the database said no');
    return keys;
  });
  const keys = Array.from({ length: 1200 }, (_, i) => i);
  const results = await Promise.allSettled(keys.map(read));
  assert.equal(calls, 3);
  assert.ok(results.slice(0, 500).every((r) => r.status === 'rejected'));
  assert.deepEqual(
    results.slice(500).map((r) => (r.status === 'fulfilled' ? r.value : null)),
    keys.slice(500),
  );
});
