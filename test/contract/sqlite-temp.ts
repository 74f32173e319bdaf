// A migrated SQLite store on a temporary file, for the contract suites, removed by its cleanup.

import { join } from 'node:path';
import { openSqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/temp-dir.js';

export async function openTempSqlite(options: Omit<SqliteStoreOptions, 'path'> = {}) {
  const dir = tempDir();
  const path = join(dir.path, 'huddle.db');
  const store = openSqliteStore({ path, ...options });
  await store.migrate();
  return {
    store,
    path,
    async cleanup() {
      try {
        await store.close();
      } finally {
        dir.remove();
      }
    },
  };
}
