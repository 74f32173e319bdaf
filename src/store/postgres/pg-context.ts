// What every slice of the PostgreSQL store shares: queries, write transactions that hold their
// room's row lock, the append of the next event, and idempotent writes.

import pg from 'pg';
import { HuddleError } from '../../core/errors.js';
import type { Idempotency } from '../../core/store.js';
import { storeErrors } from '../../core/store-errors.js';
import type { EventDraft, RoomEvent } from '../../core/types.js';
import { eventValues, toEvent, toRoomEvent, type EventRow } from '../rows.js';

/** Runs statements on one connection (inside a transaction) or on the pool (reads). */
export interface Sql {
  rows<R>(text: string, values?: unknown[]): Promise<R[]>;
  row<R>(text: string, values?: unknown[]): Promise<R | undefined>;
  /** Runs a statement and returns how many rows it changed. */
  run(text: string, values?: unknown[]): Promise<number>;
}

export interface PgContext {
  /** Reads on the pool: each statement sees every committed write. */
  sql: Sql;
  /**
   * Runs `fn` in one transaction and commits it. With `roomId`, the room's row is locked first
   * (`FOR UPDATE`): writes of one room run one at a time on every hub, so each sees the room as
   * the previous one left it, seqs are dense and commit in order, and a read-then-write inside
   * `fn` cannot race another hub. A missing room is not an error here: `append` reports it.
   * Writes of one room from this process run in the order they were asked for, and those that
   * queue meanwhile share the next transaction (one lock, one commit); one that fails is undone
   * alone. Serialization failures and deadlocks are retried; every other error rolls back.
   */
  write<T>(roomId: string | null, fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** Appends one event with the room's next seq; call inside `write` with that room. */
  append(
    sql: Sql,
    roomId: string,
    draft: EventDraft | ((seq: number, room: string) => EventDraft),
  ): Promise<RoomEvent>;
  /**
   * Appends like `append`, with more writes in the same statement, so in one round trip. `also`
   * gets the event's seq and room name and a function that adds a parameter, and returns common
   * table expressions (`name AS (INSERT ...)`): `first` run before the event and may decide, by
   * `when` (a condition over them), whether it is written at all; `then` may select from `e`, the
   * event row (`room_id`, `seq`), so they write only with it. Resolves null when `when` held the
   * event back (nothing of `then` was written). Only inside a `write` of that room.
   */
  appendWith(
    sql: Sql,
    roomId: string,
    draft: (seq: number, room: string) => EventDraft,
    also: (
      event: { seq: number; room: string },
      param: (value: unknown) => string,
    ) => { first?: string[]; when?: string; then?: string[] },
  ): Promise<RoomEvent | null>;
  /**
   * Runs `fn` unless another hub is running the job named `name` right now (a session advisory
   * lock, held for its duration); then answers `otherwise` at once. For sweeps over every room,
   * which one hub at a time is enough to do.
   */
  exclusive<T>(name: string, fn: () => Promise<T>, otherwise: T): Promise<T>;
  /** Runs a write once per idempotency key (see the SQLite store's `once`). */
  once<T>(
    sql: Sql,
    idem: Idempotency | undefined,
    roomId: string,
    fn: () => Promise<T>,
    replay?: { eventOf: (result: T) => RoomEvent; rebuild: (event: RoomEvent) => T },
  ): Promise<T>;
}

/** BIGINT (times, seqs, counts) as numbers: every one the store keeps is below 2^53. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as unknown as pg.CustomTypesConfig;

export interface PgPoolOptions {
  url: string;
  /** The schema the store's tables live in (created when missing); default `public`. */
  schema?: string;
  /** Connections in the pool. */
  max?: number;
  /** `normal` commits without waiting for the WAL flush (PostgreSQL's `synchronous_commit=off`). */
  sync?: 'full' | 'normal';
}

export function createPgPool(options: PgPoolOptions): pg.Pool {
  const settings = [`-c search_path=${quoteIdent(options.schema ?? 'public')}`];
  if (options.sync === 'normal') settings.push('-c synchronous_commit=off');
  return new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    types,
    options: settings.join(' '),
    application_name: 'huddle',
  });
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Thrown inside a batch to run it again with a savepoint around each write. */
const RUN_GUARDED = Symbol('run guarded');

/** Inside a room's write: the room as locked at its start, with the seq appended last. */
interface TxSql extends Sql {
  locked?: { id: string; name: string; lastSeq: number } | undefined;
}

/** Writes of one room that share a transaction at most. */
const MAX_BATCH = 64;
const RETRY_CODES = new Set(['40001', '40P01']);
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  '57P01',
  '57P03',
  '53300',
]);

const codeOf = (err: unknown) => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
};
const retryable = (err: unknown) => RETRY_CODES.has(codeOf(err));
/** A lost connection, or an error that is not a statement's (a bug): the batch cannot go on. */
const endsBatch = (err: unknown) => {
  const code = codeOf(err);
  return (
    UNAVAILABLE_CODES.has(code) || code.startsWith('08') || !(err instanceof Error) || code === ''
  );
};

/** An error the database raised, as huddle's one error type; HuddleErrors pass unchanged. */
export function translatePgError(err: unknown): unknown {
  if (err instanceof HuddleError) return err;
  const code = codeOf(err);
  if (UNAVAILABLE_CODES.has(code) || code.startsWith('08')) {
    return new HuddleError(
      'unavailable',
      'store_unavailable',
      `The database cannot be reached (${code}); retry shortly.`,
      { retryable: true, cause: err },
    );
  }
  return err;
}

/** Statement texts given a name at most: past it, texts run unnamed (parsed each time). */
const MAX_PREPARED = 512;

/**
 * Names each statement text once, so every connection parses and plans it once (a prepared
 * statement) rather than on every call: most of the database's work per statement otherwise.
 */
function createStatementNames() {
  const names = new Map<string, string>();
  return (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_PREPARED) names.set(text, (name = `h${names.size}`));
    return name;
  };
}

function wrap(
  client: pg.Pool | pg.PoolClient,
  nameOf: (text: string) => string | undefined,
): TxSql {
  const query = (text: string, values?: unknown[]) =>
    client.query({ name: nameOf(text), text, values });
  return {
    async rows<R>(text: string, values?: unknown[]) {
      return (await query(text, values)).rows as R[];
    },
    async row<R>(text: string, values?: unknown[]) {
      return (await query(text, values)).rows[0] as R | undefined;
    },
    async run(text: string, values?: unknown[]) {
      return (await query(text, values)).rowCount ?? 0;
    },
  };
}

export function createPgContext(
  pool: pg.Pool,
  isClosed: () => boolean,
  pending: Set<Promise<unknown>>,
): PgContext {
  const nameOf = createStatementNames();
  const reads = wrap(pool, nameOf);
  const fail = (e: unknown): never => {
    throw translatePgError(e);
  };
  const sql: Sql = {
    rows: <R>(t: string, v?: unknown[]) => reads.rows<R>(t, v).catch(fail),
    row: <R>(t: string, v?: unknown[]) => reads.row<R>(t, v).catch(fail),
    run: (t: string, v?: unknown[]) => reads.run(t, v).catch(fail),
  };

  interface Job {
    fn: (sql: Sql) => Promise<unknown>;
    resolve: (value: unknown) => void;
    reject: (err: unknown) => void;
  }
  /** Writes of each room waiting for the transaction that runs them, in the order they came. */
  const queues = new Map<string, Job[]>();

  /**
   * Runs jobs in one transaction, in order. A job that fails must be undone alone: the first time
   * one fails, the transaction is rolled back and the jobs run again, each in a savepoint of its
   * own (one round trip more per job only then). A serialization failure or deadlock reruns them.
   */
  async function transaction(roomId: string | null, jobs: Job[]): Promise<void> {
    let guarded = false;
    for (let attempt = 0; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        for (const job of jobs) job.reject(translatePgError(err));
        return;
      }
      let broken = false;
      const outcomes: Array<{ ok: true; value: unknown } | { ok: false; err: unknown }> = [];
      try {
        const q: TxSql = wrap(client, nameOf);
        if (roomId === null) await client.query('BEGIN');
        else {
          // BEGIN and the room's lock in one round trip (a simple query: the id goes in quoted).
          const results = (await client.query(
            `BEGIN; SELECT name, last_seq FROM rooms WHERE id = ${client.escapeLiteral(roomId)} FOR UPDATE`,
          )) as unknown as Array<pg.QueryResult<{ name: string; last_seq: string | number }>>;
          const row = results[1]?.rows[0];
          if (row) q.locked = { id: roomId, name: row.name, lastSeq: Number(row.last_seq) };
        }
        for (const job of jobs) {
          const seqBefore = q.locked?.lastSeq;
          if (guarded) await client.query('SAVEPOINT w');
          try {
            const value = await job.fn(q);
            if (guarded) await client.query('RELEASE SAVEPOINT w');
            outcomes.push({ ok: true, value });
          } catch (err) {
            // A deadlock or a lost connection ends the whole transaction; so does the failure of
            // a lone write. Otherwise this write alone is undone: under a savepoint at once, or
            // by running the batch again with savepoints.
            if (jobs.length === 1 || retryable(err) || endsBatch(err)) throw err;
            if (!guarded) throw RUN_GUARDED;
            await client.query('ROLLBACK TO SAVEPOINT w');
            if (q.locked && seqBefore !== undefined) q.locked.lastSeq = seqBefore;
            outcomes.push({ ok: false, err });
          }
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        client.release(broken);
        if (err === RUN_GUARDED) {
          guarded = true;
          attempt--;
          continue;
        }
        if (retryable(err) && attempt < 8) {
          await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
          continue;
        }
        // A single write's own error, or the database failing under a batch: all are refused.
        for (const job of jobs) job.reject(translatePgError(err));
        return;
      }
      client.release();
      outcomes.forEach((o, i) => (o.ok ? jobs[i]!.resolve(o.value) : jobs[i]!.reject(o.err)));
      return;
    }
  }

  /** Drains a room's queue: one transaction at a time, each taking what queued meanwhile. */
  async function runRoom(roomId: string, queue: Job[]): Promise<void> {
    while (queue.length > 0) await transaction(roomId, queue.splice(0, MAX_BATCH));
    queues.delete(roomId);
  }

  return {
    sql,
    write<T>(roomId: string | null, fn: (sql: Sql) => Promise<T>): Promise<T> {
      if (isClosed()) return Promise.reject(storeErrors.storeClosed());
      const p = new Promise<T>((resolve, reject) => {
        const job: Job = { fn, resolve: resolve as (v: unknown) => void, reject };
        if (roomId === null) {
          void transaction(null, [job]);
          return;
        }
        const queue = queues.get(roomId);
        if (queue) {
          queue.push(job);
          return;
        }
        const fresh = [job];
        queues.set(roomId, fresh);
        void runRoom(roomId, fresh);
      });
      pending.add(p);
      const forget = () => pending.delete(p);
      p.then(forget, forget);
      return p;
    },

    async exclusive(name, fn, otherwise) {
      const client = await pool.connect().catch(fail);
      let locked = false;
      try {
        const { rows } = await client.query<{ got: boolean }>(
          'SELECT pg_try_advisory_lock(hashtext($1)) AS got',
          [`huddle.${name}`],
        );
        locked = rows[0]?.got === true;
        if (!locked) return otherwise;
        return await fn();
      } finally {
        if (locked)
          await client
            .query('SELECT pg_advisory_unlock(hashtext($1))', [`huddle.${name}`])
            .catch(() => {});
        client.release();
      }
    },

    async appendWith(q, roomId, make, also) {
      const locked = (q as TxSql).locked;
      if (locked?.id !== roomId) throw storeErrors.roomNotFound(roomId);
      const seq = locked.lastSeq + 1;
      const draft = make(seq, locked.name);
      const values: unknown[] = eventValues(roomId, seq, draft);
      const param = (value: unknown) => {
        values.push(value);
        return `$${values.length}`;
      };
      const { first = [], when, then = [] } = also({ seq, room: locked.name }, param);
      const written = await q.row<{ n: number; room: number }>(
        `WITH ${first.map((c) => `${c},`).join('\n')}
         r AS (UPDATE rooms SET last_seq = $2 WHERE id = $1${when ? ` AND ${when}` : ''} RETURNING id),
         e AS (INSERT INTO events (room_id, seq, id, ts, actor_member, actor_label, type, body)
               SELECT r.id, $2, $3, $4, $5, $6, $7, $8 FROM r RETURNING room_id, seq)
         ${then.map((c) => `, ${c}`).join('\n')}
         SELECT (SELECT COUNT(*)::int FROM e) AS n, (SELECT COUNT(*)::int FROM rooms WHERE id = $1) AS room`,
        values,
      );
      if (!written || written.room !== 1) throw storeErrors.roomNotFound(roomId);
      if (written.n !== 1) return null;
      locked.lastSeq = seq;
      return toRoomEvent(locked.name, seq, draft);
    },

    async append(q, roomId, draftOrMake) {
      const locked = (q as TxSql).locked;
      let seq: number;
      let name: string;
      let draft: EventDraft;
      if (locked?.id === roomId) {
        // The room's row is locked by this transaction: its next seq is known here, and one
        // statement moves last_seq and inserts the event.
        seq = locked.lastSeq + 1;
        name = locked.name;
        draft = typeof draftOrMake === 'function' ? draftOrMake(seq, name) : draftOrMake;
        const inserted = await q.run(
          `WITH r AS (UPDATE rooms SET last_seq = $2 WHERE id = $1 RETURNING id)
           INSERT INTO events (room_id, seq, id, ts, actor_member, actor_label, type, body)
           SELECT r.id, $2, $3, $4, $5, $6, $7, $8 FROM r`,
          eventValues(roomId, seq, draft),
        );
        if (inserted !== 1) throw storeErrors.roomNotFound(roomId);
        locked.lastSeq = seq;
      } else {
        const next = await q.row<{ last_seq: number; name: string }>(
          'UPDATE rooms SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq, name',
          [roomId],
        );
        if (!next) throw storeErrors.roomNotFound(roomId);
        ({ last_seq: seq, name } = next);
        draft = typeof draftOrMake === 'function' ? draftOrMake(seq, name) : draftOrMake;
        await q.run(
          'INSERT INTO events (room_id, seq, id, ts, actor_member, actor_label, type, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          eventValues(roomId, seq, draft),
        );
      }
      return toRoomEvent(name, seq, draft);
    },

    async once(q, idem, roomId, fn, replay) {
      if (!idem) return fn();
      const seen = await q.row<{ fingerprint: string; result: string }>(
        'SELECT fingerprint, result FROM idempotency WHERE member_id = $1 AND key = $2',
        [idem.member_id, idem.key],
      );
      if (seen) {
        if (seen.fingerprint !== idem.fingerprint) throw storeErrors.idempotencyKeyReused(idem.key);
        if (!replay) return JSON.parse(seen.result) as Awaited<ReturnType<typeof fn>>;
        const row = await q.row<EventRow & { room: string }>(
          `SELECT r.name AS room, e.seq, e.id, e.ts, e.actor_member, e.actor_label, e.type, e.body
             FROM events e JOIN rooms r ON r.id = e.room_id WHERE e.room_id = $1 AND e.seq = $2`,
          [roomId, Number(seen.result)],
        );
        if (!row) throw storeErrors.roomNotFound(roomId);
        return replay.rebuild(toEvent(row.room, row));
      }
      const result = await fn();
      const record = replay ? String(replay.eventOf(result).seq) : JSON.stringify(result);
      await q.run(
        'INSERT INTO idempotency (member_id, key, fingerprint, result, created_at) VALUES ($1, $2, $3, $4, $5)',
        [idem.member_id, idem.key, idem.fingerprint, record, idem.at],
      );
      return result;
    },
  };
}

/** For writes whose result is their event. */
export const AS_EVENT = {
  eventOf: (event: RoomEvent) => event,
  rebuild: (event: RoomEvent) => event,
};
