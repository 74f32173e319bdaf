// The local hub a `huddle` command starts in the background on first use, found through the pid
// file `huddle serve` keeps in HUDDLE_HOME while it runs, and stopped when the test is over.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The pid of the local hub started under HUDDLE_HOME `home`. */
export function backgroundHubPid(home: string): number {
  return Number(readFileSync(join(home, 'hub.pid'), 'utf8'));
}

/** SIGTERM to the hub, if one was started and still runs. */
export function stopBackgroundHub(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
