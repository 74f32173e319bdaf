// A migrated PostgreSQL store in a fresh schema, for the contract suites, dropped by its cleanup.

import { openPgStore, type PgStoreOptions } from '../../src/store/postgres/pg-store.js';
import { dropSchema, freshSchema, TEST_PG_URL } from '../helpers/postgres.js';

export async function openTempPg(options: Omit<PgStoreOptions, 'url' | 'schema'> = {}) {
  const schema = freshSchema();
  const store = openPgStore({ url: TEST_PG_URL, schema, poolSize: 4, ...options });
  await store.migrate();
  return {
    store,
    schema,
    async cleanup() {
      try {
        await store.close();
      } finally {
        await dropSchema(schema);
      }
    },
  };
}
