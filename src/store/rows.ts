// Rows as both stores read them, turned into the core's types: the tables have the same columns
// on SQLite and PostgreSQL.

import { iso } from '../core/clock.js';
import type { Credential, PairCodeRecord } from '../core/store.js';
import type { Checkpoint, EventDraft, Member, Room, RoomEvent, Scope } from '../core/types.js';

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

/** The checkpoint columns of a room's row. */
export interface CheckpointRow {
  checkpoint_text: string;
  checkpoint_version: number;
  checkpoint_member: string | null;
  checkpoint_label: string | null;
  checkpoint_at: number | null;
}

export const CHECKPOINT_COLUMNS =
  'checkpoint_text, checkpoint_version, checkpoint_member, checkpoint_label, checkpoint_at';

/** A room's checkpoint; a room that is not there has the empty one. */
export const toCheckpoint = (r: CheckpointRow | undefined): Checkpoint =>
  r
    ? {
        text: r.checkpoint_text,
        version: r.checkpoint_version,
        updated_by:
          r.checkpoint_member === null
            ? null
            : { member_id: r.checkpoint_member, label: r.checkpoint_label ?? '' },
        updated_at: r.checkpoint_at === null ? null : iso(r.checkpoint_at),
      }
    : { text: '', version: 0, updated_by: null, updated_at: null };

/** A token with its member and room, as one row: `m_` and `r_` name their columns. */
export const CREDENTIAL_COLUMNS = `t.digest AS token_digest, m.id AS m_id, m.room_id AS m_room_id, m.label AS m_label,
  m.kind AS m_kind, m.scopes AS m_scopes, m.created_at AS m_created_at, m.revoked_at AS m_revoked_at,
  r.id AS r_id, r.name AS r_name, r.created_at AS r_created_at, r.last_seq AS r_last_seq`;

export interface CredentialRow {
  token_digest: string;
  m_id: string;
  m_room_id: string;
  m_label: string;
  m_kind: string;
  m_scopes: string;
  m_created_at: number;
  m_revoked_at: number | null;
  r_id: string;
  r_name: string;
  r_created_at: number;
  r_last_seq: number;
}

/** The credential of a row; `room` lets a store show the room as its readers may see it. */
export const toCredential = (
  r: CredentialRow,
  room: (row: RoomRow) => Room = toRoom,
): Credential => ({
  token_digest: r.token_digest,
  member: toMember({
    id: r.m_id,
    room_id: r.m_room_id,
    label: r.m_label,
    kind: r.m_kind,
    scopes: r.m_scopes,
    created_at: r.m_created_at,
    revoked_at: r.m_revoked_at,
  }),
  room: room({ id: r.r_id, name: r.r_name, created_at: r.r_created_at, last_seq: r.r_last_seq }),
});

/**
 * An event's columns in the order both stores insert them: room_id, seq, id, ts, actor_member,
 * actor_label, type, body.
 */
export const eventValues = (roomId: string, seq: number, draft: EventDraft) => [
  roomId,
  seq,
  draft.id,
  draft.ts,
  draft.actor?.member_id ?? null,
  draft.actor?.label ?? null,
  draft.type,
  JSON.stringify(draft.body),
];

/** The event a store just appended, as readers see it. */
export const toRoomEvent = (room: string, seq: number, draft: EventDraft): RoomEvent => ({
  room,
  seq,
  id: draft.id,
  ts: iso(draft.ts),
  actor: draft.actor,
  type: draft.type,
  body: draft.body,
});

/**
 * A pair code's columns in the order both stores insert them: digest, room_id, scopes,
 * created_by, created_at, expires_at.
 */
export const pairCodeValues = (code: PairCodeRecord) => [
  code.digest,
  code.room_id,
  code.scopes.join(','),
  code.created_by,
  code.created_at,
  code.expires_at,
];
