// The PostgreSQL store's shared rate-limit credits: one row per limited key, its theoretical
// arrival time (GCRA), moved by one conditional upsert, so every hub on the database shares each
// limit and concurrent takes cannot overdraw it.

import type { Store } from '../../core/store.js';
import type { PgContext } from './pg-context.js';

export function createPgRateLimits({ write }: PgContext): Pick<Store, 'takeRateCredit'> {
  return {
    takeRateCredit(name, key, limit, now) {
      return write(null, async (q) => {
        const taken = await q.run(
          `INSERT INTO rate_limits (name, key, tat) VALUES ($1, $2, $3::float8 + $4::float8)
           ON CONFLICT (name, key) DO UPDATE SET tat = GREATEST(rate_limits.tat, $3::float8) + $4::float8
            WHERE GREATEST(rate_limits.tat, $3::float8) + $4::float8 - $3::float8 <= $5::float8`,
          [name, key, now, limit.interval_ms, limit.tolerance_ms],
        );
        if (taken === 1) return 0;
        const row = await q.row<{ tat: number }>(
          'SELECT tat FROM rate_limits WHERE name = $1 AND key = $2',
          [name, key],
        );
        const tat = row?.tat ?? now;
        return Math.max(
          1,
          Math.ceil(Math.max(tat, now) + limit.interval_ms - now - limit.tolerance_ms),
        );
      });
    },
  };
}
