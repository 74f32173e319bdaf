// The processes above this one (its parent, the parent's parent, ...), read from /proc where the
// system has it; elsewhere only the parent is known.

import { readFileSync } from 'node:fs';

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (command) state ppid ...": the command may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) && ppid > 0 ? ppid : null;
  } catch {
    return null;
  }
}

/** Up to `depth` ancestors, nearest first, stopping at init. */
export function ancestors(depth = 4): number[] {
  const found = [process.ppid];
  while (found.length < depth) {
    const next = parentOf(found.at(-1)!);
    if (next === null || next <= 1) break;
    found.push(next);
  }
  return found;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
