// An AgentSession over the Hub itself, for the hub's own /mcp endpoint: the same tools as the
// stdio bridge, without a network hop. The hub cannot see the agent's files, so a share must
// carry its content.

import { HuddleError } from '../core/errors.js';
import type { Hub, Principal } from '../core/hub.js';
import type { AgentSession } from '../mcp/agent-session.js';

export function createLocalSession(hub: Hub, p: Principal, agent: string): AgentSession {
  const room = p.room.name;
  return {
    room,
    agent,
    read: (limit) => hub.read(p, room, { limit }),
    history: (after, limit) => hub.history(p, room, { after, limit }),
    activity: (query) => hub.activity(p, room, query),
    writeNote: (text) => hub.writeNote(p, room, { text }),
    setCheckpoint: (text, expected) =>
      hub.setCheckpoint(p, room, { text, expected_version: expected }),
    send: (request) => hub.sendMessage(p, room, agent, request),
    reply: (id, body, kind) => hub.reply(p, room, agent, id, { body, kind }),
    share: async ({ content, ...spec }) => {
      if (content === undefined) {
        throw new HuddleError(
          'invalid',
          'content_required',
          'Over HTTP the hub cannot read your files: pass the text to share in share.content (with start_line and end_line when it is a range).',
          { details: { field: 'share.content' } },
        );
      }
      return hub.shareSnippet(p, room, agent, { ...spec, content });
    },
    peekInbox: (all) => hub.peekInbox(p, room, agent, { all }),
    readInbox: (ids) => hub.readInbox(p, room, agent, ids ? { ids } : {}),
    ack: (ids) => hub.ackMessages(p, room, agent, ids),
    agents: () => hub.listAgents(p, room),

    tasks: ({ status, ...filter }) => hub.listTasks(p, room, { ...filter, statuses: status }),
    task: (id) => hub.getTask(p, room, id),
    addTask: (fields) => hub.addTask(p, room, agent, fields),
    planTasks: (items) => hub.planTasks(p, room, agent, items),
    updateTask: (id, fields) => hub.updateTask(p, room, agent, id, fields),
    taskStep: (id, step, result, force) => {
      switch (step) {
        case 'claim':
          return hub.claimTask(p, room, agent, id);
        case 'unclaim':
          return hub.unclaimTask(p, room, agent, id, { force });
        case 'start':
          return hub.startTask(p, room, agent, id);
        case 'done':
          return hub.finishTask(p, room, agent, id, { result, force });
        case 'cancel':
          return hub.cancelTask(p, room, agent, id, { result, force });
      }
    },
    handoffTask: (id, to, note, force) => hub.handoffTask(p, room, agent, id, { to, note, force }),

    variables: () => hub.listVariables(p, room),
    variable: (key) => hub.getVariable(p, room, key),
    setVariable: (key, value, expected) =>
      hub.setVariable(p, room, key, { value, expected_version: expected, agent }),
    deleteVariable: (key, expected) =>
      hub.deleteVariable(p, room, key, { expected_version: expected, agent }),

    leases: (filter) => hub.listLeases(p, room, filter),
    lease: (request) => hub.acquireLease(p, room, agent, request),
    release: (target) => hub.releaseLeases(p, room, agent, target),
  };
}
