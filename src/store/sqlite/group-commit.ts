// Group commit for SQLite: writes that arrive in the same event-loop turn share one transaction,
// and each is acknowledged only after that transaction has committed.

import type { Database } from 'better-sqlite3';

interface Job {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

export interface GroupCommit {
  /**
   * Runs `fn` inside the next shared transaction, in its own savepoint: if `fn` throws, only its
   * own changes are rolled back and its promise rejects with that error (unless the error made
   * SQLite abandon the whole transaction, when every write of the batch fails with it). The promise resolves
   * after the shared transaction commits, so a resolved write is durable.
   */
  run<T>(fn: () => T): Promise<T>;
  /** Resolves when every queued write has been committed or refused. */
  drain(): Promise<void>;
  /**
   * Starts no transaction until `until` settles: writes queue meanwhile and commit together after.
   * The event loop stays free; only acknowledgements wait.
   */
  hold(until: Promise<unknown>): void;
  /** Writes waiting for the next commit. */
  readonly pending: number;
}

export function createGroupCommit(db: Database, maxBatch = 512): GroupCommit {
  let queue: Job[] = [];
  let scheduled = false;
  let holds = 0;
  let idleWaiters: Array<() => void> = [];

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
    const jobs = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
    queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    try {
      runBatch.immediate(jobs, outcomes);
    } catch (err) {
      // The commit itself failed: nothing of this batch is durable.
      for (const job of jobs) job.reject(err);
      return afterFlush();
    }
    jobs.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.value);
    });
    afterFlush();
  }

  function afterFlush() {
    if (queue.length > 0) schedule();
    else {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  return {
    run<T>(fn: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        schedule();
      });
    },
    drain() {
      if (queue.length === 0 && !scheduled) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    hold(until) {
      holds++;
      const release = () => {
        holds--;
        if (holds === 0 && queue.length > 0) schedule();
      };
      until.then(release, release);
    },
    get pending() {
      return queue.length;
    },
  };
}
