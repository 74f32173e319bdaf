// The hub's status: its version and uptime for anyone; its process, store and load only for a
// caller on the hub's own machine that holds the local secret.

import { iso } from './clock.js';
import { HuddleError } from './errors.js';
import type { HubContext, RequestContext } from './hub-context.js';
import { isLoopbackAddress } from './loopback.js';
import { digestSecret, sameDigest } from './members/tokens.js';
import { HUDDLE_VERSION } from './version.js';

export interface HubStatus {
  version: string;
  started_at: string;
  uptime_seconds: number;
  /** Present only for a caller that sent the local secret. */
  local?: {
    /** The hub's process id, when the hub was told it (null in an embedded hub). */
    pid: number | null;
    /** Where the hub keeps its data, secrets masked. */
    store: string | null;
    rooms: number;
    /** Agents in any room that are neither offline nor retired. */
    agents_online: number;
  };
}

export function createHubStatus(ctx: HubContext) {
  const { store, clock, options } = ctx;
  const started = clock.now();
  return {
    /**
     * The status; with `secret`, the local details too. The secret is not rate limited: it is
     * taken only from loopback, and 256 random bits are not guessed one request at a time.
     */
    async status(req: RequestContext, secret?: string): Promise<HubStatus> {
      const status: HubStatus = {
        version: HUDDLE_VERSION,
        started_at: iso(started),
        uptime_seconds: Math.max(0, Math.floor((clock.now() - started) / 1000)),
      };
      if (secret === undefined) return status;
      if (options.local_secret === undefined || !isLoopbackAddress(req.address)) {
        throw new HuddleError(
          'forbidden',
          'local_status_refused',
          "The hub's process, store and load are shown only on its own machine, by a hub bound to loopback. Without the local secret, the status holds its version and uptime.",
        );
      }
      if (!sameDigest(digestSecret(secret), digestSecret(options.local_secret))) {
        throw new HuddleError(
          'forbidden',
          'invalid_local_secret',
          "The local secret does not match this hub's: is HUDDLE_HOME the hub's?",
        );
      }
      const counts = await store.hubCounts();
      return {
        ...status,
        local: {
          pid: options.instance?.pid ?? null,
          store: options.instance?.store ?? null,
          ...counts,
        },
      };
    },
  };
}
