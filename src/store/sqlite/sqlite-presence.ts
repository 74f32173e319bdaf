// The SQLite store's live connections of agents, which every hub on the file counts for presence.

import type { Store } from '../../core/store.js';
import type { SqliteWriteContext } from './sqlite-messaging.js';

type SqlitePresence = Pick<Store, 'openConnection' | 'renewConnections' | 'closeConnection'>;

export function createSqlitePresence({
  db,
  write,
}: Pick<SqliteWriteContext, 'db' | 'write'>): SqlitePresence {
  const sql = {
    open: db.prepare(
      `INSERT INTO agent_connections (room_id, agent, connection_id, expires_at)
       SELECT @room, @agent, @id, @expires WHERE EXISTS (SELECT 1 FROM rooms WHERE id = @room)
       ON CONFLICT (connection_id) DO UPDATE
         SET room_id = excluded.room_id, agent = excluded.agent, expires_at = excluded.expires_at`,
    ),
    // One statement however many ids: a JSON array, not one parameter each.
    renew: db.prepare(
      'UPDATE agent_connections SET expires_at = ? WHERE connection_id IN (SELECT value FROM json_each(?))',
    ),
    close: db.prepare(
      'DELETE FROM agent_connections WHERE connection_id = ? AND room_id = ? AND agent = ?',
    ),
    others: db.prepare(
      'SELECT COUNT(*) AS n FROM agent_connections WHERE room_id = ? AND agent = ? AND expires_at > ?',
    ),
  };

  return {
    openConnection(roomId, agent, connectionId, expiresAt) {
      return write(() => {
        sql.open.run({ room: roomId, agent, id: connectionId, expires: expiresAt });
      });
    },

    async renewConnections(connectionIds, expiresAt) {
      if (connectionIds.length === 0) return;
      // A refresh that no reply waits for: it may ride along with the next busy batch.
      await write(() => {
        sql.renew.run(expiresAt, JSON.stringify(connectionIds));
      }, true);
    },

    closeConnection(roomId, agent, connectionId, at) {
      return write(() => {
        sql.close.run(connectionId, roomId, agent);
        return { others: (sql.others.get(roomId, agent, at) as { n: number }).n };
      });
    },
  };
}
