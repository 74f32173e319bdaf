// The SQLite store's files: private to their user, and a write-ahead log that stays near its limit.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/temp-dir.js';

const MiB = 1024 * 1024;
const mode = (path: string) => statSync(path).mode & 0o777;
const size = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

async function openWithRoom(path: string, options: Omit<SqliteStoreOptions, 'path'> = {}) {
  const store = openSqliteStore({ path, ...options });
  await store.migrate();
  const member = { id: 'mem_1', label: 'admin', scopes: ['admin' as const], created_at: 1 };
  await store.createRoom({
    room: { id: 'room_1', name: 'files', created_at: 1 },
    member,
    token_digest: 'a'.repeat(64),
    event: { id: randomUUID(), ts: 1, actor: null, type: 'room.created', body: {} },
  });
  const note = (text: string) =>
    store.appendEvent(
      'room_1',
      { id: randomUUID(), ts: Date.now(), actor: null, type: 'note', body: { text } },
      { member_id: member.id, key: randomUUID(), fingerprint: 'f', at: Date.now() },
    );
  return { store, note };
}

/** Resolves once `check` holds, polling a file's state; fails after `ms`. */
async function eventually(what: string, check: () => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('SQLite store files', () => {
  it('creates the database, its -wal and -shm files 0600 and a missing directory 0700', async () => {
    const dir = tempDir();
    const path = join(dir.path, 'data', 'huddle.db');
    const tightened: string[][] = [];
    const { store, note } = await openWithRoom(path, { onTightened: (p) => tightened.push(p) });
    try {
      await note('hello');
      assert.equal(mode(join(dir.path, 'data')), 0o700);
      for (const file of [path, `${path}-wal`, `${path}-shm`])
        assert.equal(mode(file), 0o600, file);
      assert.deepEqual(tightened, [], 'nothing to report on a fresh start');
    } finally {
      await store.close();
      dir.remove();
    }
  });

  it('makes existing files others can read 0600, says which, and leaves their directory as it is', async () => {
    const dir = tempDir();
    const data = join(dir.path, 'shared');
    mkdirSync(data, { mode: 0o755 });
    chmodSync(data, 0o755);
    const path = join(data, 'huddle.db');
    const first = await openWithRoom(path);
    await first.note('before');
    await first.store.close();
    // As a hub killed mid-write leaves them, readable by everyone.
    writeFileSync(`${path}-wal`, '');
    writeFileSync(`${path}-shm`, '');
    for (const file of [path, `${path}-wal`, `${path}-shm`]) chmodSync(file, 0o644);

    const tightened: string[][] = [];
    const again = openSqliteStore({ path, onTightened: (p) => tightened.push(p) });
    try {
      assert.deepEqual(tightened, [[path, `${path}-wal`, `${path}-shm`]]);
      for (const file of [path, `${path}-wal`, `${path}-shm`])
        assert.equal(mode(file), 0o600, file);
      assert.equal(mode(data), 0o755, 'a directory the store did not create keeps its mode');
      assert.equal((await again.listEvents('room_1', 0, 10)).length, 2);
    } finally {
      await again.close();
      dir.remove();
    }
  });

  it('keeps the WAL near its limit while writers never stop', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const path = join(dir.path, 'huddle.db');
    const limit = 1 * MiB;
    // What can be written between two looks at the file and while the last frames are copied,
    // on a busy machine too (the test suite runs many files at once).
    const bound = 12 * MiB;
    const { store, note } = await openWithRoom(path, { walLimitBytes: limit });
    let largest = 0;
    const look = () => (largest = Math.max(largest, size(`${path}-wal`)));
    const sampler = setInterval(look, 5);
    try {
      // Long enough that an unbounded WAL passes the bound many times over (it grows by several
      // KiB per note), and for a few seconds at least.
      const started = Date.now();
      let written = 0;
      await Promise.all(
        Array.from({ length: 20 }, async (_, w) => {
          while (written < 10_000 || Date.now() - started < 3000) {
            await note(`writer ${w} ${'x'.repeat(200)}`);
            written++;
            look();
          }
        }),
      );
      assert.ok(largest > limit, `the WAL reached its limit (${largest} bytes)`);
      assert.ok(largest <= bound, `the WAL grew to ${largest} bytes, over ${bound}`);
      assert.equal((await store.listEvents('room_1', 0, 1)).length, 1);
    } finally {
      clearInterval(sampler);
      await store.close();
      dir.remove();
    }
  });

  it('empties the WAL once the store is idle', { timeout: 30_000 }, async () => {
    const dir = tempDir();
    const path = join(dir.path, 'huddle.db');
    const { store, note } = await openWithRoom(path, { checkpointIntervalMs: 100 });
    try {
      await Promise.all(Array.from({ length: 200 }, (_, i) => note(`note ${i}`)));
      assert.ok(size(`${path}-wal`) > 0);
      await eventually('the WAL is empty', () => size(`${path}-wal`) === 0);
      // The store goes on as before.
      assert.equal((await note('after')).seq, 202);
    } finally {
      await store.close();
      dir.remove();
    }
  });
});
