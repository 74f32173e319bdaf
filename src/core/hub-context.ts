// What every group of Hub use-cases shares: the dependencies, rate limits, and the checks and
// helpers that each write goes through.

import type { Call } from './call.js';
import { createHash } from 'node:crypto';
import type { Bus } from './bus.js';
import type { Clock } from './clock.js';
import { HuddleError } from './errors.js';
import { assertIdempotencyKey } from './limits.js';
import { assertRoomName } from './rooms/names.js';
import type { RandomSource } from './random.js';
import { randomId } from './random.js';
import { createLookupCache } from './lookup-cache.js';
import { createRecentEvents } from './recent-events.js';
import { closestNames } from './suggest.js';
import { createRateLimiter, type LimiterFactory, type RateLimit } from './rate-limiter.js';
import { assertScope } from './members/scopes.js';
import type { Credential, Idempotency, Store } from './store.js';
import type { Actor, Agent, EventDraft, Room, RoomEvent, Scope } from './types.js';

export interface HubRateLimits {
  /** Room creation per client address. */
  room_create: RateLimit;
  /** Pair code redemption per client address. */
  join: RateLimit;
  /** Every room operation per member. */
  room_ops: RateLimit;
  /** Writes (notes, checkpoints, codes, rotations, revocations, deletions) per member. */
  writes: RateLimit;
  /** Room operations of the whole hub. */
  global_room_ops: RateLimit;
  /** Messages sent per agent (room and name). Agent routes do not count against `writes`. */
  agent_sends: RateLimit;
}

export interface HubOptions {
  code_ttl_seconds: number;
  rate_limits: HubRateLimits;
  /** When set, creating a room needs this secret. */
  create_secret?: string | undefined;
  /** When set, a client on this machine holding it joins or creates rooms without a code. */
  local_secret?: string | undefined;
  /** How long idempotency keys are remembered. */
  idempotency_retention_seconds: number;
  /** Circuit breakers on messages. */
  messages: {
    /** Replies between agents allowed in one reply_to chain before a human speaks again. */
    max_reply_depth: number;
    /** Recipients allowed in an explicit list ("*" counts once). */
    max_recipients: number;
    /** The same body to the same recipients within this window is refused as a duplicate. */
    duplicate_window_seconds: number;
  };
  presence: {
    /** An agent with no connection and no heartbeat for this long goes offline. */
    offline_after_seconds: number;
  };
  leases: {
    /** How long a lease lasts when the request names no TTL. */
    default_ttl_seconds: number;
    /** The leases of an agent offline (not seen) for this long end. */
    offline_grace_seconds: number;
  };
  /** Web Push; leaving it out means the defaults. */
  push?: {
    /** Origins of the push services subscriptions may name (DEFAULT_PUSH_ENDPOINTS when unset). */
    endpoints: readonly string[];
  };
  /** Approval requests; leaving it out means the defaults. */
  approvals?: {
    /** How long a request waits for a person, and the most a request may ask for (10..3600). */
    timeout_seconds: number;
  };
  /** The process serving this hub and its store (secrets masked), for the local status report. */
  instance?: { pid: number; store: string } | undefined;
  /**
   * Other hub processes write the same store (PostgreSQL): what this one caches of tokens and
   * agents is trusted for a second at most.
   */
  shared_store?: boolean;
}

export interface HubDeps {
  store: Store;
  bus: Bus;
  clock: Clock;
  random: RandomSource;
  options: HubOptions;
  /**
   * Makes the limiters on strangers, `room_create` and `join` (default: credits in this process).
   * Several hubs sharing a store pass limiters that keep their credits in it.
   */
  limiter?: LimiterFactory | undefined;
}

/** Where a request came from, as the transport saw it. */
export interface RequestContext {
  address: string;
}

/** An authenticated caller: a live member of one room. */
export type Principal = Credential;

export type HubContext = ReturnType<typeof createHubContext>;

export function createHubContext(deps: HubDeps) {
  const { store, bus, clock, random, options } = deps;
  // The limits on what a stranger may try (creating rooms, redeeming codes, per address) are
  // made by the caller's factory, so hubs sharing a store can share them; a member's limits are
  // counted in this process, on every request, without a round trip.
  const local = (name: string, limit: RateLimit) => createRateLimiter(name, limit, clock);
  const strangers: LimiterFactory = deps.limiter ?? local;
  const limits = {
    roomCreate: strangers('room_create', options.rate_limits.room_create),
    join: strangers('join', options.rate_limits.join),
    roomOps: local('room_ops', options.rate_limits.room_ops),
    writes: local('writes', options.rate_limits.writes),
    global: local('global_room_ops', options.rate_limits.global_room_ops),
    agentSends: local('agent_sends', options.rate_limits.agent_sends),
  };

  const actorOf = (p: Principal): Actor => ({ member_id: p.member.id, label: p.member.label });
  const draft = (actor: Actor | null, type: string, body: Record<string, unknown>): EventDraft => ({
    id: randomId(random, 'ev'),
    ts: clock.now(),
    actor,
    type,
    body,
  });
  const recent = createRecentEvents({ perRoom: 256, maxBytes: 32 * 1024 * 1024 });
  const lookups = createLookupCache(store, {
    shared: options.shared_store,
    now: () => clock.now(),
  });
  const announce = (event: RoomEvent, roomId: string) => {
    // Before anyone hears of the event, so no check reads what it changed from the cache.
    lookups.observe(event, roomId);
    recent.add(roomId, event);
    bus.publish({ room_id: roomId, seq: event.seq });
  };

  function idempotency(
    p: Principal,
    key: string | undefined,
    op: string,
    input: unknown,
  ): Idempotency | undefined {
    if (key === undefined) return undefined;
    assertIdempotencyKey(key);
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([op, p.room.id, input]))
      .digest('hex');
    return { member_id: p.member.id, key, fingerprint, at: clock.now() };
  }

  /**
   * Checks that the principal may act on `roomName` (with `scope`, when one is needed), then
   * counts the operation. Limits are keyed on the member, so rotating a token does not reset them.
   */
  async function enter(
    p: Principal,
    roomName: string,
    scope: Scope | null,
    write = false,
    countLimits = true,
  ): Promise<Room> {
    if (p.room.name !== roomName) {
      assertRoomName(roomName, 'room');
      if (!(await store.findRoom(roomName))) {
        throw new HuddleError(
          'not_found',
          'room_not_found',
          `There is no room "${roomName}" on this hub. Check the name with "huddle rooms".`,
          { details: { room: roomName } },
        );
      }
      throw new HuddleError(
        'forbidden',
        'wrong_room',
        `This token belongs to room "${p.room.name}", not "${roomName}". Use the token stored for that room, or join it with a pair code.`,
        { details: { room: roomName } },
      );
    }
    if (scope) assertScope(p.member.scopes, scope);
    if (countLimits) count(p, write);
    return p.room;
  }

  /** Counts one room operation of `p` against the rate limits (and a write, when it is one). */
  function count(p: Principal, write: boolean): void {
    // The member's own limits first: a member over its limit spends nothing of the hub's.
    limits.roomOps.take(p.member.id);
    if (write) limits.writes.take(p.member.id);
    limits.global.take('*');
  }

  /**
   * `enter` for an idempotent write: when the key names a write already done, its outcome comes
   * back in `replay` and no limit is counted, so a retry is answered as the first try was.
   */
  async function enterWrite(
    p: Principal,
    roomName: string,
    scope: Scope,
    idem: Idempotency | undefined,
    countsAsWrite = true,
  ): Promise<{ room: Room; replay: { event: RoomEvent } | { result: unknown } | null }> {
    const room = await enter(p, roomName, scope, countsAsWrite, false);
    const replay = idem ? await store.findReplay(room.id, idem) : null;
    if (!replay) count(p, countsAsWrite);
    return { room, replay };
  }

  /** Long-polls in progress, ended early when the hub shuts down. */
  const waiting = new Set<() => void>();
  let ending = false;

  /**
   * Fails with `unknown_token` when `p`'s token stopped being valid after the request began (it
   * was revoked or rotated, or its room deleted): long waits check it each time they wake.
   */
  async function assertStillValid(p: Principal): Promise<void> {
    if (!(await lookups.tokenValid(p.token_digest))) {
      throw new HuddleError(
        'unauthenticated',
        'unknown_token',
        'The token is not valid any more: it was revoked or rotated, or its room was deleted.',
      );
    }
  }

  /**
   * A long-poll: `look` now, and again after each new event of the room, until it finds something
   * or `wait` seconds pass (or the hub shuts down). A member revoked meanwhile gets nothing more,
   * and once `signal` aborts (the caller went away) `look` is not run again.
   */
  async function longPoll<T>(
    p: Principal,
    roomId: string,
    wait: number,
    look: () => Promise<T[]>,
    signal?: AbortSignal,
  ): Promise<T[]> {
    const deadline = clock.now() + wait * 1000;
    for (;;) {
      if (signal?.aborted) return [];
      const found = await look();
      const left = deadline - clock.now();
      if (found.length > 0 || left <= 0 || !(await nextEvent(roomId, left))) return found;
      await assertStillValid(p);
    }
  }

  /**
   * Resolves true on the next event of the room or after `ms`, and false when the hub is
   * shutting down (the caller should answer with what it has); never rejects.
   */
  function nextEvent(roomId: string, ms: number): Promise<boolean> {
    if (ending) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        unsubscribe();
        waiting.delete(done);
        resolve(!ending);
      };
      const timer = setTimeout(done, ms);
      const unsubscribe = bus.subscribe(roomId, done);
      waiting.add(done);
    });
  }

  /** Answers every long-poll now, with whatever it has, and every later one at once. */
  function endWaits(): void {
    ending = true;
    for (const done of [...waiting]) done();
  }

  /**
   * The agent `name` of `room`, acting for `p`: it must exist, be registered by p's member (an
   * admin may act for any agent when `adminMayAct`), and not be retired.
   */
  async function actingAgent(
    p: Principal,
    room: Room,
    name: string,
    adminMayAct = false,
  ): Promise<Agent> {
    const agent = await lookups.agent(room.id, name);
    if (!agent) {
      const names = (await store.listAgents(room.id))
        .filter((a) => a.status !== 'retired')
        .map((a) => a.name);
      throw new HuddleError(
        'not_found',
        'agent_not_found',
        `No agent "${name}" in room "${room.name}". Register it first ("huddle agent ${room.name} ${name}").`,
        {
          details: { agent: name, suggestions: closestNames(name, names) },
        },
      );
    }
    if (agent.member_id !== p.member.id && !(adminMayAct && p.member.scopes.includes('admin'))) {
      throw new HuddleError(
        'forbidden',
        'not_your_agent',
        `The agent "${name}" belongs to another member; act as one of your own agents.`,
        {
          details: { agent: name },
        },
      );
    }
    if (agent.status === 'retired') {
      throw new HuddleError(
        'conflict',
        'agent_retired',
        `The agent "${name}" is retired; register it again to bring it back.`,
        {
          details: { agent: name },
        },
      );
    }
    return agent;
  }

  /**
   * `enter` for a call that acts as an agent: the room (checked with `scope`, counted as a write
   * when `write`), then the agent the caller acts as (see `actingAgent`).
   */
  async function enterAs(
    call: Call,
    scope: Scope | null,
    write = false,
  ): Promise<{ room: Room; agent: Agent }> {
    const room = await enter(call.principal, call.room, scope, write);
    return { room, agent: await actingAgent(call.principal, room, call.agent) };
  }

  return {
    store,
    bus,
    clock,
    random,
    options,
    limits,
    actorOf,
    draft,
    announce,
    idempotency,
    enter,
    assertStillValid,
    longPoll,
    nextEvent,
    endWaits,
    enterWrite,
    actingAgent,
    enterAs,
    recent,
    lookups,
  };
}
