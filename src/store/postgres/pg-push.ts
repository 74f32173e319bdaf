// The PostgreSQL store's hub-wide settings (the Web Push keys) and members' push subscriptions.

import type { PushSubscriptionRecord, Store } from '../../core/store.js';
import { storeErrors } from '../../core/store-errors.js';
import type { PgContext } from './pg-context.js';

type PushMethods = Pick<
  Store,
  | 'hubSetting'
  | 'putPushSubscription'
  | 'deletePushSubscription'
  | 'deleteMemberPushSubscriptions'
  | 'listPushSubscriptions'
  | 'pushRoomIds'
>;

const COLUMNS = 'room_id, member_id, endpoint, p256dh, auth, created_at';

const SQL = {
  setting: 'SELECT value FROM hub_settings WHERE key = $1',
  // Another hub may be storing the same key: its insert, once committed, makes this one do
  // nothing, and the read that follows (a statement of its own) sees its value.
  insertSetting:
    'INSERT INTO hub_settings (key, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING',
  member: 'SELECT revoked_at FROM members WHERE id = $1 AND room_id = $2',
  count:
    'SELECT COUNT(*) AS n FROM push_subscriptions WHERE room_id = $1 AND member_id = $2 AND endpoint <> $3',
  upsert: `INSERT INTO push_subscriptions (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (room_id, member_id, endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth`,
  exists:
    'SELECT 1 FROM push_subscriptions WHERE room_id = $1 AND member_id = $2 AND endpoint = $3',
  delete: 'DELETE FROM push_subscriptions WHERE room_id = $1 AND member_id = $2 AND endpoint = $3',
  deleteMember: 'DELETE FROM push_subscriptions WHERE room_id = $1 AND member_id = $2',
  // Byte order for the ties, as SQLite sorts text.
  listRoom: `SELECT ${COLUMNS} FROM push_subscriptions WHERE room_id = $1
              ORDER BY created_at, member_id COLLATE "C", endpoint COLLATE "C"`,
  listMember: `SELECT ${COLUMNS} FROM push_subscriptions WHERE room_id = $1 AND member_id = $2
                ORDER BY created_at, endpoint COLLATE "C"`,
  rooms: 'SELECT DISTINCT room_id FROM push_subscriptions',
};

export function createPgPush({ sql, write }: PgContext): PushMethods {
  return {
    async hubSetting(key, make) {
      const found = await sql.row<{ value: string }>(SQL.setting, [key]);
      if (found) return found.value;
      return write(null, async (q) => {
        await q.run(SQL.insertSetting, [key, make(), Date.now()]);
        return (await q.row<{ value: string }>(SQL.setting, [key]))!.value;
      });
    },

    putPushSubscription(sub, max) {
      // The room's lock makes the count and the insert one step: concurrent puts of a member
      // cannot both pass the limit.
      return write(sub.room_id, async (q) => {
        const m = await q.row<{ revoked_at: number | null }>(SQL.member, [
          sub.member_id,
          sub.room_id,
        ]);
        if (!m) throw storeErrors.memberNotFound(sub.member_id);
        if (m.revoked_at !== null) throw storeErrors.memberRevoked(sub.member_id);
        const created = !(await q.row(SQL.exists, [sub.room_id, sub.member_id, sub.endpoint]));
        const others = (await q.row<{ n: number }>(SQL.count, [
          sub.room_id,
          sub.member_id,
          sub.endpoint,
        ]))!.n;
        if (created && others >= max) throw storeErrors.tooManyPushSubscriptions(max);
        await q.run(SQL.upsert, [
          sub.room_id,
          sub.member_id,
          sub.endpoint,
          sub.p256dh,
          sub.auth,
          sub.created_at,
        ]);
        return { created };
      });
    },

    async deletePushSubscription(roomId, memberId, endpoint) {
      return (await write(roomId, (q) => q.run(SQL.delete, [roomId, memberId, endpoint]))) > 0;
    },

    deleteMemberPushSubscriptions(roomId, memberId) {
      return write(roomId, (q) => q.run(SQL.deleteMember, [roomId, memberId]));
    },

    listPushSubscriptions(roomId, memberId) {
      return memberId === undefined
        ? sql.rows<PushSubscriptionRecord>(SQL.listRoom, [roomId])
        : sql.rows<PushSubscriptionRecord>(SQL.listMember, [roomId, memberId]);
    },

    async pushRoomIds() {
      return (await sql.rows<{ room_id: string }>(SQL.rooms)).map((r) => r.room_id);
    },
  };
}
