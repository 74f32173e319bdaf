// Moves a hub's data from a SQLite store into an empty PostgreSQL store: every table row for row
// (ids, seqs, times and bodies unchanged), in one PostgreSQL transaction that commits only after
// the copy is verified by row counts and a digest of each room's log.

import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { HuddleError } from '../core/errors.js';
import { openPgStore } from './postgres/pg-store.js';
import { quoteIdent } from './postgres/pg-context.js';
import { parsePgUrl } from '../core/store-url.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

/** Tables in the order their foreign keys need; what is not listed is not moved. */
const TABLES = [
  'rooms',
  'members',
  'tokens',
  'pair_codes',
  'idempotency',
  'agents',
  'messages',
  'receipts',
  'tasks',
  'variables',
  'leases',
  'web_sessions',
  'web_session_rooms',
  'approvals',
  'hub_settings',
  'push_subscriptions',
] as const;

/** Rows per INSERT statement. */
const BATCH = 500;

export interface CopyReport {
  /** Rows moved, per table. */
  tables: Record<string, number>;
  /** Each room's name and the digest of its log, equal on both sides. */
  rooms: Array<{ name: string; events: number; digest: string }>;
}

const EVENT_COLUMNS = ['seq', 'id', 'ts', 'actor_member', 'actor_label', 'type', 'body'];

/** A digest of a room's log: every event's columns, in seq order. */
function digestOf(rows: Array<Record<string, unknown>>): string {
  const hash = createHash('sha256');
  for (const row of rows)
    hash.update(JSON.stringify(EVENT_COLUMNS.map((c) => row[c] ?? null)) + '\n');
  return hash.digest('hex');
}

export async function copySqliteToPostgres(
  sqlitePath: string,
  postgresUrl: string,
  onProgress: (table: string, rows: number) => void = () => {},
): Promise<CopyReport> {
  // Both schemas brought up to date first, by the stores themselves.
  const source = openSqliteStore({ path: sqlitePath, checkpointIntervalMs: 0 });
  await source.migrate();
  await source.close();
  const { url, schema } = parsePgUrl(postgresUrl);
  const target = openPgStore({ url, schema, poolSize: 1 });
  try {
    await target.migrate();
  } finally {
    await target.close();
  }

  const db = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  const client = new pg.Client({ connectionString: url, application_name: 'huddle-migrate' });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${quoteIdent(schema)}`);
    await client.query('BEGIN');
    // Everything is read in one SQLite read transaction: one consistent snapshot.
    db.prepare('BEGIN').run();
    const { rows: existing } = await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM rooms');
    if (Number(existing[0]!.n) > 0) {
      throw new HuddleError(
        'conflict',
        'target_not_empty',
        `The PostgreSQL store already holds ${existing[0]!.n} room(s); migrate into an empty schema (add ?schema=<new name> to the URL).`,
      );
    }
    const tables: Record<string, number> = {};
    for (const table of TABLES) {
      const targetColumns = new Set(
        (
          await client.query<{ column_name: string }>(
            'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
            [schema, table],
          )
        ).rows.map((r) => r.column_name),
      );
      const columns = (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>)
        .map((c) => c.name)
        .filter((c) => targetColumns.has(c));
      const moved = await copyRows(db, client, table, columns, onProgress);
      tables[table] = moved;
      // Events are copied with their rooms' logs below, room by room.
      if (table === 'rooms') {
        tables.events = await copyRows(
          db,
          client,
          'events',
          ['room_id', ...EVENT_COLUMNS],
          onProgress,
        );
      }
    }

    // Verify before committing: every table's count, and every room's log, equal on both sides.
    for (const [table, count] of Object.entries(tables)) {
      const { rows } = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table}`);
      const source = (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
      if (Number(rows[0]!.n) !== source || count !== source) {
        throw new HuddleError(
          'internal',
          'migrate_mismatch',
          `After copying, ${table} has ${rows[0]!.n} rows in PostgreSQL and ${source} in SQLite; nothing was committed.`,
        );
      }
    }
    const rooms: CopyReport['rooms'] = [];
    const roomRows = db.prepare('SELECT id, name FROM rooms ORDER BY name').all() as Array<{
      id: string;
      name: string;
    }>;
    const sqliteLog = db.prepare(
      `SELECT ${EVENT_COLUMNS.join(', ')} FROM events WHERE room_id = ? ORDER BY seq`,
    );
    for (const room of roomRows) {
      const before = sqliteLog.all(room.id) as Array<Record<string, unknown>>;
      const after = (
        await client.query(
          `SELECT ${EVENT_COLUMNS.join(', ')} FROM events WHERE room_id = $1 ORDER BY seq`,
          [room.id],
        )
      ).rows as Array<Record<string, unknown>>;
      const digest = digestOf(before);
      if (after.length !== before.length || digestOf(after.map(numbers)) !== digest) {
        throw new HuddleError(
          'internal',
          'migrate_mismatch',
          `The log of room "${room.name}" differs after copying; nothing was committed.`,
        );
      }
      rooms.push({ name: room.name, events: before.length, digest });
    }
    await client.query('COMMIT');
    return { tables, rooms };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    if (db.inTransaction) db.prepare('COMMIT').run();
    db.close();
    await client.end().catch(() => {});
  }
}

/** BIGINT columns come back from a plain client as text: as numbers, to compare with SQLite. */
function numbers(row: Record<string, unknown>): Record<string, unknown> {
  return { ...row, seq: Number(row.seq), ts: Number(row.ts) };
}

/** Copies the named columns of every row of a table, BATCH rows per statement. */
async function copyRows(
  db: Database.Database,
  client: pg.Client,
  table: string,
  columns: string[],
  onProgress: (table: string, rows: number) => void,
): Promise<number> {
  let moved = 0;
  let batch: unknown[][] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const values: unknown[] = [];
    const tuples = batch.map((row) => {
      const marks = row.map((v) => {
        values.push(typeof v === 'bigint' ? v.toString() : v);
        return `$${values.length}`;
      });
      return `(${marks.join(', ')})`;
    });
    await client.query(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`,
      values,
    );
    moved += batch.length;
    batch = [];
    onProgress(table, moved);
  };
  const select = db.prepare(`SELECT ${columns.join(', ')} FROM ${table}`).raw(true);
  for (const row of select.iterate() as IterableIterator<unknown[]>) {
    batch.push(row);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return moved;
}
