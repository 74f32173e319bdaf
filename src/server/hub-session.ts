// An AgentSession over the Hub itself, for the hub's own /mcp endpoint: the same tools as the
// stdio bridge, without a network hop. The hub cannot see the agent's files, so a share must
// carry its content.

import { HuddleError } from '../core/errors.js';
import type { Call } from '../core/call.js';
import type { Hub, Principal } from '../core/hub.js';
import type { AgentSession } from '../mcp/agent-session.js';

export function createLocalSession(hub: Hub, p: Principal, agent: string): AgentSession {
  const room = p.room.name;
  const call: Call = { principal: p, room, agent };
  return {
    room,
    agent,
    read: (limit) => hub.rooms.read({ principal: p, room }, { limit }),
    history: (after, limit) => hub.rooms.history({ principal: p, room }, { after, limit }),
    activity: (query) => hub.rooms.activity({ principal: p, room }, query),
    writeNote: (text) => hub.rooms.writeNote({ principal: p, room }, { text }),
    setCheckpoint: (text, expected) =>
      hub.rooms.setCheckpoint({ principal: p, room }, { text, expected_version: expected }),
    send: (request) => hub.messaging.sendMessage({ principal: p, room, agent }, request),
    reply: (id, body, kind) =>
      hub.messaging.reply({ principal: p, room, agent }, id, { body, kind }),
    share: async ({ content, ...spec }) => {
      if (content === undefined) {
        throw new HuddleError(
          'invalid',
          'content_required',
          'Over HTTP the hub cannot read your files: pass the text to share in share.content (with start_line and end_line when it is a range).',
          { details: { field: 'share.content' } },
        );
      }
      return hub.messaging.shareSnippet({ principal: p, room, agent }, { ...spec, content });
    },
    peekInbox: (all) => hub.messaging.peekInbox({ principal: p, room, agent }, { all }),
    readInbox: (ids) => hub.messaging.readInbox({ principal: p, room, agent }, ids ? { ids } : {}),
    ack: (ids) => hub.messaging.ackMessages({ principal: p, room, agent }, ids),
    agents: () => hub.presence.listAgents({ principal: p, room }),

    tasks: ({ status, ...filter }) =>
      hub.tasks.listTasks({ principal: p, room }, { ...filter, statuses: status }),
    task: (id) => hub.tasks.getTask({ principal: p, room }, id),
    addTask: (fields) => hub.tasks.addTask(call, fields),
    planTasks: (items) => hub.tasks.planTasks(call, items),
    updateTask: (id, fields) => hub.tasks.updateTask(call, { ...fields, id }),
    taskStep: (id, step, result, force) => {
      switch (step) {
        case 'claim':
          return hub.tasks.claimTask(call, { id });
        case 'unclaim':
          return hub.tasks.unclaimTask(call, { id, force });
        case 'start':
          return hub.tasks.startTask(call, { id });
        case 'done':
          return hub.tasks.finishTask(call, { id, result, force });
        case 'cancel':
          return hub.tasks.cancelTask(call, { id, result, force });
      }
    },
    handoffTask: (id, to, note, force) => hub.tasks.handoffTask(call, { id, to, note, force }),

    variables: () => hub.variables.listVariables({ principal: p, room }),
    variable: (key) => hub.variables.getVariable({ principal: p, room }, key),
    setVariable: (key, value, expected) =>
      hub.variables.setVariable(
        { principal: p, room },
        { key, value, expected_version: expected, agent },
      ),
    deleteVariable: (key, expected) =>
      hub.variables.deleteVariable(
        { principal: p, room },
        { key, expected_version: expected, agent },
      ),

    leases: (filter) => hub.leases.listLeases({ principal: p, room }, filter),
    lease: (request) => hub.leases.acquireLease({ principal: p, room, agent }, request),
    release: (target) => hub.leases.releaseLeases({ principal: p, room, agent }, target),
  };
}
