// The Store slice of rooms themselves: their log, checkpoint and idempotent writes, the hub's
// counts, the activity query, upkeep, and the rate-limit credits every hub on the store shares.

import type { Checkpoint, EventDraft, Member, Room, RoomEvent } from '../types.js';
import type { CheckpointWrite, EventQuery, Idempotency, NewMember } from '../store.js';

export interface RoomStore {
  findRoom(name: string): Promise<Room | null>;

  getCheckpoint(roomId: string): Promise<Checkpoint>;

  /** Events with `seq > after`, ascending, at most `limit`. */
  listEvents(roomId: string, after: number, limit: number): Promise<RoomEvent[]>;

  /** The newest `limit` events, ascending. */
  recentEvents(roomId: string, limit: number): Promise<RoomEvent[]>;

  /**
   * Counts over the whole hub, for its status: the rooms, and the agents of every room that are
   * neither offline nor retired.
   */
  hubCounts(): Promise<{ rooms: number; agents_online: number }>;

  /**
   * Creates a room with its first member (an admin) and token, and appends `room.created`.
   * Fails with `room_exists` (conflict) when the name is taken.
   */
  createRoom(input: {
    room: { id: string; name: string; created_at: number };
    member: NewMember;
    token_digest: string;
    event: EventDraft;
  }): Promise<{ room: Room; member: Member; event: RoomEvent }>;

  /**
   * The outcome of a write already done under this idempotency key: the write's event, or
   * (for writes whose result is more than their event) the stored result; null when the key
   * is new. Fails with `idempotency_key_reused` when the key was used for another request.
   */
  findReplay(
    roomId: string,
    idem: Idempotency,
  ): Promise<{ event: RoomEvent } | { result: unknown } | null>;

  /** Appends one event that changes no projection (a note). */
  appendEvent(roomId: string, event: EventDraft, idem?: Idempotency): Promise<RoomEvent>;

  /**
   * Replaces the checkpoint and appends `checkpoint`, incrementing the version. With
   * `expected_version` set and different from the current one, fails with
   * `checkpoint_conflict` whose details hold the current version and who wrote it.
   */
  setCheckpoint(
    roomId: string,
    write: CheckpointWrite,
    event: (version: number) => EventDraft,
    idem?: Idempotency,
  ): Promise<{ checkpoint: Checkpoint; event: RoomEvent }>;

  /** Deletes the room and everything in it (tokens, codes, events) in one transaction. */
  deleteRoom(roomId: string): Promise<void>;

  /** Every room of the hub, oldest first. */
  listRooms(): Promise<Room[]>;

  /**
   * Takes one credit of the limit `name` for `key`, GCRA-style: the key's theoretical arrival time
   * moves `interval_ms` on from `max(stored, now)` unless that puts it more than `tolerance_ms`
   * ahead of `now`. Resolves 0 when the credit was taken, else how many ms until one is back (a
   * refusal takes nothing). Atomic across hubs: of concurrent takes, exactly as many succeed as
   * the bucket holds.
   */
  takeRateCredit(
    name: string,
    key: string,
    limit: { interval_ms: number; tolerance_ms: number },
    now: number,
  ): Promise<number>;

  /** Events matching `query`, ascending by seq, at most `query.limit`. */
  queryEvents(roomId: string, query: EventQuery): Promise<RoomEvent[]>;

  /**
   * Deletes idempotency records older than `before`, codes and connections expired before it,
   * and rate-limit records whose bucket was full again by then.
   */
  prune(before: number): Promise<void>;
}
