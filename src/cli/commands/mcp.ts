// huddle mcp: an MCP server on stdin/stdout for one agent in one room, forwarding to the hub.

import { hostname } from 'node:os';
import type { Run } from '../registry.js';
import { usageError } from '../cli-error.js';
import { stringFlag } from '../flags.js';

export const run: Run = async (ctx, _args, flags) => {
  const room = stringFlag(flags, 'room') ?? ctx.io.env.HUDDLE_ROOM;
  if (!room) throw usageError('Which room? Pass --room ROOM (or set HUDDLE_ROOM).');
  const { client, credential } = ctx.forRoom(room);
  const agent = ctx.agentFor(room, credential);
  // Registering again after a restart keeps the agent's inbox and history.
  const { event } = await client.registerAgent(room, {
    name: agent,
    client: (stringFlag(flags, 'client') ?? 'other') as never,
    host: hostname(),
    cwd: process.cwd(),
  });
  const [{ createMcpServer }, { createHubSession }, { StdioServerTransport }] = await Promise.all([
    import('../../mcp/mcp-server.js'),
    import('../../bridge/hub-session.js'),
    import('@modelcontextprotocol/sdk/server/stdio.js'),
  ]);
  const server = createMcpServer(createHubSession(client, room, agent));
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => (transport.onclose = () => resolve()));
  await server.connect(transport);
  // A live connection bound to the agent keeps it online while this process runs and proves
  // delivery of its messages; it resumes by cursor after a drop.
  const { connectStream } = await import('../../client/stream-client.js');
  const stream = connectStream({
    url: ctx.config.url,
    token: credential.token,
    subscriptions: [{ room, after: event.seq, agent }],
    onEvent: () => {},
  });
  process.stdin.once('end', () => void server.close());
  await closed;
  stream.close();
};
