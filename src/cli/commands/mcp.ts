// huddle mcp: an MCP server on stdin/stdout for one agent in one room, forwarding to the hub.
// With nothing configured it uses the local hub (starting it when needed), the repository's
// room and a stable agent name for this client and directory.

import { hostname } from 'node:os';
import { createHubClient } from '../../client/hub-client.js';
import type { Run } from '../registry.js';
import { stringFlag } from '../flags.js';
import { credentialForRoom, ensureLocalHub, usesLocalHub } from '../local-hub.js';
import { defaultAgent, defaultRoom, repoRoot } from '../repo-identity.js';

export const run: Run = async (ctx, _args, flags) => {
  const cwd = ctx.io.env.CLAUDE_PROJECT_DIR || process.cwd();
  const root = repoRoot(cwd);
  const clientName = stringFlag(flags, 'client') ?? 'other';
  const room = stringFlag(flags, 'room') ?? (ctx.io.env.HUDDLE_ROOM || defaultRoom(root));
  const chosen = stringFlag(flags, 'as') ?? (ctx.io.env.HUDDLE_AGENT || undefined);
  if (usesLocalHub(ctx)) await ensureLocalHub(ctx);
  const credential = await credentialForRoom(ctx, room);
  const client = createHubClient({ url: ctx.config.url, token: credential.token });
  const capabilities = { client: clientName as never, host: hostname(), cwd };
  // Registering again after a restart keeps the agent's inbox and history. A default name that a
  // live session already speaks for (a second session in the same directory) gets a suffix.
  const candidates = chosen ? [chosen] : defaultAgentNames(defaultAgent(clientName, cwd));
  let registered: Awaited<ReturnType<typeof client.registerAgent>> | undefined;
  for (const name of candidates) {
    try {
      registered = await client.registerAgent(room, { name, ...capabilities, exclusive: !chosen });
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'agent_in_use' || name === candidates.at(-1))
        throw err;
    }
  }
  const { agent: self, event } = registered!;
  const agent = self.name;
  const [
    { createMcpServer, CHANNEL_CAPABILITY },
    { createHubSession },
    { startLeaseRenewer },
    { StdioServerTransport },
    { connectStream },
    { createChannelPush, CHANNEL_METHOD },
    { writeSessionLink },
  ] = await Promise.all([
    import('../../mcp/mcp-server.js'),
    import('../../bridge/hub-session.js'),
    import('../../bridge/lease-renewer.js'),
    import('@modelcontextprotocol/sdk/server/stdio.js'),
    import('../../client/stream-client.js'),
    import('../../bridge/channel-push.js'),
    import('../../hooks/session-link.js'),
  ]);
  // The client's hooks act for the agent this bridge chose (it may carry a suffix).
  const unlink = writeSessionLink(ctx.config.home, { url: ctx.config.url, room, agent });
  process.once('exit', unlink);
  // A client that stops its server with a signal ends the process without an exit handler run.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      unlink();
      process.exit(0);
    });
  }
  const server = createMcpServer(createHubSession(client, room, agent, { root, cwd }), {
    channel: true,
  });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => (transport.onclose = () => resolve()));
  await server.connect(transport);
  // Channel push is on when asked for, or when the client says it takes channel notifications;
  // otherwise Claude Code would drop them unseen, so the hooks deliver instead.
  const channelsAsked = flags.channels === true || ctx.io.env.HUDDLE_CHANNELS === '1';
  const channelsTaken = () =>
    channelsAsked ||
    server.server.getClientCapabilities()?.experimental?.[CHANNEL_CAPABILITY] !== undefined;
  const channel = createChannelPush(
    client,
    room,
    agent,
    (params) => server.server.notification({ method: CHANNEL_METHOD, params: { ...params } }),
    (err) => ctx.io.stderr(`huddle mcp: channel push failed: ${(err as Error).message}\n`),
  );
  // A live connection bound to the agent keeps it online while this process runs and proves
  // delivery of its messages; it resumes by cursor after a drop.
  const stream = connectStream({
    url: ctx.config.url,
    token: credential.token,
    subscriptions: [{ room, after: event.seq, agent }],
    onEvent: (e) => {
      if (channelsTaken()) channel.onEvent(e);
    },
  });
  // The agent's leases stay held while it works; once this process ends they expire.
  const renewer = startLeaseRenewer(client, room, agent);
  process.stdin.once('end', () => void server.close());
  await closed;
  renewer.stop();
  stream.close();
  unlink();
};

/** The default name, then the same with -2 ... -9 for further sessions in the same directory. */
function defaultAgentNames(base: string): string[] {
  return [base, ...Array.from({ length: 8 }, (_, i) => `${base}-${i + 2}`)];
}
