// The SQLite store's hub-wide settings (the Web Push keys) and members' push subscriptions.

import type { PushSubscriptionRecord, Store } from '../../core/store.js';
import { storeErrors } from '../../core/store-errors.js';
import type { SqliteWriteContext } from './sqlite-messaging.js';

type SqlitePush = Pick<
  Store,
  | 'hubSetting'
  | 'putPushSubscription'
  | 'deletePushSubscription'
  | 'deleteMemberPushSubscriptions'
  | 'listPushSubscriptions'
  | 'pushRoomIds'
>;

export function createSqlitePush({ db, write }: Pick<SqliteWriteContext, 'db' | 'write'>) {
  const sql = {
    setting: db.prepare('SELECT value FROM hub_settings WHERE key = ?'),
    // Another hub on the same database may have stored it first: its value wins.
    insertSetting: db.prepare(
      'INSERT INTO hub_settings (key, value, created_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING',
    ),
    member: db.prepare('SELECT revoked_at FROM members WHERE id = ? AND room_id = ?'),
    count: db.prepare(
      'SELECT COUNT(*) AS n FROM push_subscriptions WHERE room_id = ? AND member_id = ? AND endpoint <> ?',
    ),
    upsert: db.prepare(
      `INSERT INTO push_subscriptions (room_id, member_id, endpoint, p256dh, auth, created_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (room_id, member_id, endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth`,
    ),
    exists: db.prepare(
      'SELECT 1 FROM push_subscriptions WHERE room_id = ? AND member_id = ? AND endpoint = ?',
    ),
    delete: db.prepare(
      'DELETE FROM push_subscriptions WHERE room_id = ? AND member_id = ? AND endpoint = ?',
    ),
    deleteMember: db.prepare('DELETE FROM push_subscriptions WHERE room_id = ? AND member_id = ?'),
    listRoom: db.prepare(
      'SELECT * FROM push_subscriptions WHERE room_id = ? ORDER BY created_at, member_id, endpoint',
    ),
    listMember: db.prepare(
      'SELECT * FROM push_subscriptions WHERE room_id = ? AND member_id = ? ORDER BY created_at, endpoint',
    ),
    rooms: db.prepare('SELECT DISTINCT room_id FROM push_subscriptions'),
  };

  const push: SqlitePush = {
    async hubSetting(key, make) {
      const found = sql.setting.get(key) as { value: string } | undefined;
      if (found) return found.value;
      return write(() => {
        sql.insertSetting.run(key, make(), Date.now());
        return (sql.setting.get(key) as { value: string }).value;
      });
    },

    putPushSubscription(sub, max) {
      return write(() => {
        const m = sql.member.get(sub.member_id, sub.room_id) as
          { revoked_at: number | null } | undefined;
        if (!m) throw storeErrors.memberNotFound(sub.member_id);
        if (m.revoked_at !== null) throw storeErrors.memberRevoked(sub.member_id);
        const created = !sql.exists.get(sub.room_id, sub.member_id, sub.endpoint);
        const others = (sql.count.get(sub.room_id, sub.member_id, sub.endpoint) as { n: number }).n;
        if (created && others >= max) throw storeErrors.tooManyPushSubscriptions(max);
        sql.upsert.run(
          sub.room_id,
          sub.member_id,
          sub.endpoint,
          sub.p256dh,
          sub.auth,
          sub.created_at,
        );
        return { created };
      });
    },

    deletePushSubscription(roomId, memberId, endpoint) {
      return write(() => sql.delete.run(roomId, memberId, endpoint).changes > 0);
    },

    deleteMemberPushSubscriptions(roomId, memberId) {
      return write(() => sql.deleteMember.run(roomId, memberId).changes);
    },

    async listPushSubscriptions(roomId, memberId) {
      const rows =
        memberId === undefined ? sql.listRoom.all(roomId) : sql.listMember.all(roomId, memberId);
      return rows as PushSubscriptionRecord[];
    },

    async pushRoomIds() {
      return (sql.rooms.all() as Array<{ room_id: string }>).map((r) => r.room_id);
    },
  };
  return push;
}
