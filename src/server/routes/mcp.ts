// MCP over Streamable HTTP at /mcp. Stateless: every request builds its server from the token
// (and the agent the client names), never from an MCP session id, so nothing depends on sessions.

import type { Hono } from 'hono';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { createMcpServer } from '../../mcp/mcp-server.js';
import { HuddleError } from '../../core/errors.js';
import type { Env, RouteContext } from '../app.js';
import { createLocalSession } from '../hub-session.js';
import { bearerToken } from '../request.js';

/** Whether a JSON-RPC body (one message or a batch) calls a tool. */
function callsTool(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some(
    (m) =>
      typeof m === 'object' && m !== null && (m as { method?: unknown }).method === 'tools/call',
  );
}

export function registerMcpRoute(app: Hono<Env>, { hub }: RouteContext): void {
  app.post('/mcp', async (c) => {
    const p = await hub.members.authenticate(bearerToken(c));
    const agent = c.req.header('x-huddle-agent') ?? c.req.query('agent');
    if (!agent) {
      throw new HuddleError(
        'invalid',
        'agent_required',
        'Name the agent you act as: add ?agent=NAME to the MCP URL, or send the header X-Huddle-Agent.',
        { details: { field: 'agent' } },
      );
    }
    const text = await c.req.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined; // the transport answers with a JSON-RPC parse error
    }
    // An agent's first tool call registers it. A client that only connects (initialize,
    // tools/list, ping), as a health check does, leaves no agent and no event behind.
    if (callsTool(body)) {
      const known = (
        await hub.presence.listAgents({ principal: p, room: p.room.name })
      ).agents.some((a) => a.name === agent);
      if (!known) {
        await hub.presence.registerAgent(
          { principal: p, room: p.room.name },
          {
            name: agent,
            client: c.req.header('x-huddle-client') ?? 'other',
          },
        );
      }
    }
    const server = createMcpServer(createLocalSession(hub, p, agent));
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    if (body !== undefined) return transport.handleRequest(c.req.raw, { parsedBody: body });
    // The body was read here: the transport gets it again to answer what is wrong with it.
    const request = new Request(c.req.url, {
      method: 'POST',
      headers: c.req.raw.headers,
      body: text,
    });
    return transport.handleRequest(request);
  });
  // Stateless, the endpoint keeps no stream open (GET) and no session to end (DELETE).
  app.all('/mcp', () => {
    throw new HuddleError(
      'invalid',
      'method_not_allowed',
      'The MCP endpoint takes only POST: it is stateless, with no stream to open and no session to end.',
      { details: { allow: 'POST' } },
    );
  });
}
