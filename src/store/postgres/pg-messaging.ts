// The PostgreSQL store's agents, presence, messages and receipts.

import { storeErrors } from '../../core/store-errors.js';
import type { Message, RoomEvent } from '../../core/types.js';
import {
  AGENT_COLUMNS,
  MESSAGE_COLUMNS,
  STEP_COLUMNS,
  toAgent,
  toMessage,
  toReceipt,
  type AgentRow,
  type MessageRow,
  type MessagingMethods,
  type ReceiptRow,
} from '../messaging-rows.js';
import type { PgContext, Sql } from './pg-context.js';

const AGENT = `SELECT ${AGENT_COLUMNS} FROM agents a JOIN rooms r ON r.id = a.room_id`;
const INSERT_AGENT = `INSERT INTO agents (room_id, name, member_id, client, model, host, cwd, mcp_servers, tags, status, last_seen, registered_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`;
const UPSERT_AGENT = `${INSERT_AGENT}
  ON CONFLICT (room_id, name) DO UPDATE SET client = excluded.client, model = excluded.model, host = excluded.host,
    cwd = excluded.cwd, mcp_servers = excluded.mcp_servers, tags = excluded.tags, status = 'online',
    last_seen = excluded.last_seen`;
/** Agents neither offline nor retired, last seen before $1. */
const STALE = `a.status NOT IN ('offline', 'retired') AND a.last_seen < $1`;
const RECEIPT_COLUMNS = 'c.stored_at, c.delivered_at, c.injected_at, c.read_at, c.acked_at';

/** Moves receipts up to a step: of the messages `$4` names, or of every open one when it is null. */
const ADVANCE = Object.fromEntries(
  Object.entries(STEP_COLUMNS).map(([step, columns]) => [
    step,
    `UPDATE receipts SET ${columns.map((c) => `${c} = COALESCE(${c}, $3)`).join(', ')}
      WHERE room_id = $1 AND agent = $2 AND ${columns.at(-1)} IS NULL
        AND CASE WHEN $4::text[] IS NULL THEN acked_at IS NULL ELSE message_id = ANY($4::text[]) END
      RETURNING message_id, seq`,
  ]),
);

export function createPgMessaging({
  sql,
  write,
  append,
  appendWith,
  once,
}: PgContext): MessagingMethods {
  const getAgent = async (q: Sql, roomId: string, name: string) => {
    const row = await q.row<AgentRow>(`${AGENT} WHERE a.room_id = $1 AND a.name = $2`, [
      roomId,
      name,
    ]);
    return row ? toAgent(row) : null;
  };

  return {
    registerAgent(roomId, a, event, options = {}) {
      return write(roomId, async (q) => {
        const previous = await getAgent(q, roomId, a.name);
        if (previous && previous.member_id !== a.member_id)
          throw storeErrors.agentNameTaken(a.name);
        const busy = previous && previous.status !== 'offline' && previous.status !== 'retired';
        if (options.exclusive && busy) throw storeErrors.agentInUse(a.name);
        if (options.quiet && previous) return { agent: previous, event: null };
        await q.run(options.quiet ? INSERT_AGENT : UPSERT_AGENT, [
          roomId,
          a.name,
          a.member_id,
          a.client,
          a.model,
          a.host,
          a.cwd,
          JSON.stringify(a.mcp_servers),
          JSON.stringify(a.tags),
          options.quiet ? 'offline' : 'online',
          a.at,
        ]);
        const agent = (await getAgent(q, roomId, a.name))!;
        return { agent, event: await append(q, roomId, event(agent, previous)) };
      });
    },

    async listAgents(roomId) {
      // Names sort byte by byte, as SQLite's BINARY collation does, whatever the database's locale.
      const rows = await sql.rows<AgentRow>(
        `${AGENT} WHERE a.room_id = $1 ORDER BY a.name COLLATE "C"`,
        [roomId],
      );
      return rows.map(toAgent);
    },

    getAgent(roomId, name) {
      return getAgent(sql, roomId, name);
    },

    touchAgent(roomId, name, at, status, event) {
      return write(roomId, async (q) => {
        const before = await getAgent(q, roomId, name);
        if (!before) throw storeErrors.agentNotFound(name);
        if (before.status === 'retired') throw storeErrors.agentRetired(name);
        await q.run(
          'UPDATE agents SET last_seen = GREATEST(last_seen, $1) WHERE room_id = $2 AND name = $3',
          [at, roomId, name],
        );
        let appended: RoomEvent | null = null;
        if (status !== undefined && status !== before.status) {
          await q.run('UPDATE agents SET status = $1 WHERE room_id = $2 AND name = $3', [
            status,
            roomId,
            name,
          ]);
          appended = await append(q, roomId, event(before.status, status));
        }
        return { agent: (await getAgent(q, roomId, name))!, event: appended };
      });
    },

    async sweepOffline(before, event) {
      // One write per room, never one transaction over every room: each re-reads its stale agents
      // under the room's lock, so an agent touched since the first read stays as it is.
      const rooms = await sql.rows<{ room_id: string }>(
        `SELECT DISTINCT a.room_id FROM agents a WHERE ${STALE} ORDER BY a.room_id`,
        [before],
      );
      const swept = await Promise.allSettled(
        rooms.map(({ room_id }) =>
          write(room_id, async (q) => {
            const stale = await q.rows<AgentRow>(
              `${AGENT} WHERE a.room_id = $2 AND ${STALE} ORDER BY a.name COLLATE "C"`,
              [before, room_id],
            );
            const events: Array<{ room_id: string; event: RoomEvent }> = [];
            for (const row of stale) {
              await q.run("UPDATE agents SET status = 'offline' WHERE room_id = $1 AND name = $2", [
                room_id,
                row.name,
              ]);
              events.push({ room_id, event: await append(q, room_id, event(toAgent(row))) });
            }
            return events;
          }),
        ),
      );
      // The rooms that committed are reported even if another failed: their events must be
      // announced, and the agents of a room that failed are still stale for the next sweep.
      const failed = swept.find((s) => s.status === 'rejected');
      const done = swept.filter((s) => s.status === 'fulfilled').flatMap((s) => s.value);
      if (failed && done.length === 0) throw failed.reason;
      return done;
    },

    sendMessage(roomId, input, idem) {
      const m = input.message;
      const windowStart =
        input.duplicate_window_seconds === undefined
          ? undefined
          : input.at - input.duplicate_window_seconds * 1000;
      /**
       * Writes the message in one statement: its event, its row, its receipts and the record of
       * its idempotency key. With `gated`, only if the key is new and no duplicate was sent within
       * the window; null when either held it back.
       */
      const send = async (q: Sql, gated: boolean) => {
        let message!: Message;
        const event = await appendWith(
          q,
          roomId,
          (seq, room) => {
            message = { ...m, seq, room };
            return input.event(message);
          },
          ({ seq }, p) => {
            const first: string[] = [];
            const conditions: string[] = [];
            if (gated && windowStart !== undefined) {
              first.push(
                `d AS (SELECT 1 FROM messages WHERE room_id = ${p(roomId)} AND sender = ${p(m.from)}
                         AND digest = ${p(input.digest)} AND created_at >= ${p(windowStart)}::bigint LIMIT 1)`,
              );
              conditions.push('NOT EXISTS (SELECT 1 FROM d)');
            }
            if (gated && idem) {
              // The key is recorded first: if it is known, nothing else is written.
              first.push(
                `i AS (INSERT INTO idempotency (member_id, key, fingerprint, result, created_at)
                       SELECT ${p(idem.member_id)}, ${p(idem.key)}, ${p(idem.fingerprint)}, ${p(String(seq))},
                              ${p(idem.at)}::bigint ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
                       ON CONFLICT DO NOTHING RETURNING 1)`,
              );
              conditions.push('EXISTS (SELECT 1 FROM i)');
            }
            const id = p(m.id);
            const at = p(input.at);
            const then = [
              `m AS (INSERT INTO messages (room_id, id, seq, sender, to_spec, recipients, kind, body, thread,
                                           reply_to, refs, priority, depth, digest, created_at)
                     SELECT e.room_id, ${id}, e.seq, ${p(m.from)}, ${p(JSON.stringify(m.to))},
                            ${p(JSON.stringify(m.recipients))}, ${p(m.kind)}, ${p(m.body)}, ${p(m.thread)},
                            ${p(m.reply_to)}, ${p(JSON.stringify(m.refs))}, ${p(m.priority)}, ${p(m.depth)}::int,
                            ${p(input.digest)}, ${at}::bigint
                       FROM e RETURNING room_id, seq)`,
            ];
            if (m.recipients.length > 0)
              then.push(
                `c AS (INSERT INTO receipts (room_id, agent, message_id, seq, stored_at)
                       SELECT m.room_id, t.agent, ${id}, m.seq, ${at}::bigint
                         FROM m, unnest(${p(m.recipients)}::text[]) WITH ORDINALITY AS t(agent, n)
                        ORDER BY t.n)`,
              );
            return { first, when: conditions.join(' AND ') || undefined, then };
          },
        );
        return event && { message, event };
      };

      return write(roomId, async (q) => {
        // The usual case in one round trip; a known key or a duplicate takes the careful way,
        // which answers as SQLite's store does: a replay first, then the duplicate refusal.
        const sent = await send(q, true);
        if (sent) return sent;
        return once(
          q,
          idem,
          roomId,
          async () => {
            if (
              windowStart !== undefined &&
              (await q.row(
                'SELECT 1 FROM messages WHERE room_id = $1 AND sender = $2 AND digest = $3 AND created_at >= $4 LIMIT 1',
                [roomId, m.from, input.digest, windowStart],
              ))
            ) {
              throw storeErrors.duplicateMessage(input.duplicate_window_seconds!);
            }
            const unguarded = await send(q, false);
            if (!unguarded) throw storeErrors.roomNotFound(roomId);
            return unguarded;
          },
          {
            eventOf: (r) => r.event,
            rebuild: (event) => ({ message: event.body.message as Message, event }),
          },
        );
      });
    },

    async getMessage(roomId, id) {
      const row = await sql.row<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN rooms r ON r.id = m.room_id WHERE m.room_id = $1 AND m.id = $2`,
        [roomId, id],
      );
      return row ? toMessage(row) : null;
    },

    async inbox(roomId, agent, options) {
      const rows = await sql.rows<MessageRow & ReceiptRow>(
        `SELECT ${MESSAGE_COLUMNS}, c.agent, ${RECEIPT_COLUMNS}
           FROM receipts c JOIN messages m ON m.room_id = c.room_id AND m.id = c.message_id
           JOIN rooms r ON r.id = c.room_id
          WHERE c.room_id = $1 AND c.agent = $2 AND c.acked_at IS NULL
            AND (NOT $3::boolean OR c.read_at IS NULL) AND (NOT $4::boolean OR c.injected_at IS NULL)
            AND ($5::text[] IS NULL OR c.message_id = ANY($5::text[]))
          ORDER BY c.seq LIMIT $6`,
        [
          roomId,
          agent,
          !!options.unread_only,
          !!options.uninjected_only,
          options.ids ?? null,
          options.limit,
        ],
      );
      return rows.map((row) => ({
        message: toMessage(row),
        receipt: toReceipt({ ...row, message_id: row.id }),
      }));
    },

    async inboxCounts(roomId, agent) {
      const counts = await sql.row<{ unread: number; uninjected: number }>(
        `SELECT COUNT(*) AS unread, COUNT(*) FILTER (WHERE injected_at IS NULL) AS uninjected FROM receipts
          WHERE room_id = $1 AND agent = $2 AND acked_at IS NULL AND read_at IS NULL`,
        [roomId, agent],
      );
      return counts!;
    },

    // `lazy` asks to share a transaction with the next write; every write here is durable when it
    // resolves, and writes of a room that queue meanwhile share one anyway.
    advanceReceipts(roomId, agent, ids, step, at, event) {
      return write(roomId, async (q) => {
        if (ids !== 'all' && ids.length === 0) return { changed: [], event: null };
        if (ids !== 'all' && new Set(ids).size === 1) {
          // One message (a delivery, usually): the receipt and its event in one statement.
          const id = ids[0]!;
          const columns = STEP_COLUMNS[step];
          const appended = await appendWith(
            q,
            roomId,
            () => event([id]),
            (_, p) => {
              const stamp = p(at);
              return {
                first: [
                  `u AS (UPDATE receipts SET ${columns.map((c) => `${c} = COALESCE(${c}, ${stamp}::bigint)`).join(', ')}
                          WHERE room_id = $1 AND agent = ${p(agent)} AND message_id = ${p(id)}
                            AND ${columns.at(-1)} IS NULL
                      RETURNING 1)`,
                ],
                when: 'EXISTS (SELECT 1 FROM u)',
              };
            },
          ).catch((err: unknown) => {
            // A room that is gone has no receipt to move, as in SQLite's store.
            if ((err as { code?: string }).code === 'room_not_found') return null;
            throw err;
          });
          return appended ? { changed: [id], event: appended } : { changed: [], event: null };
        }
        const moved = await q.rows<{ message_id: string; seq: number }>(ADVANCE[step]!, [
          roomId,
          agent,
          at,
          ids === 'all' ? null : ids,
        ]);
        // In the order asked, or the messages' order for 'all', each id once.
        const movedIds = new Set(moved.map((r) => r.message_id));
        const changed =
          ids === 'all'
            ? moved.sort((x, y) => x.seq - y.seq).map((r) => r.message_id)
            : [...new Set(ids)].filter((id) => movedIds.has(id));
        return {
          changed,
          event: changed.length > 0 ? await append(q, roomId, event(changed)) : null,
        };
      });
    },

    async receipts(roomId, messageId) {
      const rows = await sql.rows<ReceiptRow>(
        `SELECT c.message_id, c.agent, ${RECEIPT_COLUMNS} FROM receipts c
          WHERE c.room_id = $1 AND c.message_id = $2 ORDER BY c.agent COLLATE "C"`,
        [roomId, messageId],
      );
      return rows.map(toReceipt);
    },
  };
}
