// Zero-config start order: Claude Code starts the waiter (SessionStart) before its `huddle mcp`
// has started the local hub. The waiter keeps asking for the local hub and for its agent, and once
// the bridge has started the hub and, its client staying connected, registered the agent, a
// message to the agent wakes it.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { defaultAgent, defaultRoom } from '../../src/cli/repo-identity.js';
import type { Agent } from '../../src/core/types.js';
import { huddle, huddleOk } from '../helpers/cli.js';
import { CLI_PATH, RELAXED_LIMITS } from '../helpers/hub.js';
import { envWithoutHuddle, freePort } from '../helpers/process-env.js';
import { tempDir } from '../helpers/temp-dir.js';
import { backgroundHubPid, stopBackgroundHub } from '../helpers/background-hub.js';

const dir = tempDir();
let hubPid: number | undefined;
const cleanup: Array<() => unknown> = [];

after(async () => {
  for (const c of cleanup) await c();
  stopBackgroundHub(hubPid);
  dir.remove();
});

test(
  'a waiter started before the local hub waits for it and for its agent, then wakes',
  { timeout: 60_000 },
  async () => {
    const repo = join(dir.path, 'api');
    mkdirSync(join(repo, '.git'), { recursive: true });
    const home = join(dir.path, 'huddle');
    const port = await freePort();
    const env = {
      ...envWithoutHuddle(),
      HUDDLE_HOME: home,
      HUDDLE_PORT: String(port),
      HUDDLE_RATE_LIMITS: RELAXED_LIMITS,
      CLAUDE_PROJECT_DIR: repo,
    };

    const waiter = spawn(process.execPath, [CLI_PATH, 'hook', 'wait'], {
      cwd: repo,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    cleanup.push(() => waiter.kill('SIGKILL'));
    let stderr = '';
    waiter.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => waiter.once('exit', resolve));
    waiter.stdin.end(JSON.stringify({ session_id: 'early', hook_event_name: 'SessionStart' }));

    // A moment later the client starts its MCP server, which starts the local hub.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(waiter.exitCode, null, `the waiter did not give up: ${stderr}`);
    const client = new Client({ name: 'claude-code', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI_PATH, 'mcp', '--client', 'claude-code'],
        env,
        cwd: repo,
      }),
    );
    cleanup.push(() => client.close().catch(() => {}));
    hubPid = backgroundHubPid(home);

    const room = defaultRoom(repo);
    const agent = defaultAgent('claude-code', repo);
    const machine = { home, url: `http://127.0.0.1:${port}`, cwd: repo };
    // The client stays connected without calling a tool: after a short grace the bridge takes it
    // for a session and registers its agent.
    for (let i = 0; i < 100; i++) {
      const who = await huddle(['who', room, '--json'], machine);
      const agents = who.code === 0 ? (JSON.parse(who.stdout) as { agents: Agent[] }).agents : [];
      if (agents.some((a) => a.name === agent && a.status === 'online')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await huddleOk(['agent', room, 'bob'], machine);
    await huddleOk(['send', room, agent, 'The local hub is up.', '--as', 'bob'], machine);
    const code = await exited;
    assert.equal(code, 2, stderr);
    assert.match(stderr, /from agent "bob" to .* in room ".*"[^\n]*\n> The local hub is up\./);
  },
);
