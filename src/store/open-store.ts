// The one place that chooses a Store implementation from a URL.

import { resolve } from 'node:path';
import type { Store } from '../core/store.js';
import { HuddleError } from '../core/errors.js';
import { isPgUrl, parsePgUrl } from '../core/store-url.js';

export interface OpenStoreOptions {
  /**
   * `full` (the default) syncs every acknowledged write; `normal` is each store's documented faster
   * mode (SQLite: no WAL sync; PostgreSQL: `synchronous_commit=off`).
   */
  sync?: 'full' | 'normal';
  /** SQLite: the WAL file's size limit in bytes (see SqliteStoreOptions). */
  walLimitBytes?: number;
  /** SQLite: each WAL sync waits this long first (a test hook standing in for a slow disk). */
  syncDelayMs?: number;
  /** SQLite: told the database files that others could read and that were made private. */
  onTightened?: (paths: string[]) => void;
}

/**
 * Opens `sqlite:<path>` (or `sqlite::memory:`), or `postgres://...` (`?schema=` names the schema
 * for huddle's tables); loads the driver only when it is needed.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (isPgUrl(url)) {
    const { url: connection, schema } = parsePgUrl(url);
    const { openPgStore } = await import('./postgres/pg-store.js');
    const store = openPgStore({ url: connection, schema, sync: options.sync ?? 'full' });
    try {
      await store.migrate();
    } catch (err) {
      await store.close().catch(() => {});
      throw err;
    }
    return store;
  }
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (!path)
      throw new HuddleError(
        'invalid',
        'invalid_store',
        'The store URL "sqlite:" needs a file path, like sqlite:/var/lib/huddle/huddle.db.',
      );
    const { openSqliteStore } = await import('./sqlite/sqlite-store.js');
    const store = openSqliteStore({
      path: path === ':memory:' ? path : resolve(path),
      sync: options.sync ?? 'full',
      walLimitBytes: options.walLimitBytes,
      syncDelayMs: options.syncDelayMs,
      onTightened: options.onTightened,
    });
    await store.migrate();
    return store;
  }
  throw new HuddleError(
    'invalid',
    'invalid_store',
    `Unsupported store URL ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//***@'))}: use sqlite:<path> or postgres://user@host:5432/database.`,
    { details: { field: 'store' } },
  );
}
