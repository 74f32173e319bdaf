// A schema of its own in the benchmark's PostgreSQL database for one fleet run, dropped after.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PG_URL } from './bench-target.js';

/** A new schema's name; the first hub that opens the store creates it. */
export function schemaName(): string {
  return `huddle_bench_${randomBytes(5).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Why PostgreSQL cannot be used, or null when it can. */
export async function pgUnavailable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return null;
  } catch (err) {
    return `PostgreSQL at ${PG_URL.replace(/\/\/[^@/]*@/, '//***@')} cannot be reached (${(err as Error).message}); set HUDDLE_BENCH_PG`;
  } finally {
    await client.end().catch(() => {});
  }
}
