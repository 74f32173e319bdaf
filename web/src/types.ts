// The records the cockpit reads: the hub's own types, and the browser session's answer.

import type { Member, Room } from '../../src/core/types.js';

export type {
  Agent,
  Approval,
  Checkpoint,
  CodeRef,
  InboxItem,
  Lease,
  Member,
  Message,
  Receipt,
  Room,
  RoomEvent,
  Task,
  Variable,
} from '../../src/core/types.js';

export interface SessionRoom {
  room: Room;
  member: Member;
  /** The person's agent in this room; null for a member that may only watch (no `write`). */
  agent: string | null;
}

export interface Session {
  person: { name: string };
  rooms: SessionRoom[];
}
