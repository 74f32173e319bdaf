// Keeps an agent's file leases alive while its bridge runs: every interval, the leases with less
// than half their TTL left are renewed for another TTL. Leases of a bridge that stops simply
// expire, so nothing is held for an agent that is gone.

import type { HubClient } from '../client/hub-client.js';

export interface LeaseRenewerOptions {
  /** How often to look, in ms; default 60 s. */
  intervalMs?: number;
  /** The clock, in ms since the epoch. */
  now?: () => number;
  /** Told of a failed pass (the hub unreachable...); the next pass tries again. */
  onError?: (err: unknown) => void;
}

/** Lists `agent`'s leases and renews those past half their TTL; returns how many it renewed. */
export async function renewDueLeases(
  client: Pick<HubClient, 'leases' | 'renewLeases'>,
  room: string,
  agent: string,
  now: number,
): Promise<number> {
  const { leases } = await client.leases(room, { agent });
  const due = leases.filter(
    (l) => l.agent === agent && Date.parse(l.expires_at) - now < (l.ttl_seconds * 1000) / 2,
  );
  if (due.length === 0) return 0;
  const { renewed } = await client.renewLeases(room, agent, { ids: due.map((l) => l.id) });
  return renewed.length;
}

/** Starts renewing on an unref'd timer, so it never keeps the process alive; `stop` ends it. */
export function startLeaseRenewer(
  client: Pick<HubClient, 'leases' | 'renewLeases'>,
  room: string,
  agent: string,
  options: LeaseRenewerOptions = {},
): { stop(): void } {
  const now = options.now ?? Date.now;
  const onError =
    options.onError ??
    ((err: unknown) =>
      process.stderr.write(
        `huddle mcp: renewing leases failed: ${String((err as Error)?.message ?? err).replace(/\s+/g, ' ')}\n`,
      ));
  let running = false;
  const timer = setInterval(() => {
    // A slow hub must not pile passes up: one at a time.
    if (running) return;
    running = true;
    renewDueLeases(client, room, agent, now())
      .catch(onError)
      .finally(() => (running = false));
  }, options.intervalMs ?? 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
