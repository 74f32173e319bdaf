// The PostgreSQL store's browser sessions. A session is no room's: its writes take no room lock.

import type { Store, WebSessionRecord, WebSessionRoom } from '../../core/store.js';
import type { PgContext } from './pg-context.js';

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

type SessionRow = Omit<WebSessionRecord, 'rooms' | 'local_owner'> & { local_owner: number };

const SQL = {
  insert: `INSERT INTO web_sessions (digest, csrf_digest, person, local_owner, created_at, last_seen_at)
           VALUES ($1, $2, $3, $4, $5, $6)`,
  find: `SELECT digest, csrf_digest, person, local_owner, created_at, last_seen_at
           FROM web_sessions WHERE digest = $1`,
  // Byte order of the names, as SQLite sorts them.
  rooms: `SELECT w.room_id, r.name AS room_name, w.member_id, w.token_digest, w.agent, w.via
            FROM web_session_rooms w JOIN rooms r ON r.id = w.room_id
           WHERE w.session_digest = $1 ORDER BY r.name COLLATE "C"`,
  upsertRoom: `INSERT INTO web_session_rooms (session_digest, room_id, member_id, token_digest, agent, via)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (session_digest, room_id) DO UPDATE
                 SET member_id = excluded.member_id, token_digest = excluded.token_digest,
                     agent = excluded.agent, via = excluded.via`,
  removeRoom: 'DELETE FROM web_session_rooms WHERE session_digest = $1 AND room_id = $2',
  remove: 'DELETE FROM web_sessions WHERE digest = $1',
  touch: 'UPDATE web_sessions SET last_seen_at = $1 WHERE digest = $2',
  removeIdle: 'DELETE FROM web_sessions WHERE last_seen_at < $1',
};

export function createPgWebSessions({ sql, write }: PgContext): WebSessionSlice {
  return {
    async createWebSession(session) {
      await write(null, (q) =>
        q.run(SQL.insert, [
          session.digest,
          session.csrf_digest,
          session.person,
          session.local_owner ? 1 : 0,
          session.created_at,
          session.last_seen_at,
        ]),
      );
    },

    async findWebSession(digest) {
      const row = await sql.row<SessionRow>(SQL.find, [digest]);
      if (!row) return null;
      const rooms = await sql.rows<WebSessionRoom>(SQL.rooms, [digest]);
      return { ...row, local_owner: row.local_owner === 1, rooms };
    },

    async addWebSessionRoom(digest, room) {
      await write(null, (q) =>
        q.run(SQL.upsertRoom, [
          digest,
          room.room_id,
          room.member_id,
          room.token_digest,
          room.agent,
          room.via,
        ]),
      );
    },

    async removeWebSessionRoom(digest, roomId) {
      await write(null, (q) => q.run(SQL.removeRoom, [digest, roomId]));
    },

    async deleteWebSession(digest) {
      await write(null, (q) => q.run(SQL.remove, [digest]));
    },

    async touchWebSession(digest, at) {
      await write(null, (q) => q.run(SQL.touch, [at, digest]));
    },

    deleteIdleWebSessions(before) {
      return write(null, (q) => q.run(SQL.removeIdle, [before]));
    },
  };
}
