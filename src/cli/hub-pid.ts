// The local hub's pid file, HUDDLE_HOME/hub.pid: `huddle serve` writes its pid there before it
// listens and removes it when it exits. A file whose process is gone, or is not a huddle hub (its
// pid was reused), is stale.

import { linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { commandLine, processAlive } from '../hooks/process-tree.js';

export const HUB_PID_FILE = 'hub.pid';

export const hubPidPath = (home: string): string => join(home, HUB_PID_FILE);

/** The pid the file names, or null when there is no file or it holds no pid. */
export function readHubPid(home: string): number | null {
  let text: string;
  try {
    text = readFileSync(hubPidPath(home), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/** When the pid file was written (its hub began to start), in ms; null without a file. */
export function hubPidSince(home: string): number | null {
  try {
    return statSync(hubPidPath(home)).mtimeMs;
  } catch {
    return null;
  }
}

/** Whether a command line runs `huddle serve` (through the `huddle` bin or main.js). */
export function isServeCommand(args: string[]): boolean {
  const at = args.findIndex((a) => /^(main\.js|huddle(\.c?js|\.cmd)?)$/.test(basename(a)));
  return at >= 0 && args.slice(at + 1).includes('serve');
}

/** A process's arguments from /proc, else from `ps`; null where neither tells. */
async function argsOf(pid: number): Promise<string[] | null> {
  const fromProc = commandLine(pid);
  if (fromProc !== null) return fromProc;
  const { execFile } = await import('node:child_process'); // only where /proc is missing
  return new Promise((resolve) =>
    execFile('ps', ['-o', 'command=', '-p', String(pid)], (err, stdout) =>
      resolve(err ? null : stdout.trim().split(/\s+/)),
    ),
  );
}

/**
 * Whether `pid` is a running `huddle serve`. Where the command line cannot be read (no /proc and
 * no ps), any live process counts.
 */
export async function isHubProcess(pid: number): Promise<boolean> {
  if (!processAlive(pid)) return false;
  const args = await argsOf(pid);
  return args === null || isServeCommand(args);
}

/** The pid of the live hub the file names, or null (no file, or a stale one). */
export async function liveHubPid(home: string): Promise<number | null> {
  const pid = readHubPid(home);
  return pid !== null && (await isHubProcess(pid)) ? pid : null;
}

/**
 * Makes the pid file name this process, replacing a stale one. When it names another live hub,
 * leaves it and returns that hub's pid; otherwise returns null.
 */
export async function claimHubPid(home: string, pid = process.pid): Promise<number | null> {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const path = hubPidPath(home);
  // Written aside and linked into place: the file never exists without its pid in it.
  const draft = `${path}.${pid}`;
  writeFileSync(draft, `${pid}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(draft, path);
        return null;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readHubPid(home);
      if (holder === pid) return null;
      if (holder !== null && (await isHubProcess(holder))) return holder;
      rmSync(path, { force: true });
    }
    throw new Error(`${path} keeps changing: is another hub starting from ${home}?`);
  } finally {
    rmSync(draft, { force: true });
  }
}

/** Removes the pid file when it still names `pid`. */
export function releaseHubPid(home: string, pid = process.pid): void {
  try {
    if (readHubPid(home) === pid) rmSync(hubPidPath(home), { force: true });
  } catch {
    // Nothing to do about a pid file that cannot be read: readers find it stale.
  }
}
