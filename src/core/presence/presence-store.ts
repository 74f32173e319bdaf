// The Store slice of agents and presence, with the live connections every hub on the database
// counts: a subscription ending on one hub takes the agent offline only when none is left on any
// hub. A connection record expires unless the hub that owns it renews it. Connections are not
// the room's activity: no event is appended for them.

import type { Agent, AgentStatus, EventDraft, RoomEvent } from '../types.js';
import type { NewAgent } from '../store.js';

export interface PresenceStore {
  /**
   * Registers an agent, or re-registers it: its inbox and history are kept, its capabilities
   * replaced, and it is online again (a retired agent comes back). A name belongs to the member
   * that registered it first; another member gets `agent_name_taken`. With `exclusive`, an agent
   * that is not offline or retired (something speaks for it now) is refused with `agent_in_use`,
   * checked in the same transaction. Appends `agent.registered`. With `quiet`, an agent that does
   * not exist yet is created offline (nothing speaks for it yet), and an existing one is left
   * exactly as it is, with no event (`event` is null).
   */
  registerAgent(
    roomId: string,
    agent: NewAgent,
    event: (agent: Agent, previous: Agent | null) => EventDraft,
    options?: { exclusive?: boolean; quiet?: boolean },
  ): Promise<{ agent: Agent; event: RoomEvent | null }>;

  /** Every agent of the room, retired ones included, by name. */
  listAgents(roomId: string): Promise<Agent[]>;

  getAgent(roomId: string, name: string): Promise<Agent | null>;

  /**
   * Records that the agent was seen at `at`. When `status` is given and differs from the stored
   * one, sets it and appends `event(from, to)` in the same transaction. Fails with
   * `agent_not_found`; a retired agent only changes by registering again (`agent_retired`).
   */
  touchAgent(
    roomId: string,
    name: string,
    at: number,
    status: AgentStatus | undefined,
    event: (from: AgentStatus, to: AgentStatus) => EventDraft,
  ): Promise<{ agent: Agent; event: RoomEvent | null }>;

  /**
   * Marks offline every agent, in every room, that is neither offline nor retired and was last
   * seen before `before`, appending `event(agent)` for each, with the agent as it was before.
   * Returns the events with their room ids.
   */
  sweepOffline(
    before: number,
    event: (agent: Agent) => EventDraft,
  ): Promise<Array<{ room_id: string; event: RoomEvent }>>;

  /**
   * Records a live connection of the agent, live until `expiresAt`; opening an id again replaces
   * its record. Nothing when the room does not exist. Of an open and a close of one id issued in
   * that order by one process, the close wins.
   */
  openConnection(
    roomId: string,
    agent: string,
    connectionId: string,
    expiresAt: number,
  ): Promise<void>;

  /**
   * Sets the expiry of every recorded connection among `connectionIds`, in one statement, expired
   * ones included; unknown ids are ignored.
   */
  renewConnections(connectionIds: string[], expiresAt: number): Promise<void>;

  /**
   * Forgets one connection of the agent (nothing when unknown) and returns how many other
   * connections of that agent in that room are live at `at` (`expires_at > at`), counted in the
   * same transaction: of two closes of an agent's last two connections, on any hubs, exactly one
   * sees `others: 0`.
   */
  closeConnection(
    roomId: string,
    agent: string,
    connectionId: string,
    at: number,
  ): Promise<{ others: number }>;
}
