// An AgentSession over HubClient: how the stdio bridge reaches the hub for one agent.

import type { HubClient } from '../client/hub-client.js';
import type { AgentSession } from '../mcp/agent-session.js';

export function createHubSession(client: HubClient, room: string, agent: string): AgentSession {
  return {
    room,
    agent,
    read: (limit) => client.read(room, limit),
    history: (after, limit) => client.history(room, after, limit),
    writeNote: (text) => client.writeNote(room, text),
    setCheckpoint: (text, expected) => client.setCheckpoint(room, text, expected),
    send: (request) => client.send(room, agent, request),
    reply: (id, body, kind) => client.reply(room, agent, id, { body, ...(kind && { kind }) }),
    peekInbox: (all) => client.peekInbox(room, agent, { all }),
    readInbox: (ids) => client.readInbox(room, agent, ids ? { ids } : {}),
    ack: (ids) => client.ack(room, agent, ids),
    agents: () => client.agents(room),
  };
}
