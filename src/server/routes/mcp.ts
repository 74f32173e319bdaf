// MCP over Streamable HTTP at /mcp. Stateless: every request builds its server from the token
// (and the agent the client names), never from an MCP session id, so nothing depends on sessions.

import type { Hono } from 'hono';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { createMcpServer } from '../../mcp/mcp-server.js';
import { HuddleError } from '../../core/errors.js';
import type { Env, RouteContext } from '../app.js';
import { createLocalSession } from '../hub-session.js';
import { bearerToken } from '../request.js';

export function registerMcpRoute(app: Hono<Env>, { hub }: RouteContext): void {
  app.all('/mcp', async (c) => {
    const p = await hub.authenticate(bearerToken(c));
    const agent = c.req.header('x-huddle-agent') ?? c.req.query('agent');
    if (!agent) {
      throw new HuddleError(
        'invalid',
        'agent_required',
        'Name the agent you act as: add ?agent=NAME to the MCP URL, or send the header X-Huddle-Agent.',
        { details: { field: 'agent' } },
      );
    }
    // The first call of a new agent registers it; later calls find it.
    const known = (await hub.listAgents(p, p.room.name)).agents.some((a) => a.name === agent);
    if (!known) {
      await hub.registerAgent(p, p.room.name, {
        name: agent,
        client: c.req.header('x-huddle-client') ?? 'other',
      });
    }
    const server = createMcpServer(createLocalSession(hub, p, agent));
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    return transport.handleRequest(c.req.raw);
  });
}
