// PostgreSQL for the tests: the database named by HUDDLE_TEST_PG (default the local `test`
// database), one fresh schema per store, dropped by its cleanup. In CI a database that cannot be
// reached fails the tests; elsewhere they are skipped, loudly, with what to install.

import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_PG_URL = process.env.HUDDLE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

let reachable: Promise<string | false> | undefined;

/** Why the PostgreSQL tests cannot run here, or false when they can. Throws in CI instead. */
export function postgresSkip(): Promise<string | false> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return false as const;
    } catch (err) {
      const hint = `PostgreSQL at ${TEST_PG_URL.replace(/\/\/[^@/]*@/, '//***@')} cannot be reached (${(err as Error).message}): install and start PostgreSQL with a database "test" and trust auth for 127.0.0.1, or set HUDDLE_TEST_PG`;
      if (process.env.CI === 'true')
        throw new Error(`The PostgreSQL tests must run in CI, but ${hint}.`);
      console.warn(`SKIPPING the PostgreSQL tests: ${hint}.`);
      return hint;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reachable;
}

/** A schema name of its own for one test store. */
export function freshSchema(prefix = 'huddle_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(5).toString('hex')}`;
}

/** Drops a schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema.replace(/"/g, '""')}" CASCADE`);
  } finally {
    await client.end();
  }
}
