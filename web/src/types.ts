// Records the cockpit reads that are not in the hub's core types (yet): sessions and approvals.

import type { Member, Room } from '../../src/core/types.js';

export type {
  Agent,
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
  /** The person's agent in this room. */
  agent: string;
}

export interface Session {
  person: { name: string };
  rooms: SessionRoom[];
}

export interface Approval {
  id: string;
  room: string;
  agent: string;
  client: string | null;
  tool: string;
  input_preview: string;
  reason: string | null;
  status: 'pending' | 'allowed' | 'denied' | 'expired' | 'cancelled';
  requested_at: string;
  expires_at: string;
  decided_at: string | null;
  decided_by: { member_id: string; label: string; agent: string | null } | null;
  decision_reason?: string | null;
}
