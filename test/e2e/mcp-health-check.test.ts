// `huddle mcp` registers its agent only for a session, not for a health check: a client that
// connects, lists tools and leaves (what `claude mcp list` and `gemini mcp list` do) leaves no
// agent, no event in the room's log and no session link; on the local hub it does not even create
// the room. A session is registered at its first tool call, once it stays connected past a short
// grace, or as soon as its hooks' SessionStart records it, whichever comes first.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createHubClient, type HubClient } from '../../src/client/hub-client.js';
import { defaultAgent, defaultRoom } from '../../src/cli/repo-identity.js';
import type { Agent } from '../../src/core/types.js';
import { huddleOk } from '../helpers/cli.js';
import { CLI_PATH, RELAXED_LIMITS, startTestHub, type TestHub } from '../helpers/hub.js';
import { envWithoutHuddle, freePort } from '../helpers/process-env.js';
import { tempDir } from '../helpers/temp-dir.js';
import { backgroundHubPid, stopBackgroundHub } from '../helpers/background-hub.js';

const ROOM = 'checks';

let hub: TestHub;
const home = tempDir();
const repo = tempDir('huddle-check-repo-');
let hc: HubClient;
let base: string;

before(async () => {
  // A bridge closed before its stream connected leaves its agent online until the presence sweep:
  // a short sweep keeps the waits below for "offline" short on a busy machine.
  hub = await startTestHub({ HUDDLE_HEARTBEAT_SECONDS: '1', HUDDLE_OFFLINE_AFTER_SECONDS: '2' });
  mkdirSync(join(repo.path, '.git'));
  await huddleOk(['create', ROOM, '--label', 'laptop'], { home: home.path, url: hub.url });
  const file = JSON.parse(readFileSync(join(home.path, 'config.json'), 'utf8')) as {
    hubs: Record<string, { rooms: Record<string, { token: string }> }>;
  };
  hc = createHubClient({ url: hub.url, token: file.hubs[hub.url]!.rooms[ROOM]!.token });
  base = defaultAgent('claude-code', repo.path);
});
after(async () => {
  await hub.stop();
  home.remove();
  repo.remove();
});

/** `huddle mcp --room checks --client claude-code` with its default name, as a client starts it. */
async function connect(): Promise<{ client: Client; exited: Promise<void> }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_PATH, 'mcp', '--room', ROOM, '--client', 'claude-code'],
    env: envWithoutHuddle({ HUDDLE_HOME: home.path, HUDDLE_URL: hub.url }),
    cwd: repo.path,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'claude-code', version: '1.0.0' });
  await client.connect(transport);
  const pid = transport.pid!;
  const exited = new Promise<void>((resolve) => {
    const poll = () => (alive(pid) ? setTimeout(poll, 20) : resolve());
    poll();
  });
  return { client, exited };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const agentsNow = async () => (await hc.agents(ROOM)).agents;
const cursorNow = async () => (await hc.read(ROOM, 1)).cursor;
const events = async (after: number) => (await hc.history(ROOM, after, 100)).events;

/** Polls until `pick` finds the agent; fails after `ms`. */
async function until(pick: (agents: Agent[]) => Agent | undefined, ms: number): Promise<Agent> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = pick(await agentsNow());
    if (found) return found;
    assert.ok(Date.now() < deadline, `not within ${ms} ms: ${JSON.stringify(await agentsNow())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test(
  'a client that connects, lists tools and leaves registers nothing and adds no event',
  { timeout: 30_000 },
  async () => {
    const cursor = await cursorNow();
    for (let i = 0; i < 2; i++) {
      const { client, exited } = await connect();
      const { tools } = await client.listTools();
      assert.ok(tools.some((t) => t.name === 'room'));
      await client.ping();
      await client.close();
      await exited;
    }
    assert.deepEqual(await agentsNow(), []);
    assert.deepEqual(await events(cursor), [], 'no agent.* event, no presence line');
    assert.deepEqual(readdirSync(join(home.path, 'run')), [], 'no session link left');
  },
);

test(
  'the first tool call registers the agent; a health check beside a live session changes nothing',
  { timeout: 30_000 },
  async () => {
    const cursor = await cursorNow();
    const first = await connect();
    const who = await first.client.callTool({ name: 'who', arguments: {} });
    assert.ok(!who.isError, JSON.stringify(who.content));
    assert.match(JSON.stringify(who.content), new RegExp(`${base}: online`));
    const registered = (await events(cursor)).filter((e) => e.type === 'agent.registered');
    assert.equal(registered.length, 1);
    await first.client.close();
    await first.exited;
    await until((agents) => agents.find((a) => a.name === base && a.status === 'offline'), 5000);

    // A health check while a session is live takes nothing from it.
    const session = await connect();
    await session.client.callTool({ name: 'room', arguments: {} });
    const since = await cursorNow();
    const check = await connect();
    await check.client.listTools();
    await check.client.close();
    await check.exited;
    assert.deepEqual(await events(since), []);
    assert.deepEqual(
      (await agentsNow()).map((a) => [a.name, a.status]),
      [[base, 'online']],
    );
    await session.client.close();
    await session.exited;
  },
);

test(
  'a client that stays connected is registered after the grace, without a tool call',
  { timeout: 30_000 },
  async () => {
    await until((agents) => agents.find((a) => a.name === base && a.status === 'offline'), 5000);
    const started = Date.now();
    const { client, exited } = await connect();
    await until((agents) => agents.find((a) => a.name === base && a.status === 'online'), 10_000);
    const waited = Date.now() - started;
    assert.ok(waited >= 2500, `registered after ${waited} ms, before the grace`);
    await client.close();
    await exited;
  },
);

test("the hooks' SessionStart registers the agent at once", { timeout: 30_000 }, async () => {
  await until((agents) => agents.find((a) => a.name === base && a.status === 'offline'), 5000);
  const { client, exited } = await connect();
  const started = Date.now();
  // What `huddle hook session-start` does for the agent named in the bridge's link.
  const link = JSON.parse(
    readFileSync(join(home.path, 'run', `client-${process.pid}.json`), 'utf8'),
  ) as { agent: string };
  assert.equal(link.agent, base);
  await hc.startSession(ROOM, link.agent, { session_id: 's-1', source: 'startup' });
  await until((agents) => agents.find((a) => a.name === base && a.status === 'online'), 10_000);
  const waited = Date.now() - started;
  assert.ok(waited < 2000, `online after ${waited} ms: the grace, not the session start`);
  await client.close();
  await exited;
});

test(
  'a SessionStart recorded since the client started, before its bridge looked, registers it at once',
  { timeout: 30_000 },
  async () => {
    await until((agents) => agents.find((a) => a.name === base && a.status === 'offline'), 5000);
    // The client here is this test's process: its hook ran first, then it starts the bridge.
    await hc.startSession(ROOM, base, { session_id: 's-2', source: 'resume' });
    const { client, exited } = await connect();
    // The grace starts when the client is connected: time from there, not from the spawn, which
    // a loaded machine makes slow.
    const started = Date.now();
    try {
      await until((agents) => agents.find((a) => a.name === base && a.status === 'online'), 10_000);
      const waited = Date.now() - started;
      assert.ok(waited < 2000, `online after ${waited} ms: the grace, not the session start`);
    } finally {
      // A failed look must not leave the bridge running, or the file never ends.
      await client.close();
      await exited;
    }
  },
);

test(
  'on the local hub a health check does not create the room; a tool call does',
  { timeout: 30_000 },
  async () => {
    const d = tempDir();
    const project = join(d.path, 'web');
    mkdirSync(join(project, '.git'), { recursive: true });
    const machine = join(d.path, 'huddle');
    const port = await freePort();
    const env = envWithoutHuddle({
      HUDDLE_HOME: machine,
      HUDDLE_PORT: String(port),
      HUDDLE_RATE_LIMITS: RELAXED_LIMITS,
    });
    const open = async () => {
      const client = new Client({ name: 'gemini', version: '1.0.0' });
      await client.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [CLI_PATH, 'mcp', '--client', 'gemini'],
          env,
          cwd: project,
        }),
      );
      return client;
    };
    const cli = { home: machine, url: `http://127.0.0.1:${port}`, cwd: project };
    try {
      const check = await open();
      await check.ping();
      await check.close();
      assert.ok(!existsSync(join(machine, 'config.json')), 'no credential was stored');
      // Creating the room succeeds: the health check did not create it (nor join it).
      await huddleOk(['create', defaultRoom(project)], cli);

      const session = await open();
      const who = await session.callTool({ name: 'who', arguments: {} });
      assert.match(
        JSON.stringify(who.content),
        new RegExp(`${defaultAgent('gemini', project)}: online`),
      );
      await session.close();
    } finally {
      try {
        stopBackgroundHub(backgroundHubPid(machine));
      } catch {
        // no hub was started
      }
      d.remove();
    }
  },
);
