// The Store slice of browser sessions. They belong to the hub, not to a room: no event is
// appended (the member's own events record what the browser did). Deleting a room forgets
// its entries.

import type { WebSessionRecord, WebSessionRoom } from '../store.js';

export interface WebSessionStore {
  /** Stores a new session without rooms. Its digest is unique (256 random bits). */
  createWebSession(session: Omit<WebSessionRecord, 'rooms'>): Promise<void>;

  /** The session with its rooms (by room name), or null when unknown. */
  findWebSession(digest: string): Promise<WebSessionRecord | null>;

  /** Adds the browser's member in a room to the session, replacing an earlier one of that room. */
  addWebSessionRoom(digest: string, room: Omit<WebSessionRoom, 'room_name'>): Promise<void>;

  /** Forgets the session's entry for one room; nothing when it has none. */
  removeWebSessionRoom(digest: string, roomId: string): Promise<void>;

  /** Forgets the session and its rooms; nothing when unknown. */
  deleteWebSession(digest: string): Promise<void>;

  /** Records that the browser came back at `at`; nothing when the session is unknown. */
  touchWebSession(digest: string, at: number): Promise<void>;

  /** Forgets every session last seen before `before`; returns how many. */
  deleteIdleWebSessions(before: number): Promise<number>;
}
