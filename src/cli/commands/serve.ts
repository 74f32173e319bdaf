// huddle serve: runs the hub until SIGINT or SIGTERM, then shuts it down cleanly.

import type { Run } from '../registry.js';
import { createLogger } from '../../server/logger.js';
import { startHub } from '../../server/listen.js';
import { maskUrl } from '../../config/load-config.js';

export const run: Run = async (ctx) => {
  const { config } = ctx;
  // Files the hub (or SQLite) creates give group and others no access, whatever the shell's umask.
  process.umask(0o077);
  const format =
    config.log_format === 'auto' ? (process.stderr.isTTY ? 'pretty' : 'json') : config.log_format;
  const logger = createLogger({
    level: config.log_level,
    format,
    write: (line) => process.stderr.write(line),
  });
  const hub = await startHub(config, logger);
  logger.info('hub started', { url: hub.url, store: maskUrl(config.store), sync: config.sync });
  ctx.print({ url: hub.url, store: maskUrl(config.store) }, () =>
    [
      `huddle hub listening on ${hub.url}`,
      `  store: ${maskUrl(config.store)} (sync ${config.sync})`,
      '',
      'Next, in another terminal:',
      '  huddle create my-room          # create a room; keeps its admin token',
      '  huddle write my-room "hello"   # add a note',
      '  huddle pair my-room            # a one-time code for another machine',
      '',
      'Stop with Ctrl-C.',
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
  });
  logger.info('hub stopped');
};
