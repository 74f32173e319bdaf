// The SQLite store's agents, presence, messages and receipts.

import type { Database } from 'better-sqlite3';
import type { Idempotency } from '../../core/store.js';
import { storeErrors } from '../../core/store-errors.js';
import type { EventDraft, InboxItem, Message, RoomEvent } from '../../core/types.js';
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

/** What the messaging methods borrow from the store that owns the connection. */
export interface SqliteWriteContext {
  db: Database;
  write<T>(fn: () => T, lazy?: boolean): Promise<T>;
  once<T>(
    idem: Idempotency | undefined,
    roomId: string,
    fn: () => T,
    replay?: { eventOf: (result: T) => RoomEvent; rebuild: (event: RoomEvent) => T },
  ): T;
  /** Appends an event with the room's next seq; given a function, builds the event knowing it. */
  append(
    roomId: string,
    draft: EventDraft | ((seq: number, room: string) => EventDraft),
  ): RoomEvent;
}

export function createSqliteMessaging({
  db,
  write,
  once,
  append,
}: SqliteWriteContext): MessagingMethods {
  const sql = {
    agent: db.prepare(
      `SELECT ${AGENT_COLUMNS} FROM agents a JOIN rooms r ON r.id = a.room_id WHERE a.room_id = ? AND a.name = ?`,
    ),
    agents: db.prepare(
      `SELECT ${AGENT_COLUMNS} FROM agents a JOIN rooms r ON r.id = a.room_id WHERE a.room_id = ? ORDER BY a.name`,
    ),
    upsertAgent: db.prepare(
      `INSERT INTO agents (room_id, name, member_id, client, model, host, cwd, mcp_servers, tags, status, last_seen, registered_at)
       VALUES (@room_id, @name, @member_id, @client, @model, @host, @cwd, @mcp_servers, @tags, 'online', @at, @at)
       ON CONFLICT (room_id, name) DO UPDATE SET client = excluded.client, model = excluded.model, host = excluded.host,
         cwd = excluded.cwd, mcp_servers = excluded.mcp_servers, tags = excluded.tags, status = 'online', last_seen = excluded.last_seen`,
    ),
    touch: db.prepare(
      'UPDATE agents SET last_seen = MAX(last_seen, ?) WHERE room_id = ? AND name = ?',
    ),
    setStatus: db.prepare('UPDATE agents SET status = ? WHERE room_id = ? AND name = ?'),
    stale: db.prepare(
      `SELECT ${AGENT_COLUMNS} FROM agents a JOIN rooms r ON r.id = a.room_id
        WHERE a.status NOT IN ('offline', 'retired') AND a.last_seen < ?`,
    ),
    duplicate: db.prepare(
      'SELECT 1 FROM messages WHERE room_id = ? AND sender = ? AND digest = ? AND created_at >= ? LIMIT 1',
    ),
    insertMessage: db.prepare(
      `INSERT INTO messages (room_id, id, seq, sender, to_spec, recipients, kind, body, thread, reply_to, refs, priority, depth, digest, created_at)
       VALUES (@room_id, @id, @seq, @sender, @to_spec, @recipients, @kind, @body, @thread, @reply_to, @refs, @priority, @depth, @digest, @created_at)`,
    ),
    insertReceipt: db.prepare(
      'INSERT INTO receipts (room_id, agent, message_id, seq, stored_at) VALUES (?, ?, ?, ?, ?)',
    ),
    message: db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN rooms r ON r.id = m.room_id WHERE m.room_id = ? AND m.id = ?`,
    ),
    receipts: db.prepare(
      'SELECT message_id, agent, stored_at, delivered_at, injected_at, read_at, acked_at FROM receipts WHERE room_id = ? AND message_id = ? ORDER BY agent',
    ),
    inbox: db.prepare(
      `SELECT ${MESSAGE_COLUMNS}, c.agent, c.stored_at, c.delivered_at, c.injected_at, c.read_at, c.acked_at
         FROM receipts c JOIN messages m ON m.room_id = c.room_id AND m.id = c.message_id JOIN rooms r ON r.id = c.room_id
        WHERE c.room_id = ? AND c.agent = ? AND c.acked_at IS NULL AND (? = 0 OR c.read_at IS NULL)
          AND (? = 0 OR c.injected_at IS NULL)
        ORDER BY c.seq LIMIT ?`,
    ),
    inboxCounts: db.prepare(
      `SELECT COUNT(*) AS unread, COALESCE(SUM(injected_at IS NULL), 0) AS uninjected FROM receipts
        WHERE room_id = ? AND agent = ? AND acked_at IS NULL AND read_at IS NULL`,
    ),
    insertQuietAgent: db.prepare(
      `INSERT INTO agents (room_id, name, member_id, client, model, host, cwd, mcp_servers, tags, status, last_seen, registered_at)
       VALUES (@room_id, @name, @member_id, @client, @model, @host, @cwd, @mcp_servers, @tags, 'offline', @at, @at)`,
    ),
    openIds: db.prepare(
      'SELECT message_id FROM receipts WHERE room_id = ? AND agent = ? AND acked_at IS NULL ORDER BY seq',
    ),
  };
  const advance = Object.fromEntries(
    Object.entries(STEP_COLUMNS).map(([step, columns]) => [
      step,
      db.prepare(
        `UPDATE receipts SET ${columns.map((c) => `${c} = COALESCE(${c}, @at)`).join(', ')}
          WHERE room_id = @room_id AND agent = @agent AND message_id = @id AND ${columns.at(-1)} IS NULL`,
      ),
    ]),
  );

  const getAgent = (roomId: string, name: string) => {
    const row = sql.agent.get(roomId, name) as AgentRow | undefined;
    return row ? toAgent(row) : null;
  };

  return {
    registerAgent(roomId, a, event, options = {}) {
      return write(() => {
        const previous = getAgent(roomId, a.name);
        if (previous && previous.member_id !== a.member_id)
          throw storeErrors.agentNameTaken(a.name);
        const busy = previous && previous.status !== 'offline' && previous.status !== 'retired';
        if (options.exclusive && busy) throw storeErrors.agentInUse(a.name);
        if (options.quiet && previous) return { agent: previous, event: null };
        (options.quiet ? sql.insertQuietAgent : sql.upsertAgent).run({
          room_id: roomId,
          name: a.name,
          member_id: a.member_id,
          client: a.client,
          model: a.model,
          host: a.host,
          cwd: a.cwd,
          mcp_servers: JSON.stringify(a.mcp_servers),
          tags: JSON.stringify(a.tags),
          at: a.at,
        });
        const agent = getAgent(roomId, a.name)!;
        return { agent, event: append(roomId, event(agent, previous)) };
      });
    },

    async listAgents(roomId) {
      return (sql.agents.all(roomId) as AgentRow[]).map(toAgent);
    },

    async getAgent(roomId, name) {
      return getAgent(roomId, name);
    },

    touchAgent(roomId, name, at, status, event) {
      return write(() => {
        const before = getAgent(roomId, name);
        if (!before) throw storeErrors.agentNotFound(name);
        if (before.status === 'retired') throw storeErrors.agentRetired(name);
        sql.touch.run(at, roomId, name);
        let appended: RoomEvent | null = null;
        if (status !== undefined && status !== before.status) {
          sql.setStatus.run(status, roomId, name);
          appended = append(roomId, event(before.status, status));
        }
        return { agent: getAgent(roomId, name)!, event: appended };
      });
    },

    sweepOffline(before, event) {
      return write(() =>
        (sql.stale.all(before) as AgentRow[]).map((row) => {
          sql.setStatus.run('offline', row.room_id, row.name);
          return {
            room_id: row.room_id,
            event: append(row.room_id, event(toAgent(row))),
          };
        }),
      );
    },

    sendMessage(roomId, input, idem) {
      return write(() =>
        once(
          idem,
          roomId,
          () => {
            const m = input.message;
            if (
              input.duplicate_window_seconds !== undefined &&
              sql.duplicate.get(
                roomId,
                m.from,
                input.digest,
                input.at - input.duplicate_window_seconds * 1000,
              )
            ) {
              throw storeErrors.duplicateMessage(input.duplicate_window_seconds);
            }
            // The message carries the seq of its own event.
            let message!: Message;
            const event = append(roomId, (seq, room) => {
              message = { ...m, seq, room };
              return input.event(message);
            });
            sql.insertMessage.run({
              room_id: roomId,
              id: m.id,
              seq: message.seq,
              sender: m.from,
              to_spec: JSON.stringify(m.to),
              recipients: JSON.stringify(m.recipients),
              kind: m.kind,
              body: m.body,
              thread: m.thread,
              reply_to: m.reply_to,
              refs: JSON.stringify(m.refs),
              priority: m.priority,
              depth: m.depth,
              digest: input.digest,
              created_at: input.at,
            });
            for (const agent of m.recipients)
              sql.insertReceipt.run(roomId, agent, m.id, message.seq, input.at);
            return { message, event };
          },
          {
            eventOf: (r) => r.event,
            rebuild: (event) => ({
              message: event.body.message as Message,
              event,
            }),
          },
        ),
      );
    },

    async getMessage(roomId, id) {
      const row = sql.message.get(roomId, id) as MessageRow | undefined;
      return row ? toMessage(row) : null;
    },

    async inbox(roomId, agent, options) {
      const rows = sql.inbox.all(
        roomId,
        agent,
        options.unread_only ? 1 : 0,
        options.uninjected_only ? 1 : 0,
        options.ids ? -1 : options.limit,
      ) as Array<MessageRow & ReceiptRow>;
      const wanted = options.ids ? new Set(options.ids) : null;
      const items: InboxItem[] = [];
      for (const row of rows) {
        if (wanted && !wanted.has(row.id)) continue;
        items.push({ message: toMessage(row), receipt: toReceipt({ ...row, message_id: row.id }) });
        if (items.length >= options.limit) break;
      }
      return items;
    },

    async inboxCounts(roomId, agent) {
      return sql.inboxCounts.get(roomId, agent) as { unread: number; uninjected: number };
    },

    advanceReceipts(roomId, agent, ids, step, at, event, lazy) {
      return write(() => {
        const targets =
          ids === 'all'
            ? (sql.openIds.all(roomId, agent) as Array<{ message_id: string }>).map(
                (r) => r.message_id,
              )
            : ids;
        const changed = [...new Set(targets)].filter(
          (id) => advance[step]!.run({ room_id: roomId, agent, id, at }).changes === 1,
        );
        return { changed, event: changed.length > 0 ? append(roomId, event(changed)) : null };
      }, lazy);
    },

    async receipts(roomId, messageId) {
      return (sql.receipts.all(roomId, messageId) as ReceiptRow[]).map(toReceipt);
    },
  };
}
