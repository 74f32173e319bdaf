// Real clients: `claude mcp list` and `gemini mcp list` start the huddle server that `huddle init`
// wrote, check that it answers, and stop it. That must leave nothing in huddle: no room on the local
// hub (the first time), and once the room exists no agent and no event in its log (the activity
// log stays empty of agent and presence lines). Each runs in a temporary HOME with the project
// approved (Claude Code) or trusted (Gemini CLI), as a person does once; outside CI a test is
// skipped, with a line saying so, when its client is not installed.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { defaultRoom } from '../../src/cli/repo-identity.js';
import { envWithoutHuddle, freePort } from '../helpers/process-env.js';
import { tempDir } from '../helpers/temp-dir.js';
import { backgroundHubPid, stopBackgroundHub } from '../helpers/background-hub.js';
import { writeHuddleShim } from '../helpers/client-processes.js';
import { probeCli } from '../helpers/client-cli.js';

const claudeCli = probeCli('claude', '@anthropic-ai/claude-code');
const geminiCli = probeCli('gemini', '@google/gemini-cli');

const dirs: Array<ReturnType<typeof tempDir>> = [];
const hubs: string[] = [];
after(() => {
  for (const home of hubs) {
    try {
      stopBackgroundHub(backgroundHubPid(home));
    } catch {
      // no hub was started
    }
  }
  for (const d of dirs) d.remove();
});

/** A repository and a HOME of its own, `huddle` on the PATH, and the local hub on a free port. */
async function machine() {
  const d = tempDir('huddle-health-');
  dirs.push(d);
  const root = realpathSync(d.path);
  const project = join(root, 'shop');
  const home = join(root, 'home');
  const bin = join(root, 'bin');
  mkdirSync(join(project, '.git'), { recursive: true });
  mkdirSync(home, { recursive: true });
  writeHuddleShim(bin);
  const port = await freePort();
  const env = envWithoutHuddle({
    HOME: home,
    HUDDLE_HOME: join(home, '.huddle'),
    HUDDLE_PORT: String(port),
    PATH: `${bin}:${process.env.PATH}`,
  });
  hubs.push(join(home, '.huddle'));
  const run = (command: string, args: string[]) => {
    const r = spawnSync(command, args, { cwd: project, env, encoding: 'utf8', timeout: 90_000 });
    return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
  };
  const huddle = (...args: string[]) => {
    const r = run('huddle', args);
    assert.equal(r.code, 0, r.out);
    return r.out;
  };
  return { project, home, run, huddle };
}

/** Runs the health check twice (before and after the room exists) and checks huddle is unchanged. */
function checkLeavesNothing(
  m: Awaited<ReturnType<typeof machine>>,
  list: () => string,
  connected: RegExp,
) {
  assert.match(list(), connected);
  // The room does not exist yet: creating it succeeds (and stores this machine's token).
  const room = defaultRoom(m.project);
  m.huddle('create', room);
  assert.match(list(), connected);
  assert.match(list(), connected);
  const history = JSON.parse(m.huddle('history', room, '--json')) as {
    events: Array<{ type: string }>;
  };
  assert.deepEqual(
    history.events.map((e) => e.type),
    ['room.created'],
    'no agent.* event, no presence line',
  );
  const who = JSON.parse(m.huddle('who', room, '--json')) as { agents: unknown[] };
  assert.deepEqual(who.agents, []);
}

test(
  'claude mcp list leaves no room, no agent and no activity line',
  { skip: claudeCli.skip, timeout: 180_000 },
  async () => {
    assert.ok(claudeCli.installed, `CI must have the Claude Code CLI: ${claudeCli.problem}`);
    const m = await machine();
    m.huddle('init', 'claude');
    // The approval a person gives once for a project's .mcp.json.
    writeFileSync(
      join(m.home, '.claude.json'),
      JSON.stringify({
        projects: {
          [m.project]: { enabledMcpjsonServers: ['huddle'], hasTrustDialogAccepted: true },
        },
      }),
    );
    checkLeavesNothing(
      m,
      () => m.run('claude', ['mcp', 'list']).out,
      /huddle: huddle mcp --client claude-code - ✔ Connected/,
    );
  },
);

test(
  'gemini mcp list leaves no room, no agent and no activity line',
  { skip: geminiCli.skip, timeout: 180_000 },
  async () => {
    assert.ok(geminiCli.installed, `CI must have the Gemini CLI: ${geminiCli.problem}`);
    const m = await machine();
    m.huddle('init', 'gemini');
    // The trust a person gives the folder once ("Trust folder").
    mkdirSync(join(m.home, '.gemini'), { recursive: true });
    writeFileSync(
      join(m.home, '.gemini', 'trustedFolders.json'),
      JSON.stringify({ [m.project]: 'TRUST_FOLDER' }),
    );
    checkLeavesNothing(
      m,
      () => m.run('gemini', ['mcp', 'list']).out,
      /huddle: huddle mcp --client gemini \(stdio\) - Connected/,
    );
  },
);
