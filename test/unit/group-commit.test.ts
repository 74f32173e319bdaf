// Group commit: writes of one tick share one transaction, each acknowledged only once committed.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { createGroupCommit } from '../../src/store/sqlite/group-commit.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('createGroupCommit', () => {
  let dir: { path: string; remove(): void };
  let db: Db;
  /** A second connection: it sees only what has been committed. */
  let reader: Db;
  const committed = () => (reader.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;
  const insert = (v: number) => () => {
    db.prepare('INSERT INTO t (v) VALUES (?)').run(v);
    return { v, visibleToOthers: committed() };
  };
  const values = () =>
    (db.prepare('SELECT v FROM t ORDER BY v').all() as Array<{ v: number }>).map((r) => r.v);

  beforeEach(() => {
    dir = tempDir();
    const path = join(dir.path, 'g.db');
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (v INTEGER PRIMARY KEY)');
    reader = new Database(path);
  });
  afterEach(() => {
    reader.close();
    db.close();
    dir.remove();
  });

  it('runs writes issued in one tick in one transaction', async () => {
    const group = createGroupCommit(db);
    const results = await Promise.all([1, 2, 3, 4, 5].map((v) => group.run(insert(v))));
    // Inside the batch, none of the earlier writes had been committed yet.
    assert.deepEqual(
      results.map((r) => r.visibleToOthers),
      [0, 0, 0, 0, 0],
    );
    assert.equal(committed(), 5);
  });

  it('starts a new transaction for writes of a later tick', async () => {
    const group = createGroupCommit(db);
    await Promise.all([1, 2].map((v) => group.run(insert(v))));
    const later = await group.run(insert(3));
    assert.equal(later.visibleToOthers, 2);
  });

  it('acknowledges a write only after its transaction committed', async () => {
    const group = createGroupCommit(db);
    const seenAtAck: number[] = [];
    await Promise.all(
      [1, 2, 3].map((v) => group.run(insert(v)).then(() => seenAtAck.push(committed()))),
    );
    assert.deepEqual(seenAtAck, [3, 3, 3]);
  });

  it('rolls back only the write that failed, and rejects only its promise', async () => {
    const group = createGroupCommit(db);
    const results = await Promise.allSettled([
      group.run(insert(1)),
      group.run(() => {
        db.prepare('INSERT INTO t (v) VALUES (?)').run(100);
        throw new Error('refused after a change');
      }),
      group.run(insert(2)),
      group.run(insert(1)), // primary key conflict
      group.run(insert(3)),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal((results[1] as PromiseRejectedResult).reason.message, 'refused after a change');
    assert.deepEqual(values(), [1, 2, 3]);
    assert.equal(committed(), 3);
    assert.deepEqual(
      results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.visibleToOthers] : [])),
      [0, 0, 0],
    );
  });

  it('splits a tick larger than maxBatch into several transactions, in order', async () => {
    const group = createGroupCommit(db, { maxBatch: 2 });
    const results = await Promise.all([1, 2, 3, 4, 5].map((v) => group.run(insert(v))));
    assert.deepEqual(
      results.map((r) => r.visibleToOthers),
      [0, 0, 2, 2, 4],
    );
    assert.deepEqual(values(), [1, 2, 3, 4, 5]);
  });

  it('reports pending writes and drains them', async () => {
    const group = createGroupCommit(db);
    await group.drain();
    const settled: number[] = [];
    for (const v of [1, 2, 3]) void group.run(insert(v)).then((r) => settled.push(r.v));
    assert.equal(group.pending, 3);
    await group.drain();
    assert.equal(group.pending, 0);
    assert.deepEqual(settled, [1, 2, 3]);
    assert.equal(committed(), 3);
  });

  it('holds commits back until the hold ends, then commits the waiting writes together', async () => {
    const group = createGroupCommit(db);
    let end!: () => void;
    group.hold(new Promise<void>((resolve) => (end = resolve)));
    const first = group.run(insert(1));
    await new Promise((r) => setTimeout(r, 20));
    const second = group.run(insert(2));
    await new Promise((r) => setImmediate(r));
    assert.equal(committed(), 0, 'nothing committed while held');
    assert.equal(group.pending, 2);
    const drained = group.drain();
    end();
    const results = await Promise.all([first, second]);
    await drained;
    assert.deepEqual(
      results.map((r) => r.visibleToOthers),
      [0, 0],
    );
    assert.equal(committed(), 2);
  });

  /** A sync the test finishes by hand, one call at a time. */
  function manualSync() {
    const calls: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
    return {
      calls,
      sync: () =>
        new Promise<void>((resolve, reject) => {
          calls.push({ resolve, reject });
        }),
    };
  }
  const turn = () => new Promise((r) => setImmediate(r));
  /** Waits for a condition that a timer makes true, without betting on how late the timer runs. */
  async function until(cond: () => boolean, what: string) {
    const deadline = Date.now() + 5_000;
    while (!cond()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  it('acknowledges a write only after the sync that began once it had committed', async () => {
    const manual = manualSync();
    const group = createGroupCommit(db, { sync: manual.sync });
    let acked = false;
    const first = group.run(insert(1)).then((r) => ((acked = true), r));
    await turn();
    assert.equal(committed(), 1, 'committed at once');
    assert.equal(manual.calls.length, 1, 'one sync started');
    assert.equal(acked, false, 'not acknowledged before the sync returns');
    // A write committed while that sync runs waits for the next one.
    let secondAcked = false;
    const second = group.run(insert(2)).then(() => (secondAcked = true));
    await turn();
    assert.equal(committed(), 2);
    assert.equal(manual.calls.length, 1, 'one sync at a time');
    manual.calls[0]!.resolve();
    await first;
    assert.equal(acked, true);
    await turn();
    assert.equal(secondAcked, false, 'the first sync did not cover the second commit');
    assert.equal(manual.calls.length, 2, 'a second sync covers it');
    manual.calls[1]!.resolve();
    await second;
  });

  it('names the first unsynced seq of each room until its sync returns', async () => {
    const manual = manualSync();
    const group = createGroupCommit(db, { sync: manual.sync });
    const write = (v: number, room: string) =>
      group.run(() => {
        group.appended(room, v);
        return insert(v)();
      });
    const a = Promise.all([write(1, 'a'), write(2, 'a'), write(7, 'b')]);
    await turn();
    assert.equal(group.unsyncedFrom('a'), 1);
    assert.equal(group.unsyncedFrom('b'), 7);
    assert.equal(group.unsyncedFrom('c'), undefined);
    const b = write(3, 'a');
    await turn();
    assert.equal(group.unsyncedFrom('a'), 1, 'the earlier batch comes first');
    let allSynced = false;
    const synced = group.synced().then(() => (allSynced = true));
    manual.calls[0]!.resolve();
    await a;
    assert.equal(group.unsyncedFrom('a'), 3);
    assert.equal(group.unsyncedFrom('b'), undefined);
    assert.equal(allSynced, false, 'synced() waits for everything committed when it was called');
    await turn();
    manual.calls[1]!.resolve();
    await b;
    await synced;
    assert.equal(group.unsyncedFrom('a'), undefined);
  });

  it('refuses the acknowledgements a failed sync covered, and recovers with the next', async () => {
    const manual = manualSync();
    const group = createGroupCommit(db, { sync: manual.sync });
    const failed = group.run(insert(1));
    await turn();
    manual.calls[0]!.reject(new Error('EIO: the disk said no'));
    await assert.rejects(failed, /EIO/);
    const later = group.run(insert(2));
    await turn();
    manual.calls[1]!.resolve();
    assert.equal((await later).v, 2);
    await group.drain();
  });

  it('lets a lazy write ride along with a busy batch, or commit alone once its delay is up', async () => {
    const group = createGroupCommit(db, { lazyDelayMs: 30 });
    const lazy = group.run(insert(1), true);
    await turn();
    assert.equal(committed(), 0, 'the lazy write waits');
    // A lone write does not take it along: its commit stays as small as it can be.
    const lone = await group.run(insert(2));
    assert.equal(lone.visibleToOthers, 0);
    assert.equal(committed(), 1);
    // A busy batch does.
    const busy = await Promise.all(
      [10, 11, 12, 13, 14, 15, 16, 17].map((v) => group.run(insert(v))),
    );
    assert.equal(busy[0]!.visibleToOthers, 1);
    const l = await lazy;
    assert.equal(l.visibleToOthers, 1, 'committed with the busy batch');
    assert.equal(committed(), 10);
    const alone = Date.now();
    await group.run(insert(3), true);
    assert.ok(Date.now() - alone >= 25, 'alone, it commits after its delay');
    assert.equal(committed(), 11);
  });

  it('starts no sync for lazy writes alone until another write needs one, or their delay passes', async () => {
    const manual = manualSync();
    const group = createGroupCommit(db, { sync: manual.sync, lazyDelayMs: 40 });
    let lazyAcked = false;
    const lazy = group.run(insert(1), true).then(() => (lazyAcked = true));
    await until(() => committed() === 1, 'the lazy write commits alone after its delay');
    assert.equal(manual.calls.length, 0, 'no sync yet for a lazy write alone');
    const eager = group.run(insert(2));
    await turn();
    assert.equal(manual.calls.length, 1, 'the eager write starts a sync, which covers both');
    manual.calls[0]!.resolve();
    await Promise.all([lazy, eager]);
    assert.equal(lazyAcked, true);
    // Alone again: the sync starts once the delay has passed.
    const started = Date.now();
    const alone = group.run(insert(3), true);
    await until(() => manual.calls.length === 2, 'the sync starts after the delay');
    assert.ok(Date.now() - started >= 35, 'not before the delay');
    manual.calls[1]!.resolve();
    await alone;
  });
});
