// The Bus port: how a committed event reaches every subscriber, in this process or across hubs.

/** What the Bus carries: only where to look, never the event itself. */
export interface BusNotice {
  room_id: string;
  seq: number;
}

/**
 * Guarantees: a notice is published only after its event is committed; notices of one room
 * from one publisher arrive in publish order; a notice may be lost across processes, so a
 * subscriber always reads the store from its own cursor and never trusts a notice's seq alone.
 */
export interface Bus {
  publish(notice: BusNotice): void;
  /** Calls `listener` for each notice of `roomId`; returns the unsubscribe function. */
  subscribe(roomId: string, listener: (notice: BusNotice) => void): () => void;
  close(): Promise<void>;
}
