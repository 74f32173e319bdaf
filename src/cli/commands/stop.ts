// huddle stop: stops the local hub of this HUDDLE_HOME (the one answering at the configured URL,
// or the one its pid file names), after checking the pid is a huddle hub, and waits until it is
// gone.

import type { Run } from '../registry.js';
import { CliError } from '../cli-error.js';
import { lookAtHub } from '../hub-look.js';
import { hubPidPath, isHubProcess, releaseHubPid } from '../hub-pid.js';

/** The hub closes connections within 5 s; closing its store can take a moment more. */
const STOP_TIMEOUT_MS = 15_000;

export const run: Run = async (ctx) => {
  const { home } = ctx.config;
  const look = await lookAtHub(ctx);
  const pidFile = hubPidPath(home);
  // The hub's own word (over loopback, with the local secret) first; else a hub that is starting
  // or not answering, named by the pid file.
  const pid = look.status?.local?.pid ?? (look.pidFile?.live ? look.pidFile.pid : null);
  if (pid === null) {
    if (look.status !== null) {
      throw new CliError(
        `A hub answers at ${look.url}, but it is not this HUDDLE_HOME's local hub: its process is not shown, because ${look.noDetails ?? 'the hub does not report one'}. Stop it where it was started.`,
      );
    }
    if (look.unexpected !== undefined) {
      throw new CliError(
        `Something answers at ${look.url}, but not with a hub status (${look.unexpected}), and ${pidFile} names no running hub. Nothing was stopped.`,
      );
    }
    let stale = '';
    if (look.pidFile) {
      releaseHubPid(home, look.pidFile.pid);
      stale = ` Removed ${pidFile}, which named pid ${look.pidFile.pid}, not a running hub.`;
    }
    ctx.print(
      { stopped: false, running: false, url: look.url, stale_pid: look.pidFile?.pid ?? null },
      () => `No local hub is running: nothing answers at ${look.url}.${stale}\n`,
    );
    return;
  }
  if (!(await isHubProcess(pid))) {
    throw new CliError(
      `The hub at ${look.url} reports pid ${pid}, but that process on this machine is not a huddle hub (is the hub in a container?). Nothing was signalled.`,
    );
  }
  try {
    process.kill(pid, 'SIGTERM');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPERM')
      throw new CliError(`Not allowed to stop the hub (pid ${pid}): it runs as another user.`);
    if (code !== 'ESRCH') throw err;
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (await isHubProcess(pid)) {
    if (Date.now() > deadline) {
      throw new CliError(
        `The hub (pid ${pid}) is still shutting down after ${STOP_TIMEOUT_MS / 1000} s. Check with "huddle status"; "kill -9 ${pid}" ends it at once (acknowledged writes are kept).`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // A hub that ended without its own clean-up leaves its pid file behind.
  releaseHubPid(home, pid);
  ctx.print(
    { stopped: true, pid, url: look.url },
    () => `Stopped the local hub (pid ${pid}, ${look.url}).\n`,
  );
};
