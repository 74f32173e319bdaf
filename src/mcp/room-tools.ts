// The MCP tool surface: a few tools with short schemas, each answering with brief Markdown for
// the model and structuredContent for programs, and with errors that say what to do next.

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { MESSAGE_KINDS } from '../core/types.js';
import type { AgentSession } from './agent-session.js';
import { escapeAngles, frameEvent, frameInbox } from './framing.js';

/** Anything thrown by the session that carries a code and a message (HubError, HuddleError). */
interface CodedError {
  code?: string;
  message?: string;
  details?: unknown;
}

function ok(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

/** A refusal as a tool result the model can act on, never a protocol error. */
export function toolError(err: unknown): CallToolResult {
  const e = err as CodedError;
  const code = e.code ?? 'error';
  return {
    isError: true,
    content: [{ type: 'text', text: `Error ${code}: ${e.message ?? String(err)}` }],
    structuredContent: {
      error: { code, message: e.message ?? String(err), details: e.details ?? {} },
    },
  };
}

function guard<A>(fn: (args: A) => Promise<CallToolResult>) {
  return async (args: A): Promise<CallToolResult> => {
    try {
      return await fn(args);
    } catch (err) {
      return toolError(err);
    }
  };
}

export function registerRoomTools(server: McpServer, session: AgentSession): void {
  server.registerTool(
    'room',
    {
      description:
        'Read the room in one call: checkpoint, your unread messages (marked read), recent notes, who is online, and the cursor for "history". Call it first.',
      inputSchema: {
        limit: z.number().int().min(1).max(100).optional().describe('recent events, default 10'),
      },
    },
    guard(async ({ limit }) => {
      const [read, inbox, who] = await Promise.all([
        session.read(limit ?? 10),
        session.readInbox(),
        session.agents(),
      ]);
      const online = who.agents.filter((a) => a.status !== 'offline' && a.status !== 'retired');
      const cp = read.checkpoint;
      const text = [
        `# Room ${read.room.name} (you are ${session.agent}; cursor ${read.cursor})`,
        cp.version === 0
          ? 'No checkpoint yet.'
          : `## Checkpoint v${cp.version} by ${escapeAngles(cp.updated_by?.label ?? '?')}\n${escapeAngles(cp.text)}`,
        `## Unread messages (${inbox.messages.length})`,
        inbox.messages.length ? frameInbox(inbox.messages) : 'None.',
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
        agents: who.agents,
        events: read.events,
      });
    }),
  );

  server.registerTool(
    'history',
    {
      description: 'Events of the room after a cursor (a seq), oldest first.',
      inputSchema: {
        after: z.number().int().min(0),
        limit: z.number().int().min(1).max(100).optional(),
      },
    },
    guard(async ({ after, limit }) => {
      const page = await session.history(after, limit ?? 50);
      const more = page.has_more
        ? `More after ${page.next_after}.`
        : `End (cursor ${page.next_after}).`;
      return ok([...page.events.map(frameEvent), more].join('\n'), { ...page });
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
    'checkpoint',
    {
      description:
        'Replace the room\'s checkpoint (the current state of the work, Markdown). Pass expected_version from "room" so you never overwrite a newer one.',
      inputSchema: { text: z.string(), expected_version: z.number().int().min(0).optional() },
    },
    guard(async ({ text, expected_version }) => {
      const { checkpoint } = await session.setCheckpoint(text, expected_version);
      return ok(`Checkpoint is now version ${checkpoint.version}.`, { checkpoint });
    }),
  );

  server.registerTool(
    'send',
    {
      description:
        'Message another agent, several ("a,b"), or everyone ("*"). With reply_to and no "to", answers that message to its sender and acks it.',
      inputSchema: {
        to: z.string().optional(),
        body: z.string(),
        kind: z.enum(MESSAGE_KINDS).optional(),
        reply_to: z.string().optional(),
        urgent: z.boolean().optional(),
      },
    },
    guard(async ({ to, body, kind, reply_to, urgent }) => {
      let message;
      if (to === undefined) {
        if (!reply_to)
          throw {
            code: 'invalid_request',
            message: 'Give "to" (an agent, "a,b" or "*"), or reply_to to answer a message.',
          };
        ({ message } = await session.reply(reply_to, body, kind));
      } else {
        const list =
          to === '*'
            ? '*'
            : to
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean);
        ({ message } = await session.send({
          to: Array.isArray(list) && list.length === 1 ? list[0]! : list,
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
        if (!ids?.length && !all)
          throw { code: 'invalid_request', message: 'Give ids to ack, or all: true.' };
        const { acked } = await session.ack(all ? 'all' : ids!);
        return ok(`Acked ${acked.length}.`, { acked });
      }
      const { messages } =
        op === 'peek' ? await session.peekInbox(all === true) : await session.readInbox(ids);
      const text = messages.length ? frameInbox(messages) : 'No unread messages.';
      return ok(text, { messages });
    }),
  );

  server.registerTool(
    'who',
    {
      description: 'Agents in the room: presence, client, model, host, working directory, tags.',
      inputSchema: {},
    },
    guard(async () => {
      const { agents } = await session.agents();
      const lines = agents.map(
        (a) =>
          `- ${a.name}: ${a.status}, ${a.client}${a.model ? ` (${a.model})` : ''}${a.host ? ` on ${a.host}` : ''}${a.cwd ? ` in ${a.cwd}` : ''}${a.tags.length ? `, tags ${a.tags.join(',')}` : ''}`,
      );
      return ok(lines.join('\n') || 'No agents yet.', { agents });
    }),
  );
}
