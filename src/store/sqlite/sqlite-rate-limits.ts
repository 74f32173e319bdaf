// The SQLite store's shared rate-limit credits: one row per limited key, its theoretical arrival
// time (GCRA), taken in one statement inside a write, so hubs on one file share each limit.

import type { Store } from '../../core/store.js';
import type { SqliteWriteContext } from './sqlite-messaging.js';

export function createSqliteRateLimits({
  db,
  write,
}: Pick<SqliteWriteContext, 'db' | 'write'>): Pick<Store, 'takeRateCredit'> {
  const sql = {
    take: db.prepare(
      `INSERT INTO rate_limits (name, key, tat) VALUES (@name, @key, @now + @interval)
       ON CONFLICT (name, key) DO UPDATE SET tat = MAX(tat, @now) + @interval
        WHERE MAX(tat, @now) + @interval - @now <= @tolerance`,
    ),
    tat: db.prepare('SELECT tat FROM rate_limits WHERE name = ? AND key = ?'),
  };
  return {
    takeRateCredit(name, key, limit, now) {
      return write(() => {
        const params = {
          name,
          key,
          now,
          interval: limit.interval_ms,
          tolerance: limit.tolerance_ms,
        };
        if (sql.take.run(params).changes === 1) return 0;
        const { tat } = sql.tat.get(name, key) as { tat: number };
        return Math.max(
          1,
          Math.ceil(Math.max(tat, now) + limit.interval_ms - now - limit.tolerance_ms),
        );
      });
    },
  };
}
