// One message waiter per session: a lock file holding the waiter's pid and start time. A lock whose
// process is gone (or whose pid now belongs to another process, after a reboot) is taken over; a
// waiter that finds the lock no longer holds its pid steps down.

import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive, startTime } from './process-tree.js';

export interface WaiterLock {
  /** Whether the lock still holds this process's pid. */
  held(): boolean;
  release(): void;
}

const safe = (session: string) => session.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 128);

/** A file of the session's waiter in `dir`: its lock (`lock`), or its last refusal (`failed`). */
export function waiterFile(dir: string, session: string, kind: 'lock' | 'failed'): string {
  return join(dir, `waiter-${safe(session)}.${kind}`);
}

export const waiterLockPath = (dir: string, session: string) => waiterFile(dir, session, 'lock');

/** The holder's pid, and its start time when the lock records one. */
function holder(path: string): { pid: number; started: string | null } | null {
  try {
    const [pidText, started] = readFileSync(path, 'utf8').trim().split(' ');
    const pid = Number(pidText);
    return Number.isInteger(pid) && pid > 0 ? { pid, started: started ?? null } : null;
  } catch {
    return null;
  }
}

function holderAlive(h: { pid: number; started: string | null }): boolean {
  return processAlive(h.pid) && (h.started === null || h.started === startTime(h.pid));
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
      writeSync(fd, `${process.pid} ${startTime(process.pid) ?? ''}`.trim() + '\n');
      closeSync(fd);
      const lock: WaiterLock = {
        held: () => holder(path)?.pid === process.pid,
        release: () => {
          if (lock.held()) rmSync(path, { force: true });
        },
      };
      return lock;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const h = holder(path);
      // A lock being written has no pid yet: its writer is alive, unless it has been so for long.
      if (h === null ? !unreadableForLong(path) : holderAlive(h)) return null;
      rmSync(path, { force: true }); // its waiter died without cleaning up
    }
  }
  return null;
}
