// The SQLite store's browser sessions and the hub-wide room list they need.

import type { Store, WebSessionRecord } from '../../core/store.js';
import type { SqliteWriteContext } from './sqlite-messaging.js';

type WebSessionSlice = Pick<
  Store,
  | 'createWebSession'
  | 'findWebSession'
  | 'addWebSessionRoom'
  | 'removeWebSessionRoom'
  | 'deleteWebSession'
  | 'touchWebSession'
  | 'deleteIdleWebSessions'
>;

export function createSqliteWebSessions({ db, write }: SqliteWriteContext): WebSessionSlice {
  const sql = {
    insert: db.prepare(
      'INSERT INTO web_sessions (digest, csrf_digest, person, local_owner, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    find: db.prepare(
      'SELECT digest, csrf_digest, person, local_owner, created_at, last_seen_at FROM web_sessions WHERE digest = ?',
    ),
    rooms: db.prepare(
      `SELECT w.room_id, r.name AS room_name, w.member_id, w.token_digest, w.agent, w.via
         FROM web_session_rooms w JOIN rooms r ON r.id = w.room_id
        WHERE w.session_digest = ? ORDER BY r.name`,
    ),
    upsertRoom: db.prepare(
      `INSERT INTO web_session_rooms (session_digest, room_id, member_id, token_digest, agent, via)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (session_digest, room_id) DO UPDATE
         SET member_id = excluded.member_id, token_digest = excluded.token_digest,
             agent = excluded.agent, via = excluded.via`,
    ),
    removeRoom: db.prepare(
      'DELETE FROM web_session_rooms WHERE session_digest = ? AND room_id = ?',
    ),
    remove: db.prepare('DELETE FROM web_sessions WHERE digest = ?'),
    touch: db.prepare('UPDATE web_sessions SET last_seen_at = ? WHERE digest = ?'),
    removeIdle: db.prepare('DELETE FROM web_sessions WHERE last_seen_at < ?'),
  };

  return {
    createWebSession(session) {
      return write(() => {
        sql.insert.run(
          session.digest,
          session.csrf_digest,
          session.person,
          session.local_owner ? 1 : 0,
          session.created_at,
          session.last_seen_at,
        );
      });
    },

    async findWebSession(digest) {
      const row = sql.find.get(digest) as
        | {
            digest: string;
            csrf_digest: string;
            person: string;
            local_owner: number;
            created_at: number;
            last_seen_at: number;
          }
        | undefined;
      if (!row) return null;
      const rooms = sql.rooms.all(digest) as WebSessionRecord['rooms'];
      return { ...row, local_owner: row.local_owner === 1, rooms };
    },

    addWebSessionRoom(digest, room) {
      return write(() => {
        sql.upsertRoom.run(
          digest,
          room.room_id,
          room.member_id,
          room.token_digest,
          room.agent,
          room.via,
        );
      });
    },

    removeWebSessionRoom(digest, roomId) {
      return write(() => {
        sql.removeRoom.run(digest, roomId);
      });
    },

    deleteWebSession(digest) {
      return write(() => {
        sql.remove.run(digest);
      });
    },

    touchWebSession(digest, at) {
      return write(() => {
        sql.touch.run(at, digest);
      });
    },

    deleteIdleWebSessions(before) {
      return write(() => sql.removeIdle.run(before).changes);
    },
  };
}
