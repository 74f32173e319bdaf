// Agents and presence: registration with capabilities, heartbeats, states, retirement, and the
// sweep that takes silent agents offline.

import type { Call, RoomCall } from '../call.js';
import {
  assertAgentName,
  parseCapabilities,
  parseReportedStatus,
  type CapabilitiesInput,
} from './agent-input.js';
import type { HubContext } from '../hub-context.js';
import { createLeaseSweep } from '../leases/lease-sweep.js';
import type { Actor, Agent, AgentStatus, RoomEvent } from '../types.js';

export function createPresence(ctx: HubContext) {
  const { store, clock, options, draft, announce, actorOf, enter, actingAgent } = ctx;
  const { sweepLeases } = createLeaseSweep(ctx);

  /**
   * Before an offline or retired agent comes back, its leases that ended meanwhile (past the
   * grace period, or at retirement) are ended for good, so they do not come back with it.
   */
  async function beforeReturn(agent: Agent | null): Promise<void> {
    if (agent && (agent.status === 'offline' || agent.status === 'retired')) await sweepLeases();
  }

  /** How long a connection counts without being renewed: as long as an agent stays unseen. */
  const expiry = () => clock.now() + options.presence.offline_after_seconds * 1000;

  const statusEvent = (
    name: string,
    from: AgentStatus,
    to: AgentStatus,
    reason: string,
    actor: Actor | null = null,
  ) => draft(actor, 'agent.status', { agent: name, from, to, reason });

  /** `actor` is the member who caused the change; null when the hub noticed it by itself. */
  async function setStatus(
    roomId: string,
    name: string,
    status: AgentStatus | undefined,
    reason: string,
    actor: Actor | null = null,
  ) {
    const result = await store.touchAgent(roomId, name, clock.now(), status, (from, to) =>
      statusEvent(name, from, to, reason, actor),
    );
    if (result.event) announce(result.event, roomId);
    return result;
  }

  return {
    async registerAgent(
      call: RoomCall,
      input: CapabilitiesInput & { name: string; exclusive?: boolean | undefined },
    ): Promise<{ agent: Agent; event: RoomEvent }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'write');
      assertAgentName(input.name);
      const capabilities = parseCapabilities(input);
      await beforeReturn(await store.getAgent(room.id, input.name));
      const result = await store.registerAgent(
        room.id,
        { ...capabilities, name: input.name, member_id: p.member.id, at: clock.now() },
        (agent, previous) =>
          draft(actorOf(p), 'agent.registered', { agent, restarted: previous !== null }),
        { exclusive: input.exclusive === true },
      );
      const event = result.event!; // only a quiet registration appends nothing
      announce(event, room.id);
      return { agent: result.agent, event };
    },

    async listAgents(call: RoomCall): Promise<{ agents: Agent[] }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'read');
      return { agents: await store.listAgents(room.id) };
    },

    /** A sign of life, optionally with a new state; an offline agent comes back online. */
    async heartbeat(
      call: Call,
      input: { status?: string | undefined } = {},
    ): Promise<{ agent: Agent }> {
      const { principal: p, room: roomName, agent: name } = call;
      const room = await enter(p, roomName, null);
      const reported = parseReportedStatus(input.status);
      const agent = await actingAgent(p, room, name);
      await beforeReturn(agent);
      const status = reported ?? (agent.status === 'offline' ? 'online' : undefined);
      return { agent: (await setStatus(room.id, name, status, 'reported', actorOf(p))).agent };
    },

    /** Retires an agent (its owner or an admin): no longer addressable until it registers again. */
    async retireAgent(call: RoomCall, name: string): Promise<{ agent: Agent }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'write');
      await actingAgent(p, room, name, true);
      const retired = (await setStatus(room.id, name, 'retired', 'retired', actorOf(p))).agent;
      // A retired agent's leases end now.
      await sweepLeases();
      return { agent: retired };
    },

    /**
     * A live connection of the agent opened (the gateway calls this, with an id of its own for
     * it). Recorded in the store, where every hub on it counts it until it closes or expires.
     */
    async agentConnected(roomId: string, name: string, connectionId: string): Promise<void> {
      // Issued before anything is awaited, so a close of this id issued later comes after it.
      const opened = store.openConnection(roomId, name, connectionId, expiry());
      try {
        const agent = await store.getAgent(roomId, name);
        if (!agent || agent.status === 'retired') return;
        await beforeReturn(agent);
        await setStatus(
          roomId,
          name,
          agent.status === 'offline' ? 'online' : undefined,
          'connected',
        );
      } finally {
        await opened;
      }
    },

    /** A live connection of the agent closed: offline once no other is live, on any hub. */
    async agentDisconnected(
      roomId: string,
      name: string,
      connectionId: string,
      reason: 'closed' | 'dead',
    ): Promise<void> {
      const { others } = await store.closeConnection(roomId, name, connectionId, clock.now());
      if (others > 0) return;
      const agent = await store.getAgent(roomId, name);
      if (!agent || agent.status === 'retired' || agent.status === 'offline') return;
      await setStatus(
        roomId,
        name,
        'offline',
        reason === 'dead' ? 'connection lost' : 'disconnected',
      );
    },

    /** Keeps this hub's live connections from expiring (the gateway calls this every heartbeat). */
    async renewConnections(connectionIds: string[]): Promise<void> {
      await store.renewConnections(connectionIds, expiry());
    },

    /** Keeps a connected agent's last_seen fresh, so the sweep leaves it online. */
    async agentAlive(roomId: string, name: string): Promise<void> {
      const agent = await store.getAgent(roomId, name);
      if (!agent || agent.status === 'retired') return;
      // A connection that still answers pings outweighs a sweep that ran while the hub was busy.
      await beforeReturn(agent);
      await setStatus(roomId, name, agent.status === 'offline' ? 'online' : undefined, 'alive');
    },

    /** Takes offline every agent silent for longer than the configured time. */
    async sweepPresence(): Promise<number> {
      const before = clock.now() - options.presence.offline_after_seconds * 1000;
      const swept = await store.sweepOffline(before, (agent) =>
        statusEvent(agent.name, agent.status, 'offline', 'missed heartbeats'),
      );
      for (const { room_id, event } of swept) announce(event, room_id);
      return swept.length;
    },
  };
}
