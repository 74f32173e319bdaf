// The PostgreSQL store's approval requests: a person's answer to an agent's permission prompt,
// given exactly once, each change with its event. Every write holds its room's lock, so the
// checks before a change see what the previous write of the room left, on every hub.

import type { ApprovalSettlement } from '../../core/store.js';
import { storeErrors } from '../../core/store-errors.js';
import type { Approval, EventDraft, RoomEvent } from '../../core/types.js';
import {
  APPROVAL_COLUMNS,
  approvalValues,
  toApproval,
  type ApprovalMethods,
  type ApprovalRow,
} from '../approvals-rows.js';
import type { PgContext, Sql } from './pg-context.js';

const FROM = 'FROM approvals a JOIN rooms r ON r.id = a.room_id';

const SQL = {
  // Inserts nothing when the room is gone, which the read back then reports.
  insert: `INSERT INTO approvals (room_id, id, agent, client, tool, input_preview, reason, status, requested_at, expires_at, match_key)
           SELECT id, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10 FROM rooms WHERE id = $1`,
  // The oldest pending, unexpired request the same prompt already made.
  match: `SELECT id FROM approvals
           WHERE room_id = $1 AND agent = $2 AND tool = $3 AND match_key = $4 AND status = 'pending'
             AND match_key IS NOT NULL AND expires_at > $5
           ORDER BY requested_at, id COLLATE "C" LIMIT 1`,
  join: 'UPDATE approvals SET waiters = waiters + 1 WHERE room_id = $1 AND id = $2',
  leave: `UPDATE approvals SET waiters = waiters - 1
           WHERE room_id = $1 AND id = $2 AND status = 'pending' AND waiters > 1 AND expires_at > $3`,
  get: `SELECT ${APPROVAL_COLUMNS} ${FROM} WHERE a.room_id = $1 AND a.id = $2`,
  list: `SELECT ${APPROVAL_COLUMNS} ${FROM}
          WHERE a.room_id = $1 AND (NOT $2::boolean OR a.status = 'pending')
          ORDER BY a.requested_at DESC, a.id COLLATE "C" DESC LIMIT $3`,
  // Only a pending request changes: the condition is what makes one of two decisions win.
  settle: `UPDATE approvals SET status = $1, decided_at = $2, decided_member = $3, decided_label = $4,
                  decided_agent = $5, decision_reason = $6
            WHERE room_id = $7 AND id = $8 AND status = 'pending'`,
  // Byte order, as SQLite sorts: the rooms' results come back in the same order on both stores.
  dueRooms: `SELECT room_id FROM approvals WHERE status = 'pending' AND expires_at <= $1
              GROUP BY room_id ORDER BY room_id COLLATE "C"`,
  dueInRoom: `SELECT ${APPROVAL_COLUMNS} ${FROM}
               WHERE a.room_id = $1 AND a.status = 'pending' AND a.expires_at <= $2
               ORDER BY a.expires_at, a.id COLLATE "C"`,
};

export function createPgApprovals({ sql, write, append }: PgContext): ApprovalMethods {
  const read = async (q: Sql, roomId: string, id: string) => {
    const row = await q.row<ApprovalRow>(SQL.get, [roomId, id]);
    return row ? toApproval(row) : null;
  };

  /** Settles a pending request; runs inside a write of its room. */
  async function settle(
    q: Sql,
    roomId: string,
    id: string,
    s: ApprovalSettlement,
    event: (a: Approval) => EventDraft,
  ): Promise<{ approval: Approval; event: RoomEvent }> {
    const current = await read(q, roomId, id);
    if (!current) throw storeErrors.approvalNotFound(id);
    if (current.status === 'expired') throw storeErrors.approvalExpired(current);
    if (current.status !== 'pending') throw storeErrors.approvalAlreadyDecided(current);
    if (s.status !== 'expired' && Date.parse(current.expires_at) <= s.at)
      throw storeErrors.approvalExpired(current);
    const d = s.decided_by;
    const changed = await q.run(SQL.settle, [
      s.status,
      s.at,
      d?.member_id ?? null,
      d?.label ?? null,
      d?.agent ?? null,
      s.decision_reason,
      roomId,
      id,
    ]);
    if (changed !== 1) throw storeErrors.approvalAlreadyDecided((await read(q, roomId, id))!);
    const approval = (await read(q, roomId, id))!;
    return { approval, event: await append(q, roomId, event(approval)) };
  }

  /** Expires the room's due requests; runs inside a write of that room. */
  async function expireIn(
    q: Sql,
    roomId: string,
    now: number,
    event: (a: Approval) => EventDraft,
  ): Promise<Array<{ room_id: string; event: RoomEvent }>> {
    const rows = await q.rows<ApprovalRow>(SQL.dueInRoom, [roomId, now]);
    const expired: Array<{ room_id: string; event: RoomEvent }> = [];
    for (const row of rows) {
      await q.run(SQL.settle, ['expired', now, null, null, null, null, roomId, row.id]);
      const approval = (await read(q, roomId, row.id))!;
      expired.push({ room_id: roomId, event: await append(q, roomId, event(approval)) });
    }
    return expired;
  }

  return {
    createApproval(roomId, a, event) {
      return write(roomId, async (q) => {
        if (a.match_key !== null) {
          const same = await q.row<{ id: string }>(SQL.match, [
            roomId,
            a.agent,
            a.tool,
            a.match_key,
            a.requested_at,
          ]);
          if (same) {
            await q.run(SQL.join, [roomId, same.id]);
            return {
              approval: (await read(q, roomId, same.id))!,
              event: null,
              joined: true as const,
            };
          }
        }
        await q.run(SQL.insert, approvalValues(roomId, a));
        const approval = await read(q, roomId, a.id);
        if (!approval) throw storeErrors.roomNotFound(roomId);
        return {
          approval,
          event: await append(q, roomId, event(approval)),
          joined: false as const,
        };
      });
    },

    getApproval(roomId, id) {
      return read(sql, roomId, id);
    },

    async listApprovals(roomId, filter) {
      const rows = await sql.rows<ApprovalRow>(SQL.list, [
        roomId,
        filter.pending_only,
        filter.limit,
      ]);
      return rows.map(toApproval);
    },

    settleApproval(roomId, id, s, event) {
      return write(roomId, (q) => settle(q, roomId, id, s, event));
    },

    withdrawApproval(roomId, id, s, event) {
      return write(roomId, async (q) => {
        // One of several waiters leaves; the last one settles it.
        if ((await q.run(SQL.leave, [roomId, id, s.at])) === 1)
          return { approval: (await read(q, roomId, id))!, event: null };
        return settle(q, roomId, id, s, event);
      });
    },

    async expireApprovals(now, event, roomId) {
      if (roomId !== undefined) return write(roomId, (q) => expireIn(q, roomId, now, event));
      // One write per room, never one transaction over all of them; each re-reads what is due
      // under its room's lock, so a request settled meanwhile is left alone. One room at a time
      // keeps a sweep from taking every connection of the pool.
      const rooms = await sql.rows<{ room_id: string }>(SQL.dueRooms, [now]);
      const expired: Array<{ room_id: string; event: RoomEvent }> = [];
      for (const { room_id } of rooms)
        expired.push(...(await write(room_id, (q) => expireIn(q, room_id, now, event))));
      return expired;
    },
  };
}
