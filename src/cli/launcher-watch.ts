// Stopping with the launcher: `npm start` runs the hub under `sh -c`, and a signal to npm ends
// that shell but never reaches the hub. A hub told to (`huddle serve --stop-with-parent`)
// watches its parent and the launcher above it, and stops when either is gone.

import { clientProcess, processAlive } from '../hooks/process-tree.js';

/**
 * Calls `onGone` once, when this process's parent, or the nearest ancestor that is not a shell
 * (npm, under `sh -c`), has exited. The timer does not keep the process alive.
 */
export function watchLauncher(onGone: () => void, everyMs = 500): void {
  const watched = [...new Set([process.ppid, clientProcess()])];
  const timer = setInterval(() => {
    if (watched.every(processAlive)) return;
    clearInterval(timer);
    onGone();
  }, everyMs);
  timer.unref();
}
