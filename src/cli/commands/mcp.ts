// huddle mcp: an MCP server on stdin/stdout for one agent in one room, forwarding to the hub.
// With nothing configured it uses the local hub (starting it when needed), the repository's
// room and a stable agent name for this client and directory. The agent is registered only once
// the client turns out to be a session: at its first tool call, once it stays connected past a
// short grace, or when its hooks' SessionStart recorded the session. A health check such as
// `claude mcp list` leaves no agent, and no line in the room's activity. With channels on it also
// relays Claude Code's permission prompts to a person through the hub's approvals.

import { hostname } from 'node:os';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { createHubClient, type HubClient } from '../../client/hub-client.js';
import type { RoomEvent } from '../../core/types.js';
import type { AgentSession } from '../../mcp/agent-session.js';
import type { Run } from '../registry.js';
import { stringFlag } from '../flags.js';
import { credentialForRoom, ensureLocalHub, usesLocalHub } from '../local-hub.js';
import { defaultAgent, defaultRoom, repoRoot } from '../repo-identity.js';

/** How long a client stays connected after initializing before the bridge takes it for a session. */
const SESSION_GRACE_MS = 3000;

export const run: Run = async (ctx, _args, flags) => {
  const cwd = ctx.io.env.CLAUDE_PROJECT_DIR || process.cwd();
  const root = repoRoot(cwd);
  const clientName = stringFlag(flags, 'client') ?? 'other';
  const room = stringFlag(flags, 'room') ?? (ctx.io.env.HUDDLE_ROOM || defaultRoom(root));
  const chosen = stringFlag(flags, 'as') ?? (ctx.io.env.HUDDLE_AGENT || undefined);
  const { url, home } = ctx.config;
  const local = usesLocalHub(ctx);
  if (local) await ensureLocalHub(ctx);
  // This machine's credential for the room. On the local hub a missing one is made when the agent
  // registers: joining creates the room, which a health check must not do.
  const stored =
    ctx.credentials.get(url, room) ?? (local ? undefined : ctx.forRoom(room).credential);
  const [
    { createMcpServer, CHANNEL_CAPABILITY },
    { createHubSession },
    { startLeaseRenewer },
    { StdioServerTransport },
    { connectStream },
    { createChannelPush, CHANNEL_METHOD },
    {
      createPermissionRelay,
      PermissionRequestNotification,
      PERMISSION_CAPABILITY,
      PERMISSION_METHOD,
    },
    { declareOnInitialize },
    { deferred, gateToolCalls },
    { processStartedAt },
    { writeSessionLink, linkedElsewhere },
  ] = await Promise.all([
    import('../../mcp/mcp-server.js'),
    import('../../bridge/hub-session.js'),
    import('../../bridge/lease-renewer.js'),
    import('@modelcontextprotocol/sdk/server/stdio.js'),
    import('../../client/stream-client.js'),
    import('../../bridge/channel-push.js'),
    import('../../bridge/permission-relay.js'),
    import('../../bridge/initialize-capabilities.js'),
    import('../../bridge/deferred-agent.js'),
    import('../../bridge/process-start.js'),
    import('../../hooks/session-link.js'),
  ]);

  // The name, chosen without registering. A default name that another running client's bridge
  // on this machine, or a live session on the hub, speaks for is taken: the next suffix is used.
  const candidates = chosen ? [chosen] : defaultAgentNames(defaultAgent(clientName, cwd));
  const known = stored && createHubClient({ url, token: stored.token });
  const [listed, read] = known
    ? await Promise.all([known.agents(room), known.read(room, 1)])
    : [undefined, undefined];
  const live = new Set(
    (listed?.agents ?? [])
      .filter((a) => a.status !== 'offline' && a.status !== 'retired')
      .map((a) => a.name),
  );
  const free = (name: string) =>
    !live.has(name) && !linkedElsewhere(home, url, room, name, [process.ppid]);
  let agent = chosen ?? candidates.find(free) ?? candidates.at(-1)!;

  // Channels are on when asked for, or when the client says it takes channel notifications;
  // otherwise Claude Code would drop them unseen, so the hooks deliver instead.
  const channelsAsked = flags.channels === true || ctx.io.env.HUDDLE_CHANNELS === '1';
  const channelsOn = (client: ClientCapabilities | undefined) =>
    channelsAsked || client?.experimental?.[CHANNEL_CAPABILITY] !== undefined;
  const say = (line: string) => ctx.io.stderr(`huddle mcp: ${line}\n`);
  const debug = ctx.config.log_level === 'debug' ? say : () => {};

  // Claude Code's permission prompts, relayed to a person when channels are on. The hub client
  // is the one the agent registered with.
  let hub: HubClient | undefined;
  let relaying = false;
  const relay = createPermissionRelay({
    target: async () => ({ agent: await registration.run(), hub: hub!, room }),
    answer: (params) =>
      server.server.notification({ method: PERMISSION_METHOD, params: { ...params } }),
    debug,
    warn: say,
  });

  // The client's hooks act for the agent this bridge chose (it may carry a suffix).
  let unlink = writeSessionLink(home, { url, room, agent });
  process.once('exit', () => unlink());
  // A client that stops its server with a signal ends the process without an exit handler run;
  // a permission prompt still waiting for a person is withdrawn first.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      unlink();
      void relay.close().finally(() => process.exit(0));
    });
  }

  let watch: { close(): void } | undefined;
  let ended = false;
  const stops: Array<() => void> = [];
  // Filled in when the agent registers; no tool call gets through before that (gateToolCalls).
  const session = {} as AgentSession;
  const server = createMcpServer(session, { channel: true });
  const registration = deferred(async () => {
    const credential = stored ?? (await credentialForRoom(ctx, room));
    const client = createHubClient({ url, token: credential.token });
    hub = client;
    const { event, name } = await registerFirstFree(
      client,
      room,
      candidates.slice(candidates.indexOf(agent)),
      (name) => name === agent || free(name),
      { client: clientName as never, host: hostname(), cwd, exclusive: !chosen },
    );
    if (name !== agent) {
      agent = name;
      unlink = writeSessionLink(home, { url, room, agent });
    }
    watch?.close();
    Object.assign(session, createHubSession(client, room, agent, { root, cwd }));
    // A client that left while this was on its way gets no stream to keep the process alive.
    if (!ended) startAgent(client, credential.token, event.seq);
    return agent;
  });

  /** What runs for a registered agent: its bound stream, channel push, the lease renewer. */
  function startAgent(client: HubClient, token: string, after: number) {
    const channelsTaken = () => channelsOn(server.server.getClientCapabilities());
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
      url,
      token,
      subscriptions: [{ room, after, agent }],
      onEvent: (e) => {
        if (channelsTaken()) channel.onEvent(e);
      },
    });
    // The agent's leases stay held while it works; once this process ends they expire.
    const renewer = startLeaseRenewer(client, room, agent);
    stops.push(renewer.stop, stream.close);
  }

  /** Registers outside a tool call; a failure is said once, and the next tool call tries again. */
  const registerNow = () =>
    void registration.run().catch((err: Error) => {
      ctx.io.stderr(`huddle mcp: registering agent ${agent} failed: ${err.message}\n`);
    });

  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => (transport.onclose = () => resolve()));
  server.server.setNotificationHandler(PermissionRequestNotification, (n) => {
    if (relaying) relay.request(n.params);
    else debug(`ignored a permission_request: ${PERMISSION_CAPABILITY} is not declared`);
  });
  await server.connect(transport);
  // The relay is declared, like push, only when channels are on: to this client it cannot be
  // known before its initialize request.
  declareOnInitialize(transport, (client) => {
    relaying = channelsOn(client);
    return relaying ? { [PERMISSION_CAPABILITY]: {} } : undefined;
  });
  gateToolCalls(transport, registration.run);
  let grace: NodeJS.Timeout | undefined;
  server.server.oninitialized = () => {
    grace = setTimeout(registerNow, SESSION_GRACE_MS);
  };
  process.stdin.once('end', () => void server.close());
  // The hooks' SessionStart records the session in the room: a session, whatever comes first.
  // It may have done so before this bridge looked, at any time since its client started.
  if (known && read) {
    const isMine = (e: RoomEvent) => e.type === 'agent.session' && e.body.agent === agent;
    watch = connectStream({
      url,
      token: stored.token,
      subscriptions: [{ room, after: read.cursor }],
      onEvent: (e) => isMine(e) && registerNow(),
    });
    const clientStart = processStartedAt(process.ppid) ?? Date.now() - process.uptime() * 1000;
    const since = new Date(clientStart - 1000).toISOString();
    const earlier = await known
      .activity(room, { types: ['agent.session'], since, limit: 100 })
      .catch(() => ({ events: [] })); // the grace and the first tool call remain
    if (earlier.events.some(isMine)) registerNow();
  }
  await closed;
  ended = true;
  const relayClosed = relay.close();
  clearTimeout(grace);
  watch?.close();
  for (const stop of stops) stop();
  await relayClosed;
  unlink();
};

/** The default name, then the same with -2 ... -9 for further sessions in the same directory. */
function defaultAgentNames(base: string): string[] {
  return [base, ...Array.from({ length: 8 }, (_, i) => `${base}-${i + 2}`)];
}

/**
 * Registers the first of `names` that `usable` allows; with `exclusive`, a name a live session
 * speaks for (`agent_in_use`) passes to the next. Registering again after a restart keeps the
 * agent's inbox and history.
 */
async function registerFirstFree(
  client: HubClient,
  room: string,
  names: string[],
  usable: (name: string) => boolean,
  body: Omit<Parameters<HubClient['registerAgent']>[1], 'name'>,
) {
  const tried = names.filter(usable);
  for (const name of tried) {
    try {
      return { ...(await client.registerAgent(room, { ...body, name })), name };
    } catch (err) {
      if ((err as { code?: string }).code !== 'agent_in_use' || name === tried.at(-1)) throw err;
    }
  }
  throw new Error(`no name left among ${names.join(', ')}`);
}
