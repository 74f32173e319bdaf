// When a process started, in wall-clock time: the bridge takes what happened in the room since its
// client started (its hooks' SessionStart) for a sign of a session, and nothing from before.

import { readFileSync } from 'node:fs';

/** Clock ticks per second in /proc (USER_HZ, 100 on every Linux architecture). */
const TICKS_PER_SECOND = 100;

/**
 * The start of process `pid` in ms since the epoch, to within about a second (the boot time in
 * /proc/stat is in whole seconds); null where /proc is missing.
 */
export function processStartedAt(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (command) state ppid ...": the command may hold spaces; starttime is field 22.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const boot = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (!Number.isFinite(ticks) || !boot) return null;
    return boot * 1000 + (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
