// For tests that run a real coding client: the `huddle` command it finds on its PATH, the client
// process itself, and the huddle processes (bridges, hooks, waiters) it leaves working against the
// test's hub.

import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { CLI_PATH } from './hub.js';

/** Writes `huddle` into `bin`, as `npm link` would put it on the PATH; `prelude` runs first. */
export function writeHuddleShim(bin: string, prelude = ''): void {
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'huddle'),
    `#!/bin/sh\n${prelude}exec "${process.execPath}" "${CLI_PATH}" "$@"\n`,
  );
  chmodSync(join(bin, 'huddle'), 0o755);
}

/** The command lines of the `huddle` processes working against the hub at `hubUrl` (Linux). */
export function huddleProcesses(hubUrl: string): Array<{ pid: number; cmdline: string }> {
  if (!existsSync('/proc')) return [];
  return readdirSync('/proc').flatMap((entry) => {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) return [];
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      return cmdline.includes(CLI_PATH) && cmdline.includes(hubUrl) ? [{ pid, cmdline }] : [];
    } catch {
      return [];
    }
  });
}

/** Kills what `huddleProcesses` finds: clients start hooks in process groups of their own. */
export function killHuddleProcesses(hubUrl: string): void {
  for (const { pid } of huddleProcesses(hubUrl)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export interface ClientProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The exit code; null when killed by a signal or when it could not start (said on stderr). */
  exited: Promise<number | null>;
}

/**
 * Starts a client in its own process group, so that killing the group ends what it started too,
 * and collects what it prints. With `stdin: 'pipe'` the caller writes its input.
 */
export function spawnClient(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; stdin?: 'ignore' | 'pipe' },
): ClientProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (e) => {
      err += String(e);
      resolve(null);
    });
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** The exit code, or 'timeout' when the process is still running after `ms`. */
export async function exitWithin(
  exited: Promise<number | null>,
  ms: number,
): Promise<number | null | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    exited,
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms))),
  ]);
  clearTimeout(timer);
  return result;
}
