// huddle serve: runs the hub until SIGINT or SIGTERM (with --stop-with-parent, also until the
// process that started it exits), then shuts it down cleanly.

import type { Run } from '../registry.js';
import { createLogger } from '../../server/logger.js';
import { maskUrl } from '../../config/load-config.js';
import { CliError } from '../cli-error.js';
import { claimHubPid, releaseHubPid } from '../hub-pid.js';
import { huddleCommand } from '../invocation.js';
import { watchLauncher } from '../launcher-watch.js';

export const run: Run = async (ctx, _args, flags) => {
  const { config } = ctx;
  // Files the hub (or SQLite) creates give group and others no access, whatever the shell's umask.
  process.umask(0o077);
  // The pid file is claimed before the server code loads, so that a command run at the same
  // moment finds this hub starting instead of starting another one.
  const holder = await claimHubPid(config.home);
  if (holder !== null) {
    throw new CliError(
      `A hub of ${config.home} already runs or is starting (pid ${holder}). See it with "huddle status", stop it with "huddle stop", or give this one another --home.`,
    );
  }
  process.once('exit', () => releaseHubPid(config.home));
  const { startHub } = await import('../../server/listen.js');
  const format =
    config.log_format === 'auto' ? (process.stderr.isTTY ? 'pretty' : 'json') : config.log_format;
  const logger = createLogger({
    level: config.log_level,
    format,
    write: (line) => process.stderr.write(line),
  });
  const hub = await startHub(config, logger);
  logger.info('hub started', { url: hub.url, store: maskUrl(config.store), sync: config.sync });
  // Hints that work as typed: `huddle` is not on the PATH of a clone that was only installed.
  const huddle = huddleCommand(ctx.io.env, process.cwd());
  const hint = (command: string, what: string) =>
    `  ${`${huddle} ${command}`.padEnd(34)} # ${what}`;
  ctx.print({ url: hub.url, store: maskUrl(config.store) }, () =>
    [
      `huddle hub listening on ${hub.url}`,
      `  store: ${maskUrl(config.store)} (sync ${config.sync})`,
      '',
      `Next, in another terminal${huddle === 'npx huddle' ? ' in this directory' : ''}:`,
      hint('create my-room', 'create a room; keeps its admin token'),
      hint('write my-room "hello"', 'add a note'),
      hint('pair my-room', 'a one-time code for another machine'),
      hint('open', 'the cockpit in your browser, signed in'),
      '',
      `Stop with Ctrl-C, or "${huddle} stop" from another terminal.`,
      '',
    ].join('\n'),
  );

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        logger.warn('second signal: exiting at once', { signal });
        process.exit(1);
      }
      stopping = true;
      logger.info('shutting down', { signal });
      hub.close().then(resolve, (err) => {
        logger.error('shutdown failed', { error: String(err) });
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    // Ctrl-C also ends the launcher: the hub is stopping already then, which is no second signal.
    if (flags['stop-with-parent'] === true) watchLauncher(() => stopping || stop('parent exited'));
  });
  logger.info('hub stopped');
};
