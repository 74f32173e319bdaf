// The SQLite store against the coordination contract (tasks, variables, leases, activity) on a temporary file.

import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { runCoordinationContract } from './coordination-contract.js';

runCoordinationContract('sqlite (file)', async () => {
  const dir = tempDir();
  const store = openSqliteStore({ path: join(dir.path, 'huddle.db') });
  await store.migrate();
  return {
    store,
    async cleanup() {
      try {
        await store.close();
      } finally {
        dir.remove();
      }
    },
  };
});
