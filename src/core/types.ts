// The records of huddle's model as they cross the wire: rooms, members, events, checkpoints.

export const SCOPES = ['read', 'write', 'checkpoint', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who did something: the member (credential holder) and its label. */
export interface Actor {
  member_id: string;
  label: string;
}

export interface Room {
  id: string;
  name: string;
  created_at: string;
  /** The seq of the newest event; 0 for none. */
  last_seq: number;
}

export interface Member {
  id: string;
  room_id: string;
  label: string;
  scopes: Scope[];
  created_at: string;
  revoked_at: string | null;
}

/** One entry of a room's append-only log. `seq` is dense and increasing within the room. */
export interface RoomEvent {
  room: string;
  seq: number;
  id: string;
  ts: string;
  actor: Actor | null;
  type: string;
  body: Record<string, unknown>;
}

/** An event before the store has given it a seq. */
export interface EventDraft {
  id: string;
  ts: number;
  actor: Actor | null;
  type: string;
  body: Record<string, unknown>;
}

export interface Checkpoint {
  text: string;
  /** 0 while no checkpoint was ever written; increases by one with each write. */
  version: number;
  updated_by: Actor | null;
  updated_at: string | null;
}
