// The PostgreSQL store's live connections of agents, which every hub on the database counts for
// presence. Opens and closes hold their room's lock: one agent's closes on several hubs run one
// at a time, so exactly one of them sees no other connection left.

import type { Store } from '../../core/store.js';
import type { PgContext } from './pg-context.js';

type PgPresence = Pick<Store, 'openConnection' | 'renewConnections' | 'closeConnection'>;

export function createPgPresence({ write }: PgContext): PgPresence {
  return {
    async openConnection(roomId, agent, connectionId, expiresAt) {
      // Under the room's lock the room cannot go away between the check and the insert.
      await write(roomId, (q) =>
        q.run(
          `INSERT INTO agent_connections (room_id, agent, connection_id, expires_at)
           SELECT $1::text, $2::text, $3::text, $4::bigint
            WHERE EXISTS (SELECT 1 FROM rooms WHERE id = $1::text)
           ON CONFLICT (connection_id) DO UPDATE
             SET room_id = EXCLUDED.room_id, agent = EXCLUDED.agent, expires_at = EXCLUDED.expires_at`,
          [roomId, agent, connectionId, expiresAt],
        ),
      );
    },

    async renewConnections(connectionIds, expiresAt) {
      if (connectionIds.length === 0) return;
      // Across rooms, so no room lock: an id closed meanwhile is simply not found.
      await write(null, (q) =>
        q.run(
          'UPDATE agent_connections SET expires_at = $1 WHERE connection_id = ANY($2::text[])',
          [expiresAt, connectionIds],
        ),
      );
    },

    closeConnection(roomId, agent, connectionId, at) {
      return write(roomId, async (q) => {
        await q.run(
          'DELETE FROM agent_connections WHERE connection_id = $1 AND room_id = $2 AND agent = $3',
          [connectionId, roomId, agent],
        );
        const row = await q.row<{ n: number }>(
          'SELECT COUNT(*) AS n FROM agent_connections WHERE room_id = $1 AND agent = $2 AND expires_at > $3',
          [roomId, agent, at],
        );
        return { others: row!.n };
      });
    },
  };
}
