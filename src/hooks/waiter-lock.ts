// One message waiter per session: a lock file holding the waiter's pid. A lock whose process is
// gone is taken over; a waiter that finds the lock no longer holds its pid steps down.

import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from './process-tree.js';

export interface WaiterLock {
  /** Whether the lock still holds this process's pid. */
  held(): boolean;
  release(): void;
}

const safe = (session: string) => session.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 128);

export function waiterLockPath(dir: string, session: string): string {
  return join(dir, `waiter-${safe(session)}.lock`);
}

function holder(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function unreadableForLong(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > 10_000;
  } catch {
    return false;
  }
}

/** Takes the session's lock, or returns null when a live waiter holds it. */
export function acquireWaiterLock(dir: string, session: string): WaiterLock | null {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = waiterLockPath(dir, session);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      const lock: WaiterLock = {
        held: () => holder(path) === process.pid,
        release: () => {
          if (lock.held()) rmSync(path, { force: true });
        },
      };
      return lock;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = holder(path);
      // A lock being written has no pid yet: its writer is alive, unless it has been so for long.
      if (pid === null ? !unreadableForLong(path) : processAlive(pid)) return null;
      rmSync(path, { force: true }); // its waiter died without cleaning up
    }
  }
  return null;
}
