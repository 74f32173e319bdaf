// Group commit for SQLite: writes that arrive in the same event-loop turn share one transaction,
// and each is acknowledged only after that transaction has committed and, when a sync function is
// given, after a sync that began once it had committed (the sync runs off the event loop).

import type { Database } from 'better-sqlite3';

interface Job {
  fn: () => unknown;
  lazy: boolean;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** A committed batch waiting for the sync that will make it durable. */
interface Unsynced {
  settle: (syncError?: unknown) => void;
  /** Holds only lazy writes: it may wait for a sync that something else starts. */
  lazy: boolean;
  /** For each room the batch appended to, the first seq it appended. */
  firstSeq: Map<string, number>;
}

export interface GroupCommitOptions {
  /** Writes per transaction at most, so one commit stays around a millisecond of work. */
  maxBatch?: number;
  /**
   * Makes everything committed before the call durable (for SQLite in WAL mode with
   * `synchronous=NORMAL`: `fdatasync` of the WAL file, on the thread pool). Without it, a commit
   * is taken as durable when it returns (`synchronous=FULL` syncs inside it, or the owner chose
   * not to sync at all).
   */
  sync?: () => Promise<void>;
  /**
   * How long a lazy write may wait for another write to share its transaction before it starts
   * one of its own.
   */
  lazyDelayMs?: number;
}

export interface GroupCommit {
  /**
   * Runs `fn` inside the next shared transaction, in its own savepoint: if `fn` throws, only its
   * own changes are rolled back and its promise rejects with that error (unless the error made
   * SQLite abandon the whole transaction, when every write of the batch fails with it). The promise
   * resolves after the shared transaction commits and is synced, so a resolved write is durable.
   * A `lazy` write starts no transaction of its own for up to `lazyDelayMs`: it rides along with
   * the next busy batch (8 writes or more), or commits when its delay is up.
   */
  run<T>(fn: () => T, lazy?: boolean): Promise<T>;
  /** Resolves when every queued write has been committed (and synced) or refused. */
  drain(): Promise<void>;
  /**
   * Starts no transaction until `until` settles: writes queue meanwhile and commit together after.
   * The event loop stays free; only acknowledgements wait.
   */
  hold(until: Promise<unknown>): void;
  /**
   * Called by a write, inside its transaction, for each event it appends: until the sync that
   * covers it returns, `unsyncedFrom` names that event, so readers can stop before it.
   */
  appended(roomId: string, seq: number): void;
  /** The first seq of `roomId` that is committed but not yet synced, if there is one. */
  unsyncedFrom(roomId: string): number | undefined;
  /** Resolves once everything committed so far is synced (at once when nothing waits). */
  synced(): Promise<void>;
  /** Writes waiting for the next commit. */
  readonly pending: number;
}

/** Writes in a batch from which lazy writes join it rather than wait for their delay. */
const LAZY_RIDE_MIN = 8;

export function createGroupCommit(db: Database, options: GroupCommitOptions = {}): GroupCommit {
  const maxBatch = options.maxBatch ?? 512;
  const sync = options.sync;
  const lazyDelayMs = options.lazyDelayMs ?? 5;
  let queue: Job[] = [];
  /** Lazy writes wait here until a transaction starts for some other reason, or their timer. */
  let lazy: Job[] = [];
  let lazyTimer: NodeJS.Timeout | undefined;
  /** Set when the lazy writes' delay is up (or on drain): the next flush takes them. */
  let lazyDue = false;
  let scheduled = false;
  let holds = 0;
  let idleWaiters: Array<() => void> = [];
  /** The appends of the batch being run. */
  let batchSeqs = new Map<string, number>();
  /** Committed batches not yet handed to a sync, and those the running sync covers. */
  let waiting: Unsynced[] = [];
  let syncing: Unsynced[] = [];
  let syncRunning = false;
  let lazySyncTimer: NodeJS.Timeout | undefined;

  // A nested better-sqlite3 transaction runs as a SAVEPOINT inside the outer one.
  const runOne = db.transaction((fn: () => unknown) => fn());
  const runBatch = db.transaction(
    (jobs: Job[], outcomes: Array<{ ok: boolean; value: unknown }>) => {
      for (const job of jobs) {
        try {
          outcomes.push({ ok: true, value: runOne(job.fn) });
        } catch (err) {
          // Some errors (disk full, I/O) make SQLite roll back the whole transaction, not just
          // the savepoint: then no write of this batch is committed, and all of them fail.
          if (!db.inTransaction) throw err;
          outcomes.push({ ok: false, value: err });
        }
      }
    },
  );

  function flush() {
    scheduled = false;
    if (holds > 0) return; // the hold's end schedules the next flush
    // Lazy writes join a busy batch, where they cost a few rows, or go when their delay is up;
    // added to a lone write, they would make its commit (and its acknowledgement) slower.
    if (lazy.length > 0 && (lazyDue || queue.length >= LAZY_RIDE_MIN)) {
      queue = queue.concat(lazy);
      lazy = [];
      lazyDue = false;
      clearTimeout(lazyTimer);
      lazyTimer = undefined;
    }
    if (queue.length === 0) return afterFlush();
    const jobs = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
    queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
    const onlyLazy = jobs.every((job) => job.lazy);
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    batchSeqs = new Map();
    try {
      runBatch.immediate(jobs, outcomes);
    } catch (err) {
      // The commit itself failed: nothing of this batch is durable.
      for (const job of jobs) job.reject(err);
      return afterFlush();
    }
    const settle = (syncError?: unknown) =>
      jobs.forEach((job, i) => {
        const outcome = outcomes[i]!;
        if (syncError !== undefined && outcome.ok) job.reject(syncError);
        else if (outcome.ok) job.resolve(outcome.value);
        else job.reject(outcome.value);
      });
    if (sync) {
      waiting.push({ settle, firstSeq: batchSeqs, lazy: onlyLazy });
      startSync();
    } else settle();
    afterFlush();
  }

  /**
   * One sync at a time; it covers every batch committed before it began. Batches of lazy writes
   * alone start none: they wait for the next sync another write needs, or for `lazyDelayMs`.
   */
  function startSync() {
    if (syncRunning || waiting.length === 0) return;
    if (waiting.every((batch) => batch.lazy)) {
      lazySyncTimer ??= setTimeout(() => {
        lazySyncTimer = undefined;
        for (const batch of waiting) batch.lazy = false;
        startSync();
      }, lazyDelayMs);
      return;
    }
    clearTimeout(lazySyncTimer);
    lazySyncTimer = undefined;
    syncRunning = true;
    syncing = waiting;
    waiting = [];
    const done = (err?: unknown) => {
      const covered = syncing;
      syncing = [];
      syncRunning = false;
      // A failed sync leaves its batches committed but not known to be on disk: refuse their
      // acknowledgements (a retry with the same key finds the write once a later sync succeeds).
      for (const batch of covered) batch.settle(err);
      startSync();
      notifyIdle();
    };
    sync!().then(
      () => done(),
      (err: unknown) => done(err ?? new Error('sync failed')),
    );
  }

  function afterFlush() {
    if (queue.length > 0) schedule();
    else notifyIdle();
    if (lazy.length > 0 && lazyTimer === undefined && !lazyDue) startLazyTimer();
  }

  function startLazyTimer() {
    lazyTimer = setTimeout(() => {
      lazyTimer = undefined;
      lazyDue = true;
      schedule();
    }, lazyDelayMs);
  }

  function idle() {
    return (
      queue.length === 0 && lazy.length === 0 && !scheduled && !syncRunning && waiting.length === 0
    );
  }

  function notifyIdle() {
    if (!idle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  return {
    run<T>(fn: () => T, isLazy = false): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const job = { fn, lazy: isLazy, resolve: resolve as (v: unknown) => void, reject };
        if (!isLazy) {
          queue.push(job);
          schedule();
          return;
        }
        lazy.push(job);
        if (lazyTimer === undefined && !lazyDue) startLazyTimer();
      });
    },
    drain() {
      if (lazy.length > 0) {
        lazyDue = true;
        schedule();
      }
      if (idle()) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    hold(until) {
      holds++;
      const release = () => {
        holds--;
        if (holds === 0 && (queue.length > 0 || lazy.length > 0)) schedule();
      };
      until.then(release, release);
    },
    appended(roomId, seq) {
      if (sync && !batchSeqs.has(roomId)) batchSeqs.set(roomId, seq);
    },
    unsyncedFrom(roomId) {
      for (const batch of syncing) {
        const seq = batch.firstSeq.get(roomId);
        if (seq !== undefined) return seq;
      }
      for (const batch of waiting) {
        const seq = batch.firstSeq.get(roomId);
        if (seq !== undefined) return seq;
      }
      return undefined;
    },
    synced() {
      if (!syncRunning && waiting.length === 0) return Promise.resolve();
      // Everything committed so far is in `syncing` or `waiting`; wait until both have settled.
      const target = [...syncing, ...waiting];
      return new Promise<void>((resolve) => {
        let left = target.length;
        for (const batch of target) {
          const settle = batch.settle;
          batch.settle = (err) => {
            settle(err);
            if (--left === 0) resolve();
          };
        }
      });
    },
    get pending() {
      return queue.length + lazy.length;
    },
  };
}
