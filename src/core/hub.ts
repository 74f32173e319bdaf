// The Hub: every use-case of huddle. The only code that touches the Store and the Bus.

import { createHubContext, type HubDeps } from './hub-context.js';
import { createMembers } from './members/members.js';
import { createRooms } from './rooms/rooms.js';
import { createStreamAccess } from './stream-access.js';
import { createApprovals } from './approvals/approvals.js';
import { createSessions } from './sessions/sessions.js';
import { createLeases } from './leases/leases.js';
import { createMessaging } from './messaging/messaging.js';
import { createTasks } from './tasks/tasks.js';
import { createVariables } from './variables/variables.js';
import { createPresence } from './presence/presence.js';
import { createPush } from './push/push.js';
import { createHubStatus } from './hub-status.js';
import { WEB_SESSION_IDLE_MS, createWebSessions } from './members/web-sessions.js';

export { isLoopbackAddress } from './loopback.js';
export type {
  HubDeps,
  HubOptions,
  HubRateLimits,
  Principal,
  RequestContext,
} from './hub-context.js';

/**
 * The Hub, by domain: `hub.rooms`, `hub.members`, `hub.presence`, `hub.messaging`, `hub.tasks`,
 * `hub.variables`, `hub.leases`, `hub.sessions`, `hub.approvals`, `hub.push`, `hub.web` (browser
 * sessions), `hub.stream` (what the stream gateway needs) and `hub.operations` (the process).
 */
export type Hub = ReturnType<typeof createHub>;

export function createHub(deps: HubDeps) {
  const ctx = createHubContext(deps);
  const { store, clock, options, limits } = ctx;

  const presence = createPresence(ctx);

  const members = createMembers(ctx);
  const rooms = createRooms(ctx);
  const stream = createStreamAccess(ctx);
  /** The hub as a process: its status, its upkeep, its shutdown. */
  const operations = {
    ...createHubStatus(ctx),

    /** Ends every long-poll in progress, so that shutdown does not wait for them. */
    endWaits(): void {
      ctx.endWaits();
    },

    /** Forgets expired idempotency keys and pair codes, and idle rate-limit state. */
    async housekeeping(): Promise<void> {
      for (const limiter of Object.values(limits)) limiter.prune();
      await store.prune(clock.now() - options.idempotency_retention_seconds * 1000);
      await store.deleteIdleWebSessions(clock.now() - WEB_SESSION_IDLE_MS);
    },
  };

  return {
    rooms,
    members,
    presence,
    messaging: createMessaging(ctx),
    tasks: createTasks(ctx),
    variables: createVariables(ctx),
    leases: createLeases(ctx),
    sessions: createSessions(ctx),
    approvals: createApprovals(ctx),
    push: createPush(ctx),
    web: createWebSessions(ctx, {
      redeemPairCode: members.redeemPairCode,
      authenticate: members.authenticate,
      registerAgent: presence.registerAgent,
    }),
    stream,
    operations,
  };
}
