// File leases: an agent reserves paths or globs, exclusive or shared, for a while; conflicting
// requests are refused naming the holder. Leases end on release, on expiry, or when their agent
// has been offline past a grace period.

import type { Call, RoomCall } from '../call.js';
import type { LeaseRequest } from '../api-types.js';
import { HuddleError } from '../errors.js';
import { globsOverlap, normalizeLeasePath } from './globs.js';
import type { HubContext } from '../hub-context.js';
import { readableId } from '../random.js';
import { createLeaseSweep } from './lease-sweep.js';
import { createNotices } from '../messaging/notices.js';
import {
  OVERRIDE_HINT,
  assertForceAllowed,
  overrideBy,
  overrideNotice,
  type Override,
} from '../overrides.js';
import { createPresence } from '../presence/presence.js';
import type { Idempotency, LeaseLiveness } from '../store.js';
import {
  LEASE_MODES,
  type EventDraft,
  type Lease,
  type LeaseMode,
  type RoomEvent,
} from '../types.js';

export const LEASE_PATHS_MAX = 64;
export const LEASE_REASON_MAX_CHARS = 500;
export const LEASE_TTL_MIN_SECONDS = 10;
export const LEASE_TTL_MAX_SECONDS = 7 * 24 * 3600;
const LEASE_ID_PATTERN = /^L-[0-9a-z]{6}$/;

/** The `override` of a `lease.released` event: an admin's agent ended other agents' leases. */
export interface LeaseOverride extends Override {
  /** The agents whose leases were ended. */
  holders: string[];
}

/** A lease request as it arrives: `mode` is any text until acquireLease checks it. */
export type LeaseInput = Omit<LeaseRequest, 'mode'> & { mode?: string | undefined };

function invalid(code: string, message: string, field: string): HuddleError {
  return new HuddleError('invalid', code, message, { details: { field } });
}

/** The requested paths, normalized and without repeats; refuses bad ones naming them. */
export function parseLeasePaths(paths: string[], field = 'paths'): string[] {
  if (paths.length === 0 || paths.length > LEASE_PATHS_MAX)
    throw invalid('invalid_paths', `Lease 1 to ${LEASE_PATHS_MAX} paths or globs at once.`, field);
  return [...new Set(paths.map((path, i) => normalizeLeasePath(path, `${field}.${i}`)))];
}

function parseTtl(ttl: number | undefined, fallback: number): number {
  const value = ttl ?? fallback;
  if (!Number.isInteger(value) || value < LEASE_TTL_MIN_SECONDS || value > LEASE_TTL_MAX_SECONDS) {
    throw invalid(
      'invalid_ttl',
      `ttl_seconds must be a whole number from ${LEASE_TTL_MIN_SECONDS} to ${LEASE_TTL_MAX_SECONDS} (7 days).`,
      'ttl_seconds',
    );
  }
  return value;
}

/** Where two leases collide: an exclusive lease against any, a shared one only against exclusive. */
export function leaseConflicts(
  wanted: { agent: string; paths: string[]; mode: LeaseMode },
  held: Lease[],
): Array<{ lease: Lease; path: string; held_path: string }> {
  const found: Array<{ lease: Lease; path: string; held_path: string }> = [];
  for (const lease of held) {
    if (lease.agent === wanted.agent) continue;
    if (wanted.mode === 'shared' && lease.mode === 'shared') continue;
    for (const path of wanted.paths) {
      const hit = lease.paths.find((heldPath) => globsOverlap(path, heldPath));
      if (hit !== undefined) {
        found.push({ lease, path, held_path: hit });
        break;
      }
    }
  }
  return found;
}

function conflictError(conflicts: ReturnType<typeof leaseConflicts>): HuddleError {
  const first = conflicts[0]!;
  const l = first.lease;
  const more =
    conflicts.length > 1
      ? ` (and ${conflicts.length - 1} more lease${conflicts.length > 2 ? 's' : ''})`
      : '';
  return new HuddleError(
    'conflict',
    'lease_conflict',
    `${first.path} overlaps ${first.held_path}, leased ${l.mode === 'exclusive' ? 'exclusively' : 'shared'} by ${l.agent} (lease ${l.id}${l.reason ? `, reason: ${l.reason}` : ''}) until ${l.expires_at}${more}. Ask ${l.agent} to release it, or work elsewhere until then.`,
    {
      details: {
        conflicts: conflicts.map((c) => ({
          holder: c.lease.agent,
          lease_id: c.lease.id,
          mode: c.lease.mode,
          paths: c.lease.paths,
          requested: c.path,
          overlaps: c.held_path,
          reason: c.lease.reason,
          expires_at: c.lease.expires_at,
        })),
      },
    },
  );
}

export function createLeases(ctx: HubContext) {
  const {
    store,
    random,
    options,
    draft,
    announce,
    actorOf,
    idempotency,
    enter,
    enterWrite,
    actingAgent,
    enterAs,
  } = ctx;

  const { liveness, sweepLeases } = createLeaseSweep(ctx);

  /** `store.acquireLease`, drawing the lease id again (in `decide`) when a drawn one is taken. */
  async function acquireWithFreshId(
    roomId: string,
    live: LeaseLiveness,
    idem: Idempotency | undefined,
    decide: (held: Lease[]) => { lease: Lease; event: EventDraft },
  ): Promise<{ lease: Lease; event: RoomEvent }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await store.acquireLease(roomId, live, decide, idem);
      } catch (err) {
        if (err instanceof HuddleError && err.code === 'lease_id_taken' && attempt < 8) continue;
        throw err;
      }
    }
  }
  const { agentAlive } = createPresence(ctx);
  const { notify } = createNotices(ctx);

  /** Refuses ids that are not lease ids, before anything is looked up. */
  function assertIds(ids: string[]): void {
    if (ids.length === 0 || ids.length > LEASE_PATHS_MAX)
      throw invalid('invalid_ids', `Give 1 to ${LEASE_PATHS_MAX} lease ids.`, 'ids');
    for (const id of ids) {
      if (!LEASE_ID_PATTERN.test(id))
        throw invalid(
          'invalid_lease_id',
          `${JSON.stringify(id.slice(0, 40))} is not a lease id (like L-4k2p9x).`,
          'ids',
        );
    }
  }

  return {
    async acquireLease(call: Call, input: LeaseInput): Promise<{ lease: Lease; event: RoomEvent }> {
      const { principal: p, room: roomName, agent: agentName, key } = call;
      const paths = parseLeasePaths(input.paths);
      const mode = (input.mode ?? 'exclusive') as LeaseMode;
      if (!LEASE_MODES.includes(mode))
        throw invalid('invalid_mode', `mode must be one of ${LEASE_MODES.join(', ')}.`, 'mode');
      const reason = input.reason ?? '';
      if (reason.length > LEASE_REASON_MAX_CHARS || /[\u0000-\u001f]/.test(reason))
        throw invalid(
          'invalid_reason',
          `reason must be at most ${LEASE_REASON_MAX_CHARS} characters on one line.`,
          'reason',
        );
      const ttl = parseTtl(input.ttl_seconds, options.leases.default_ttl_seconds);
      const idem = idempotency(p, key, 'lease', { agent: agentName, input });
      const { room, replay } = await enterWrite(p, roomName, 'write', idem);
      const agent = await actingAgent(p, room, agentName);
      if (replay && 'result' in replay) return replay.result as { lease: Lease; event: RoomEvent };
      // Asking for a lease is a sign of life: an agent that was offline is back, so the lease it
      // gets is live (and its old leases, past the grace, ended first). Only an offline agent's
      // leases depend on when it was last seen, so an online one costs no write here.
      if (agent.status === 'offline') await agentAlive(room.id, agent.name);
      const live = liveness();
      const result = await acquireWithFreshId(room.id, live, idem, (held) => {
        const conflicts = leaseConflicts({ agent: agent.name, paths, mode }, held);
        if (conflicts.length > 0) throw conflictError(conflicts);
        const lease: Lease = {
          id: readableId(random, 'L', 6),
          agent: agent.name,
          paths,
          mode,
          reason,
          ttl_seconds: ttl,
          created_at: new Date(live.now).toISOString(),
          expires_at: new Date(live.now + ttl * 1000).toISOString(),
        };
        return {
          lease,
          event: draft(actorOf(p), 'lease.acquired', { agent: agent.name, lease }),
        };
      });
      announce(result.event, room.id);
      return result;
    },

    /**
     * Ends the agent's leases named by id, or those holding any of `paths` exactly. With `force`,
     * an admin's agent may end another agent's lease by id: the event records the override and
     * each holder is told. Nothing is released when one of them matches nothing.
     */
    async releaseLeases(
      call: Call,
      input: {
        ids?: string[] | undefined;
        paths?: string[] | undefined;
        force?: boolean | undefined;
      },
    ): Promise<{ released: Lease[]; event: RoomEvent | null }> {
      const { principal: p } = call;
      if ((input.ids === undefined) === (input.paths === undefined))
        throw invalid(
          'invalid_request',
          'Give either "ids" (lease ids) or "paths" (as leased).',
          'ids',
        );
      if (input.ids) assertIds(input.ids);
      const paths = input.paths ? parseLeasePaths(input.paths) : undefined;
      assertForceAllowed(p, input.force);
      const force = input.force === true;
      const { room, agent } = await enterAs(call, 'write', true);
      const result = await store.releaseLeases(
        room.id,
        liveness(),
        (held) => {
          const mine = held.filter(
            (l) => l.agent === agent.name || (force && input.ids !== undefined),
          );
          const picked = input.ids
            ? mine.filter((l) => input.ids!.includes(l.id))
            : mine.filter((l) => l.paths.some((path) => paths!.includes(path)));
          const missing = input.ids
            ? input.ids.filter((id) => !picked.some((l) => l.id === id))
            : paths!.filter((path) => !picked.some((l) => l.paths.includes(path)));
          if (missing.length > 0) {
            // With force any live lease may be ended, so then only unknown ids are missing.
            const other = force
              ? []
              : held.filter((l) => l.agent !== agent.name && input.ids?.includes(l.id));
            throw new HuddleError(
              other.length > 0 ? 'forbidden' : 'not_found',
              other.length > 0 ? 'not_your_lease' : 'lease_not_found',
              other.length > 0
                ? `${other.map((l) => `${l.id} belongs to ${l.agent}`).join('; ')}: only its agent can release it. ${OVERRIDE_HINT}`
                : `${agent.name} holds no live lease ${input.ids ? 'with id' : 'on'} ${missing.join(', ')}. Nothing was released; ${othersOn(held, missing) || `list leases with "huddle leases ${room.name}".`}`,
              {
                details: {
                  missing,
                  ...(other.length > 0 && { holders: [...new Set(other.map((l) => l.agent))] }),
                },
              },
            );
          }
          return picked;
        },
        (ended) => {
          const holders = [...new Set(ended.map((l) => l.agent))].filter((a) => a !== agent.name);
          const override: LeaseOverride = { ...overrideBy(p, agent.name), holders };
          return draft(actorOf(p), 'lease.released', {
            agent: agent.name,
            leases: ended.map((l) => ({ id: l.id, agent: l.agent, paths: l.paths })),
            ...(holders.length > 0 && { override }),
          });
        },
      );
      if (result.event) announce(result.event, room.id);
      // The store picks the leases in its transaction: the committed event says whose ended.
      const done = result.event?.body.override as LeaseOverride | undefined;
      for (const holder of done?.holders ?? []) {
        const theirs = result.released.filter((l) => l.agent === holder);
        const what = `${agent.name} released ${theirs.map((l) => `${l.id} (${l.paths.join(', ')})`).join(', ')}, leased by you`;
        await notify(
          p,
          room,
          agent.name,
          [holder],
          'status',
          overrideNotice(done!, what, 'Lease those paths again before you edit them.'),
        );
      }
      return result;
    },

    /** Moves the expiry of the agent's leases (all, or those named) to now plus their TTL. */
    async renewLeases(
      call: Call,
      input: { ids?: string[] | undefined; ttl_seconds?: number | undefined } = {},
    ): Promise<{ renewed: Lease[]; event: RoomEvent | null }> {
      const { principal: p } = call;
      if (input.ids) assertIds(input.ids);
      if (input.ttl_seconds !== undefined) parseTtl(input.ttl_seconds, 0);
      // Renewing is upkeep, not a write of the member: it counts as a room operation only.
      const { room, agent } = await enterAs(call, 'write');
      if (agent.status === 'offline') await agentAlive(room.id, agent.name);
      const live = liveness();
      const result = await store.renewLeases(
        room.id,
        live,
        (held) =>
          held.filter((l) => l.agent === agent.name && (!input.ids || input.ids.includes(l.id))),
        (l) => live.now + (input.ttl_seconds ?? l.ttl_seconds) * 1000,
        (renewed) =>
          draft(actorOf(p), 'lease.renewed', {
            agent: agent.name,
            leases: renewed.map((l) => ({ id: l.id, expires_at: l.expires_at })),
          }),
      );
      if (result.event) announce(result.event, room.id);
      return result;
    },

    /** Live leases, optionally only one agent's, or only those covering `path` (a path or glob). */
    async listLeases(
      call: RoomCall,
      filter: { agent?: string | undefined; path?: string | undefined } = {},
    ): Promise<{ leases: Lease[] }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'read');
      const path = filter.path === undefined ? undefined : normalizeLeasePath(filter.path, 'path');
      const leases = (await store.listLeases(room.id, liveness())).filter(
        (l) =>
          (filter.agent === undefined || l.agent === filter.agent) &&
          (path === undefined || l.paths.some((held) => globsOverlap(path, held))),
      );
      return { leases };
    },

    /** Ends leases that expired or whose agent has been offline past the grace period. */
    sweepLeases,
  };
}

/** For a release by path: whose leases hold those paths instead, and how an admin ends them. */
function othersOn(held: Lease[], paths: string[]): string {
  const theirs = held.filter((l) => l.paths.some((path) => paths.includes(path)));
  if (theirs.length === 0) return '';
  return `${theirs.map((l) => `${l.id} of ${l.agent}`).join(', ')} ${theirs.length === 1 ? 'holds' : 'hold'} ${paths.length === 1 ? 'it' : 'them'}: only its agent releases it, or an admin by id with --force (force: true).`;
}
