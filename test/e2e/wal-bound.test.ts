// The SQLite write-ahead log of a `huddle serve` child stays near wal_limit_bytes under writes that
// never pause, and a hub restarted after `kill -9` starts with it emptied, every note kept.

import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { spawnHub, type ChildHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
const hubs: ChildHub[] = [];
after(async () => {
  for (const h of hubs) await h.stop('SIGKILL');
  dir.remove();
});

const MiB = 1024 * 1024;
const walSize = () => {
  try {
    return statSync(join(dir.path, 'huddle.db-wal')).size;
  } catch {
    return 0;
  }
};

async function post(url: string, path: string, body: unknown, token?: string) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
}

test(
  'the WAL stays near its limit under steady writes and is emptied at start after kill -9',
  { timeout: 90_000 },
  async () => {
    const limit = MiB;
    // Near the limit: what is written while the last frames are copied, on a busy machine too
    // (the test suite runs many files at once). Unbounded, 5,000 notes pass it several times.
    const bound = 12 * MiB;
    const hub = await spawnHub(dir.path, { HUDDLE_WAL_LIMIT_BYTES: String(limit) });
    hubs.push(hub);
    const created = await post(hub.url, '/v1/rooms', { name: 'steady', label: 'admin' });
    assert.equal(created.status, 201);
    const { token } = (await created.json()) as { token: string };

    let largest = 0;
    const look = () => (largest = Math.max(largest, walSize()));
    const sampler = setInterval(look, 5);
    const acked = new Set<number>();
    let killed = false;
    const started = Date.now();
    // Enough notes that an unbounded WAL would pass the bound several times over.
    const enough = () => acked.size >= 5000 && Date.now() - started >= 2000;
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; !killed; i++) {
          let res: Response;
          try {
            res = await post(hub.url, '/v1/rooms/steady/notes', { text: `${w}.${i}` }, token);
          } catch {
            return; // the hub is gone
          }
          if (res.status !== 201) return;
          acked.add(((await res.json()) as { event: { seq: number } }).event.seq);
          look();
          if (enough() && !killed) {
            killed = true;
            hub.child.kill('SIGKILL');
          }
        }
      }),
    );
    await hub.stop();
    clearInterval(sampler);
    assert.ok(largest > limit, `the WAL reached its limit (${largest} bytes)`);
    assert.ok(largest <= bound, `the WAL grew to ${largest} bytes, over ${bound}`);
    const left = walSize();
    assert.ok(left > 0, 'the killed hub left its WAL behind');

    const again = await spawnHub(dir.path);
    hubs.push(again);
    assert.equal(walSize(), 0, `the restarted hub emptied the ${left}-byte WAL it found`);
    const written = await post(again.url, '/v1/rooms/steady/notes', { text: 'after' }, token);
    const { event } = (await written.json()) as { event: { seq: number } };
    // Seqs are dense and committed with their notes: the log goes on after the last one acked.
    assert.ok(event.seq > Math.max(...acked), `seq ${event.seq} after ${Math.max(...acked)}`);
    await again.stop();
  },
);
