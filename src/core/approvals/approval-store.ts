// The Store slice of approval requests.

import type { Approval, EventDraft, RoomEvent } from '../types.js';
import type { ApprovalSettlement, NewApproval } from '../store.js';

export interface ApprovalStore {
  /**
   * Stores a pending approval request and appends `event(approval)`, in one transaction. With a
   * `match_key`, when a request of the same room, agent, tool and key is pending and its
   * `expires_at` is after `requested_at`, it joins that one instead: one more waiter on it, nothing
   * stored, no event (`joined: true`). The look-up and the insert are one transaction, so of
   * concurrent identical requests one creates and the others join.
   */
  createApproval(
    roomId: string,
    approval: NewApproval,
    event: (a: Approval) => EventDraft,
  ): Promise<
    | { approval: Approval; event: RoomEvent; joined: false }
    | { approval: Approval; event: null; joined: true }
  >;

  getApproval(roomId: string, id: string): Promise<Approval | null>;

  /** The room's approval requests, newest first, at most `limit`; with `pending_only`, only pending ones. */
  listApprovals(
    roomId: string,
    filter: { pending_only: boolean; limit: number },
  ): Promise<Approval[]>;

  /**
   * Ends a pending request exactly once and appends `event(approval)` in the same transaction: of
   * concurrent calls one wins, the others fail with `approval_already_decided` naming the outcome
   * and who decided (or `approval_expired` when it expired). A decision (anything but `expired`)
   * at or after `expires_at` fails with `approval_expired` and changes nothing. Fails with
   * `approval_not_found`.
   */
  settleApproval(
    roomId: string,
    id: string,
    settlement: ApprovalSettlement,
    event: (a: Approval) => EventDraft,
  ): Promise<{ approval: Approval; event: RoomEvent }>;

  /**
   * One waiter withdraws: while the request is pending, unexpired at `settlement.at` and has more
   * than one waiter, takes one away and changes nothing else (`event: null`); otherwise settles it
   * exactly as `settleApproval` does. One transaction, so of two waiters cancelling at once one
   * leaves and the other settles.
   */
  withdrawApproval(
    roomId: string,
    id: string,
    settlement: ApprovalSettlement,
    event: (a: Approval) => EventDraft,
  ): Promise<{ approval: Approval; event: RoomEvent | null }>;

  /**
   * Marks `expired` every pending request whose `expires_at` is at or before `now` (in one room,
   * or in every room), appending `event(approval)` for each. Returns the events with their rooms.
   */
  expireApprovals(
    now: number,
    event: (a: Approval) => EventDraft,
    roomId?: string,
  ): Promise<Array<{ room_id: string; event: RoomEvent }>>;
}
