// The SQLite store's approval requests: a person's answer to an agent's permission prompt, given
// exactly once, each change with its event.

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
import type { SqliteWriteContext } from './sqlite-messaging.js';

export function createSqliteApprovals({ db, write, append }: SqliteWriteContext): ApprovalMethods {
  const sql = {
    insert: db.prepare(
      `INSERT INTO approvals (room_id, id, agent, client, tool, input_preview, reason, status, requested_at, expires_at, match_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
    ),
    // The oldest pending, unexpired request the same prompt already made.
    match: db.prepare(
      `SELECT id FROM approvals
        WHERE room_id = ? AND agent = ? AND tool = ? AND match_key = ? AND status = 'pending'
          AND match_key IS NOT NULL AND expires_at > ?
        ORDER BY requested_at, id LIMIT 1`,
    ),
    join: db.prepare(`UPDATE approvals SET waiters = waiters + 1 WHERE room_id = ? AND id = ?`),
    leave: db.prepare(
      `UPDATE approvals SET waiters = waiters - 1
        WHERE room_id = ? AND id = ? AND status = 'pending' AND waiters > 1 AND expires_at > ?`,
    ),
    get: db.prepare(
      `SELECT ${APPROVAL_COLUMNS} FROM approvals a JOIN rooms r ON r.id = a.room_id WHERE a.room_id = ? AND a.id = ?`,
    ),
    list: db.prepare(
      `SELECT ${APPROVAL_COLUMNS} FROM approvals a JOIN rooms r ON r.id = a.room_id
        WHERE a.room_id = @room_id AND (@pending_only = 0 OR a.status = 'pending')
        ORDER BY a.requested_at DESC, a.id DESC LIMIT @limit`,
    ),
    // Only a pending request changes: the condition is what makes one of two decisions win.
    settle: db.prepare(
      `UPDATE approvals SET status = ?, decided_at = ?, decided_member = ?, decided_label = ?,
              decided_agent = ?, decision_reason = ?
        WHERE room_id = ? AND id = ? AND status = 'pending'`,
    ),
    due: db.prepare(
      `SELECT ${APPROVAL_COLUMNS} FROM approvals a JOIN rooms r ON r.id = a.room_id
        WHERE a.status = 'pending' AND a.expires_at <= ? ORDER BY a.room_id, a.expires_at`,
    ),
    dueInRoom: db.prepare(
      `SELECT ${APPROVAL_COLUMNS} FROM approvals a JOIN rooms r ON r.id = a.room_id
        WHERE a.room_id = ? AND a.status = 'pending' AND a.expires_at <= ? ORDER BY a.expires_at`,
    ),
  };

  const read = (roomId: string, id: string) => {
    const row = sql.get.get(roomId, id) as ApprovalRow | undefined;
    return row ? toApproval(row) : null;
  };

  /** Settles a pending request; runs inside a write. */
  function settle(
    roomId: string,
    id: string,
    s: ApprovalSettlement,
    event: (a: Approval) => EventDraft,
  ): { approval: Approval; event: RoomEvent } {
    const current = read(roomId, id);
    if (!current) throw storeErrors.approvalNotFound(id);
    if (current.status === 'expired') throw storeErrors.approvalExpired(current);
    if (current.status !== 'pending') throw storeErrors.approvalAlreadyDecided(current);
    if (s.status !== 'expired' && Date.parse(current.expires_at) <= s.at)
      throw storeErrors.approvalExpired(current);
    const d = s.decided_by;
    const changed = sql.settle.run(
      s.status,
      s.at,
      d?.member_id ?? null,
      d?.label ?? null,
      d?.agent ?? null,
      s.decision_reason,
      roomId,
      id,
    ).changes;
    if (changed !== 1) throw storeErrors.approvalAlreadyDecided(read(roomId, id)!);
    const approval = read(roomId, id)!;
    return { approval, event: append(roomId, event(approval)) };
  }

  return {
    createApproval(roomId, a, event) {
      return write(() => {
        if (a.match_key !== null) {
          const same = sql.match.get(roomId, a.agent, a.tool, a.match_key, a.requested_at) as
            { id: string } | undefined;
          if (same) {
            sql.join.run(roomId, same.id);
            return { approval: read(roomId, same.id)!, event: null, joined: true as const };
          }
        }
        sql.insert.run(...approvalValues(roomId, a));
        const approval = read(roomId, a.id);
        if (!approval) throw storeErrors.roomNotFound(roomId);
        return { approval, event: append(roomId, event(approval)), joined: false as const };
      });
    },

    async getApproval(roomId, id) {
      return read(roomId, id);
    },

    async listApprovals(roomId, filter) {
      return (
        sql.list.all({
          room_id: roomId,
          pending_only: filter.pending_only ? 1 : 0,
          limit: filter.limit,
        }) as ApprovalRow[]
      ).map(toApproval);
    },

    settleApproval(roomId, id, s, event) {
      return write(() => settle(roomId, id, s, event));
    },

    withdrawApproval(roomId, id, s, event) {
      return write(() => {
        // One of several waiters leaves; the last one settles it.
        if (sql.leave.run(roomId, id, s.at).changes === 1)
          return { approval: read(roomId, id)!, event: null };
        return settle(roomId, id, s, event);
      });
    },

    expireApprovals(now, event, roomId) {
      return write(() => {
        const rows = (
          roomId === undefined ? sql.due.all(now) : sql.dueInRoom.all(roomId, now)
        ) as ApprovalRow[];
        return rows.map((row) => {
          sql.settle.run('expired', now, null, null, null, null, row.room_id, row.id);
          const approval = read(row.room_id, row.id)!;
          return { room_id: row.room_id, event: append(row.room_id, event(approval)) };
        });
      });
    },
  };
}
