// The Store slice of file leases.

import type { EventDraft, Lease, RoomEvent } from '../types.js';
import type { Idempotency, LeaseLiveness } from '../store.js';

export interface LeaseStore {
  /**
   * Runs `decide` on the room's live leases and stores the lease it returns with its event, in
   * one transaction, so two conflicting requests never both succeed. `decide` may throw. A lease
   * id already in the room fails with `lease_id_taken`.
   */
  acquireLease(
    roomId: string,
    live: LeaseLiveness,
    decide: (leases: Lease[]) => { lease: Lease; event: EventDraft },
    idem?: Idempotency,
  ): Promise<{ lease: Lease; event: RoomEvent }>;

  /** The room's live leases, oldest first. */
  listLeases(roomId: string, live: LeaseLiveness): Promise<Lease[]>;

  /**
   * Ends the live leases that `pick` selects and appends `event(ended)` when there are any, in
   * one transaction.
   */
  releaseLeases(
    roomId: string,
    live: LeaseLiveness,
    pick: (leases: Lease[]) => Lease[],
    event: (ended: Lease[]) => EventDraft,
  ): Promise<{ released: Lease[]; event: RoomEvent | null }>;

  /**
   * Moves the expiry of the live leases that `pick` selects to `expires_at(lease)` and appends
   * `event(renewed)` when there are any.
   */
  renewLeases(
    roomId: string,
    live: LeaseLiveness,
    pick: (leases: Lease[]) => Lease[],
    expiresAt: (lease: Lease) => number,
    event: (renewed: Lease[]) => EventDraft,
  ): Promise<{ renewed: Lease[]; event: RoomEvent | null }>;

  /**
   * Ends, in every room, the leases that are no longer live, appending `event(lease, why)` for
   * each. Returns the events with their room ids.
   */
  sweepLeases(
    live: LeaseLiveness,
    event: (lease: Lease, why: 'expired' | 'agent_offline' | 'agent_retired') => EventDraft,
  ): Promise<Array<{ room_id: string; event: RoomEvent }>>;
}
