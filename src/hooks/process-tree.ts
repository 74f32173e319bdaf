// The processes above this one (its parent, the parent's parent, ...), read from /proc where the
// system has it; elsewhere only the parent is known.

import { readFileSync } from 'node:fs';

/** The fields of /proc/<pid>/stat after the command: state, ppid, ... (null without /proc). */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (command) state ppid ...": the command may hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

function parentOf(pid: number): number | null {
  const ppid = Number(statFields(pid)?.[1]);
  return Number.isInteger(ppid) && ppid > 0 ? ppid : null;
}

/**
 * When the process started (clock ticks since boot), to tell it from a later process that got
 * the same pid; null where /proc is missing.
 */
export function startTime(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
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

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'fish', 'ksh', 'env', 'timeout']);

function commandOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** A process's arguments, its program first; null where /proc is missing. */
export function commandLine(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a !== '');
  } catch {
    return null;
  }
}

/**
 * The client that started this hook: the nearest ancestor that is not a shell wrapping the
 * command. Where /proc is missing, the parent.
 */
export function clientProcess(): number {
  for (const pid of ancestors()) {
    const command = commandOf(pid);
    if (command === null) return process.ppid;
    if (!SHELLS.has(command)) return pid;
  }
  return process.ppid;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
