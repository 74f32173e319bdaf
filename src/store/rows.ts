// Rows as both stores read them, turned into the core's types: the tables have the same columns
// on SQLite and PostgreSQL.

import { iso } from '../core/clock.js';
import type { Member, Room, RoomEvent, Scope } from '../core/types.js';

export interface RoomRow {
  id: string;
  name: string;
  created_at: number;
  last_seq: number;
}
export interface MemberRow {
  id: string;
  room_id: string;
  label: string;
  kind: string;
  scopes: string;
  created_at: number;
  revoked_at: number | null;
}
export interface EventRow {
  seq: number;
  id: string;
  ts: number;
  actor_member: string | null;
  actor_label: string | null;
  type: string;
  body: string;
}

export const toRoom = (r: RoomRow): Room => ({
  id: r.id,
  name: r.name,
  created_at: iso(r.created_at),
  last_seq: r.last_seq,
});
export const toMember = (m: MemberRow): Member => ({
  id: m.id,
  room_id: m.room_id,
  label: m.label,
  kind: m.kind === 'person' ? 'person' : 'device',
  scopes: m.scopes.split(',') as Scope[],
  created_at: iso(m.created_at),
  revoked_at: m.revoked_at === null ? null : iso(m.revoked_at),
});
export const toEvent = (room: string, e: EventRow): RoomEvent => ({
  room,
  seq: e.seq,
  id: e.id,
  ts: iso(e.ts),
  actor: e.actor_member === null ? null : { member_id: e.actor_member, label: e.actor_label ?? '' },
  type: e.type,
  body: JSON.parse(e.body) as Record<string, unknown>,
});
