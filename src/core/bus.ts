// The Bus port: how a committed event reaches every subscriber, in this process or across hubs.

/**
 * What the Bus carries: only where to look, never the event itself. A notice names a room and the
 * seq just committed; a resync notice says that notices of the room may have been lost (a broker
 * connection dropped and came back), so the subscriber must read the store from its own cursor.
 */
export type BusNotice = { room_id: string; seq: number } | { room_id: string; resync: true };

/**
 * Guarantees: a notice is published only after its event is committed (and synced); notices of
 * one room from one publisher arrive in publish order; a notice may be lost across processes, and
 * then the bus sends each affected subscriber a resync notice once it can; a subscriber always
 * reads the store from its own cursor and never trusts a notice's seq alone. A listener that
 * throws is reported and never stops the other listeners or the publisher.
 */
export interface Bus {
  publish(notice: { room_id: string; seq: number }): void;
  /** Calls `listener` for each notice of `roomId`; returns the unsubscribe function. */
  subscribe(roomId: string, listener: (notice: BusNotice) => void): () => void;
  /** Stops delivering; later publishes are dropped. */
  close(): Promise<void>;
}
