// huddle migrate: moves a hub's data from its SQLite store into an empty PostgreSQL store, for a
// team that outgrows one machine. Stop the hub first: writes made during the copy would be lost.

import { isPgUrl } from '../../core/store-url.js';
import { CliError, usageError } from '../cli-error.js';
import type { Run } from '../registry.js';

export const run: Run = async (ctx, _args, flags) => {
  const from = typeof flags.from === 'string' ? flags.from : ctx.config.store;
  const to = typeof flags.to === 'string' ? flags.to : undefined;
  if (!from.startsWith('sqlite:') || from === 'sqlite::memory:')
    throw usageError(
      `--from must be a SQLite store URL (sqlite:<path>), not ${JSON.stringify(from)}.`,
    );
  if (!to || !isPgUrl(to))
    throw usageError(
      '--to must be a PostgreSQL URL: postgres://user@host:5432/database[?schema=name].',
    );
  const { copySqliteToPostgres } = await import('../../store/copy-store.js');
  const { existsSync } = await import('node:fs');
  const path = from.slice('sqlite:'.length);
  if (!existsSync(path)) throw new CliError(`No SQLite database at ${path}: nothing to migrate.`);
  const report = await copySqliteToPostgres(path, to, (table, rows) => {
    if (rows % 10_000 === 0) ctx.io.stderr(`${table}: ${rows} rows\n`);
  });
  ctx.print(report, () => {
    const lines = Object.entries(report.tables)
      .filter(([, n]) => n > 0)
      .map(([table, n]) => `  ${table}: ${n}`);
    const rooms = report.rooms.map(
      (r) => `  ${r.name}: ${r.events} events, ${r.digest.slice(0, 16)}`,
    );
    return [
      `Moved ${report.rooms.length} room(s) into PostgreSQL; counts and every room's log verified.`,
      ...lines,
      'Rooms (log digest, equal on both sides):',
      ...rooms,
      `Start the hubs with --store '${to.replace(/\/\/[^@/]*@/, '//***@')}'.`,
      '',
    ].join('\n');
  });
};
