// Client sessions of an agent (a Claude Code, Codex or Gemini session seen through its hooks): the
// session is recorded in the room's log, and the agent gets a digest of what it needs to resume.

import type { Call } from '../call.js';
import {
  assertAgentName,
  parseCapabilities,
  type CapabilitiesInput,
} from '../presence/agent-input.js';
import { HuddleError } from '../errors.js';
import type { HubContext } from '../hub-context.js';
import { createLeaseSweep } from '../leases/lease-sweep.js';
import type { Agent, Checkpoint, Lease, RoomEvent, Task } from '../types.js';

export const SESSION_SOURCES = ['startup', 'resume', 'clear', 'compact', 'other'] as const;
export type SessionSource = (typeof SESSION_SOURCES)[number];
export const SESSION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** What an agent needs to pick up its work: the room's checkpoint, its unread count, tasks, leases. */
export interface AgentDigest {
  room: string;
  agent: string;
  checkpoint: Checkpoint;
  /** Messages not read yet, and how many of them were not injected into a context either. */
  unread: number;
  uninjected: number;
  /** The agent's tasks that are not done or cancelled, oldest first. */
  tasks: Task[];
  /** The agent's live leases. */
  leases: Lease[];
}

export interface SessionInput extends CapabilitiesInput {
  session_id: string;
  source?: string | undefined;
}

function assertSession(input: SessionInput): SessionSource {
  if (!SESSION_ID_PATTERN.test(input.session_id)) {
    throw new HuddleError(
      'invalid',
      'invalid_session',
      'session_id must be 1 to 128 letters, digits, ".", "_", ":" or "-".',
      { details: { field: 'session_id' } },
    );
  }
  const source = input.source ?? 'other';
  if (!(SESSION_SOURCES as readonly string[]).includes(source)) {
    throw new HuddleError(
      'invalid',
      'invalid_session',
      `source must be one of ${SESSION_SOURCES.join(', ')}.`,
      { details: { field: 'source', allowed: [...SESSION_SOURCES] } },
    );
  }
  return source as SessionSource;
}

export function createSessions(ctx: HubContext) {
  const { store, clock, draft, announce, actorOf, enter, actingAgent, enterAs } = ctx;
  const { liveness } = createLeaseSweep(ctx);

  async function digestOf(roomId: string, roomName: string, agent: string): Promise<AgentDigest> {
    const [checkpoint, counts, tasks, leases] = await Promise.all([
      store.getCheckpoint(roomId),
      store.inboxCounts(roomId, agent),
      store.listTasks(roomId, {
        assignee: agent,
        statuses: ['open', 'blocked', 'claimed', 'in_progress'],
      }),
      store.listLeases(roomId, liveness()),
    ]);
    return {
      room: roomName,
      agent,
      checkpoint,
      unread: counts.unread,
      uninjected: counts.uninjected,
      tasks,
      leases: leases.filter((l) => l.agent === agent),
    };
  }

  return {
    /**
     * A client session of `agentName` started (or resumed, or was cleared or compacted). The agent
     * is created when it does not exist yet, offline until something connects for it, so that a
     * bridge starting next still gets the name; an existing agent is left as it is. Appends
     * `agent.session` and returns the agent's digest.
     */
    async startSession(
      call: Call,
      input: SessionInput,
    ): Promise<{ agent: Agent; event: RoomEvent; digest: AgentDigest }> {
      const { principal: p, room: roomName, agent: agentName } = call;
      const room = await enter(p, roomName, 'write');
      assertAgentName(agentName);
      const source = assertSession(input);
      const capabilities = parseCapabilities(input);
      const created = await store.registerAgent(
        room.id,
        { ...capabilities, name: agentName, member_id: p.member.id, at: clock.now() },
        (agent, previous) =>
          draft(actorOf(p), 'agent.registered', { agent, restarted: previous !== null }),
        { quiet: true },
      );
      if (created.event) announce(created.event, room.id);
      const agent = await actingAgent(p, room, agentName);
      const event = await store.appendEvent(
        room.id,
        draft(actorOf(p), 'agent.session', {
          agent: agent.name,
          session_id: input.session_id,
          source,
          client: capabilities.client,
        }),
      );
      announce(event, room.id);
      return { agent, event, digest: await digestOf(room.id, room.name, agent.name) };
    },

    /** The agent's digest, changing nothing. */
    async agentDigest(call: Call): Promise<AgentDigest> {
      const { room, agent } = await enterAs(call, null);
      return digestOf(room.id, room.name, agent.name);
    },
  };
}
