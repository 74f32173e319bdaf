// Ending leases that are no longer live (expired, or their agent offline past the grace period or
// retired), each with a `lease.expired` event. Shared by the periodic sweep and by presence, which
// runs it before an agent comes back so that an ended lease never comes back with it.

import type { HubContext } from '../hub-context.js';
import type { LeaseLiveness } from '../store.js';

export function createLeaseSweep(ctx: HubContext) {
  const { store, clock, options, draft, announce } = ctx;

  /** Which leases count as live now. */
  function liveness(): LeaseLiveness {
    const now = clock.now();
    return { now, offline_before: now - options.leases.offline_grace_seconds * 1000 };
  }

  /** Ends every lease that is no longer live, in every room; returns how many. */
  async function sweepLeases(): Promise<number> {
    const swept = await store.sweepLeases(liveness(), (lease, why) =>
      draft(null, 'lease.expired', { agent: lease.agent, lease, why }),
    );
    for (const { room_id, event } of swept) announce(event, room_id);
    return swept.length;
  }

  return { liveness, sweepLeases };
}
