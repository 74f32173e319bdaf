// The SQLite store: the Store contract on a temporary file, plus its durability settings.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import type { Store } from '../../src/core/store.js';
import { openSqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { openTempSqlite } from './sqlite-temp.js';
import { runStoreContract } from './store-contract.js';

runStoreContract('sqlite (file)', () => openTempSqlite());

/**
 * Opens a store while recording the better-sqlite3 connection it makes, so a test can ask that
 * connection for its per-connection settings (synchronous is not visible from another one).
 */
function openCapturingConnection(path: string, options: Omit<SqliteStoreOptions, 'path'>) {
  const proto = Database.prototype as unknown as { pragma: Db['pragma'] };
  const original = proto.pragma;
  const seen = new Set<Db>();
  proto.pragma = function (this: Db, ...args: Parameters<Db['pragma']>) {
    seen.add(this);
    return original.apply(this, args);
  } as Db['pragma'];
  let store: Store;
  try {
    store = openSqliteStore({ path, ...options });
  } finally {
    proto.pragma = original;
  }
  assert.equal(seen.size, 1, 'the store should open exactly one connection');
  return { store, db: [...seen][0]! };
}

describe('SQLite store specifics', () => {
  it('keeps every acknowledged write across close and reopen', async () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, 'data', 'huddle.db');
      const first = openSqliteStore({ path });
      await first.migrate();
      const created = await first.createRoom({
        room: { id: 'room_1', name: 'durable', created_at: 1 },
        member: { id: 'mem_1', label: 'admin', scopes: ['admin'], created_at: 1 },
        token_digest: 'a'.repeat(64),
        event: { id: 'ev_1', ts: 1, actor: null, type: 'room.created', body: {} },
      });
      // Issued without awaiting: close must still commit them.
      const pending = [1, 2, 3].map((i) =>
        first.appendEvent('room_1', {
          id: `ev_n${i}`,
          ts: 2,
          actor: null,
          type: 'note',
          body: { i },
        }),
      );
      const checkpoint = first.setCheckpoint(
        'room_1',
        { text: 'saved', actor: { member_id: 'mem_1', label: 'admin' } },
        (version) => ({ id: 'ev_cp', ts: 3, actor: null, type: 'checkpoint', body: { version } }),
      );
      await first.close();
      const written = await Promise.all(pending);
      const cp = await checkpoint;

      const second = openSqliteStore({ path });
      try {
        await second.migrate();
        assert.deepEqual(await second.findRoom('durable'), { ...created.room, last_seq: 5 });
        const events = await second.listEvents('room_1', 0, 100);
        assert.deepEqual(events, [created.event, ...written, cp.event]);
        assert.deepEqual(await second.getCheckpoint('room_1'), cp.checkpoint);
        const cred = await second.findCredential('a'.repeat(64));
        assert.deepEqual(cred?.member, created.member);
        // The log continues where it stopped.
        const next = await second.appendEvent('room_1', {
          id: 'ev_after',
          ts: 4,
          actor: null,
          type: 'note',
          body: {},
        });
        assert.equal(next.seq, 6);
      } finally {
        await second.close();
      }
    } finally {
      dir.remove();
    }
  });

  it('runs in WAL mode with synchronous=NORMAL, syncing the WAL itself by default', async () => {
    const dir = tempDir();
    const path = join(dir.path, 'huddle.db');
    const { store, db } = openCapturingConnection(path, {});
    try {
      assert.equal(db.pragma('synchronous', { simple: true }), 1);
      const reader = new Database(path, { readonly: true });
      try {
        assert.equal(reader.pragma('journal_mode', { simple: true }), 'wal');
      } finally {
        reader.close();
      }
    } finally {
      await store.close();
      dir.remove();
    }
  });

  /** A store with one room whose every WAL sync first waits `delayMs`, and a second connection. */
  async function slowDiskStore(options: Omit<SqliteStoreOptions, 'path'>) {
    const dir = tempDir();
    const path = join(dir.path, 'huddle.db');
    const store = openSqliteStore({ path, ...options });
    await store.migrate();
    await store.createRoom({
      room: { id: 'room_1', name: 'slow', created_at: 1 },
      member: { id: 'mem_1', label: 'admin', scopes: ['admin'], created_at: 1 },
      token_digest: 'a'.repeat(64),
      event: { id: 'ev_1', ts: 1, actor: null, type: 'room.created', body: {} },
    });
    const reader = new Database(path, { readonly: true });
    const committed = () =>
      (reader.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
    return {
      store,
      committed,
      async cleanup() {
        reader.close();
        await store.close();
        dir.remove();
      },
    };
  }
  const note = (i: number) => ({
    id: `ev_n${i}`,
    ts: 2,
    actor: null,
    type: 'note',
    body: { i },
  });

  it('acknowledges a write only after its sync, and shows no reader an unsynced event', async () => {
    const slow = await slowDiskStore({ syncDelayMs: 150 });
    try {
      const started = Date.now();
      let acked = false;
      const write = slow.store.appendEvent('room_1', note(1)).then((e) => ((acked = true), e));
      await new Promise((r) => setTimeout(r, 40));
      assert.equal(slow.committed(), 2, 'committed at once');
      assert.equal(acked, false, 'not acknowledged while the sync waits');
      // Readers of the log see nothing beyond what is synced, the room's head included.
      assert.deepEqual(
        (await slow.store.listEvents('room_1', 0, 10)).map((e) => e.seq),
        [1],
      );
      assert.deepEqual(
        (await slow.store.recentEvents('room_1', 10)).map((e) => e.seq),
        [1],
      );
      assert.equal((await slow.store.findRoom('slow'))?.last_seq, 1);
      assert.equal((await slow.store.findCredential('a'.repeat(64)))?.room.last_seq, 1);
      const event = await write;
      assert.ok(Date.now() - started >= 140, 'the acknowledgement waited for the sync');
      assert.equal(event.seq, 2);
      assert.deepEqual(
        (await slow.store.listEvents('room_1', 0, 10)).map((e) => e.seq),
        [1, 2],
      );
      assert.equal((await slow.store.findRoom('slow'))?.last_seq, 2);
    } finally {
      await slow.cleanup();
    }
  });

  it('answers a replayed key only once the write it names is synced', async () => {
    const slow = await slowDiskStore({ syncDelayMs: 150 });
    try {
      const idem = { member_id: 'mem_1', key: 'k1', fingerprint: 'f', at: 1 };
      const first = slow.store.appendEvent('room_1', note(1), idem);
      await new Promise((r) => setTimeout(r, 40));
      let replayed = false;
      const replay = slow.store.findReplay('room_1', idem).then((r) => ((replayed = true), r));
      await new Promise((r) => setTimeout(r, 40));
      assert.equal(replayed, false, 'a replay is not an acknowledgement before the sync');
      const [event, found] = await Promise.all([first, replay]);
      assert.ok(found && 'event' in found);
      assert.equal(found.event.seq, event.seq);
    } finally {
      await slow.cleanup();
    }
  });

  it("skips the sync when opened with sync 'normal'", async () => {
    const slow = await slowDiskStore({ sync: 'normal', syncDelayMs: 500 });
    try {
      const started = Date.now();
      await slow.store.appendEvent('room_1', note(1));
      assert.ok(Date.now() - started < 400, 'no sync to wait for');
      assert.equal((await slow.store.findRoom('slow'))?.last_seq, 2);
    } finally {
      await slow.cleanup();
    }
  });
});
