// An AgentSession over the Hub itself, for the hub's own /mcp endpoint: the same tools as the
// stdio bridge, without a network hop.

import type { Hub, Principal } from '../core/hub.js';
import type { AgentSession } from '../mcp/agent-session.js';

export function createLocalSession(hub: Hub, p: Principal, agent: string): AgentSession {
  const room = p.room.name;
  return {
    room,
    agent,
    read: (limit) => hub.read(p, room, { limit }),
    history: (after, limit) => hub.history(p, room, { after, limit }),
    writeNote: (text) => hub.writeNote(p, room, { text }),
    setCheckpoint: (text, expected) =>
      hub.setCheckpoint(p, room, { text, expected_version: expected }),
    send: (request) => hub.sendMessage(p, room, agent, request),
    reply: (id, body, kind) => hub.reply(p, room, agent, id, { body, kind }),
    peekInbox: (all) => hub.peekInbox(p, room, agent, { all }),
    readInbox: (ids) => hub.readInbox(p, room, agent, ids ? { ids } : {}),
    ack: (ids) => hub.ackMessages(p, room, agent, ids),
    agents: () => hub.listAgents(p, room),
  };
}
