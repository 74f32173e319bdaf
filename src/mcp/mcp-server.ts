// The MCP server huddle offers an agent: its name, instructions and tools, over any transport.

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { HUDDLE_VERSION } from '../core/version.js';
import type { AgentSession } from './agent-session.js';
import { INSTRUCTIONS } from './instructions.js';
import { registerRoomTools } from './room-tools.js';

/** The experimental capability of a Claude Code channel server: it may push messages. */
export const CHANNEL_CAPABILITY = 'claude/channel';

export interface McpServerOptions {
  /** Declares Claude Code's `claude/channel` capability: the server may push messages. */
  channel?: boolean;
}

export function createMcpServer(session: AgentSession, options: McpServerOptions = {}): McpServer {
  const server = new McpServer(
    { name: 'huddle', version: HUDDLE_VERSION },
    {
      instructions: INSTRUCTIONS,
      ...(options.channel && { capabilities: { experimental: { [CHANNEL_CAPABILITY]: {} } } }),
    },
  );
  registerRoomTools(server, session);
  return server;
}
