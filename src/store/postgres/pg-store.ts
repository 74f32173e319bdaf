// The PostgreSQL Store: several hubs share one database. Each write is one transaction that
// first locks its room's row, so writes of a room run one at a time across every hub, and its
// seqs are dense and committed in order; PostgreSQL itself groups concurrent commits.

import type pg from 'pg';
import type { Store } from '../../core/store.js';
import { storeErrors } from '../../core/store-errors.js';
import type { Checkpoint, RoomEvent } from '../../core/types.js';
import {
  CHECKPOINT_COLUMNS,
  toCheckpoint,
  toEvent,
  toRoom,
  type CheckpointRow,
  type EventRow,
  type RoomRow,
} from '../rows.js';
import {
  AS_EVENT,
  createPgContext,
  createPgPool,
  quoteIdent,
  translatePgError,
  type Sql,
} from './pg-context.js';
import { batchedReads } from './pg-batch.js';
import { PG_MIGRATIONS } from './pg-schema.js';
import { createPgApprovals } from './pg-approvals.js';
import { createPgCoordination } from './pg-coordination.js';
import { createPgMessaging } from './pg-messaging.js';
import { createPgPush } from './pg-push.js';
import { createPgPresence } from './pg-presence.js';
import { createPgRateLimits } from './pg-rate-limits.js';
import { createPgMembers, insertMember, insertToken } from './pg-members.js';
import { createPgWebSessions } from './pg-web-sessions.js';

export interface PgStoreOptions {
  /** `postgres://user@host:port/database`. */
  url: string;
  /** The schema for huddle's tables (created when missing); default `public`. */
  schema?: string;
  /** Connections in this hub's pool (default 10). */
  poolSize?: number;
  /**
   * `full` (default): a write is acknowledged after PostgreSQL has flushed its commit to disk.
   * `normal`: `synchronous_commit=off`, a documented opt-in that can lose the last moments of
   * acknowledged writes if the database server crashes (never corrupts).
   */
  sync?: 'full' | 'normal';
}

const ROOM_COLUMNS = 'id, name, created_at, last_seq';
const EVENT_COLUMNS = 'seq, id, ts, actor_member, actor_label, type, body';

export function openPgStore(options: PgStoreOptions): Store {
  const pool: pg.Pool = createPgPool({
    url: options.url,
    schema: options.schema,
    max: options.poolSize,
    sync: options.sync,
  });
  // An idle connection that the server drops must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  let closed = false;
  const pending = new Set<Promise<unknown>>();
  const ctx = createPgContext(pool, () => closed, pending);
  const { sql, write, append, once } = ctx;

  const getRoom = (q: Sql, id: string) =>
    q.row<RoomRow>(`SELECT ${ROOM_COLUMNS} FROM rooms WHERE id = $1`, [id]);

  const readCheckpoint = async (q: Sql, roomId: string): Promise<Checkpoint> =>
    toCheckpoint(
      await q.row<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM rooms WHERE id = $1`, [roomId]),
    );

  /** The record of an idempotency key; the lookups of one turn share a query. */
  const idempotencyRecord = batchedReads<
    [string, string],
    { fingerprint: string; result: string } | undefined
  >(async (keys) => {
    const rows = await sql.rows<{
      member_id: string;
      key: string;
      fingerprint: string;
      result: string;
    }>(
      `SELECT i.member_id, i.key, i.fingerprint, i.result
         FROM unnest($1::text[], $2::text[]) AS k(member_id, key)
         JOIN idempotency i ON i.member_id = k.member_id AND i.key = k.key`,
      [keys.map((k) => k[0]), keys.map((k) => k[1])],
    );
    const found = new Map(rows.map((r) => [`${r.member_id}\n${r.key}`, r]));
    return keys.map(([member, key]) => found.get(`${member}\n${key}`));
  });

  /**
   * Events after a cursor, for one room each; the reads of one turn share a query. Followers of
   * many rooms all read when a notice comes, so this is the hub's busiest read.
   */
  const eventsAfter = batchedReads<[string, number, number], RoomEvent[]>(async (keys) => {
    const rows = await sql.rows<EventRow & { k: number; room: string }>(
      `SELECT k.n AS k, r.name AS room, e.seq, e.id, e.ts, e.actor_member, e.actor_label, e.type, e.body
         FROM unnest($1::text[], $2::bigint[], $3::int[]) WITH ORDINALITY AS k(room_id, after, lim, n)
         JOIN rooms r ON r.id = k.room_id
         CROSS JOIN LATERAL (
           SELECT ${EVENT_COLUMNS} FROM events
            WHERE room_id = k.room_id AND seq > k.after ORDER BY seq LIMIT k.lim
         ) e
        ORDER BY k.n, e.seq`,
      [keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2])],
    );
    const byKey: RoomEvent[][] = keys.map(() => []);
    for (const row of rows) byKey[row.k - 1]!.push(toEvent(row.room, row));
    return byKey;
  });

  const messaging = createPgMessaging(ctx);
  const coordination = createPgCoordination(ctx);
  const webSessions = createPgWebSessions(ctx);
  const approvals = createPgApprovals(ctx);
  const push = createPgPush(ctx);
  const presence = createPgPresence(ctx);
  const rateLimits = createPgRateLimits(ctx);
  const members = createPgMembers(ctx);

  return {
    ...messaging,
    ...coordination,
    ...webSessions,
    ...approvals,
    ...push,
    ...presence,
    ...rateLimits,
    ...members,

    // Timed sweeps over every room: one hub at a time does them, one small transaction per room.
    // (The lease sweep also runs on demand, before an agent comes back: it is never skipped.)
    sweepOffline: (before, event) =>
      ctx.exclusive('sweep-offline', () => messaging.sweepOffline(before, event), []),
    expireApprovals: (now, event, roomId) =>
      roomId === undefined
        ? ctx.exclusive('expire-approvals', () => approvals.expireApprovals(now, event), [])
        : approvals.expireApprovals(now, event, roomId),

    async queryEvents(roomId, query) {
      const where = ['room_id = $1', 'seq > $2'];
      const values: unknown[] = [roomId, query.after];
      const param = (v: unknown) => {
        values.push(v);
        return `$${values.length}`;
      };
      if (query.types?.length) {
        where.push(
          `(${query.types
            .map((type) => {
              const p = param(type);
              // A prefix compared as text: LIKE would read "_" as a wildcard.
              return type.endsWith('.') ? `left(type, length(${p})) = ${p}` : `type = ${p}`;
            })
            .join(' OR ')})`,
        );
      }
      if (query.exclude?.length) {
        where.push(`type <> ALL(${param(query.exclude)}::text[])`);
      }
      if (query.since !== undefined) where.push(`ts >= ${param(query.since)}`);
      if (query.actor !== undefined) {
        const p = param(query.actor);
        // The body is JSON text; only bodies that parse as objects are looked into.
        where.push(
          `(actor_member = ${p} OR actor_label = ${p}
            OR (body::jsonb ->> 'agent') = ${p}
            OR (jsonb_typeof(body::jsonb -> 'agent') = 'object' AND (body::jsonb -> 'agent' ->> 'name') = ${p})
            OR (jsonb_typeof(body::jsonb -> 'message') = 'object' AND (body::jsonb -> 'message' ->> 'from') = ${p}))`,
        );
      }
      const limit = param(query.limit);
      const room = await getRoom(sql, roomId);
      if (!room) return [];
      const rows = await sql.rows<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ${limit}`,
        values,
      );
      return rows.map((e) => toEvent(room.name, e));
    },

    async migrate() {
      const client = await pool.connect().catch((e) => Promise.reject(translatePgError(e)));
      try {
        await client.query('BEGIN');
        // Several hubs may start at once: one migrates, the others wait and then find it done.
        await client.query("SELECT pg_advisory_xact_lock(hashtext('huddle.migrate'))");
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema ?? 'public')}`);
        await client.query(
          'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
        );
        const applied = new Set(
          (
            await client.query<{ version: number }>('SELECT version FROM schema_migrations')
          ).rows.map((r) => r.version),
        );
        for (const m of PG_MIGRATIONS) {
          if (applied.has(m.version)) continue;
          await client.query(m.sql);
          await client.query(
            'INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)',
            [m.version, Date.now()],
          );
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw translatePgError(err);
      } finally {
        client.release();
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...pending]);
      await pool.end();
    },

    async ping() {
      await sql.row('SELECT 1');
    },

    async findReplay(roomId, idem) {
      const seen = await idempotencyRecord([idem.member_id, idem.key]);
      if (!seen) return null;
      if (seen.fingerprint !== idem.fingerprint) throw storeErrors.idempotencyKeyReused(idem.key);
      if (!/^\d+$/.test(seen.result)) return { result: JSON.parse(seen.result) as unknown };
      const row = await sql.row<EventRow & { room: string }>(
        `SELECT r.name AS room, e.seq, e.id, e.ts, e.actor_member, e.actor_label, e.type, e.body
           FROM events e JOIN rooms r ON r.id = e.room_id WHERE e.room_id = $1 AND e.seq = $2`,
        [roomId, Number(seen.result)],
      );
      if (!row) throw storeErrors.roomNotFound(roomId);
      return { event: toEvent(row.room, row) };
    },

    async findRoom(name) {
      const r = await sql.row<RoomRow>(`SELECT ${ROOM_COLUMNS} FROM rooms WHERE name = $1`, [name]);
      return r ? toRoom(r) : null;
    },

    getCheckpoint(roomId) {
      return readCheckpoint(sql, roomId);
    },

    listEvents(roomId, after, limit) {
      return eventsAfter([roomId, after, limit]);
    },

    async recentEvents(roomId, limit) {
      const room = await getRoom(sql, roomId);
      if (!room) return [];
      const rows = await sql.rows<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE room_id = $1 ORDER BY seq DESC LIMIT $2`,
        [roomId, limit],
      );
      return rows.reverse().map((e) => toEvent(room.name, e));
    },

    async hubCounts() {
      const r = await sql.row<{ rooms: number; agents_online: number }>(
        `SELECT (SELECT COUNT(*) FROM rooms) AS rooms,
                (SELECT COUNT(*) FROM agents WHERE status NOT IN ('offline', 'retired')) AS agents_online`,
      );
      return r!;
    },

    createRoom(input) {
      return write(null, async (q) => {
        const inserted = await q.run(
          'INSERT INTO rooms (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
          [input.room.id, input.room.name, input.room.created_at],
        );
        if (inserted !== 1) throw storeErrors.roomExists(input.room.name);
        const member = await insertMember(q, input.room.id, input.member);
        await insertToken(q, input.token_digest, member.id, input.member.created_at);
        const event = await append(q, input.room.id, input.event);
        return { room: toRoom((await getRoom(q, input.room.id))!), member, event };
      });
    },

    appendEvent(roomId, event, idem) {
      return write(roomId, (q) => once(q, idem, roomId, () => append(q, roomId, event), AS_EVENT));
    },

    setCheckpoint(roomId, w, event, idem) {
      return write(roomId, (q) =>
        // Checkpoints are rare and their result is not in the event alone: keep a copy.
        once(q, idem, roomId, async () => {
          const current = await readCheckpoint(q, roomId);
          if (w.expected_version !== undefined && w.expected_version !== current.version) {
            throw storeErrors.checkpointConflict(w.expected_version, current);
          }
          const draft = event(current.version + 1);
          await q.run(
            `UPDATE rooms SET checkpoint_text = $1, checkpoint_version = checkpoint_version + 1, checkpoint_member = $2,
                    checkpoint_label = $3, checkpoint_at = $4 WHERE id = $5`,
            [w.text, w.actor.member_id, w.actor.label, draft.ts, roomId],
          );
          const appended = await append(q, roomId, draft);
          return { checkpoint: await readCheckpoint(q, roomId), event: appended };
        }),
      );
    },

    async deleteRoom(roomId) {
      await write(roomId, (q) => q.run('DELETE FROM rooms WHERE id = $1', [roomId]));
    },

    async listRooms() {
      return (
        await sql.rows<RoomRow>(
          `SELECT ${ROOM_COLUMNS} FROM rooms ORDER BY created_at, id COLLATE "C"`,
        )
      ).map(toRoom);
    },

    async prune(before) {
      await write(null, async (q) => {
        await q.run('DELETE FROM idempotency WHERE created_at < $1', [before]);
        await q.run('DELETE FROM pair_codes WHERE expires_at < $1', [before]);
        await q.run('DELETE FROM agent_connections WHERE expires_at < $1', [before]);
        await q.run('DELETE FROM rate_limits WHERE tat < $1', [before]);
      });
    },
  };
}
