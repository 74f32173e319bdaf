// For tests that run a real coding client: the `huddle` command it finds on its PATH, and the
// huddle processes (bridges, hooks, waiters) it leaves working against the test's hub.

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
