// Zero-config local mode: with an empty HUDDLE_HOME, three `huddle mcp` processes started at once
// end with exactly one local hub, all three agents in the repository's room.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { defaultAgent, defaultRoom } from '../../src/cli/repo-identity.js';
import { CLI_PATH, RELAXED_LIMITS } from '../helpers/hub.js';
import { envWithoutHuddle, freePort } from '../helpers/process-env.js';
import { tempDir } from '../helpers/temp-dir.js';
import { backgroundHubPid, stopBackgroundHub } from '../helpers/background-hub.js';

const home = tempDir();
const work = tempDir();
const clients: Client[] = [];
let hubPid: number | undefined;

after(async () => {
  for (const c of clients) await c.close().catch(() => {});
  stopBackgroundHub(hubPid);
  home.remove();
  work.remove();
});

test(
  'three huddle mcp started at once share one local hub and the repository room',
  { timeout: 60_000 },
  async () => {
    const repo = join(work.path, 'api');
    mkdirSync(join(repo, '.git'), { recursive: true });
    mkdirSync(join(repo, 'src'));
    const port = await freePort();
    const env = envWithoutHuddle();
    // A HUDDLE_HOME that does not exist yet, as on a machine that never ran huddle.
    const huddleHome = join(home.path, 'fresh');
    Object.assign(env, {
      HUDDLE_HOME: huddleHome,
      HUDDLE_PORT: String(port),
      HUDDLE_RATE_LIMITS: RELAXED_LIMITS,
    });

    const kinds = ['claude-code', 'codex', 'gemini'];
    const started = await Promise.all(
      kinds.map(async (kind) => {
        const client = new Client({ name: 'test', version: '1.0.0' });
        await client.connect(
          new StdioClientTransport({
            command: process.execPath,
            args: [CLI_PATH, 'mcp', '--client', kind],
            env,
            cwd: join(repo, 'src'),
          }),
        );
        clients.push(client);
        // The first tool call of a session registers its agent.
        await client.callTool({ name: 'room', arguments: {} });
        return client;
      }),
    );

    hubPid = backgroundHubPid(huddleHome);
    process.kill(hubPid, 0); // throws when no such process
    assert.equal(statSync(join(huddleHome, 'local.secret')).mode & 0o777, 0o600);
    const log = readFileSync(join(huddleHome, 'hub.log'), 'utf8');
    assert.equal(log.match(/"msg":"hub started"/g)?.length, 1, 'one hub started');

    const who = (await started[0]!.callTool({ name: 'who', arguments: {} })) as CallToolResult;
    const agents = (who.structuredContent as { agents: Array<{ name: string; room: string }> })
      .agents;
    const expected = kinds.map((k) => defaultAgent(k, join(repo, 'src'))).sort();
    assert.deepEqual(agents.map((a) => a.name).sort(), expected);
    assert.ok(
      agents.every((a) => a.room === defaultRoom(repo)),
      `room ${agents[0]?.room}`,
    );
    assert.match(defaultRoom(repo), /^api-[0-9a-f]{4}$/);
    assert.match(expected[0]!, /^claude-api-[0-9a-f]{4}$/);

    const sent = (await started[0]!.callTool({
      name: 'send',
      arguments: { to: defaultAgent('codex', join(repo, 'src')), body: 'hello from claude' },
    })) as CallToolResult;
    assert.ok(!sent.isError, JSON.stringify(sent.content));
    const inbox = (await started[1]!.callTool({ name: 'inbox', arguments: {} })) as CallToolResult;
    assert.match((inbox.content[0] as { text: string }).text, /hello from claude/);
  },
);

test(
  'two Claude Code sessions in one directory get two agents that can message each other',
  { timeout: 60_000 },
  async () => {
    const d = tempDir();
    const repo = join(d.path, 'web');
    mkdirSync(join(repo, '.git'), { recursive: true });
    const env = envWithoutHuddle();
    const huddleHome = join(d.path, 'home');
    Object.assign(env, {
      HUDDLE_HOME: huddleHome,
      HUDDLE_PORT: String(await freePort()),
      HUDDLE_RATE_LIMITS: RELAXED_LIMITS,
    });
    const open = async () => {
      const client = new Client({ name: 'test', version: '1.0.0' });
      await client.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [CLI_PATH, 'mcp', '--client', 'claude-code'],
          env,
          cwd: repo,
        }),
      );
      await client.callTool({ name: 'room', arguments: {} });
      return client;
    };
    const first = await open();
    const second = await open();
    try {
      const base = defaultAgent('claude-code', repo);
      const who = (await first.callTool({ name: 'who', arguments: {} })) as CallToolResult;
      const names = (who.structuredContent as { agents: Array<{ name: string }> }).agents
        .map((a) => a.name)
        .sort();
      assert.deepEqual(names, [base, `${base}-2`]);
      const sent = (await second.callTool({
        name: 'send',
        arguments: { to: base, body: 'from the other session' },
      })) as CallToolResult;
      assert.ok(!sent.isError, JSON.stringify(sent.content));
      const inbox = (await first.callTool({ name: 'inbox', arguments: {} })) as CallToolResult;
      assert.match((inbox.content[0] as { text: string }).text, /from the other session/);
    } finally {
      await first.close();
      await second.close();
      try {
        process.kill(backgroundHubPid(huddleHome), 'SIGTERM');
      } catch {
        // already gone
      }
      d.remove();
    }
  },
);
