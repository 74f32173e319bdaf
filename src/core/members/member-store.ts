// The Store slice of members: tokens, pair codes, rotation and revocation.

import type { EventDraft, Member, Room, RoomEvent } from '../types.js';
import type { Credential, Idempotency, NewMember, PairCodeRecord, TokenRecord } from '../store.js';

export interface MemberStore {
  /** The live member and room of a token digest, or null (unknown, revoked or room deleted). */
  findCredential(tokenDigest: string): Promise<Credential | null>;

  /** Members of a room, oldest first, revoked ones included. */
  listMembers(roomId: string): Promise<Member[]>;

  /** Stores a pair code's digest and appends `code.created`. */
  createPairCode(code: PairCodeRecord, event: EventDraft, idem?: Idempotency): Promise<RoomEvent>;

  /**
   * Redeems a code exactly once: of any number of concurrent calls with one digest, one
   * succeeds; the others fail with `code_used`. Unknown digests fail with `code_not_found`,
   * codes past `expires_at` (compared with `now`) with `code_expired`. On success the new member
   * and token exist and `member.joined` is appended, all in one transaction.
   */
  redeemPairCode(input: {
    digest: string;
    now: number;
    member: Omit<NewMember, 'scopes'>;
    token_digest: string;
    event: (member: Member) => EventDraft;
  }): Promise<{ room: Room; member: Member; event: RoomEvent }>;

  /**
   * Adds a member with its token to an existing room and appends `event(member)`, in one
   * transaction (a local client trusted by the hub's secret joins this way, without a code).
   * Fails with `room_not_found`.
   */
  addMember(input: {
    room_id: string;
    member: NewMember;
    token_digest: string;
    event: (member: Member) => EventDraft;
  }): Promise<{ room: Room; member: Member; event: RoomEvent }>;

  /**
   * Gives a live member one more token and appends `event`, in one transaction. Fails with
   * `member_not_found` or `member_revoked`.
   */
  addToken(roomId: string, token: TokenRecord, event: EventDraft): Promise<RoomEvent>;

  /**
   * Replaces one token by another for the same member; the old digest stops working when this
   * resolves. Appends `member.token_rotated`.
   */
  rotateToken(
    oldDigest: string,
    token: TokenRecord,
    roomId: string,
    event: EventDraft,
  ): Promise<RoomEvent>;

  /**
   * Marks a member revoked and deletes all its tokens; appends `member.revoked`. Fails with
   * `member_not_found`, `member_revoked` (already), or `last_admin` when it would leave the room
   * without a live admin.
   */
  revokeMember(
    roomId: string,
    memberId: string,
    event: EventDraft,
    idem?: Idempotency,
  ): Promise<RoomEvent>;

  /**
   * Deletes one token of a live member and appends `event`, in one transaction; the member and
   * its other tokens stay. Fails with `token_not_found`.
   */
  removeToken(roomId: string, digest: string, event: EventDraft): Promise<RoomEvent>;
}
