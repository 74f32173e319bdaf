// An AgentSession over HubClient: how the stdio bridge reaches the hub for one agent. It runs
// next to the agent's files, so a share without content reads the file from the repository.

import type { HubClient } from '../client/hub-client.js';
import type { AgentSession } from '../mcp/agent-session.js';
import { readSnippet } from './read-snippet.js';

/** Where shared files are read: the repository root, and the directory relative paths start in. */
export interface Workspace {
  root: string;
  cwd: string;
}

export function createHubSession(
  client: HubClient,
  room: string,
  agent: string,
  workspace: Workspace,
): AgentSession {
  return {
    room,
    agent,
    read: (limit) => client.read(room, limit),
    history: (after, limit) => client.history(room, after, limit),
    activity: (query) => client.activity(room, query),
    writeNote: (text) => client.writeNote(room, text),
    setCheckpoint: (text, expected) => client.setCheckpoint(room, text, expected),
    send: (request) => client.send(room, agent, request),
    reply: (id, body, kind) => client.reply(room, agent, id, { body, ...(kind && { kind }) }),
    share: async ({ note, to, content, ...range }) => {
      // A path outside the repository, a binary or a bad range throws a SnippetError (code, message).
      const snippet =
        content === undefined ? readSnippet(workspace.root, range, workspace.cwd) : undefined;
      return client.share(room, agent, {
        ...(snippet
          ? {
              path: snippet.path,
              start_line: snippet.start_line,
              end_line: snippet.end_line,
              language: snippet.language,
              content: snippet.content,
            }
          : { ...range, content: content! }),
        ...(note !== undefined && { note }),
        ...(to !== undefined && { to }),
      });
    },
    peekInbox: (all) => client.peekInbox(room, agent, { all }),
    readInbox: (ids) => client.readInbox(room, agent, ids ? { ids } : {}),
    ack: (ids) => client.ack(room, agent, ids),
    agents: () => client.agents(room),

    tasks: (filter) => client.tasks(room, filter),
    task: (id) => client.task(room, id),
    addTask: (fields) => client.addTask(room, agent, fields),
    planTasks: (items) => client.planTasks(room, agent, items),
    updateTask: (id, fields) => client.updateTask(room, agent, id, fields),
    taskStep: (id, step, result, force) => client.taskStep(room, agent, id, step, result, force),
    handoffTask: (id, to, note, force) => client.handoffTask(room, agent, id, to, note, force),

    variables: () => client.variables(room),
    variable: (key) => client.variable(room, key),
    setVariable: (key, value, expected) =>
      client.setVariable(room, key, {
        value,
        agent,
        ...(expected !== undefined && { expected_version: expected }),
      }),
    deleteVariable: (key, expected) =>
      client.deleteVariable(room, key, {
        agent,
        ...(expected !== undefined && { expected_version: expected }),
      }),

    leases: (filter) => client.leases(room, filter),
    lease: (request) => client.lease(room, agent, request),
    release: (target) => client.release(room, agent, target),
  };
}
