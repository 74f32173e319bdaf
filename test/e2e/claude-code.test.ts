// A real client: the Claude Code CLI accepts what `huddle init claude` wrote and reports the huddle
// server connected (`claude mcp list` in a temporary HOME, the project's server approved there).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { envWithoutHuddle, freePort } from '../helpers/process-env.js';
import { tempDir } from '../helpers/temp-dir.js';
import { backgroundHubPid, stopBackgroundHub } from '../helpers/background-hub.js';
import { writeHuddleShim } from '../helpers/client-processes.js';
import { probeCli } from '../helpers/client-cli.js';

const claudeCli = probeCli('claude', '@anthropic-ai/claude-code');

const dir = tempDir();
let hubPid: number | undefined;
after(() => {
  stopBackgroundHub(hubPid);
  dir.remove();
});

test(
  'claude mcp list reports the huddle server that huddle init claude wrote as connected',
  { skip: claudeCli.skip, timeout: 120_000 },
  async () => {
    assert.ok(claudeCli.installed, `CI must have the Claude Code CLI: ${claudeCli.problem}`);
    const project = join(dir.path, 'api');
    const home = join(dir.path, 'home');
    const bin = join(dir.path, 'bin');
    mkdirSync(join(project, '.git'), { recursive: true });
    mkdirSync(home, { recursive: true });
    writeHuddleShim(bin); // what `npm link` would put on the PATH
    const env = envWithoutHuddle();
    Object.assign(env, {
      HOME: home,
      HUDDLE_HOME: join(home, '.huddle'),
      HUDDLE_PORT: String(await freePort()),
      PATH: `${bin}:${process.env.PATH}`,
    });

    const init = spawnSync('huddle', ['init', 'claude'], { cwd: project, env, encoding: 'utf8' });
    assert.equal(init.status, 0, init.stderr);
    // The approval a person gives once for a project's .mcp.json.
    writeFileSync(
      join(home, '.claude.json'),
      JSON.stringify({
        projects: {
          [project]: { enabledMcpjsonServers: ['huddle'], hasTrustDialogAccepted: true },
        },
      }),
    );
    const list = spawnSync('claude', ['mcp', 'list'], {
      cwd: project,
      env,
      encoding: 'utf8',
      timeout: 90_000,
    });
    try {
      hubPid = backgroundHubPid(join(home, '.huddle'));
    } catch {
      // no hub was started
    }
    assert.match(
      list.stdout,
      /huddle: huddle mcp --client claude-code - ✔ Connected/,
      `${list.stdout}\n${list.stderr}`,
    );
  },
);
