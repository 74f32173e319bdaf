// The MCP tool surface: a few tools with short schemas, each answering with brief Markdown for
// the model and structuredContent for programs, and with errors that say what to do next.

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { renderActivity } from '../core/rooms/activity-text.js';
import { renderLeaseLine, renderTaskLine } from '../core/tasks/task-board.js';
import { MESSAGE_KINDS } from '../core/types.js';
import type { AgentSession } from './agent-session.js';
import { registerCoordinationTools } from './coordination-tools.js';
import { escapeAngles, frameEvent, frameInbox } from '../core/messaging/framing.js';
import { guard, invalidArgs, ok } from './tool-result.js';
import { registerTaskTool } from './task-tool.js';

export { toolError } from './tool-result.js';

/** "bob" as is, "a, b" as a list, "*" as everyone. */
function recipients(to: string): string | string[] {
  if (to === '*') return '*';
  const list = to
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return list.length === 1 ? list[0]! : list;
}

export function registerRoomTools(server: McpServer, session: AgentSession): void {
  server.registerTool(
    'room',
    {
      description:
        'Read the room in one call: checkpoint, your unread messages (marked read), your tasks and leases, who is online, recent events, and the cursor for "history". Call it first.',
      inputSchema: {
        limit: z.number().int().min(1).max(100).optional().describe('recent events, default 10'),
      },
    },
    guard(async ({ limit }) => {
      const [read, inbox, who, mine, held] = await Promise.all([
        session.read(limit ?? 10),
        session.readInbox(),
        session.agents(),
        session.tasks({ assignee: session.agent }),
        session.leases({ agent: session.agent }),
      ]);
      const online = who.agents.filter((a) => a.status !== 'offline' && a.status !== 'retired');
      const cp = read.checkpoint;
      const list = (lines: string[]) => escapeAngles(lines.join('\n')) || 'None.';
      const text = [
        `# Room ${read.room.name} (you are ${session.agent}; cursor ${read.cursor})`,
        cp.version === 0
          ? 'No checkpoint yet.'
          : `## Checkpoint v${cp.version} by ${escapeAngles(cp.updated_by?.label ?? '?')}\n${escapeAngles(cp.text)}`,
        `## Unread messages (${inbox.messages.length})`,
        inbox.messages.length ? frameInbox(inbox.messages) : 'None.',
        `## Your tasks\n${list(mine.tasks.map(renderTaskLine))}`,
        `## Your leases\n${list(held.leases.map(renderLeaseLine))}`,
        `## Online: ${online.map((a) => `${a.name} (${a.client}, ${a.status})`).join(', ') || 'nobody else'}`,
        '## Recent events',
        read.events.map(frameEvent).join('\n'),
      ].join('\n\n');
      return ok(text, {
        room: read.room.name,
        agent: session.agent,
        cursor: read.cursor,
        checkpoint: cp,
        unread: inbox.messages,
        tasks: mine.tasks,
        leases: held.leases,
        agents: who.agents,
        events: read.events,
      });
    }),
  );

  server.registerTool(
    'history',
    {
      description:
        'Events of the room after a cursor (a seq), oldest first. With types, actor or since: the activity log, one line each.',
      inputSchema: {
        after: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(100).optional(),
        types: z.array(z.string()).optional().describe('e.g. ["task.*", "note"]'),
        actor: z.string().optional(),
        since: z.string().optional().describe('"1h" or an ISO time'),
      },
    },
    guard(async ({ after, limit, types, actor, since }) => {
      const filtered = types?.length || actor !== undefined || since !== undefined;
      const page = filtered
        ? await session.activity({
            after: after ?? 0,
            limit: limit ?? 50,
            ...(types?.length && { types }),
            ...(actor !== undefined && { actor }),
            ...(since !== undefined && { since }),
          })
        : await session.history(after ?? 0, limit ?? 50);
      const more = page.has_more
        ? `More after ${page.next_after}.`
        : `End (cursor ${page.next_after}).`;
      const lines = filtered
        ? page.events.map((e) => escapeAngles(renderActivity(e, { utc: true })))
        : page.events.map(frameEvent);
      return ok([...lines, more].join('\n'), { ...page });
    }),
  );

  server.registerTool(
    'note',
    {
      description:
        'Append a short Markdown note (a finding, a decision, progress) to the room log.',
      inputSchema: { text: z.string() },
    },
    guard(async ({ text }) => {
      const { event } = await session.writeNote(text);
      return ok(`Noted as #${event.seq}.`, { event });
    }),
  );

  server.registerTool(
    'send',
    {
      description:
        'Message another agent, several ("a,b"), or everyone ("*"). With reply_to and no "to", answers that message to its sender and acks it. With share, posts a file or lines of it (to everyone by default; body is an optional note).',
      inputSchema: {
        to: z.string().optional(),
        body: z.string().optional(),
        kind: z.enum(MESSAGE_KINDS).optional(),
        reply_to: z.string().optional(),
        urgent: z.boolean().optional(),
        share: z
          .object({
            path: z.string(),
            start_line: z.number().int().min(1).optional(),
            end_line: z.number().int().min(1).optional(),
            content: z.string().optional().describe('the text; required over HTTP'),
          })
          .optional(),
      },
    },
    guard(async ({ to, body, kind, reply_to, urgent, share }) => {
      let message;
      if (share) {
        ({ message } = await session.share({
          ...share,
          ...(body !== undefined && { note: body }),
          ...(to !== undefined && { to: recipients(to) }),
        }));
        const ref = message.refs[0];
        const lines = ref?.start_line ? `:${ref.start_line}-${ref.end_line ?? ref.start_line}` : '';
        return ok(
          `Shared ${escapeAngles(ref?.path ?? share.path)}${lines} as ${message.id} to ${message.recipients.join(', ') || 'the room'}.`,
          { message },
        );
      }
      if (body === undefined) throw invalidArgs('Give body (the message), or share (a file).');
      if (to === undefined) {
        if (!reply_to)
          throw invalidArgs('Give "to" (an agent, "a,b" or "*"), or reply_to to answer a message.');
        ({ message } = await session.reply(reply_to, body, kind));
      } else {
        ({ message } = await session.send({
          to: recipients(to),
          body,
          ...(kind && { kind }),
          ...(reply_to && { reply_to }),
          ...(urgent && { priority: 'urgent' as const }),
        }));
      }
      return ok(`Sent ${message.id} to ${message.recipients.join(', ')}.`, { message });
    }),
  );

  server.registerTool(
    'inbox',
    {
      description:
        'Your messages. op "read" (default) returns unread ones and marks them read; "peek" changes nothing; "ack" closes ids or all.',
      inputSchema: {
        op: z.enum(['read', 'peek', 'ack']).optional(),
        ids: z.array(z.string()).optional(),
        all: z.boolean().optional().describe('peek: include read ones; ack: all'),
      },
    },
    guard(async ({ op, ids, all }) => {
      if (op === 'ack') {
        if (!ids?.length && !all) throw invalidArgs('Give ids to ack, or all: true.');
        const { acked } = await session.ack(all ? 'all' : ids!);
        return ok(`Acked ${acked.length}.`, { acked });
      }
      const { messages } =
        op === 'peek' ? await session.peekInbox(all === true) : await session.readInbox(ids);
      const text = messages.length ? frameInbox(messages) : 'No unread messages.';
      return ok(text, { messages });
    }),
  );

  registerCoordinationTools(server, session);
  registerTaskTool(server, session);
}
